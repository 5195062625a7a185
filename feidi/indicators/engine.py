"""Computation over the stored monthly rows: monthly figures from cumulative ones, 同比 on a
comparable basis (同口径), shares of a total, groupings by zone, industry and chain segment.

同口径 as statistics bureaus compute it: the growth of a period compares this period's set S of
enterprises in scope (全部, 规上 in that month by its dated label, a label, a chain) with the same
enterprises a year earlier: Σ_S cum(t) ÷ Σ_S cum(t−12) − 1. An enterprise of S without a row a
year earlier (a new entrant) counts 0 there; an enterprise no longer in S (a leaver, or one that
dropped out of 规上) counts in neither.

当月 is this month's cumulative minus last month's of the same enterprises; the first release of a
year is 1–2月, whose 当月 is the 1–2月 cumulative (no January invented, and December is never
subtracted from a January or February cumulative). 当月同比 compares it with the same enterprises'
当月 a year earlier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.db.models import Q
from django.db.models import Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from feidi.core.models import seeded_label

from .models import Indicator
from .models import IndicatorValue

# re-exported: importable from here
from .months import NEVER  # noqa: F401
from .months import add_months  # noqa: F401
from .months import month_before_in_year  # noqa: F401
from .months import month_end  # noqa: F401
from .months import month_start  # noqa: F401


def month_param(text) -> dt.date | None:
    """A month from a form or query value ("2026-03", as an <input type=month> sends it), or None —
    also for a month outside the days a question may name (``core.stats.FIRST_DAY``…``LAST_DAY``),
    whose 同比 and earlier months would leave the calendar."""
    from feidi.core.stats import FIRST_DAY
    from feidi.core.stats import LAST_DAY

    try:
        year, month = (int(x) for x in str(text or "").split("-")[:2])
        day = dt.date(year, month, 1)
    except (ValueError, TypeError):
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def monthly_from_cumulative(series: dict[dt.date, Decimal]) -> dict[dt.date, Decimal | None]:
    """Each month's own figure (当月) from cumulative-to-date values, as releases give it: January
    is its cumulative value, February the 1–2月 cumulative (the year's first release: January is
    never subtracted, nor December from either); later months subtract the month before (None
    when that month is missing — the difference would cover two months)."""
    out: dict[dt.date, Decimal | None] = {}
    for period in sorted(series):
        if period.month <= 2:
            out[period] = series[period]
        else:
            before = series.get(add_months(period, -1))
            out[period] = None if before is None else series[period] - before
    return out


SCOPE_ALL, SCOPE_ABOVE = "all", "above_scale"


@dataclass(frozen=True)
class Coverage:
    """Which enterprises a statistic covers (统计口径): ``all``, ``above_scale`` (规上, by the dated
    label of the month), ``label:<code>`` (any enterprise label, e.g. ``label:srdi``) or
    ``chain:<id>`` (the members of one industrial chain)."""

    kind: str = SCOPE_ALL
    value: str = ""

    @classmethod
    def parse(cls, text: str | None, indicator: Indicator | None = None) -> Coverage:
        """From a query value; an empty one is the indicator's own (规上 for a 规上-only indicator)."""
        text = (text or "").strip()
        if not text:
            return cls(SCOPE_ABOVE) if indicator is not None and indicator.above_scale_only else cls(SCOPE_ALL)
        kind, _, value = text.partition(":")
        if kind in (SCOPE_ALL, SCOPE_ABOVE) and not value:
            return cls(kind)
        if kind == "label" and value:
            return cls("label", value)
        if kind == "chain" and value.isdigit():
            return cls("chain", value)
        raise ValueError(gettext("未知的统计口径：{text}（可选 all、above_scale、label:<标签代码>、chain:<产业链编号>）").format(
            text=text))

    def __str__(self) -> str:
        return self.kind if self.kind in (SCOPE_ALL, SCOPE_ABOVE) else f"{self.kind}:{self.value}"

    @property
    def label(self) -> str:
        """As a report names it: 全部企业, 规上企业, 专精特新企业, 光伏产业链企业."""
        if self.kind == SCOPE_ALL:
            return gettext("全部企业")
        if self.kind == SCOPE_ABOVE:
            return gettext("规上企业")
        if self.kind == "label":
            from feidi.core.dictionaries import labels

            return gettext("{get}企业").format(get=labels('org_label').get(self.value, self.value))
        from feidi.chains.models import Chain

        name = Chain.objects.filter(pk=int(self.value)).values_list("name", flat=True).first()
        return gettext("{value}企业").format(value=name or gettext("产业链"))

    @property
    def on_cells(self) -> bool:
        """The maintained cells keep the 规上 flag of each month, not other labels or chains."""
        return self.kind in (SCOPE_ALL, SCOPE_ABOVE)

    def organizations(self, period: dt.date):
        """The enterprises in this coverage in ``period`` (None for all)."""
        from feidi.registry.models import Organization

        if self.kind == SCOPE_ALL:
            return None
        if self.kind == SCOPE_ABOVE:
            return Organization.objects.filter(above_scale_q(period, "")).values("pk")
        if self.kind == "label":
            return Organization.objects.filter(label_q(self.value, period, "")).values("pk")
        from feidi.chains.models import SegmentMember

        return SegmentMember.objects.filter(segment__chain_id=int(self.value)).values("organization_id")


