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

from feidi.indicators.actions import _row
from feidi.indicators.actions import bulk_upsert
from feidi.indicators.engine import add_months
from feidi.indicators.models import Indicator
from feidi.indicators.models import IndicatorValue
from feidi.registry.models import Organization

from . import build

SEASON = [0.62, 0.78, 1.02, 1.0, 1.03, 1.06, 1.0, 1.0, 1.04, 1.02, 1.08, 1.35]  # Jan … Dec, mean ≈ 1
ZONES = ("上饶经开区", "上饶高铁经济试验区")


def load() -> dict:
    created = {"指标数据": 0}
    if IndicatorValue.objects.filter(sample=True).exists():
        last = add_months(timezone.localdate().replace(day=1), -1)
        return {**created, **_benefit_shares(dt.date(last.year - 1, 1, 1))}
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
    created.update(_peers_mu_and_ranking(indicators, last))
    created.update(_parcels())
    created.update(_benefit_shares(start))
    return created


def _benefit_shares(start: dt.date) -> dict:
    """飞地利益共享 (示例): three home-zone enterprises that came through the Shanghai enclave share
    their output statistics (70 % home) and tax (60 % home) with it under the 松江 agreement — the
    enterprise with an enclave residency first, then others of the home zone."""
    from feidi.indicators.models import BenefitShare
    from feidi.registry.models import Agreement
    from feidi.registry.models import Residency
    from feidi.registry.models import Zone

    from .city import ENCLAVE_TECH
    from .city import ZONE_ETDZ

    agreement = Agreement.objects.filter(title__contains="松江").first()
    enclave = Zone.objects.filter(name=ENCLAVE_TECH).first()
    if agreement is None or enclave is None or BenefitShare.objects.exists():
        return {}
    reporting = Organization.objects.filter(zone__name=ZONE_ETDZ, indicator_values__sample=True).distinct()
    resident = {r.organization_id: r.enclave for r in Residency.objects.filter(organization__in=reporting)}
    chosen = sorted(reporting, key=lambda o: (o.pk not in resident, o.uscc))[:3]
    for org in chosen:
        BenefitShare.objects.create(
            agreement=agreement, organization=org, home_zone=org.zone, enclave_zone=resident.get(org.pk, enclave),
            output_share_home=Decimal(70), tax_share_home=Decimal(60), since=start, department=org.zone.department)
    return {"飞地利益共享": len(chosen)}


def _parcels() -> dict:
    """Synthetic parcels (示例) for the zone's enterprises with land: squares of their area laid out
    in rows near the zone, for the 亩产地图."""
    from feidi.indicators.models import Parcel
    from feidi.registry.models import Zone

    zone = Zone.objects.filter(name="上饶经开区").first()
    if zone is None or Parcel.objects.filter(zone=zone).exists():
        return {"地块": 0}
    orgs = list(Organization.objects.filter(zone=zone, kind=Organization.Kind.ENTERPRISE, land_area_mu__gt=0)
                .order_by("-land_area_mu")[:80])
    parcels, x, y, row_height = [], 117.94, 28.50, 0.0
    for n, org in enumerate(orgs, start=1):
        side = math.sqrt(float(org.land_area_mu) * 666.67) / 111_000 * 1.0  # metres → degrees, roughly
        if x + side > 118.06:
            x, y, row_height = 117.94, y - row_height - 0.0012, 0.0
        ring = [[x, y], [x + side, y], [x + side, y - side], [x, y - side], [x, y]]
        parcels.append(Parcel(zone=zone, organization=org, code=f"SR-{n:03d}", area_mu=org.land_area_mu,
                              geometry={"type": "Polygon", "coordinates": [[[round(a, 6), round(b, 6)]
                                                                              for a, b in ring]]},
                              department_id=zone.department_id, sample=True))
        x += side + 0.0012
        row_height = max(row_height, side)
    Parcel.objects.bulk_create(parcels)
    return {"地块": len(parcels)}


