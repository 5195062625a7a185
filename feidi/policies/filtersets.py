import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import IdFilter
from feidi.core.filters import OverdueFilter
from feidi.core.filters import ScopedFilterSet
from feidi.core.filters import scoped_filterset
from feidi.core.workbench import WaitingFilter

from . import todos
from .models import Application
from .models import Condition
from .models import Match
from .models import Payment
from .models import Policy
from .models import PolicyItem

PolicyFilterSet = scoped_filterset(Policy, ["active"], search=("title", "issuer", "number"))


PolicyItemFilterSet = scoped_filterset(PolicyItem, ["policy", "mode", "active"],
    search=("title", "number", "content", "policy__title"),
    policy=django_filters.ModelChoiceFilter(label=_("所属政策"), queryset=Policy.objects.all()))


ConditionFilterSet = scoped_filterset(Condition, ["kind", "item"], search=("text", "industry", "item__title"),
    item=IdFilter("item_id"))


class _EnterpriseItemFilterSet(ScopedFilterSet):
    """Matches, applications and payments by item and by enterprise, from links (an item's page,
    an enterprise's page)."""

    search_fields = ("organization__name", "item__title", "item__policy__title")
    item = IdFilter("item_id")
    organization = IdFilter("organization_id")


MatchFilterSet = scoped_filterset(Match, ["status", "needs_check", "item", "organization"], base=_EnterpriseItemFilterSet)


class ApplicationFilterSet(_EnterpriseItemFilterSet):
    search_fields = ("organization__name", "item__title")
    overdue = OverdueFilter(Application.OPEN)
    handle = WaitingFilter(todos.applications_to_handle, _("待办理的政策申报"))

    class Meta:
        model = Application
        fields = ["status", "period", "item", "organization"]


PaymentFilterSet = scoped_filterset(Payment, ["status", "period", "item", "organization", "policy"],
                                    base=_EnterpriseItemFilterSet, policy=IdFilter("item__policy_id"),
                                    confirm=WaitingFilter(todos.payments_to_confirm, _("待确认的兑现名单")))
