"""Computation over the stored monthly rows: monthly figures from cumulative ones, 同比 on a
comparable basis (同口径), shares of a total, groupings by zone, industry and chain segment.

同口径 as statistics bureaus compute it: the growth of a period compares this period's set S of
enterprises in scope (全部, 规上 in that month by its dated label, a label, a chain) with the same
enterprises a year earlier: Σ_S cum(t) ÷ Σ_S cum(t−12) − 1. An enterprise of S without a row a
year earlier (a new entrant) counts 0 there; an enterprise no longer in S (a leaver, or one that
dropped out of 规上) counts in neither.

当月 is this month's cumulative minus last month's of the same enterprises; the first release of a
year is 1–2月, whose 当月 is the 1–2月 cumulative (no January invented, and December is never
subtracted from a January or February cumulative). An enterprise without the month before has no
当月 (the difference would cover two months): it is left out of its group's 当月 and counted as
left out (``Row.month_left_out``); a group all of whose enterprises are left out has no 当月.
当月同比 compares it with the same enterprises' 当月 a year earlier, and has none when one of them
has a year-earlier cumulative without the month before it, or the reverse (``Row.month_unpaired``).

飞地利益共享 (``apply_sharing``) is applied in one place, to every grouping and every figure of a
row (累计, 上年同期, 上月 and 上年上月, so 当月 moves by the month's share and not the year's):
a zone's figure is after sharing, and any other figure over the user's zones — the 合计, an
industry, a chain — is the sum of those zones' figures after sharing (an enterprise's share
moved to a zone outside them leaves the sum; moves between two of them cancel).

Growth rates follow ``lib.money.growth``: none against a zero or negative base.
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


def enterprises_named(name) -> str:
    """A coverage's name as the enterprises it holds: 光伏 → 光伏企业, but 高新技术企业 and
    科技型中小企业 stay as they are (not …企业企业)."""
    name = str(name)
    return name if name.endswith(gettext("企业")) else gettext("{value}企业").format(value=name)


@dataclass(frozen=True)
class Coverage:
    """Which enterprises a statistic covers (统计口径): ``all``, ``above_scale`` (规上, by the dated
    label of the month), ``label:<code>`` (any enterprise label, e.g. ``label:srdi``) or
    ``chain:<id>`` (the members of one industrial chain)."""

    kind: str = SCOPE_ALL
    value: str = ""

    @classmethod
    def parse(cls, text: str | None, indicator: Indicator | None = None, user=None) -> Coverage:
        """From a query value; an empty one is the indicator's own (规上 for a 规上-only indicator).
        A chain must be one ``user`` sees: another zone's chain, like one that does not exist, is
        an unknown coverage (its name in the answer's label told what the chain was, and its
        refusal alone whether it existed)."""
        text = (text or "").strip()
        if not text:
            return cls(SCOPE_ABOVE) if indicator is not None and indicator.above_scale_only else cls(SCOPE_ALL)
        kind, _, value = text.partition(":")
        if kind in (SCOPE_ALL, SCOPE_ABOVE) and not value:
            return cls(kind)
        if kind == "label" and value:
            from feidi.core.dictionaries import labels

            if value in labels("org_label"):
                return cls("label", value)
            raise ValueError(gettext("未知的企业标签：{value}").format(value=value[:50]))
        if kind == "chain" and value.isascii() and value.isdigit():
            from feidi.chains.models import Chain
            from feidi.core.fields import MAX_ID

            chains = Chain.objects.visible_to(user) if user is not None else Chain.objects.all()
            if int(value) <= MAX_ID and chains.filter(pk=int(value)).exists():
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

            return enterprises_named(labels('org_label').get(self.value, self.value))
        from feidi.chains.models import Chain

        name = Chain.objects.filter(pk=int(self.value)).values_list("name", flat=True).first()
        return enterprises_named(name or gettext("产业链"))

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

    def holding(self, ids, periods) -> dict[dt.date, set] | None:
        """Of the enterprises ``ids``, those in this coverage in each of ``periods`` — one read,
        by the rule of ``organizations`` (a label held during the month) — or None for all."""
        if self.kind == SCOPE_ALL:
            return None
        ids = list(ids)
        if self.kind == "chain":
            from feidi.chains.models import SegmentMember

            members = set(SegmentMember.objects.filter(segment__chain_id=int(self.value), organization_id__in=ids)
                          .values_list("organization_id", flat=True))
            return {p: members for p in periods}
        from feidi.registry.models import OrganizationLabel

        code = "above_scale" if self.kind == SCOPE_ABOVE else self.value
        spans = list(OrganizationLabel.objects.filter(organization_id__in=ids, label__type__code="org_label",
                                                      label__code=code).values_list("organization_id", "since", "until"))
        return {p: {o for o, since, until in spans if since <= month_end(p) and (until is None or until >= p)}
                for p in periods}


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
    for 1–2月), so ``month_value`` is 当月 and ``month_growth`` 当月同比. An enterprise of S without
    the month before is left out of 当月: ``previous`` counts its own cumulative (and
    ``previous_before`` its year-earlier one), so it adds 0, and ``month_left_out`` counts it;
    ``month_unpaired`` counts those whose year-earlier 当月 is unknown (a year-earlier cumulative
    without the month before it, or the reverse). ``split`` counts the enterprises whose value a
    chain segment shares with other segments of the chain."""

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
    month_left_out: int = 0
    month_unpaired: int = 0

    @property
    def growth(self) -> float | None:
        """同比 on the comparable basis, e.g. 0.085 for +8.5 %."""
        return growth_ratio(self.comparable_now, self.comparable_before)

    @property
    def change(self) -> Decimal:
        return self.comparable_now - self.comparable_before

    @property
    def month_counted(self) -> int:
        """The enterprises whose 当月 is in ``month_value``."""
        return self.count - self.month_left_out

    @property
    def month_value(self) -> Decimal | None:
        """当月 (for a cumulative indicator; a point-in-time one has previous = 0) of the enterprises
        that reported the month before; None when none of the group's did (and no share of another
        zone's enterprise moved in)."""
        if self.count and self.month_left_out >= self.count and not self.shared:
            return None
        return self.comparable_now - self.previous

    @property
    def month_before(self) -> Decimal | None:
        """The same enterprises' 当月 a year earlier."""
        if self.month_value is None:
            return None
        return self.comparable_before - self.previous_before

    @property
    def month_growth(self) -> float | None:
        """当月同比: none when an enterprise's year-earlier 当月 is unknown, or without a positive base."""
        if self.month_unpaired or self.month_value is None:
            return None
        return growth_ratio(self.month_value, self.month_before)