def label_q(code: str, period: dt.date, prefix: str = "organization__") -> Q:
    """Enterprises holding the label ``code`` during ``period`` (the label's dates overlap the month)."""
    return Q(**{
        f"{prefix}labels__label__type__code": "org_label", f"{prefix}labels__label__code": code,
        f"{prefix}labels__since__lte": month_end(period),
    }) & (Q(**{f"{prefix}labels__until__isnull": True}) | Q(**{f"{prefix}labels__until__gte": period}))


def above_scale_q(period: dt.date, prefix: str = "organization__") -> Q:
    """Enterprises labelled 规上 during ``period``."""
    return label_q("above_scale", period, prefix)


def in_scope(values, indicator: Indicator, period: dt.date, coverage: Coverage | None = None):
    """The rows of ``indicator`` for ``period`` in the coverage (by default the indicator's own:
    规上-only indicators keep the enterprises labelled 规上 in that month) — the set S."""
    coverage = coverage or Coverage.parse(None, indicator)
    rows = values.filter(indicator=indicator, period=period)
    members = coverage.organizations(period)
    return rows if members is None else rows.filter(organization_id__in=members)


GROUPS = {"zone": ("zone_id", _("园区")), "industry": ("industry", _("行业")),
          "zone_industry": (("zone_id", "industry"), _("园区×行业")),
          "segment": ("organization__chain_memberships__segment_id", _("产业链环节")),
          "chain": ("organization__chain_memberships__segment__chain_id", _("产业链")), "total": (None, _("合计"))}


@dataclass
class Row:
    """A grouping's figures for one month over the set S of its enterprises in scope.

    ``comparable_now`` is Σ_S of this month, ``comparable_before`` Σ_S a year earlier (a missing
    row counting 0), ``comparable_count`` how many of S had a row a year earlier. ``previous`` and
    ``previous_before`` are Σ_S of the month before, now and a year earlier (0 for January and
    for 1–2月), so ``month_value`` is 当月 and ``month_growth`` 当月同比. ``split`` counts the
    enterprises whose value a chain segment shares with other segments of the chain."""

    key: object
    label: str
    total: Decimal
    count: int
    comparable_now: Decimal
    comparable_before: Decimal
    comparable_count: int
    shared: Decimal = Decimal(0)  # moved in (+) or out (−) by 飞地利益共享
    previous: Decimal = Decimal(0)
    previous_before: Decimal = Decimal(0)
    split: int = 0

    @property
    def growth(self) -> float | None:
        """同比 on the comparable basis, e.g. 0.085 for +8.5 %."""
        return growth_ratio(self.comparable_now, self.comparable_before)

    @property
    def change(self) -> Decimal:
        return self.comparable_now - self.comparable_before

    @property
    def month_value(self) -> Decimal:
        """当月 (for a cumulative indicator; a point-in-time one has previous = 0)."""
        return self.comparable_now - self.previous

    @property
    def month_before(self) -> Decimal:
        return self.comparable_before - self.previous_before

    @property
    def month_growth(self) -> float | None:
        """当月同比."""
        before = self.month_before
        return None if before < 0 else growth_ratio(self.month_value, before)


