"""Demo monthly indicators for the demo zones' enterprises, from January of last year to last
month: invented (示例) and deterministic (``random.Random(2025)``).

Each enterprise gets a yearly revenue drawn on a log scale, a growth rate, a seasonal monthly
pattern (the Spring Festival dip), and the other indicators in plausible proportions: tax about
3–6 % of revenue, value added 20–30 % for 规上 enterprises, R&D 1–6 %, energy by output, staff and
land steady. Values are written as reported: cumulative-to-date for flows, the month's level for
stocks. Loaded once, when no sample value exists yet.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.utils import timezone

from feidi.indicators.actions import _row, bulk_upsert
from feidi.indicators.engine import add_months
from feidi.indicators.models import Indicator, IndicatorValue
from feidi.registry.models import Organization

SEASON = [0.62, 0.78, 1.02, 1.0, 1.03, 1.06, 1.0, 1.0, 1.04, 1.02, 1.08, 1.35]  # Jan … Dec, mean ≈ 1
ZONES = ("上饶经开区", "上饶高铁经济试验区")


def load() -> dict:
    created = {"指标数据": 0}
    if IndicatorValue.objects.filter(sample=True).exists():
        return created
    indicators = {i.code: i for i in Indicator.objects.all()}
    if not indicators:
        return created
    orgs = list(Organization.objects.filter(zone__name__in=ZONES, kind=Organization.Kind.ENTERPRISE).order_by("uscc"))
    rng = random.Random(2025)
    last = add_months(timezone.localdate().replace(day=1), -1)
    start = dt.date(last.year - 1, 1, 1)
    above = set(Organization.objects.filter(
        pk__in=[o.pk for o in orgs], labels__label__code="above_scale").values_list("pk", flat=True))
    rows = []
    for org in orgs:
        yearly = Decimal(round(math.exp(rng.uniform(math.log(2e7), math.log(6e9))), -4))
        growth = rng.uniform(-0.12, 0.3)
        tax_rate, va_rate, rd_rate = rng.uniform(0.03, 0.06), rng.uniform(0.2, 0.3), rng.uniform(0.01, 0.06)
        energy_per_yuan = rng.uniform(0.5, 3) / 1e4  # tonnes of standard coal per 10,000 yuan
        staff = max(20, int(float(yearly) / rng.uniform(6e5, 1.5e6)))
        land = Decimal(round(max(10.0, float(yearly) / rng.uniform(2e6, 8e6)), 2))
        fai_yearly = yearly * Decimal(rng.uniform(0.02, 0.15))
        cum: dict[str, Decimal] = {}
        month = start
        while month <= last:
            if month.month == 1:
                cum = {}
            level = yearly * Decimal((1 + growth) ** (month.year - start.year)) / 12
            revenue = (level * Decimal(SEASON[month.month - 1] * rng.uniform(0.9, 1.1))).quantize(Decimal("1"))
            monthly = {"revenue": revenue, "tax": (revenue * Decimal(tax_rate)).quantize(Decimal("1")),
                       "rd": (revenue * Decimal(rd_rate)).quantize(Decimal("1")),
                       "energy": (revenue * Decimal(energy_per_yuan)).quantize(Decimal("0.01")),
                       "fai": (fai_yearly / 12 * Decimal(rng.uniform(0.3, 1.7))).quantize(Decimal("1"))}
            if org.pk in above:
                monthly["value_added"] = (revenue * Decimal(va_rate)).quantize(Decimal("1"))
            for code, amount in monthly.items():
                cum[code] = cum.get(code, Decimal(0)) + amount
                if code in indicators:
                    rows.append(_sample(org, indicators[code], month, cum[code]))
            people = Decimal(int(staff * (1 + growth) ** ((month.year - start.year) + month.month / 12)))
            for code, value in (("employees", people), ("land", land)):
                if code in indicators:
                    rows.append(_sample(org, indicators[code], month, value))
            month = add_months(month, 1)
    bulk_upsert(rows)
    created["指标数据"] = len(rows)
    return created


def _sample(org, indicator, month, value) -> IndicatorValue:
    row = _row(org, indicator, month, value, acting_user=None, source=IndicatorValue.Source.IMPORT)
    row.sample = True
    return row