def growth_ratio(now, before) -> float | None:
    """The change from ``before`` to ``now`` as a ratio (0.085 for +8.5 %) by the one rule of
    growth rates (``lib.money.growth``): none against a zero or negative base."""
    from feidi.lib.money import growth

    found = growth(now, before)
    return None if found is None else float(found)


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
    return _finish(rows, values, indicator, period, by, coverage)


def yoy_months(values, indicator: Indicator, periods, by: str = "total",
               coverage: Coverage | None = None) -> dict[dt.date, list[Row]]:
    """``yoy`` of several months at once (a monthly chart: each month's 当月 is its rows'
    ``month_value``, after sharing like every other figure): one grouped read of the cells for all
    the months, one of the agreements and one of their enterprises' values."""
    coverage = coverage or Coverage.parse(None, indicator)
    periods = sorted(set(periods))
    if not periods:
        return {}
    cells = cells_for(values, indicator, *periods, coverage=coverage) if by in CELL_GROUPS else None
    if cells is None:
        found = {p: _from_rows(in_scope(values, indicator, p, coverage), indicator, p, by) for p in periods}
    else:
        fields = _fields(by)
        grouped = list(cells.values("period", *fields).annotate(**MEASURES).order_by())
        labels = _labels(by, [tuple(g[f] for f in fields) for g in grouped]) if fields else {}
        found = {p: _cell_rows([g for g in grouped if g["period"] == p], by, labels) for p in periods}
    shares = shares_between(periods[0].replace(month=1), periods[-1])
    moved = shared_values([indicator.pk], periods, shares) if shares else None
    inside = coverage.holding([s.organization_id for s in shares], periods) if shares else None
    return {p: _finish(found[p], values, indicator, p, by, coverage, shares=shares, moved=moved, inside=inside)
            for p in periods}


