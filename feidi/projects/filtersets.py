import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.chains.models import Chain
from feidi.core.filters import IdFilter
from feidi.core.filters import MineFilter
from feidi.core.filters import ScopedFilterSet
from feidi.core.filters import date_range
from feidi.core.filters import scoped_filterset
from feidi.core.workbench import WaitingFilter
from feidi.registry.models import Zone

from . import todos
from .models import Alert
from .models import AnnualPlan
from .models import Dispatch
from .models import InvestmentTrip
from .models import KeyLevel
from .models import Milestone
from .models import MonthlyInvestment
from .models import Problem
from .models import Project
from .models import ProjectSettings
from .models import Report
from .models import StageGate
from .models import Task
from .models import in_force


class _ProjectListFilterSet(ScopedFilterSet):
    """What every project list filters on: name or investor, zone and chain."""

    search_fields = ("name", "investor")
    zone = django_filters.ModelChoiceFilter(label=_("落地园区"), queryset=Zone.objects.all())
    chain = django_filters.ModelChoiceFilter(label=_("产业链"), field_name="segment__chain",
                                             queryset=Chain.objects.all())


class ProjectFilterSet(_ProjectListFilterSet):
    search_fields = ("name", "investor", "introducer")
    segment = IdFilter("segment_id")
    key_level = django_filters.ChoiceFilter(label=_("重点级别"), choices=KeyLevel.choices)
    mine = MineFilter()
    pool = django_filters.BooleanFilter(label=_("公海"), method="filter_pool")
    terminated = django_filters.BooleanFilter(label=_("已终止"), method="filter_terminated")
    signed_after, signed_before = date_range("signed_on", _("签约日期从"), _("签约日期至"))
    stale = WaitingFilter(todos.leads_stale, _("即将退回公海的线索"))

    class Meta:
        model = Project
        fields = ["stage", "channel", "zone", "chain", "key_level", "segment"]

    def filter_terminated(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(in_force()) if value else queryset.filter(in_force())

    def filter_pool(self, queryset, name, value):
        if value is None:
            return queryset
        pool = {"owner__isnull": True, "stage": "lead"}
        return queryset.filter(**pool) if value else queryset.exclude(**pool)


KeyProjectFilterSet = scoped_filterset(Project, ["key_level", "stage", "zone", "chain"], base=_ProjectListFilterSet,
                                       name="KeyProjectFilterSet")
PoolFilterSet = scoped_filterset(Project, ["zone", "chain", "channel"], base=_ProjectListFilterSet,
                                 name="PoolFilterSet")


class InvestmentTripFilterSet(ScopedFilterSet):
    search_fields = ("destination", "purpose", "summary")
    after, before = date_range("set_out_on", _("出发日期从"))

    class Meta:
        model = InvestmentTrip
        fields = []


class _PartFilterSet(ScopedFilterSet):
    project = IdFilter("project_id")


AnnualPlanFilterSet = scoped_filterset(AnnualPlan, ["year", "project"], search=("project__name",), base=_PartFilterSet)


class MonthlyInvestmentFilterSet(_PartFilterSet):
    search_fields = ("project__name", "note")
    after, before = date_range("month", _("月份从"))

    class Meta:
        model = MonthlyInvestment
        fields = ["project"]


MilestoneFilterSet = scoped_filterset(Milestone, ["project"], search=("project__name", "name"), base=_PartFilterSet,
    done=django_filters.BooleanFilter(label=_("已完成"), field_name="actual_on", lookup_expr="isnull", exclude=True))
ProblemFilterSet = scoped_filterset(Problem, ["status", "kind", "needs_leadership", "owner_department", "project"],
                                    search=("project__name", "description"), base=_PartFilterSet,
                                    due=WaitingFilter(todos.problems_due, _("临期或逾期的问题")),
                                    instruct=WaitingFilter(todos.problems_to_instruct, _("待批示的问题（需领导决策）")))
TaskFilterSet = scoped_filterset(Task, ["status", "dispatch", "project"], search=("project__name", "decision"),
    base=_PartFilterSet, dispatch=django_filters.ModelChoiceFilter(label=_("调度会"), queryset=Dispatch.objects.all()),
    mine=MineFilter(), due=WaitingFilter(todos.tasks_due, _("调度会议定事项")))


DispatchFilterSet = scoped_filterset(Dispatch, ["status"], search=("title", "notes"))
AlertFilterSet = scoped_filterset(Alert, ["rule"], search=("project__name", "message"),
    open=django_filters.BooleanFilter(label=_("未解除"), field_name="resolved_at", lookup_expr="isnull"),
    mine=WaitingFilter(todos.alerts_mine, _("我负责或挂点项目的预警")))
ReportFilterSet = scoped_filterset(Report, ["year"], search=("title",))


StageGateFilterSet = scoped_filterset(StageGate, ["stage"])


ProjectSettingsFilterSet = scoped_filterset(ProjectSettings, search=("name",))