def growth_ratio(now, before) -> float | None:
    """The change from ``before`` to ``now`` as a ratio (0.085 for +8.5 %); none without a base."""
    return float(now / before - 1) if before else None


def month_name(month: int) -> str:
    """The month as a release writes it: 10月, or Oct in English."""
    from django.utils.formats import date_format

    return date_format(dt.date(2000, month, 1), pgettext("date format of a month", "n月"))


def _months(text: str, period: dt.date, year: bool) -> str:
    return pgettext("release", "{year}年{months}").format(year=period.year, months=text) if year else text


def release_label(period: dt.date, cumulative: bool = True, year: bool = True) -> str:
    """The period as a release names it: 1–2月 for February's cumulative, else 1–n月 (cumulative)
    or n月 (a month's own figure); ``year=False`` leaves the year out."""
    if not cumulative or period.month == 1:
        text = month_name(period.month)
    else:
        text = pgettext("release", "1–{month}").format(month=month_name(period.month))
    return _months(text, period, year)


def month_label(period: dt.date, year: bool = True) -> str:
    """当月 as released: 1–2月 for February (the first release of the year), else n月."""
    if period.month == 2:
        text = pgettext("release", "1–2月")
    else:
        text = month_name(period.month)
    return _months(text, period, year)


CELL_GROUPS = ("total", "zone", "industry", "zone_industry")  # groupings of attributes a cell keeps


def cells_for(values, indicator: Indicator, *periods: dt.date, coverage: Coverage | None = None):
    """The maintained cells (``IndicatorCell``) holding exactly what ``values`` holds for
    ``indicator`` in ``periods`` within the coverage, or None when the coverage or the scope of
    ``values`` cannot be expressed on cells and the rows must answer."""
    from .cells import cell_filter
    from .models import IndicatorCell

    coverage = coverage or Coverage.parse(None, indicator)
    if not coverage.on_cells:
        return None
    q = cell_filter(values)
    if q is None:
        return None
    cells = IndicatorCell.objects.filter(q, indicator=indicator, period__in=periods)
    return cells.filter(above_scale=True) if coverage.kind == SCOPE_ABOVE else cells


def yoy(values, indicator: Indicator, period: dt.date, by: str = "total", coverage: Coverage | None = None) -> list[Row]:
    """Totals of ``indicator`` in ``period`` over ``values`` (already scoped to the user), for the
    enterprises in ``coverage`` (default: the indicator's own), grouped ``by`` zone, industry,
    segment or chain, with the comparable 同比 and 当月. For a cumulative indicator this is 累计同比.

    Zone and division groupings of an all-rows or zones/departments scope over 全部 or 规上 are sums
    over the maintained cells (the same figures, kept by ``cells.refresh`` from the rows); other
    scopes, labels, chains and the chain groupings pair the rows themselves."""
    coverage = coverage or Coverage.parse(None, indicator)
    cells = cells_for(values, indicator, period, coverage=coverage) if by in CELL_GROUPS else None
    if cells is not None:
        rows = _from_cells(cells, by)
    else:
        rows = _from_rows(in_scope(values, indicator, period, coverage), indicator, period, by)
    return _finish(rows, values, indicator, period, by)


def _finish(rows: list[Row], values, indicator: Indicator, period: dt.date, by: str, shares=None,
            moved=None) -> list[Row]:
    average = indicator.aggregation == Indicator.Aggregation.AVERAGE
    cumulative = indicator.cumulative
    for row in rows:
        if average and row.count:
            row.total = row.total / row.count
        if not cumulative:  # a level: the month's own figure is the level itself
            row.previous = row.previous_before = Decimal(0)
    if by == "zone":
        rows = apply_sharing(rows, values, indicator, period, shares=shares, moved=moved)
    rows.sort(key=lambda r: (-(r.total or 0), r.label))
    return rows


