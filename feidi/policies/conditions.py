"""Conditions as sets: each structured condition compiles to a queryset of organization ids, so an
item's matches are computed by the database (``matching.py``), never by a loop over enterprises.

A kind needs these fields (``REQUIRED``); ``describe`` says the condition in a sentence, and
``validate`` gives the policy office's form its Chinese errors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from feidi.lib.money import human

from .models import Condition

K = Condition.Kind

# the fields each kind must have (the form shows them all; the office fills what the kind needs)
REQUIRED: dict[str, tuple[str, ...]] = {
    K.LABEL: ("label",),
    K.INDUSTRY: ("industry",),
    K.ZONE: ("zone",),
    K.INDICATOR_MIN: ("indicator", "month", "min_value"),
    K.INDICATOR_GROWTH: ("indicator", "month", "min_growth"),
    K.ENCLAVE_LANDED: (),
    K.TALENT: (),
    K.TEXT: ("text",),
}


def _industries(text: str) -> list[str]:
    return [c.strip().upper() for c in text.replace("，", ",").replace("、", ",").split(",") if c.strip()]


def validate(c: Condition) -> None:
    errors = {}
    for name in REQUIRED.get(c.kind, ()):
        if getattr(c, f"{name}_id" if name in ("label", "zone", "indicator") else name) in (None, ""):
            errors[name] = gettext("“{kind}”条件须填写此项").format(kind=c.get_kind_display())
    if c.kind == K.INDUSTRY and c.industry:
        bad = [code for code in _industries(c.industry)
               if not (code[:1].isalpha() and (code[1:].isdigit() or not code[1:]) and len(code) <= 5)]
        if bad:
            errors["industry"] = gettext("行业代码应为 GB/T 4754 门类字母加数字，如 C38：{codes}").format(
                codes="、".join(bad))
    if c.month and c.month.day != 1:
        c.month = c.month.replace(day=1)
    if errors:
        raise ValidationError(errors)


def _day(c: Condition, today: dt.date | None) -> dt.date:
    return c.on or today or timezone.localdate()


def compile_condition(c: Condition, today: dt.date | None = None):
    """The ids of the organizations satisfying ``c`` (a queryset to use as ``pk__in``); None for a
    free-text condition, which no query can decide."""
    from feidi.indicators.models import IndicatorValue
    from feidi.registry.models import Organization, OrganizationLabel, Residency
    from feidi.techmarket.models import Talent

    if c.kind == K.LABEL:
        day = _day(c, today)
        return (OrganizationLabel.objects.filter(label_id=c.label_id, since__lte=day)
                .filter(Q(until__isnull=True) | Q(until__gte=day)).values("organization_id"))
    if c.kind == K.INDUSTRY:
        q = Q(pk__in=[])
        for code in _industries(c.industry):
            q |= Q(industry_code__startswith=code)
        return Organization.objects.filter(q).values("pk")
    if c.kind == K.ZONE:
        return Organization.objects.filter(zone_id=c.zone_id).values("pk")
    if c.kind == K.INDICATOR_MIN:
        return IndicatorValue.objects.filter(indicator_id=c.indicator_id, period=c.month,
                                             value__gte=c.min_value).values("organization_id")
    if c.kind == K.INDICATOR_GROWTH:
        # 同口径: each enterprise's cumulative value against its own a year earlier
        from feidi.indicators.engine import add_months

        before = IndicatorValue.objects.filter(organization_id=OuterRef("organization_id"),
                                               indicator_id=c.indicator_id,
                                               period=add_months(c.month, -12)).order_by().values("value")[:1]
        factor = 1 + (c.min_growth or Decimal(0)) / 100
        return (IndicatorValue.objects.filter(indicator_id=c.indicator_id, period=c.month)
                .annotate(before=Subquery(before)).filter(before__gt=0, value__gte=F("before") * factor)
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


def describe(c: Condition) -> str:
    kind = c.get_kind_display()
    if c.kind == K.LABEL:
        on = f"{c.on:%Y-%m-%d}" if c.on else gettext("匹配当天")
        return gettext("{on}持有“{label}”").format(on=on, label=c.label if c.label_id else "—")
    if c.kind == K.INDUSTRY:
        return gettext("行业属于 {codes}").format(codes="、".join(_industries(c.industry)))
    if c.kind == K.ZONE:
        return gettext("位于{zone}").format(zone=c.zone if c.zone_id else "—")
    if c.kind in (K.INDICATOR_MIN, K.INDICATOR_GROWTH):
        name = c.indicator.name_shown if c.indicator_id else "—"
        month = f"{c.month:%Y-%m}" if c.month else "—"
        if c.kind == K.INDICATOR_MIN:
            value = human(c.min_value) if c.indicator_id and c.indicator.unit == "元" and c.min_value is not None \
                else f"{c.min_value}"
            return gettext("{month}累计{name}不低于{value}").format(month=month, name=name, value=value)
        return gettext("{month}累计{name}同口径同比增长不低于{growth}%").format(month=month, name=name,
                                                                     growth=c.min_growth)
    if c.kind == K.ENCLAVE_LANDED:
        where = str(c.zone) if c.zone_id else gettext("飞地")
        return gettext("在{where}孵化并回本地园区落户").format(where=where)
    if c.kind == K.TALENT:
        tier = str(c.talent_tier) if c.talent_tier_id else gettext("各层次")
        return gettext("引进{tier}人才不少于{count}人").format(tier=tier, count=c.min_count)
    return gettext("{text}（需人工核验）").format(text=c.text) if c.text else kind
