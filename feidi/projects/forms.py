from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.forms import ColleagueChoicesMixin
from feidi.core.forms import ScopedModelForm
from feidi.core.forms import StyledFormMixin
from feidi.core.forms import scoped_form
from feidi.core.forms import style_fields

from .models import AnnualPlan
from .models import Dispatch
from .models import InvestmentTrip
from .models import Milestone
from .models import MonthlyInvestment
from .models import Problem
from .models import Project
from .models import ProjectSettings
from .models import Stage
from .models import StageGate
from .models import Task


class ProjectForm(ColleagueChoicesMixin, ScopedModelForm):
    colleague_fields = ("owner", "leader", "task_force")
    zone_department_fields = ("introducer_department",)

    class Meta:
        model = Project
        fields = ["name", "zone", "investor", "organization", "industry_code", "segment", "channel",
                  "introducer_department", "introducer", "owner", "leader", "task_force", "signed_amount",
                  "planned_investment", "fixed_asset_investment", "foreign_investment", "expected_output", "is_key",
                  "key_level", "programmes", "trip", "incubated_from", "description"]
        widgets = {"task_force": forms.SelectMultiple(attrs={"size": 4}),
                   "programmes": forms.SelectMultiple(attrs={"size": 4})}

    to_pool = forms.BooleanField(label=_("放入公海"), required=False,
                                 help_text=_("勾选后线索不设负责人，由其他招商干部认领；否则谁登记、谁负责"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("to_pool", None)  # a saved project leaves the pool only by a claim
        if "owner" in self.fields:
            self.fields["owner"].help_text = gettext("谁引进、谁负责：留空时由登记人负责")
            if self.user is not None and not self.instance.pk:
                self.fields["owner"].initial = self.user.pk

    def clean(self):
        data = super().clean()
        if data.get("to_pool") and data.get("owner"):
            self.add_error("to_pool", gettext("放入公海的线索不设负责人：请清空“负责人”或取消勾选"))
        return data


class ProjectImportForm(ProjectForm):
    """The import template's columns: people by name are not imported (assigned on the page)."""

    colleague_fields = ()
    to_pool = None  # an imported lead is the importer's (谁引进、谁负责)

    class Meta(ProjectForm.Meta):
        fields = ["name", "zone", "investor", "industry_code", "segment", "channel", "introducer", "signed_amount",
                  "planned_investment", "fixed_asset_investment", "foreign_investment", "is_key", "key_level",
                  "description"]

    def validate_unique(self):
        """The record's checks but its one project of a name in a zone (``Project.validate_unique``):
        an import checks that key for a whole chunk of rows in one query (``Importer.unique_stored``,
        the same ``cells.key_text``), and each row is checked again as it is written."""
        exclude = self._get_validation_exclusions()
        exclude.add("name")
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)


class TransitionForm(StyledFormMixin, forms.Form):
    to_stage = forms.ChoiceField(label=_("推进到"), choices=Stage.choices)
    on = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"},
                                                                               format="%Y-%m-%d"),
                         help_text=_("签约、开工、投产的实际日期，默认今天"))
    note = forms.CharField(label=_("说明（终止须填原因）"), required=False, max_length=300)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["to_stage"].choices = choices
        style_fields(self)


class ProjectPartForm(ScopedModelForm):
    """Parts are added from the project page: the project is fixed there. Elsewhere the key projects
    that can take one are offered: not a terminated one (``do_save_part``), and only those at
    ``project_stages`` where the part says so."""

    project_stages = None  # every stage but 终止

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "project" in self.fields:
            from .models import Project

            qs = Project.objects.visible_to(self.user)
            if self.instance.project_id:
                # Opened from the project's page: the project is fixed.
                self.fields["project"].queryset = qs.filter(pk=self.instance.project_id)
                self.fields["project"].widget = forms.HiddenInput()
            else:
                # Plans, entries, milestones and problems belong to key projects (a few hundred).
                qs = qs.filter(is_key=True).exclude(stage=Stage.TERMINATED)
                if self.project_stages is not None:
                    qs = qs.filter(stage__in=self.project_stages)
                self.fields["project"].queryset = qs.order_by("name").only("pk", "name")