def yoy_each(values, indicators, period: dt.date, by: str = "total") -> dict[int, list[Row]]:
    """``yoy`` of several indicators (each over its own coverage) over the same rows and month —
    a card set — keyed by indicator id. The cells answer all those they can in one grouped read
    (with one read of the group labels and of the sharing agreements); the others are paired from
    the rows as ``yoy`` does."""
    from .cells import cell_filter
    from .models import IndicatorCell

    indicators = list(indicators)
    q = cell_filter(values) if by in CELL_GROUPS else None
    if q is None:
        return {i.pk: yoy(values, i, period, by) for i in indicators}
    out: dict[int, list[Row]] = {}
    above = [i.pk for i in indicators if Coverage.parse(None, i).kind == SCOPE_ABOVE]
    every = [i.pk for i in indicators if i.pk not in above]
    fields = _fields(by)
    grouped = list(IndicatorCell.objects.filter(q, period=period).filter(
        Q(indicator_id__in=every) | Q(indicator_id__in=above, above_scale=True))
        .values("indicator_id", *fields).annotate(**MEASURES).order_by())
    labels = _labels(by, [tuple(g[f] for f in fields) for g in grouped]) if fields else {}
    shares = active_shares(period) if by == "zone" else None
    moved = shared_values([i.pk for i in indicators], period, shares) if shares else None
    for i in indicators:
        mine = [g for g in grouped if g["indicator_id"] == i.pk]
        out[i.pk] = _finish(_cell_rows(mine, by, labels), values, i, period, by, shares=shares, moved=moved)
    return out


def _fields(by: str) -> tuple[str, ...]:
    field = {"zone": ("zone_id",), "industry": ("industry",), "zone_industry": ("zone_id", "industry")}
    return field.get(by, ())


MEASURES = {"total": Sum("total"), "count": Sum("count"), "was": Sum("comparable_before"),
            "paired": Sum("comparable_count"), "prev": Sum("previous"), "prev_was": Sum("previous_before")}


def _from_cells(cells, by: str) -> list[Row]:
    fields = _fields(by)
    grouped = cells.values(*fields).annotate(**MEASURES).order_by() if fields else [cells.aggregate(**MEASURES)]
    return _cell_rows(grouped, by, _labels(by, [tuple(g[f] for f in fields) for g in grouped]))


def _cell_rows(grouped, by: str, labels: dict) -> list[Row]:
    fields = _fields(by)
    out = []
    for g in grouped:
        if not g["count"]:
            continue
        key = _key(by, tuple(g[f] for f in fields))
        total = g["total"] or Decimal(0)
        out.append(Row(key=key, label=labels.get(key, gettext("合计") if by == "total" else gettext("未分类")),
                       total=total,
                       count=g["count"], comparable_now=total, comparable_before=g["was"] or Decimal(0),
                       comparable_count=g["paired"] or 0, previous=g["prev"] or Decimal(0),
                       previous_before=g["prev_was"] or Decimal(0)))
    return out


def _key(by: str, values: tuple):
    if by == "zone_industry":
        return values
    return values[0] if values else None


def _labels(by: str, keys: list[tuple]) -> dict:
    if by == "zone_industry":
        zones = group_labels("zone", [k[0] for k in keys])
        industries = group_labels("industry", [k[1] for k in keys])
        none = gettext("未分类")
        return {k: f"{zones.get(k[0], none)}·{industries.get(k[1], none)}" for k in keys}
    return group_labels(by, [k[0] for k in keys if k])