def _finish(rows: list[Row], values, indicator: Indicator, period: dt.date, by: str, coverage: Coverage,
            shares=None, moved=None, inside=None) -> list[Row]:
    average = indicator.aggregation == Indicator.Aggregation.AVERAGE
    cumulative = indicator.cumulative
    for row in rows:
        if average and row.count:
            row.total = row.total / row.count
        if not cumulative:  # a level: the month's own figure is the level itself
            row.previous = row.previous_before = Decimal(0)
            row.month_left_out = row.month_unpaired = 0
    rows = apply_sharing(rows, values, indicator, period, by, coverage, shares=shares, moved=moved, inside=inside)
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
    shares = [s for s in active_shares(period) if any(s.home_percent(i.code) is not None for i in indicators)]
    moved = shared_values([i.pk for i in indicators], [period], shares) if shares else None
    holding: dict[str, dict | None] = {}  # per coverage (全部, 规上): who of the shared enterprises is in it
    for i in indicators:
        mine = [g for g in grouped if g["indicator_id"] == i.pk]
        coverage = Coverage.parse(None, i)
        if shares and str(coverage) not in holding:
            holding[str(coverage)] = coverage.holding([s.organization_id for s in shares], [period])
        out[i.pk] = _finish(_cell_rows(mine, by, labels), values, i, period, by, coverage, shares=shares,
                            moved=moved, inside=holding.get(str(coverage)))
    return out


def _fields(by: str) -> tuple[str, ...]:
    field = {"zone": ("zone_id",), "industry": ("industry",), "zone_industry": ("zone_id", "industry")}
    return field.get(by, ())


MEASURES = {"total": Sum("total"), "count": Sum("count"), "was": Sum("comparable_before"),
            "paired": Sum("comparable_count"), "prev": Sum("previous"), "prev_was": Sum("previous_before"),
            "left_out": Sum("month_left_out"), "unpaired": Sum("month_unpaired")}


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
                       previous_before=g["prev_was"] or Decimal(0), month_left_out=g["left_out"] or 0,
                       month_unpaired=g["unpaired"] or 0))
    return out


def _key(by: str, values: tuple):
    if by == "zone_industry":
        return values
    return values[0] if values else None


def _labels(by: str, keys: list[tuple]) -> dict:
    """The groups' names (read once per computation within ``reads.reading``: a card set, its
    chart and its tables name the same zones)."""
    from .reads import once as _once

    return _once(("labels", by, tuple(sorted(set(keys), key=str))), lambda: _read_labels(by, keys))


def _read_labels(by: str, keys: list[tuple]) -> dict:
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
    first = before_month == NEVER  # January or 1–2月: nothing is subtracted
    was, prev = at(add_months(period, -12)), at(before_month)
    prev_was = at(add_months(before_month, -12)) if not first else {}
    groups: dict = {}
    split: dict = {}
    placed = _placements(members) if by in ("chain", "segment") else {}
    for org, value, zone_id, industry in now:
        targets = _targets(by, zone_id, industry, placed.get(org))
        if by == "segment":
            for segment, weight in targets:
                if weight < 1:  # on several segments of the chain: its value is divided among them
                    split[segment] = split.get(segment, 0) + 1
        before, before_was, left_out, unpaired = month_pair(value, was.get(org), prev.get(org), prev_was.get(org),
                                                            first)
        for key, weight in targets:
            g = groups.setdefault(key, [Decimal(0), 0, Decimal(0), 0, Decimal(0), Decimal(0), 0, 0])
            g[0] += value * weight
            g[1] += 1
            if org in was:
                g[2] += was[org] * weight
                g[3] += 1
            g[4] += before * weight
            g[5] += before_was * weight
            g[6] += left_out
            g[7] += unpaired
    labels = _labels(by, [k if isinstance(k, tuple) else (k,) for k in groups]) if by != "total" else {}
    return [Row(key=key, label=labels.get(key, gettext("合计") if by == "total" else gettext("未分类")),
                total=g[0], count=g[1],
                comparable_now=g[0], comparable_before=g[2], comparable_count=g[3], previous=g[4],
                previous_before=g[5], split=split.get(key, 0), month_left_out=g[6], month_unpaired=g[7])
            for key, g in groups.items()]