# Other national zones of the province, for the ranking sentence; their totals are invented (示例).
PEERS = [("南昌经济技术开发区", "南昌经开区", "江西省南昌市", "360100", 2.1, 0.071),
         ("九江经济技术开发区", "九江经开区", "江西省九江市", "360400", 1.2, 0.094),
         ("赣州经济技术开发区", "赣州经开区", "江西省赣州市", "360700", 0.8, 0.112),
         ("井冈山经济技术开发区", "井冈山经开区", "江西省吉安市", "360800", 0.6, 0.083),
         ("萍乡经济技术开发区", "萍乡经开区", "江西省萍乡市", "360300", 0.45, 0.058)]


def _peers_mu_and_ranking(indicators, last: dt.date) -> dict:
    from django.db.models import Sum

    from feidi.accounts.models import Department
    from feidi.core.models import DictItem
    from feidi.indicators import mu
    from feidi.indicators import ranking
    from feidi.indicators.models import MuRule
    from feidi.indicators.models import RankingRule
    from feidi.indicators.models import RegionFigure
    from feidi.indicators.models import ZoneFigure
    from feidi.registry.models import Zone

    created = {"园区公布数据": 0, "地区公布数据": 0, "亩均评价": 0, "月调度排名": 0}
    home = Zone.objects.filter(name="上饶经开区").first()
    revenue = indicators.get("revenue")
    if home is None or revenue is None:
        return created
    # the city's published totals of the month (统计月报): a share of the city is over them, never
    # over the sum of the zones a leader cannot see; the city's other counties make up the rest
    for code in ("revenue", "value_added", "rd", "tax"):
        indicator = indicators.get(code)
        zones_sum = IndicatorValue.objects.filter(indicator=indicator, period=last, zone__region_code__startswith="3611").aggregate(
            s=Sum("value"))["s"] if indicator else None
        if zones_sum:
            _, new = RegionFigure.objects.get_or_create(
                level=RegionFigure.Level.CITY, name="上饶市", indicator=indicator, period=last,
                defaults={"region_code": "361100", "value": (zones_sum * Decimal("2.4")).quantize(Decimal("1")),
                          "source": "示例：上饶市统计月报"})
            created["地区公布数据"] += new
    ours = IndicatorValue.objects.filter(zone=home, indicator=revenue, period=last).aggregate(s=Sum("value"))["s"]
    national = DictItem.objects.get(type__code="zone_kind", code="national_etdz")
    for name, short, region, code, factor, growth in PEERS:
        zone = build.peer_zone.ensure(created, name=name, short_name=short, kind=national, host_region=region,
                                      region_code=code, description="全省国家级经开区之一，用于排名演示；数值为示例。")
        if ours:
            ZoneFigure.objects.get_or_create(zone=zone, indicator=revenue, period=last, defaults={
                "value": (ours * Decimal(factor)).quantize(Decimal("1")), "growth": Decimal(str(growth)),
                "source": "示例：全省开发区主要指标通报"})
            created["园区公布数据"] += 1
    dept = Department.objects.filter(name="上饶经开区管委会").first()
    if dept is not None:
        rule, new = MuRule.objects.get_or_create(department=dept, year=last.year - 1,
                                                 defaults={"land_threshold": Decimal(20)})
        if new:
            created["亩均评价"] = len(mu.evaluate(rule))
        units, _ = RankingRule.objects.get_or_create(department=dept, name="月度调度排名（责任单位）")
        leaders, _ = RankingRule.objects.get_or_create(department=dept, name="月度调度排名（挂点领导）",
                                                       defaults={"subject": RankingRule.Subject.LEADERS})
        for rule in (units, leaders):
            ranking.run(rule, last)
            created["月调度排名"] += 1
    return created


def _sample(org, indicator, month, value) -> IndicatorValue:
    row = _row(org, indicator, month, value, acting_user=None, source=IndicatorValue.Source.IMPORT)
    row.sample = True
    return row