def _from_rows(rows, indicator: Indicator, period: dt.date, by: str) -> list[Row]:
    """Pair the set S (``rows``) with the same enterprises' rows a year, a month and a year and a
    month earlier — four indexed reads — and group in Python: a chain counts each of its
    enterprises once, a segment an enterprise's share of it (its value divided among its
    segments of that chain)."""
    rows = rows.order_by()  # the model's ordering would join the enterprise and the indicator to sort
    if by in ("chain", "segment"):  # only the chains' members are grouped: read no one else's rows
        from feidi.chains.models import SegmentMember

        rows = rows.filter(organization_id__in=SegmentMember.objects.values("organization_id"))
    now = list(rows.values_list("organization_id", "value", "zone_id", "industry"))
    if not now:
        return []
    members = rows.values("organization_id")

    def at(month: dt.date) -> dict[int, Decimal]:
        if month == NEVER:
            return {}
        return dict(IndicatorValue.objects.filter(indicator=indicator, period=month, organization_id__in=members)
                    .order_by().values_list("organization_id", "value"))

    before_month = month_before_in_year(period)
    was, prev = at(add_months(period, -12)), at(before_month)
    prev_was = at(add_months(before_month, -12)) if before_month != NEVER else {}
    groups: dict = {}
    split: dict = {}
    if by in ("chain", "segment"):
        from feidi.chains.models import SegmentMember

        placed: dict[int, list[tuple[int, int]]] = {}
        for org, segment, chain in (SegmentMember.objects.filter(organization_id__in=members)
                                    .values_list("organization_id", "segment_id", "segment__chain_id").order_by().distinct()):
            placed.setdefault(org, []).append((segment, chain))
    for org, value, zone_id, industry in now:
        if by in ("chain", "segment"):
            spots = placed.get(org, [])
            per_chain: dict[int, list[int]] = {}
            for segment, chain in spots:
                per_chain.setdefault(chain, []).append(segment)
            targets = []
            for chain, segments in per_chain.items():
                if by == "chain":
                    targets.append((chain, Decimal(1)))
                else:
                    weight = Decimal(1) / len(segments)
                    for segment in segments:
                        targets.append((segment, weight))
                        if len(segments) > 1:
                            split[segment] = split.get(segment, 0) + 1
        else:
            key = {"total": None, "zone": zone_id, "industry": industry, "zone_industry": (zone_id, industry)}[by]
            targets = [(key, Decimal(1))]
        for key, weight in targets:
            g = groups.setdefault(key, [Decimal(0), 0, Decimal(0), 0, Decimal(0), Decimal(0)])
            g[0] += value * weight
            g[1] += 1
            if org in was:
                g[2] += was[org] * weight
                g[3] += 1
            g[4] += prev.get(org, Decimal(0)) * weight
            g[5] += prev_was.get(org, Decimal(0)) * weight
    labels = _labels(by, [k if isinstance(k, tuple) else (k,) for k in groups]) if by != "total" else {}
    return [Row(key=key, label=labels.get(key, gettext("合计") if by == "total" else gettext("未分类")),
                total=g[0], count=g[1],
                comparable_now=g[0], comparable_before=g[2], comparable_count=g[3], previous=g[4],
                previous_before=g[5], split=split.get(key, 0))
            for key, g in groups.items()]


def active_shares(period: dt.date) -> list:
    """The 飞地利益共享 agreements in force in ``period`` (for ``apply_sharing``)."""
    from .models import BenefitShare

    return list(BenefitShare.objects.filter(since__lte=period).filter(Q(until__isnull=True) | Q(until__gte=period))
                .select_related("home_zone", "enclave_zone"))


def shared_values(indicator_ids, period: dt.date, shares) -> dict[int, tuple[dict, dict, dict]]:
    """For ``apply_sharing``, in one read: per indicator, the shared enterprises' values of the month
    and a year earlier and the zone each reported the month's value in."""
    out: dict[int, tuple[dict, dict, dict]] = {pk: ({}, {}, {}) for pk in indicator_ids}
    before = add_months(period, -12)
    for indicator_id, month, org, value, zone_id in IndicatorValue.objects.filter(
            indicator_id__in=list(indicator_ids), period__in=(period, before),
            organization_id__in=[s.organization_id for s in shares]).order_by().values_list(
            "indicator_id", "period", "organization_id", "value", "zone_id"):
        now, was, where = out[indicator_id]
        if month == period:
            now[org], where[org] = value, zone_id
        else:
            was[org] = value
    return out


def _zones_of(values) -> set:
    """The zones of ``values``' rows (read once per queryset: a card set asks it of each indicator)."""
    if not hasattr(values, "_zones_of"):
        values._zones_of = set(values.values_list("zone_id", flat=True).order_by().distinct())
    return values._zones_of


def apply_sharing(rows: list[Row], values, indicator: Indicator, period: dt.date, shares=None,
                  moved=None) -> list[Row]:
    """Zone totals after 飞地利益共享: for each enterprise under an agreement, the part of its value
    (and of last year's, for the growth) that belongs to the other side moves there. Only zones
    already in ``rows`` or reachable by the user's values are adjusted; the moves are kept on the
    rows (``shared``) so the split can be shown. ``shares`` (the agreements of
    ``active_shares(period)``) and ``moved`` (``shared_values`` of them) when already read."""
    shares = [s for s in (active_shares(period) if shares is None else shares)
              if s.home_percent(indicator.code) is not None]
    if not shares:
        return rows
    now, was, where = (moved or shared_values([indicator.pk], period, shares))[indicator.pk]
    by_zone = {r.key: r for r in rows}
    visible_zones = _zones_of(values) | set(by_zone)
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
            row.comparable_now += sign * moved_now
            if moved_was is not None:
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