AnnualPlanForm = scoped_form(AnnualPlan, ["project", "year", "planned_investment"], base=ProjectPartForm)


class InvestmentPartForm(ProjectPartForm):
    project_stages = (Stage.SIGNED, Stage.STARTED, Stage.PRODUCING, Stage.FULL)  # investment is completed once signed


MonthlyInvestmentForm = scoped_form(MonthlyInvestment, ["project", "month", "amount", "note"], base=InvestmentPartForm)


MilestoneForm = scoped_form(Milestone, ["project", "name", "planned_on", "actual_on"], base=ProjectPartForm)


ProblemForm = scoped_form(Problem,
                          ["project", "kind", "description", "owner_department", "deadline", "needs_leadership", "status", "resolution"],
                          base=(ColleagueChoicesMixin, ProjectPartForm), zone_department_fields=("owner_department",))


class TaskDoneForm(StyledFormMixin, forms.Form):
    """A dispatch task reported done (``actions.do_complete_task``)."""

    result = forms.CharField(label=_("办理结果"), max_length=2000, strip=True, widget=forms.Textarea(attrs={"rows": 3}))
    done_on = forms.DateField(label=_("完成日期"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), help_text=_("默认今天"))


class ProblemInstructForm(StyledFormMixin, forms.Form):
    """The leader's 批示 on a problem needing the leadership's decision (``actions.do_instruct_problem``)."""

    instruction = forms.CharField(label=_("批示内容"), max_length=2000, strip=True,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("如：请自然资源局本周内完成用地预审，项目办跟踪"))


class ProblemResolveForm(StyledFormMixin, forms.Form):
    """The responsible unit's report that a problem is solved (``actions.do_resolve_problem``)."""

    resolution = forms.CharField(label=_("解决情况"), max_length=2000, strip=True,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("采取的措施和办理结果"))
    solved_on = forms.DateField(label=_("解决日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text=_("默认今天"))

    def __init__(self, *args, **kwargs):
        from django.utils import timezone

        super().__init__(*args, **kwargs)
        # the browser refuses a day after today before the text typed is sent (and lost with a refusal)
        self.fields["solved_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        style_fields(self)


TaskForm = scoped_form(Task,
                       ["dispatch", "project", "decision", "owner_department", "owner", "deadline", "status", "result"],
                       base=(ColleagueChoicesMixin, ProjectPartForm), colleague_fields=("owner",),
                       zone_department_fields=("owner_department",))


DispatchForm = scoped_form(Dispatch, ["week_start", "title", "chaired_by", "held_on", "notes"])


class InvestmentTripForm(ColleagueChoicesMixin, ScopedModelForm):
    colleague_fields = ("leader", "members")

    class Meta:
        model = InvestmentTrip
        fields = ["set_out_on", "return_on", "destination", "leader", "members", "organizations", "purpose", "summary"]
        widgets = {"members": forms.SelectMultiple(attrs={"size": 4}),
                   "organizations": forms.SelectMultiple(attrs={"size": 5})}


class StageGateForm(ColleagueChoicesMixin, ScopedModelForm):
    zone_department_fields = ("department",)

    required_fields = forms.MultipleChoiceField(label=_("必填字段"), required=False,
                                                choices=list(StageGate.GATE_FIELDS.items()),
                                                widget=forms.CheckboxSelectMultiple)
    required_evidence = forms.CharField(label=_("必备佐证材料"), required=False,
                                        help_text=_("多个材料用顿号或逗号分隔，如：投资协议、营业执照"))

    class Meta:
        model = StageGate
        fields = ["department", "stage", "required_fields", "required_evidence", "roles"]
        widgets = {"roles": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["required_evidence"] = "、".join(self.instance.required_evidence or [])

    def clean_required_evidence(self):
        import re

        text = self.cleaned_data.get("required_evidence") or ""
        return [p.strip() for p in re.split(r"[、,，;；\s]+", text) if p.strip()]


ProjectSettingsForm = scoped_form(ProjectSettings,
                                  ["name", "department", "pool_after_days", "pace_percent", "report_title", "report_issuer"],
                                  base=(ColleagueChoicesMixin, ScopedModelForm),
                                  zone_department_fields=("department",))