def month_pair(now: Decimal, was: Decimal | None, prev: Decimal | None, prev_was: Decimal | None,
               first: bool) -> tuple[Decimal, Decimal, int, int]:
    """One enterprise's part of ``Row.previous`` and ``Row.previous_before`` and whether it is left
    out of 当月 and unpaired a year earlier (see ``Row``), from its cumulative of the month (``now``),
    a year earlier (``was``), the month before (``prev``) and that a year earlier (``prev_was``);
    ``first`` for January and 1–2月 (nothing subtracted). ``cells._insert`` says the same in SQL."""
    if first:
        return Decimal(0), Decimal(0), 0, 0
    if prev is None:  # no 当月: it adds now − now = 0, and was − was a year earlier
        return now, was or Decimal(0), 1, 0
    return prev, prev_was or Decimal(0), 0, int((was is None) != (prev_was is None))


def active_shares(period: dt.date) -> list:
    """The 飞地利益共享 agreements in force in any month of ``period``'s year up to it (for
    ``apply_sharing``: a cumulative figure moves the months an agreement ran; a level, only an
    agreement in force in ``period`` itself)."""
    return shares_between(period.replace(month=1), period)


def shares_between(start: dt.date, end: dt.date) -> list:
    """The agreements in force in any month from ``start`` to ``end`` (one read for several months;
    one per computation within ``reads.reading``, as a card set asks it of each grouping)."""
    from .models import BenefitShare
    from .reads import once as _once

    return _once(("shares", start, end), lambda: list(
        BenefitShare.objects.filter(since__lte=end).filter(Q(until__isnull=True) | Q(until__gte=start))
        .select_related("home_zone", "enclave_zone")))


def in_force(share, period: dt.date) -> bool:
    return share.since <= period and (share.until is None or share.until >= period)


def applies(share, period: dt.date, cumulative: bool) -> bool:
    """Whether an agreement moves part of a figure of ``period``: a level's when in force in the
    month; a cumulative one's when in force in any month of the year up to it."""
    if not cumulative:
        return in_force(share, period)
    return share_span(share, period) is not None


def share_span(share, period: dt.date) -> tuple[dt.date, dt.date] | None:
    """The months of ``period``'s year to ``period`` that ``share`` ran, as (the month whose
    cumulative is subtracted — ``NEVER`` from the year's start, or for an agreement from February,
    as 1–2月 is one release — and the last month it ran); None when it ran in none of them. A
    cumulative figure moves the part of those months only: an agreement from July moves July to
    October of a 1–10月 figure, not its January to June, and one ended in June keeps moving the
    first half of the year."""
    start = max(share.since, period.replace(month=1))
    end = period if share.until is None or share.until >= period else share.until
    if start > end:
        return None
    return month_before_in_year(start), end


def _span_months(share, period: dt.date) -> list[dt.date]:
    """The months ``apply_sharing`` reads for ``share`` in ``period`` beyond ``_paired_months``: a
    span's ends, the month before's, each a year earlier."""
    span = share_span(share, period)
    if span is None or span == (NEVER, period):
        return []
    base, end = span
    before = month_before_in_year(period)
    ends = [end, base] + ([min(before, end)] if before != NEVER else [])
    return [m for e in ends if e != NEVER for m in (e, add_months(e, -12))]


