"""Conditions as sets: each structured condition compiles to a queryset of organization ids, so an
item's matches are computed by the database (``matching.py``), never by a loop over enterprises.

What each kind needs, its sentence and its form's checks live with the model
(``models.REQUIRED``, ``models.describe``, ``models.validate``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count
from django.db.models import F
from django.db.models import Q
from django.utils import timezone

from .models import Condition
from .models import industries

K = Condition.Kind

def _day(c: Condition, today: dt.date | None) -> dt.date:
    return c.on or today or timezone.localdate()


def gate_filter(c: Condition) -> Q:
    """A gate's condition (``models.GATES``) as a filter on the organizations themselves."""
    if c.kind == K.INDUSTRY:
        q = Q(pk__in=[])
        for code in industries(c.industry):
            q |= Q(industry_code__startswith=code)
        return q
    return Q(zone_id=c.zone_id)


def compile_condition(c: Condition, today: dt.date | None = None):
    """The ids of the organizations satisfying ``c`` (a queryset to use as ``pk__in``); None for a
    free-text condition, which no query can decide."""
    from feidi.indicators.models import IndicatorValue
    from feidi.registry.models import Organization
    from feidi.registry.models import OrganizationLabel
    from feidi.registry.models import Residency
    from feidi.techmarket.models import Talent

    if c.kind == K.LABEL:
        day = _day(c, today)
        return (OrganizationLabel.objects.filter(label_id=c.label_id, since__lte=day)
                .filter(Q(until__isnull=True) | Q(until__gte=day)).values("organization_id"))
    if c.kind in (K.INDUSTRY, K.ZONE):
        return Organization.objects.filter(gate_filter(c)).values("pk")
    if c.kind == K.INDICATOR_MIN:
        return IndicatorValue.objects.filter(indicator_id=c.indicator_id, period=c.month,
                                             value__gte=c.min_value).values("organization_id")
    if c.kind == K.INDICATOR_GROWTH:
        # 同口径: each enterprise's cumulative value against its own a year earlier
        from feidi.indicators.engine import add_months

        # (the year-earlier row joined, one filter() so both sides are the same row: a join the
        # database hashes, not a subquery run once per enterprise)
        factor = 1 + (c.min_growth or Decimal(0)) / 100
        return (IndicatorValue.objects.filter(indicator_id=c.indicator_id, period=c.month)
                .filter(organization__indicator_values__indicator_id=c.indicator_id,
                        organization__indicator_values__period=add_months(c.month, -12),
                        organization__indicator_values__value__gt=0,
                        value__gte=F("organization__indicator_values__value") * factor)
                .values("organization_id"))
    if c.kind == K.ENCLAVE_LANDED:
        # incubated in an enclave (resident there, or moved out) and now in that enclave's home zone
        rows = Residency.objects.filter(status__in=[Residency.Status.RESIDENT, Residency.Status.EXITED],
                                        enclave__home_zone_id=F("organization__zone_id"))
        if c.zone_id:
            rows = rows.filter(enclave_id=c.zone_id)
        return rows.values("organization_id")
    if c.kind == K.TALENT:
        rows = Talent.objects.filter(employer__isnull=False)
        if c.talent_tier_id:
            rows = rows.filter(tier_id=c.talent_tier_id)
        return (rows.values("employer_id").annotate(n=Count("pk")).filter(n__gte=c.min_count or 1)
                .values("employer_id"))
    return None


def holds_for(c: Condition, organization_id: int, today: dt.date | None = None) -> bool | None:
    """Whether one organization satisfies ``c`` (None: a person must check)."""
    from feidi.registry.models import Organization

    ids = compile_condition(c, today)
    if ids is None:
        return None
    return Organization.objects.filter(pk=organization_id, pk__in=ids).exists()
