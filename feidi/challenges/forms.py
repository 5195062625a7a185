"""Forms of 揭榜挂帅: the challenge (criteria typed one per line), the application with its
consortium, the expert's score sheet, the award, milestones, acceptance and transfer."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.forms import ScopedModelForm
from feidi.core.forms import StyledFormMixin
from feidi.core.forms import style_fields
from feidi.lib import uscc as uscc_lib
from feidi.techmarket.models import Demand

from .models import Application
from .models import Challenge
from .models import JointProject

DATE = {"type": "date"}


def expert_users():
    """Users who may score applications: those holding challenges.add_review through a role."""
    from feidi.accounts.models import User

    return User.objects.holding("challenges.add_review").filter(is_active=True).order_by("full_name")


def criteria_text(criteria) -> str:
    return "\n".join(f"{c.get('name', '')} {c.get('weight', '')}" for c in criteria or [])


class CriteriaField(forms.CharField):
    """评审指标, one per line: ``名称 权重`` (e.g. ``技术先进性 40``); weights must sum to 100
    (the model's clean says so)."""

    widget = forms.Textarea

    def prepare_value(self, value):
        return criteria_text(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value)
        criteria, errors = [], []
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            m = re.fullmatch(r"(.+?)[\s:：,，]+(\d+(?:\.\d+)?)\s*%?", line)
            if not m and re.fullmatch(r"(.+?)[\s:：,，]+[-−－]\s*\d+(?:\.\d+)?\s*%?", line):  # a weight below 0
                errors.append(gettext("第 {n} 行的权重不能为负数").format(n=n))
                continue
            if not m:
                errors.append(gettext("第 {n} 行应为“指标名称 权重”，如：技术先进性 40").format(n=n))
                continue
            weight = float(m.group(2))
            criteria.append({"name": m.group(1).strip(), "weight": int(weight) if weight.is_integer() else weight})
        names = [c["name"] for c in criteria]
        if len(set(names)) != len(names):
            errors.append(gettext("评审指标名称不能重复"))
        if errors:
            raise ValidationError(errors)
        return criteria


class ChallengeForm(ScopedModelForm):
    criteria = CriteriaField(label=_("评审指标"), help_text=_("每行一项：指标名称 权重，权重合计 100，如“技术先进性 40”"))

    class Meta:
        model = Challenge
        fields = ["demand", "title", "batch", "bounty", "deadline", "criteria", "conditions", "joint", "joint_partner",
                  "experts"]
        widgets = {"experts": forms.SelectMultiple(attrs={"size": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        demands = Demand.objects.visible_to(self.user).select_related("organization")
        if self.instance.pk:
            self.fields["demand"].queryset = demands.filter(pk=self.instance.demand_id)
            self.fields["demand"].disabled = True
        else:
            self.fields["demand"].queryset = demands.filter(status=Demand.Status.PUBLISHED).order_by("-published_at")
            demand = self.instance.demand if self.instance.demand_id else None
            if demand is not None:
                for name, value in (("title", demand.title), ("bounty", demand.budget), ("deadline", demand.deadline)):
                    if value and not self.initial.get(name):
                        self.initial[name] = value
            if not self.instance.criteria:
                # a starting point the user edits, in the user's language
                self.initial["criteria"] = [{"name": gettext("技术先进性"), "weight": 40},
                                            {"name": gettext("团队实力"), "weight": 30},
                                            {"name": gettext("实施方案可行性"), "weight": 30}]
        self.fields["bounty"].help_text = gettext("单位：元（1000万元填 10000000）")
        self.fields["experts"].queryset = expert_users()
        self.fields["experts"].required = False
        self.fields["experts"].help_text = gettext("受邀专家可查看本榜单的揭榜申请并打分")


def member_directory(user):
    """The consortium members one may pick from a list: universities and institutes, a directory of
    names (like a colleague list: few and public), the user's own organization left out. Any other
    member is named by its credit code (``members_by_code``), never picked by id."""
    from feidi.registry.models import Organization

    own = getattr(user, "organization_id", None)
    return Organization.objects.filter(kind__in=["university", "institute"]).exclude(pk=own).order_by("name")


def members_by_code(codes) -> list:
    """The organizations named by the credit codes ``codes``, or a ValidationError listing each
    code that is invalid or not registered."""
    from feidi.registry.models import Organization

    found, errors = [], []
    for code in codes:
        try:
            code = uscc_lib.validate(code)
        except uscc_lib.InvalidCode as exc:
            errors.append(f"{code}：{exc}")
            continue
        org = Organization.objects.filter(uscc=code).first()
        if org is None:
            errors.append(gettext("{code}：平台中没有该单位，请先由园区登记").format(code=code))
        else:
            found.append(org)
    if errors:
        raise ValidationError(errors)
    return found


class ApplicationForm(ScopedModelForm):
    """揭榜: the applicant is the user's institution; consortium members are research institutions
    chosen from the list and enterprises named by their unified social credit code."""

    member_institutions = forms.ModelMultipleChoiceField(
        label=_("联合体成员（高校、院所）"), required=False, queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 5}))
    member_codes = forms.CharField(label=_("联合体成员（企业等，统一社会信用代码）"), required=False, widget=forms.Textarea,
                                   help_text=_("每行一个 18 位统一社会信用代码；单独揭榜则两项都留空"))

    class Meta:
        model = Application
        fields = ["proposal", "budget", "period_months"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["member_institutions"].queryset = member_directory(self.user)
        self.fields["budget"].help_text = gettext("单位：元")
        self.fields["proposal"].widget.attrs["rows"] = 6
        style_fields(self)

    def clean_member_codes(self):
        codes = [c.strip().upper() for c in re.split(r"[\s,，;；]+", self.cleaned_data.get("member_codes") or "") if c.strip()]
        return members_by_code(codes)

    def members(self) -> list:
        return [*self.cleaned_data.get("member_institutions", []), *self.cleaned_data.get("member_codes", [])]


class ReviewForm(StyledFormMixin, forms.Form):
    """The expert's score sheet: one 0–100 score per criterion of the challenge."""

    comment = forms.CharField(label=_("评审意见"), required=False, widget=forms.Textarea)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for i, c in enumerate(self.criteria):
            self.fields[f"c{i}"] = forms.DecimalField(
                label=gettext("{value}（权重 {value2}）").format(
                    value=c['name'], value2=c['weight']), min_value=0, max_value=100, decimal_places=1,
                widget=forms.NumberInput(attrs={"step": "1", "min": 0, "max": 100, "inputmode": "decimal"}))
        self.order_fields([f"c{i}" for i in range(len(self.criteria))] + ["comment"])
        style_fields(self)

    @classmethod
    def initial_for(cls, criteria, review) -> dict:
        if review is None:
            return {}
        data = {f"c{i}": review.scores.get(c["name"]) for i, c in enumerate(criteria)}
        data["comment"] = review.comment
        return data

    def scores(self) -> dict:
        return {c["name"]: self.cleaned_data[f"c{i}"] for i, c in enumerate(self.criteria)}


class AwardForm(StyledFormMixin, forms.Form):
    application = forms.ModelChoiceField(label=_("中榜单位"), queryset=Application.objects.none())
    title = forms.CharField(label=_("联合攻关项目名称"), required=False, max_length=200, help_text=_("默认：榜单名称+联合攻关"))
    budget = forms.DecimalField(label=_("项目经费（元）"), required=False, min_value=0, max_digits=18,
                                decimal_places=2,
                                help_text=_("默认为榜额"))
    starts_on = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(DATE,
                                                                                        format="%Y-%m-%d"),
                                help_text=_("默认今天；计划完成日期按申请的攻关周期推算"))

    def __init__(self, *args, challenge=None, applications=None, **kwargs):
        super().__init__(*args, **kwargs)
        if applications is not None:
            self.fields["application"].queryset = applications
            self.fields["application"].label_from_instance = (
                lambda a: gettext("{applicant}（{kind}，{score}）").format(
                    applicant=a.applicant, kind=gettext("联合体") if a.member_count else gettext("独立揭榜"),
                    score=gettext("平均分 {score}").format(
                        score=a.score) if a.score is not None else gettext("未评分")))
        style_fields(self)


class AcceptanceForm(StyledFormMixin, forms.Form):
    passed = forms.TypedChoiceField(label=_("验收结论"), choices=[("1", _("通过")), ("0", _("不通过"))],
                                    coerce=lambda v: v == "1", widget=forms.RadioSelect)
    accepted_on = forms.DateField(label=_("验收日期"), widget=forms.DateInput(DATE, format="%Y-%m-%d"))
    acceptance_note = forms.CharField(label=_("验收意见"), required=False, widget=forms.Textarea,
                                      help_text=_("尚有未完成节点时必须填写"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["passed"].widget.attrs["class"] = "form-check-input"


class TransferForm(StyledFormMixin, forms.Form):
    home_project = forms.ModelChoiceField(label=_("落地产业化项目"), queryset=None,
                                          help_text=_("本园区招商项目库中“飞地转化”来源的项目"))
    transferred_on = forms.DateField(label=_("转化落地日期"), widget=forms.DateInput(DATE, format="%Y-%m-%d"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from feidi.projects.models import Channel
        from feidi.projects.models import Project

        self.fields["home_project"].queryset = (Project.objects.visible_to(user).filter(channel=Channel.ENCLAVE)
                                                .order_by("name").only("pk", "name"))
        style_fields(self)


class MilestoneForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("节点"), max_length=200)
    due_on = forms.DateField(label=_("计划完成"), widget=forms.DateInput(DATE, format="%Y-%m-%d"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class JointProjectForm(ScopedModelForm):
    class Meta:
        model = JointProject
        fields = ["title", "budget", "starts_on", "ends_on", "goals", "incubated_in"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from feidi.registry.models import Zone

        self.fields["incubated_in"].queryset = (Zone.objects.visible_to(self.user).filter(kind__extra__enclave=True)
                                                .order_by("name"))
        self.fields["incubated_in"].help_text = gettext("在科创飞地孵化的项目，可在验收后标记转化落地到本地产业化项目")
        self.fields["budget"].help_text = gettext("单位：元")