def _moved_part(found: dict, org, span, period: dt.date, before_month: dt.date, first: bool):
    """The cumulative figures of ``org`` that an agreement running only part of the year moves:
    (now, a year earlier, the month before, that a year earlier) as the differences over the
    months it ran (``share_span``), for ``month_pair`` as whole-year figures are."""
    base, end = span

    def part(top: dt.date, bottom: dt.date, *, shift: int = 0) -> Decimal | None:
        high = found.get((org, add_months(top, shift)))
        if high is None:
            return None
        low = Decimal(0) if bottom == NEVER else found.get((org, add_months(bottom, shift))) or Decimal(0)
        return high - low

    now, was = part(end, base) or Decimal(0), part(end, base, shift=-12)
    if first:
        return now, was, None, None
    if before_month == NEVER or before_month <= base:  # it began this month: nothing moved before
        return now, was, Decimal(0), Decimal(0) if was is not None else None
    top = min(before_month, end)
    return now, was, part(top, base) or Decimal(0), part(top, base, shift=-12)


def _paired_months(period: dt.date) -> list[dt.date]:
    """The months a row of ``period`` is paired with (itself, a year earlier, the month before and
    that a year earlier), as the cells pair them."""
    before = month_before_in_year(period)
    months = [period, add_months(period, -12)]
    return months + ([before, add_months(before, -12)] if before != NEVER else [])


def shared_values(indicator_ids, periods, shares) -> dict[int, tuple[dict, dict]]:
    """For ``apply_sharing``, in one read: per indicator, the shared enterprises' values of
    ``periods`` and of the months they are paired with (``{(enterprise, month): value}``) and
    the zone and division each reported them in (``{(enterprise, month): (zone, division)}``)."""
    out: dict[int, tuple[dict, dict]] = {pk: ({}, {}) for pk in indicator_ids}
    months = sorted({m for p in periods for m in _paired_months(p)}
                    | {m for p in periods for share in shares for m in _span_months(share, p)})
    for indicator_id, month, org, value, zone_id, industry in IndicatorValue.objects.filter(
            indicator_id__in=list(indicator_ids), period__in=months,
            organization_id__in={s.organization_id for s in shares}).order_by().values_list(
            "indicator_id", "period", "organization_id", "value", "zone_id", "industry"):
        found, where = out[indicator_id]
        found[(org, month)], where[(org, month)] = value, (zone_id, industry)
    return out


def users_zones(values) -> set | None:
    """The user's zones for ``values`` (a user's scoped rows, perhaps narrowed), None for every zone:
    those its filter reaches (``cells.zone_reach``: a department scope reaches its departments'
    zones, whether or not they hold rows) and those of its rows. Read once per queryset: a card
    set asks it of each indicator."""
    if not hasattr(values, "_users_zones"):
        from .cells import ANY
        from .cells import zone_reach

        reach, _places = zone_reach(values)
        if reach == ANY:
            values._users_zones = None
        else:
            zones = set(values.values_list("zone_id", flat=True).order_by().distinct())
            values._users_zones = zones | _zones_where(reach)
    return values._users_zones


def receiving_zones(values) -> set | None:
    """The zones whose credited shares ``values``' user sees though the enterprise's rows are not
    theirs — an enclave that only receives shares is still its operator's: the zones a scope of
    places alone reaches (None: every zone). A narrowed filter (an enterprise's own rows, a set of
    enterprises, a division) receives nothing it does not hold."""
    if not hasattr(values, "_receiving_zones"):
        from .cells import ANY
        from .cells import zone_reach

        reach, places = zone_reach(values)
        values._receiving_zones = (None if reach == ANY else _zones_where(reach)) if places else set()
    return values._receiving_zones


def _zones_where(reach) -> set:
    from feidi.registry.models import Zone

    if reach is None or reach == Q(pk__in=[]):
        return set()
    return set(Zone.objects.filter(reach).values_list("pk", flat=True).order_by())


