"""Computation over the stored monthly rows: monthly figures from cumulative ones, 同比 on a
comparable basis (同口径), shares of a total, groupings by zone, industry and chain segment.

同口径 as statistics bureaus compute it: the growth of a period compares the enterprises in scope
now (for a 规上-only indicator, those labelled 规上 in that month) with the same enterprises' values
a year earlier. An enterprise without a value a year earlier (new, or not reporting then) counts in
the total but not in the growth; an enterprise that has left scope counts in neither.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum

from .models import Indicator, IndicatorValue


def month_param(text) -> dt.date | None:
    """A month from a form or query value ("2026-03", as an <input type=month> sends it), or None."""
    try:
        year, month = (int(x) for x in str(text or "").split("-")[:2])
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def monthly_from_cumulative(series: dict[dt.date, Decimal]) -> dict[dt.date, Decimal | None]:
    """The month's own figure from cumulative-to-date values: January is its cumulative value;
    later months subtract the previous month of the same year (None when that month is missing —
    the difference would cover two months)."""
    out: dict[dt.date, Decimal | None] = {}
    for period in sorted(series):
        if period.month == 1:
            out[period] = series[period]
        else:
            before = series.get(add_months(period, -1))
            out[period] = None if before is None else series[period] - before
    return out


def above_scale_q(period: dt.date, prefix: str = "organization__") -> Q:
    """Enterprises labelled 规上 during ``period`` (the label's dates overlap the month)."""
    return Q(**{
        f"{prefix}labels__label__type__code": "org_label", f"{prefix}labels__label__code": "above_scale",
        f"{prefix}labels__since__lte": month_end(period),
    }) & (Q(**{f"{prefix}labels__until__isnull": True}) | Q(**{f"{prefix}labels__until__gte": period}))


def in_scope(values, indicator: Indicator, period: dt.date):
    """The rows of ``indicator`` for ``period`` that count: 规上-only indicators keep the
    enterprises labelled 规上 in that month."""
    rows = values.filter(indicator=indicator, period=period)
    if indicator.above_scale_only:
        from feidi.registry.models import Organization

        rows = rows.filter(organization_id__in=Organization.objects.filter(above_scale_q(period, "")).values("pk"))
    return rows


GROUPS = {"zone": ("zone_id", "园区"), "industry": ("industry", "行业"),
          "zone_industry": (("zone_id", "industry"), "园区×行业"),
          "segment": ("organization__chain_memberships__segment_id", "产业链环节"),
          "chain": ("organization__chain_memberships__segment__chain_id", "产业链"), "total": (None, "合计")}


@dataclass
class Row:
    key: object
    label: str
    total: Decimal
    count: int
    comparable_now: Decimal
    comparable_before: Decimal
    comparable_count: int
    shared: Decimal = Decimal(0)  # moved in (+) or out (−) by 飞地利益共享

    @property
    def growth(self) -> float | None:
        """同比 on the comparable basis, e.g. 0.085 for +8.5 %."""
        if not self.comparable_before:
            return None
        return float(self.comparable_now / self.comparable_before - 1)

    @property
    def change(self) -> Decimal:
        return self.comparable_now - self.comparable_before


CELL_GROUPS = ("total", "zone", "industry", "zone_industry")  # groupings of attributes a cell keeps


def cells_for(values, indicator: Indicator, *periods: dt.date):
    """The maintained cells (``IndicatorCell``) holding exactly what ``values`` holds for
    ``indicator`` in ``periods`` (规上 only when the indicator counts only 规上), or None when the
    scope of ``values`` cannot be expressed on cells and the rows must answer."""
    from .cells import cell_filter
    from .models import IndicatorCell

    q = cell_filter(values)
    if q is None:
        return None
    cells = IndicatorCell.objects.filter(q, indicator=indicator, period__in=periods)
    return cells.filter(above_scale=True) if indicator.above_scale_only else cells


def yoy(values, indicator: Indicator, period: dt.date, by: str = "total") -> list[Row]:
    """Totals of ``indicator`` in ``period`` over ``values`` (already scoped), grouped ``by`` zone,
    industry, segment or chain, with the comparable 同比. For a cumulative indicator this is 累计同比.

    Zone and division groupings of an all-rows or zones/departments scope are sums over the
    maintained cells (the same figures, kept by ``cells.refresh`` from the rows); other scopes and
    the chain groupings pair the rows themselves."""
    field, _ = GROUPS[by]
    fields = field if isinstance(field, tuple) else (field,) if field else ()
    cells = cells_for(values, indicator, period) if by in CELL_GROUPS else None
    if cells is not None:
        measures = {"total": Sum("total"), "count": Sum("count"), "now": Sum("comparable_now"),
                    "was": Sum("comparable_before"), "paired": Sum("comparable_count")}
        source = cells
    else:
        source = in_scope(values, indicator, period)
        if by in ("segment", "chain"):  # only enterprises on a chain make chain rows: pair only theirs
            from feidi.chains.models import SegmentMember

            source = source.filter(organization_id__in=SegmentMember.objects.values("organization_id"))
        before = IndicatorValue.objects.filter(organization_id=OuterRef("organization_id"), indicator=indicator,
                                               period=add_months(period, -12)).values("value")[:1]
        source = source.annotate(before=Subquery(before, output_field=DecimalField(max_digits=20, decimal_places=4)))
        measures = {"total": Sum("value"), "count": Count("pk"),
                    "now": Sum("value", filter=Q(before__isnull=False)), "was": Sum("before"),
                    "paired": Count("pk", filter=Q(before__isnull=False))}
    grouped = source.values(*fields).annotate(**measures).order_by() if fields else [source.aggregate(**measures)]
    if len(fields) > 1:  # zone × industry: a key of both, a label of both
        zones = group_labels("zone", [g["zone_id"] for g in grouped])
        industries = group_labels("industry", [g["industry"] for g in grouped])
        labels = {(g["zone_id"], g["industry"]): f"{zones.get(g['zone_id'], '未分类')}·{industries.get(g['industry'], '未分类')}"
                  for g in grouped}
    else:
        labels = group_labels(by, [g.get(field) for g in grouped] if field else [])
    average = indicator.aggregation == Indicator.Aggregation.AVERAGE
    out = []
    for g in grouped:
        key = tuple(g[f] for f in fields) if len(fields) > 1 else g.get(field) if field else None
        if field and key is None and by in ("segment", "chain"):
            continue  # enterprises on no chain do not make a chain row
        total, count = g["total"] or Decimal(0), g["count"] or 0
        out.append(Row(key=key, label=labels.get(key, "合计" if not field else "未分类"),
                       total=(total / count if count else Decimal(0)) if average else total,
                       count=count, comparable_now=g["now"] or Decimal(0), comparable_before=g["was"] or Decimal(0),
                       comparable_count=g["paired"] or 0))
    if by == "zone":
        out = apply_sharing(out, values, indicator, period)
    out.sort(key=lambda r: (-(r.total or 0), r.label))
    return out


def apply_sharing(rows: list[Row], values, indicator: Indicator, period: dt.date) -> list[Row]:
    """Zone totals after 飞地利益共享: for each enterprise under an agreement, the part of its value
    (and of last year's, for the growth) that belongs to the other side moves there. Only zones
    already in ``rows`` or reachable by the user's values are adjusted; the moves are kept on the
    rows (``shared``) so the split can be shown."""
    from .models import BenefitShare

    shares = list(BenefitShare.objects.filter(since__lte=period).filter(Q(until__isnull=True) | Q(until__gte=period))
                  .select_related("home_zone", "enclave_zone"))
    shares = [s for s in shares if s.home_percent(indicator.code) is not None]
    if not shares:
        return rows
    org_ids = [s.organization_id for s in shares]
    now = dict(IndicatorValue.objects.filter(indicator=indicator, period=period, organization_id__in=org_ids)
               .values_list("organization_id", "value"))
    was = dict(IndicatorValue.objects.filter(indicator=indicator, period=add_months(period, -12),
                                             organization_id__in=org_ids).values_list("organization_id", "value"))
    where = dict(IndicatorValue.objects.filter(indicator=indicator, period=period, organization_id__in=org_ids)
                 .values_list("organization_id", "zone_id"))
    by_zone = {r.key: r for r in rows}
    visible_zones = set(values.values_list("zone_id", flat=True).distinct()) | set(by_zone)
    for share in shares:
        org = share.organization_id
        if org not in now or where.get(org) not in (share.home_zone_id, share.enclave_zone_id):
            continue
        home = share.home_percent(indicator.code) / 100
        holder = where[org]
        other = share.enclave_zone_id if holder == share.home_zone_id else share.home_zone_id
        part = (1 - home) if holder == share.home_zone_id else home
        moved_now, moved_was = now[org] * part, (was[org] * part) if org in was else None
        for zone_id, sign, label in ((holder, -1, share.home_zone if holder == share.home_zone_id else
                                      share.enclave_zone), (other, 1, share.enclave_zone if other ==
                                                            share.enclave_zone_id else share.home_zone)):
            if zone_id not in visible_zones:
                continue
            row = by_zone.get(zone_id)
            if row is None:
                row = by_zone[zone_id] = Row(key=zone_id, label=label.short_name or label.name, total=Decimal(0),
                                             count=0, comparable_now=Decimal(0), comparable_before=Decimal(0),
                                             comparable_count=0)
            row.total += sign * moved_now
            row.shared += sign * moved_now
            if moved_was is not None:
                row.comparable_now += sign * moved_now
                row.comparable_before += sign * moved_was
    return list(by_zone.values())


def group_labels(by: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if by == "zone":
        from feidi.registry.models import Zone

        return {z.pk: z.short_name or z.name for z in Zone.objects.filter(pk__in=keys)}
    if by == "industry":
        from feidi.core.dictionaries import labels

        names = labels("industry")
        return {k: names.get(k, k) for k in keys}
    if by == "segment":
        from feidi.chains.models import Segment

        return {s.pk: str(s) for s in Segment.objects.filter(pk__in=keys).select_related("chain")}
    if by == "chain":
        from feidi.chains.models import Chain

        return dict(Chain.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {}


def share(part: Decimal, whole: Decimal) -> float | None:
    return float(part / whole) if whole else None


def series(values, indicator: Indicator, start: dt.date, end: dt.date) -> dict[dt.date, Decimal]:
    """The total per month (as stored: cumulative stays cumulative)."""
    months = []
    month = start
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    cells = cells_for(values, indicator, *months)
    if cells is not None:
        found = cells.values_list("period").annotate(s=Sum("total")).order_by()
    elif indicator.above_scale_only:
        found = ((m, in_scope(values, indicator, m).aggregate(s=Sum("value"))["s"]) for m in months)
    else:
        found = values.filter(indicator=indicator, period__gte=start, period__lte=end).values_list("period") \
            .annotate(s=Sum("value")).order_by()
    # 规上 totals leave out months without a 规上 value, as the month-by-month sums always have
    return {k: v for k, v in found if v or not indicator.above_scale_only}


def latest_period(values, indicator: Indicator) -> dt.date | None:
    return values.filter(indicator=indicator).order_by("-period").values_list("period", flat=True).first()


def labelled_trend(organizations, end: dt.date, months: int = 12) -> dict:
    """Counts of labelled enterprises at each month's end over ``months`` months up to ``end``:
    ``{"months": [...], "series": {label: [counts…]}}`` (one query: the labels' date ranges)."""
    from feidi.registry.models import OrganizationLabel

    ends = [month_end(add_months(end.replace(day=1), -i)) for i in range(months - 1, -1, -1)]
    rows = list(OrganizationLabel.objects.filter(organization__in=organizations, since__lte=ends[-1])
                .filter(Q(until__isnull=True) | Q(until__gte=ends[0]))
                .values_list("label__label", "label__order", "organization_id", "since", "until"))
    order = {label: o for label, o, *_ in rows}
    series = {}
    for label in sorted(order, key=lambda x: order[x]):
        mine = [(org, since, until) for lab, _o, org, since, until in rows if lab == label]
        series[label] = [len({org for org, since, until in mine if since <= e and (until is None or until >= e)})
                         for e in ends]
    return {"months": [f"{e:%Y-%m}" for e in ends], "series": series}


def chain_output_provider(organization_ids) -> dict[int, Decimal]:
    """Measured yearly output for the chain map: the 主营业务收入 of the last complete year
    (December's cumulative value), else this year's latest cumulative value."""
    revenue = Indicator.objects.filter(code="revenue").first()
    if revenue is None or not organization_ids:
        return {}
    found: dict[int, Decimal] = {}
    rows = (IndicatorValue.objects.filter(indicator=revenue, organization_id__in=list(organization_ids))
            .order_by("organization_id", "-period").values_list("organization_id", "period", "value"))
    best: dict[int, tuple[dt.date, Decimal]] = {}
    for org, period, value in rows:
        if period.month == 12 and (org not in best or best[org][0].month != 12 or period > best[org][0]):
            best[org] = (period, value)
        elif org not in best:
            best[org] = (period, value)
    for org, (_period, value) in best.items():
        found[org] = value
    return found
