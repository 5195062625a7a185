import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from feidi.chains.models import Chain
from feidi.core.filters import MineFilter, ScopedFilterSet
from feidi.registry.models import Zone

from .models import (
    Alert,
    AnnualPlan,
    Dispatch,
    InvestmentTrip,
    KeyLevel,
    Milestone,
    MonthlyInvestment,
    Problem,
    Project,
    ProjectSettings,
    Report,
    StageGate,
    Task,
)


class ProjectFilterSet(ScopedFilterSet):
    search_fields = ("name", "investor", "introducer")
    zone = django_filters.ModelChoiceFilter(label=_("落地园区"), queryset=Zone.objects.all())
    chain = django_filters.ModelChoiceFilter(label=_("产业链"), field_name="segment__chain",
                                             queryset=Chain.objects.all())
    segment = django_filters.NumberFilter(field_name="segment_id", widget=forms.HiddenInput)
    key_level = django_filters.ChoiceFilter(label=_("重点级别"), choices=KeyLevel.choices)
    mine = MineFilter()
    pool = django_filters.BooleanFilter(label=_("公海"), method="filter_pool")
    signed_after = django_filters.DateFilter(label=_("签约日期从"), field_name="signed_on", lookup_expr="gte")
    signed_before = django_filters.DateFilter(label=_("签约日期至"), field_name="signed_on", lookup_expr="lte")

    class Meta:
        model = Project
        fields = ["stage", "channel", "zone", "chain", "key_level", "segment"]

    def filter_pool(self, queryset, name, value):
        if value is None:
            return queryset
        pool = {"owner__isnull": True, "stage": "lead"}
        return queryset.filter(**pool) if value else queryset.exclude(**pool)


class KeyProjectFilterSet(ScopedFilterSet):
    search_fields = ("name", "investor")
    zone = django_filters.ModelChoiceFilter(label=_("落地园区"), queryset=Zone.objects.all())
    chain = django_filters.ModelChoiceFilter(label=_("产业链"), field_name="segment__chain",
                                             queryset=Chain.objects.all())

    class Meta:
        model = Project
        fields = ["key_level", "stage", "zone", "chain"]


class PoolFilterSet(ScopedFilterSet):
    search_fields = ("name", "investor")
    zone = django_filters.ModelChoiceFilter(label=_("落地园区"), queryset=Zone.objects.all())
    chain = django_filters.ModelChoiceFilter(label=_("产业链"), field_name="segment__chain",
                                             queryset=Chain.objects.all())

    class Meta:
        model = Project
        fields = ["zone", "chain", "channel"]


class InvestmentTripFilterSet(ScopedFilterSet):
    search_fields = ("destination", "purpose", "summary")
    after = django_filters.DateFilter(label=_("出发日期从"), field_name="set_out_on", lookup_expr="gte")
    before = django_filters.DateFilter(label=_("至"), field_name="set_out_on", lookup_expr="lte")

    class Meta:
        model = InvestmentTrip
        fields = []


class _PartFilterSet(ScopedFilterSet):
    project = django_filters.NumberFilter(field_name="project_id", widget=forms.HiddenInput)


class AnnualPlanFilterSet(_PartFilterSet):
    search_fields = ("project__name",)

    class Meta:
        model = AnnualPlan
        fields = ["year", "project"]


class MonthlyInvestmentFilterSet(_PartFilterSet):
    search_fields = ("project__name", "note")
    after = django_filters.DateFilter(label=_("月份从"), field_name="month", lookup_expr="gte")
    before = django_filters.DateFilter(label=_("至"), field_name="month", lookup_expr="lte")

    class Meta:
        model = MonthlyInvestment
        fields = ["project"]


class MilestoneFilterSet(_PartFilterSet):
    search_fields = ("project__name", "name")
    done = django_filters.BooleanFilter(label=_("已完成"), field_name="actual_on", lookup_expr="isnull",
                                        exclude=True)

    class Meta:
        model = Milestone
        fields = ["project"]


class ProblemFilterSet(_PartFilterSet):
    search_fields = ("project__name", "description")

    class Meta:
        model = Problem
        fields = ["status", "kind", "needs_leadership", "project"]


class TaskFilterSet(_PartFilterSet):
    search_fields = ("project__name", "decision")
    dispatch = django_filters.ModelChoiceFilter(label=_("调度会"), queryset=Dispatch.objects.all())
    mine = MineFilter()

    class Meta:
        model = Task
        fields = ["status", "dispatch", "project"]


class DispatchFilterSet(ScopedFilterSet):
    search_fields = ("title", "notes")

    class Meta:
        model = Dispatch
        fields = ["status"]


class AlertFilterSet(ScopedFilterSet):
    search_fields = ("project__name", "message")
    open = django_filters.BooleanFilter(label=_("未解除"), field_name="resolved_at", lookup_expr="isnull")

    class Meta:
        model = Alert
        fields = ["rule"]


class ReportFilterSet(ScopedFilterSet):
    search_fields = ("title",)

    class Meta:
        model = Report
        fields = ["year"]


class StageGateFilterSet(ScopedFilterSet):
    class Meta:
        model = StageGate
        fields = ["stage"]


class ProjectSettingsFilterSet(ScopedFilterSet):
    search_fields = ("name",)

    class Meta:
        model = ProjectSettings
        fields = []