def _held(values, shares, period: dt.date) -> set[tuple[int, int]]:
    """(indicator, enterprise) of the shared enterprises whose rows of ``period`` are in ``values``
    (one read per queryset and month, for every indicator)."""
    cache = values.__dict__.setdefault("_held", {})
    orgs = frozenset(s.organization_id for s in shares)
    key = (period, orgs)
    if key not in cache:
        cache[key] = set(values.filter(period=period, organization_id__in=orgs).order_by()
                         .values_list("indicator_id", "organization_id").distinct())
    return cache[key]


def _placements(org_ids) -> dict[int, list[tuple[int, int]]]:
    """Enterprise → its (segment, chain) places, for the chain groupings."""
    from feidi.chains.models import SegmentMember

    ids = org_ids if hasattr(org_ids, "query") else list(org_ids)  # a subquery stays one
    placed: dict[int, list[tuple[int, int]]] = {}
    for org, segment, chain in (SegmentMember.objects.filter(organization_id__in=ids)
                                .values_list("organization_id", "segment_id", "segment__chain_id").order_by().distinct()):
        placed.setdefault(org, []).append((segment, chain))
    return placed


def _targets(by: str, zone_id, industry: str, places) -> list[tuple[object, Decimal]]:
    """The keys of a grouping an enterprise's value goes to, with its weight (``_from_rows``' rule:
    a chain counts it once, a segment its share of the chain's segments it is on)."""
    if by in ("chain", "segment"):
        per_chain: dict[int, list[int]] = {}
        for segment, chain in places or []:
            per_chain.setdefault(chain, []).append(segment)
        if by == "chain":
            return [(chain, Decimal(1)) for chain in per_chain]
        return [(segment, Decimal(1) / len(segments)) for segments in per_chain.values() for segment in segments]
    return [({"total": None, "zone": zone_id, "industry": industry, "zone_industry": (zone_id, industry)}[by],
             Decimal(1))]


