from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.forms import ColleagueChoicesMixin
from feidi.core.forms import ScopedModelForm
from feidi.core.forms import StyledFormMixin
from feidi.core.forms import scoped_form
from feidi.core.forms import style_fields

from .actions import STEPS
from .models import Appeal
from .models import Assignment
from .models import ServiceGroup
from .models import ServiceSettings
from .models import Visit


class AppealForm(ScopedModelForm):
    class Meta:
        model = Appeal
        fields = ["organization", "category", "title", "content"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        if user is not None and user.organization_id:
            # An enterprise files for itself only.
            self.fields["organization"].queryset = self.fields["organization"].queryset.filter(pk=user.organization_id)
            self.fields["organization"].initial = user.organization_id
            self.fields["organization"].empty_label = None
        self.fields["category"].help_text = gettext("各类别的办理时限（工作日）由安商办在数据字典中设置")


class AssignmentForm(ColleagueChoicesMixin, ScopedModelForm):
    colleague_fields = ("cadre",)

    class Meta:
        model = Assignment
        fields = ["organization", "cadre", "group", "since", "until"]

    def validate_constraints(self):
        # "One current cadre per enterprise" is kept by do_assign_cadre, which ends the previous
        # link first (and by the database constraint); checking it here would refuse every change.
        pass


ServiceGroupForm = scoped_form(ServiceGroup, ["name", "area", "leader"],
                               base=(ColleagueChoicesMixin, ScopedModelForm), colleague_fields=("leader",))


class ServiceSettingsForm(ColleagueChoicesMixin, ScopedModelForm):
    """A zone's escalation chain. Its zone is one of the 安商办's own zone's units, which it may
    name (``Department.named_by``) though it sees no departments; a setting saved without a zone
    applied to no appeal."""

    colleague_fields = ("office_head", "principal_leader")

    class Meta:
        model = ServiceSettings
        fields = ["name", "department", "office_head", "principal_leader", "level2_days", "level3_days",
                  "level4_days", "reopen_below", "max_suspend_days", "max_suspends"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].required = True
        self.fields["department"].help_text = _("适用于该园区（管委会）企业提交的诉求")


class AppealActionForm(StyledFormMixin, forms.Form):
    """One form for the detail page's actions; each action reads the fields it needs."""

    ACTIONS = STEPS
    action = forms.ChoiceField(choices=list(ACTIONS.items()), widget=forms.HiddenInput)
    text = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea)
    department = forms.ModelChoiceField(label=_("部门"), queryset=None, required=False)
    rating = forms.TypedChoiceField(label=_("满意度"), required=False, coerce=int,
                                    choices=[(i, "★" * i) for i in range(5, 0, -1)])
    outcome = forms.ModelChoiceField(label="服务成效", required=False, queryset=None,
                                     help_text="办结时选择，统计“解决用地、留住订单……”时计入")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from feidi.accounts.models import Department
        from feidi.core.models import DictItem
        from feidi.core.scope import offered

        # the units of the handler's zone, by name (``offered``): no business role sees departments,
        # so 转办/会办 offered none and could be done by no one
        self.fields["department"].queryset = offered(Department.objects.all(), user) if user else Department.objects.none()
        self.fields["outcome"].queryset = DictItem.objects.filter(type__code="service_outcome", active=True)
        style_fields(self)


class VisitForm(ColleagueChoicesMixin, ScopedModelForm):
    colleague_fields = ("cadre",)

    class Meta:
        model = Visit
        fields = ["organization", "cadre", "visited_on", "notes", "appeals"]
        widgets = {"appeals": forms.CheckboxSelectMultiple}

    def clean(self):
        """A visit records the appeals of the enterprise visited, not another's."""
        cleaned = super().clean()
        organization, appeals = cleaned.get("organization"), cleaned.get("appeals")
        if organization is not None and appeals:
            others = [appeal for appeal in appeals if appeal.organization_id != organization.pk]
            if others:
                self.add_error("appeals", gettext("诉求“{titles}”不是{organization}的诉求，不能记入这次走访").format(
                    titles="”“".join(appeal.title for appeal in others[:5]), organization=organization.name))
        return cleaned
