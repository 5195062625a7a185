import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import ScopedFilterSet, scoped_filterset

from .models import Application, Condition, Match, Payment, Policy, PolicyItem

PolicyFilterSet = scoped_filterset(Policy, ["active"], search=("title", "issuer", "number"))


class PolicyItemFilterSet(ScopedFilterSet):
    search_fields = ("title", "number", "content", "policy__title")
    policy = django_filters.ModelChoiceFilter(label=_("所属政策"), queryset=Policy.objects.all())

    class Meta:
        model = PolicyItem
        fields = ["policy", "mode", "active"]


ConditionFilterSet = scoped_filterset(Condition, ["kind", "item"], search=("text", "industry", "item__title"),
    item=django_filters.NumberFilter(field_name="item_id", widget=forms.HiddenInput))


class MatchFilterSet(ScopedFilterSet):
    search_fields = ("organization__name", "item__title", "item__policy__title")
    # by id from links (an item's page, an enterprise's page): a select of every one would not scale
    item = django_filters.NumberFilter(field_name="item_id", widget=forms.HiddenInput)
    organization = django_filters.NumberFilter(field_name="organization_id", widget=forms.HiddenInput)

    class Meta:
        model = Match
        fields = ["status", "needs_check", "item", "organization"]


class ApplicationFilterSet(ScopedFilterSet):
    search_fields = ("organization__name", "item__title")
    item = django_filters.NumberFilter(field_name="item_id", widget=forms.HiddenInput)
    organization = django_filters.NumberFilter(field_name="organization_id", widget=forms.HiddenInput)
    overdue = django_filters.BooleanFilter(label=_("已逾期"), method="filter_overdue")

    class Meta:
        model = Application
        fields = ["status", "period", "item", "organization"]

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        if value is None:
            return queryset
        overdue = queryset.filter(status__in=Application.OPEN, deadline__lt=timezone.now())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class PaymentFilterSet(ScopedFilterSet):
    search_fields = ("organization__name", "item__title", "item__policy__title")
    item = django_filters.NumberFilter(field_name="item_id", widget=forms.HiddenInput)
    organization = django_filters.NumberFilter(field_name="organization_id", widget=forms.HiddenInput)
    policy = django_filters.NumberFilter(field_name="item__policy_id", widget=forms.HiddenInput)

    class Meta:
        model = Payment
        fields = ["status", "period", "item", "organization", "policy"]