def apply_sharing(rows: list[Row], values, indicator: Indicator, period: dt.date, by: str = "zone",
                  coverage: Coverage | None = None, shares=None, moved=None, inside=None) -> list[Row]:
    """Figures after 飞地利益共享, the one place sharing is applied: for each enterprise under an
    agreement in force (and in the coverage), the part of its value that belongs to the other side
    moves there — this month's, a year earlier's (for 同比), the month before's and a year
    earlier's (so 当月 and 当月同比 move by the month's share, not the year's). A zone's row takes
    what moves in or out of it; any other grouping (合计, industry, chain…) is over the user's
    zones (``users_zones``: those the scope reaches, rows or none), so it loses what moves to a
    zone outside them and gains
    what moves in from one, and a move between two of them changes nothing. An enterprise whose
    rows the user does not see moves only into a zone the user's scope receives
    (``receiving_zones``: an enclave that only receives shares is still its operator's), so
    nothing of another's enterprise reaches a narrowed view or an enterprise user. The moves are kept
    on the rows (``shared``) so the split can be shown. ``shares`` (agreements, of this month or
    more), ``moved`` (``shared_values`` of them) and ``inside`` (``Coverage.holding`` of their
    enterprises) when already read."""
    coverage = coverage or Coverage.parse(None, indicator)
    shares = [s for s in (active_shares(period) if shares is None else shares)
              if applies(s, period, indicator.cumulative) and s.home_percent(indicator.code) is not None]
    if not shares:
        return rows
    found, where = (moved or shared_values([indicator.pk], [period], shares))[indicator.pk]
    if inside is None and coverage.kind != SCOPE_ALL:
        inside = coverage.holding([s.organization_id for s in shares], [period])
    members = inside.get(period, set()) if inside is not None else None
    by_key = {r.key: r for r in rows}
    zones = users_zones(values)
    visible_zones = None if zones is None else zones | (set(by_key) if by == "zone" else set())
    receiving = receiving_zones(values)
    held = _held(values, shares, period)
    before_month = month_before_in_year(period)
    first = before_month == NEVER
    placed = _placements(s.organization_id for s in shares) if by in ("chain", "segment") else {}
    zone_names = {}
    for share in shares:
        org = share.organization_id
        if (org, period) not in found or (members is not None and org not in members):
            continue
        holder, industry = where[(org, period)]
        if holder not in (share.home_zone_id, share.enclave_zone_id):
            continue
        other = share.enclave_zone_id if holder == share.home_zone_id else share.home_zone_id
        # the enterprise's figures are the user's: each side in the user's zones moves; else only
        # a side the user's scope receives (an enclave operator's credited part), never another's
        sides_of = visible_zones if (indicator.pk, org) in held else receiving
        sides = [(z, sign) for z, sign in ((holder, -1), (other, 1)) if sides_of is None or z in sides_of]
        if not sides:
            continue
        if by not in ("zone", "zone_industry") and len(sides) == 2:
            continue  # both sides are the user's: the sum over its zones does not move
        zone_names.update({share.home_zone_id: share.home_zone, share.enclave_zone_id: share.enclave_zone})
        home = share.home_percent(indicator.code) / 100
        part = (1 - home) if holder == share.home_zone_id else home
        now, was = found[(org, period)], found.get((org, add_months(period, -12)))
        before = (None, None) if first else (found.get((org, before_month)), found.get((org, add_months(before_month, -12))))
        span = share_span(share, period) if indicator.cumulative else None
        if span is not None and span != (NEVER, period):  # it ran part of the year: those months move
            now, was, *before = _moved_part(found, org, span, period, before_month, first)
        prev, prev_was, _left_out, unpaired = month_pair(now, was, *before, first)
        for zone_id, sign in sides:
            for key, weight in _targets(by, zone_id, industry, placed.get(org)):
                row = by_key.get(key)
                if row is None:
                    row = by_key[key] = Row(key=key, label="", total=Decimal(0), count=0,
                                            comparable_now=Decimal(0), comparable_before=Decimal(0),
                                            comparable_count=0)
                factor = sign * part * weight
                row.total += now * factor
                row.shared += now * factor
                row.comparable_now += now * factor
                if was is not None:
                    row.comparable_before += was * factor
                row.previous += prev * factor
                row.previous_before += prev_was * factor
                if sign > 0:
                    row.month_unpaired += unpaired  # its year-earlier 当月 comes with it
    unnamed = [k for k, r in by_key.items() if not r.label]
    if unnamed:
        if by == "zone":
            labels = {k: zone_names[k].short_name or zone_names[k].name for k in unnamed}
        elif by == "total":
            labels = {None: gettext("合计")}
        else:
            labels = _labels(by, [k if isinstance(k, tuple) else (k,) for k in unnamed])
        for k in unnamed:
            by_key[k].label = labels.get(k, gettext("未分类"))
    return list(by_key.values())


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
    """增长1.3% / 下降1.3% (``lib.money.change_text``)."""
    from feidi.lib.money import change_text

    return change_text(ratio)


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
        if period.month > 2 and row.month_value is not None:
            text += gettext("；{label}{quantity}").format(
                label=label, quantity=quantity(row.month_value, indicator))
            if row.month_growth is not None:
                text += gettext("，同比{percent_change}").format(percent_change=percent_change(row.month_growth))
            if row.month_left_out:
                text += gettext("（{count}家企业上月未报送，未计入当月）").format(count=row.month_left_out)
    return text