def quantity(value: Decimal, indicator: Indicator) -> str:
    """A figure in the unit a report uses: money in 万元/亿元, other units as stored."""
    from feidi.lib.money import human

    if indicator.unit == "元":
        return human(value)
    number = f"{value.normalize():,f}" if value == value.to_integral() else f"{value:,.2f}"
    return gettext("{number}{unit}").format(number=number, unit=indicator.unit_shown)


def percent_change(ratio) -> str:
    """增长1.3% / 下降1.3%: the change rounded half up, once, by ``lib.money.percent`` (a float ratio
    is read as the decimal it was computed as)."""
    from feidi.lib.money import percent

    shown = percent(abs(ratio))
    if ratio >= 0 or not shown:
        return gettext("增长{percent}%").format(percent=f"{shown:f}")
    return gettext("下降{percent}%").format(percent=f"{shown:f}")


def sentence(indicator: Indicator, period: dt.date, row: Row, coverage: Coverage) -> str:
    """The figure as a report states it, with its rule and scope: "2026年1–10月，规上企业主营业务收入
    1,668.60亿元，同比增长16.6%（同口径，126家企业）；10月当月158.20亿元，同比增长12.1%"."""
    text = gettext("{release}，{coverage}{indicator}{quantity}").format(
        release=release_label(period, indicator.cumulative), coverage=coverage.label,
        indicator=indicator.name_shown,
        quantity=quantity(row.total, indicator))
    if row.growth is not None:
        text += gettext("，同比{percent_change}").format(percent_change=percent_change(row.growth))
    text += gettext("（同口径，{count}家企业").format(count=row.count)
    if row.count > row.comparable_count:
        text += gettext("，其中{value}家上年同期无数据按0计").format(value=row.count - row.comparable_count)
    text += gettext("）")
    if indicator.cumulative and period.month > 1:
        label = pgettext("release", "1–2月") if period.month == 2 else gettext("{month}当月").format(
            month=month_name(period.month))
        if period.month > 2:
            text += gettext("；{label}{quantity}").format(
                label=label, quantity=quantity(row.month_value, indicator))
            if row.month_growth is not None:
                text += gettext("，同比{percent_change}").format(percent_change=percent_change(row.month_growth))
    return text


def zone_areas(keys) -> dict:
    """Zone id → its area in km² (None when not entered), for the output per area (地均)."""
    from feidi.registry.models import Zone

    ids = [int(k) for k in keys if k is not None and str(k).isdigit()]
    return dict(Zone.objects.filter(pk__in=ids).values_list("pk", "area_km2"))


def per_area(total: Decimal, area_km2: Decimal | None) -> Decimal | None:
    """Output per km² of land (地均), None without an area."""
    if not area_km2:
        return None
    return (Decimal(total) / Decimal(area_km2)).quantize(Decimal("0.01"))


def density_text(indicator: Indicator, total: Decimal, area_km2: Decimal | None) -> str:
    """The per-area figure as reports put it: "每平方公里12.30亿元（每0.01平方公里约1,230.00万元）"."""
    density = per_area(total, area_km2)
    if density is None:
        return ""
    return gettext("每平方公里{density}（每0.01平方公里约{hundredth}）").format(
        density=quantity(density, indicator), hundredth=quantity((density / 100).quantize(Decimal("0.01")), indicator))


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
    held = {f"m{i}": Count("organization_id", distinct=True,
                           filter=Q(since__lte=e) & (Q(until__isnull=True) | Q(until__gte=e)))
            for i, e in enumerate(ends)}
    rows = (OrganizationLabel.objects.filter(organization__in=organizations, since__lte=ends[-1])
            .filter(Q(until__isnull=True) | Q(until__gte=ends[0])).order_by()
            .values("label__label", "label__order").annotate(**held))
    series = {seeded_label(r["label__label"]): [r[f"m{i}"] for i in range(len(ends))]
              for r in sorted(rows, key=lambda r: (r["label__order"], r["label__label"]))}
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
