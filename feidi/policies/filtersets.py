import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import IdFilter, OverdueFilter, ScopedFilterSet, scoped_filterset

from .models import Application, Condition, Match, Payment, Policy, PolicyItem

PolicyFilterSet = scoped_filterset(Policy, ["active"], search=("title", "issuer", "number"))


class PolicyItemFilterSet(ScopedFilterSet):
    search_fields = ("title", "number", "content", "policy__title")
    policy = django_filters.ModelChoiceFilter(label=_("所属政策"), queryset=Policy.objects.all())

    class Meta:
        model = PolicyItem
        fields = ["policy", "mode", "active"]


ConditionFilterSet = scoped_filterset(Condition, ["kind", "item"], search=("text", "industry", "item__title"),
    item=IdFilter("item_id"))


class _EnterpriseItemFilterSet(ScopedFilterSet):
    """Matches, applications and payments by item and by enterprise, from links (an item's page,
    an enterprise's page)."""

    search_fields = ("organization__name", "item__title", "item__policy__title")
    item = IdFilter("item_id")
    organization = IdFilter("organization_id")


class MatchFilterSet(_EnterpriseItemFilterSet):
    class Meta:
        model = Match
        fields = ["status", "needs_check", "item", "organization"]


class ApplicationFilterSet(_EnterpriseItemFilterSet):
    search_fields = ("organization__name", "item__title")
    overdue = OverdueFilter(Application.OPEN)

    class Meta:
        model = Application
        fields = ["status", "period", "item", "organization"]


class PaymentFilterSet(_EnterpriseItemFilterSet):
    policy = IdFilter("item__policy_id")

    class Meta:
        model = Payment
        fields = ["status", "period", "item", "organization", "policy"]