def month_sentence(indicator: Indicator, period: dt.date, row: Row, coverage: Coverage) -> str:
    """当月 as a report states it: "2026年10月，规上企业主营业务收入当月158.20亿元，同比增长12.1%
    （同口径，126家企业）" — 1–2月 (and January) is the cumulative itself, a point-in-time
    indicator's month its value; the enterprises without the month before are said, not counted."""
    cumulative = indicator.cumulative
    label = month_label(period) if cumulative else release_label(period, False)
    own = cumulative and period.month > 2  # a month's own figure, said 当月 as releases do
    if row.month_value is None:
        return gettext("{release}，{coverage}{indicator}当月无数据（各企业上月均未报送，当月无法计算）").format(
            release=label, coverage=coverage.label, indicator=indicator.name_shown)
    text = gettext("{release}，{coverage}{indicator}{when}{quantity}").format(
        release=label, coverage=coverage.label, indicator=indicator.name_shown,
        when=gettext("当月") if own else "", quantity=quantity(row.month_value, indicator))
    if row.month_growth is not None:
        text += gettext("，同比{percent_change}").format(percent_change=percent_change(row.month_growth))
    text += gettext("（同口径，{count}家企业").format(count=row.month_counted)
    if row.month_left_out:
        text += gettext("；{count}家企业上月未报送，未计入当月").format(count=row.month_left_out)
    if row.month_unpaired:
        text += gettext("；{count}家企业上年同期当月无法计算，不计当月同比").format(count=row.month_unpaired)
    return text + gettext("）")


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
    """The total per month (as stored: cumulative stays cumulative), of the rows as reported —
    before 飞地利益共享 and without 当月's rule; a page's monthly figures come from ``yoy_months``."""
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


# A month is shown by default once this share of the enterprises that reported the month before
# have reported it: one early enterprise does not make a month the city's latest.
COMPLETE_SHARE = Decimal("0.9")
REPORTING_WINDOW = 24  # months looked back from the newest for a complete one


@dataclass(frozen=True)
class Reporting:
    """The month a page shows by default and how complete its reporting is: ``reported`` of the
    ``expected`` enterprises (those that reported the month before; ``reported`` itself when more
    did). ``newest`` is the newest month with any row and ``newest_reported`` its reporters, when
    it is a later, still incomplete month."""

    period: dt.date
    reported: int
    expected: int
    newest: dt.date | None = None
    newest_reported: int = 0

    @property
    def complete(self) -> bool:
        return self.reported >= self.expected

    def __str__(self) -> str:
        if self.complete:
            text = gettext("{reported}家企业已报送").format(reported=self.reported)
        else:
            text = gettext("{expected}家企业中{reported}家已报送").format(expected=self.expected, reported=self.reported)
        if self.newest is not None:
            text += gettext("；{month}仅{count}家报送，报送率未达{share}%，暂不显示").format(
                month=_months(month_name(self.newest.month), self.newest, True), count=self.newest_reported,
                share=f"{COMPLETE_SHARE * 100:.0f}")
        return text


def reporting_month(values, indicator: Indicator, period: dt.date | None = None) -> Reporting | None:
    """The latest month of ``indicator`` in ``values`` whose reporting is complete: at least
    ``COMPLETE_SHARE`` of the enterprises that reported the previous month with rows (the
    enterprises expected) have reported it — the first month with rows counts as complete. Later
    months, reported by a few enterprises early, are passed over (and said: ``Reporting.newest``).
    With ``period`` (a month the user chose), that month's reporting, complete or not. Counted on
    the cells when the scope allows (one grouped read), else on the rows."""
    from .cells import cell_filter
    from .models import IndicatorCell

    newest = period or latest_period(values, indicator)
    if newest is None:
        return None
    since, q = add_months(newest, -REPORTING_WINDOW), cell_filter(values)
    if q is not None:
        found = (IndicatorCell.objects.filter(q, indicator=indicator, period__gte=since, period__lte=newest)
                 .values_list("period").annotate(n=Sum("count")).order_by())
    else:
        found = (values.filter(indicator=indicator, period__gte=since, period__lte=newest).values_list("period")
                 .annotate(n=Count("pk")).order_by())
    counts = {p: n for p, n in found if n}
    months = sorted(counts, reverse=True)
    if period is not None:
        expected = next((counts[m] for m in months if m < period), 0)
        reported = counts.get(period, 0)
        return Reporting(period, reported, max(expected, reported))
    for i, month in enumerate(months):
        expected = counts[months[i + 1]] if i + 1 < len(months) else 0
        if counts[month] >= COMPLETE_SHARE * expected:
            later = months[0] if i else None
            return Reporting(month, counts[month], max(expected, counts[month]), later,
                             counts[later] if later else 0)
    return None


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
