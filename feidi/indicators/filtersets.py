import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import ScopedFilterSet
from feidi.registry.models import Zone

from .models import (
    BenefitShare,
    Indicator,
    IndicatorValue,
    MuResult,
    MuRule,
    RankingRule,
    RankingRun,
    RegionFigure,
    ZoneFigure,
)


class IndicatorValueFilterSet(ScopedFilterSet):
    search_fields = ("organization__name", "organization__uscc")
    indicator = django_filters.ModelChoiceFilter(label=_("指标"), queryset=Indicator.objects.all())
    zone = django_filters.ModelChoiceFilter(label=_("园区"), queryset=Zone.objects.all())
    month = django_filters.CharFilter(label=_("月份"), method="filter_month",
                                      widget=forms.TextInput(attrs={"type": "month"}))
    organization = django_filters.NumberFilter(field_name="organization_id", widget=forms.HiddenInput)

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "zone", "source", "organization"]

    def filter_month(self, queryset, name, value):
        from .engine import month_param

        month = month_param(value)
        return queryset.filter(period=month) if month else queryset


class IndicatorFilterSet(ScopedFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = Indicator
        fields = ["kind", "active"]


class MuRuleFilterSet(ScopedFilterSet):
    class Meta:
        model = MuRule
        fields = ["year"]


class MuResultFilterSet(ScopedFilterSet):
    search_fields = ("organization__name",)
    year = django_filters.NumberFilter(label=_("年度"), field_name="rule__year")
    zone = django_filters.ModelChoiceFilter(label=_("园区"), queryset=Zone.objects.all())

    class Meta:
        model = MuResult
        fields = ["year", "grade", "zone"]


class RankingRuleFilterSet(ScopedFilterSet):
    search_fields = ("name",)

    class Meta:
        model = RankingRule
        fields = ["subject"]


class RankingRunFilterSet(ScopedFilterSet):
    rule = django_filters.ModelChoiceFilter(label=_("规则"), queryset=RankingRule.objects.all())

    class Meta:
        model = RankingRun
        fields = ["rule"]


class ZoneFigureFilterSet(ScopedFilterSet):
    search_fields = ("zone__name", "source")
    indicator = django_filters.ModelChoiceFilter(label=_("指标"), queryset=Indicator.objects.all())

    class Meta:
        model = ZoneFigure
        fields = ["indicator"]


class BenefitShareFilterSet(ScopedFilterSet):
    search_fields = ("organization__name", "agreement__title")

    class Meta:
        model = BenefitShare
        fields = []


class RegionFigureFilterSet(ScopedFilterSet):
    search_fields = ("name", "source")
    indicator = django_filters.ModelChoiceFilter(label=_("指标"), queryset=Indicator.objects.all())

    class Meta:
        model = RegionFigure
        fields = ["indicator", "level"]
