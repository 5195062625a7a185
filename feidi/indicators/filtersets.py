import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import IdFilter
from feidi.core.filters import ScopedFilterSet
from feidi.core.filters import scoped_filterset
from feidi.registry.models import Zone

from .models import BenefitShare
from .models import Indicator
from .models import IndicatorValue
from .models import MuResult
from .models import MuRule
from .models import RankingRule
from .models import RankingRun
from .models import RegionFigure
from .models import ZoneFigure


class IndicatorValueFilterSet(ScopedFilterSet):
    search_fields = ("organization__name", "organization__uscc")
    indicator = django_filters.ModelChoiceFilter(label=_("指标"), queryset=Indicator.objects.all())
    zone = django_filters.ModelChoiceFilter(label=_("园区"), queryset=Zone.objects.all())
    month = django_filters.CharFilter(label=_("月份"), method="filter_month",
                                      widget=forms.TextInput(attrs={"type": "month"}))
    organization = IdFilter("organization_id")

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "zone", "source", "organization"]

    def filter_month(self, queryset, name, value):
        from .engine import month_param

        month = month_param(value)
        return queryset.filter(period=month) if month else queryset


IndicatorFilterSet = scoped_filterset(Indicator, ["kind", "active"], search=("name", "code"))


MuRuleFilterSet = scoped_filterset(MuRule, ["year"])
MuResultFilterSet = scoped_filterset(MuResult, ["year", "grade", "zone"], search=("organization__name",),
    year=django_filters.NumberFilter(label=_("年度"), field_name="rule__year"),
    zone=django_filters.ModelChoiceFilter(label=_("园区"), queryset=Zone.objects.all()))


RankingRuleFilterSet = scoped_filterset(RankingRule, ["subject"], search=("name",))
RankingRunFilterSet = scoped_filterset(RankingRun, ["rule"],
    rule=django_filters.ModelChoiceFilter(label=_("规则"), queryset=RankingRule.objects.all()))


ZoneFigureFilterSet = scoped_filterset(ZoneFigure, ["indicator"], search=("zone__name", "source"),
    indicator=django_filters.ModelChoiceFilter(label=_("指标"), queryset=Indicator.objects.all()))


BenefitShareFilterSet = scoped_filterset(BenefitShare, search=("organization__name", "agreement__title"))
RegionFigureFilterSet = scoped_filterset(RegionFigure, ["indicator", "level"], search=("name", "source"),
    indicator=django_filters.ModelChoiceFilter(label=_("指标"), queryset=Indicator.objects.all()))
