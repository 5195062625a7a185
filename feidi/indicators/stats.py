"""What the economic indicators answer in 统计查询: a month's figure of one indicator and its 同比,
as the indicator pages quote it ("2026年1–10月，规上企业规上工业增加值113.94亿元，同比增长14.3%（同口径…）"),
in a park or by park. The figures are the engine's (``engine.yoy``: the month's cumulative value,
the 同口径 同比 over the enterprises in this year's scope), never a sum of records over a window —
which would add up a cumulative indicator's months.

Windows (``WINDOWS``): 年初至今 (ytd) quotes the 1–N月 cumulative — and so does 累计 (all),
the cumulative as of the day, as released — and 当月 (month) the month's own figure
(``Row.month_value``, with 当月同比), N being the latest month reported completely and over by
the window's end. Any other window (近3个月, 全年, a range, a day) is refused: the indicators are
released as cumulatives to a month, and quoting 1–N月 for 近3个月 would answer another question
than the one asked."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feidi.core import stats
from feidi.lib.dates import last_month_ended

from . import engine
from .models import Indicator
from .models import IndicatorValue


class IndicatorAnswer(stats.Answer):
    """An answer whose 同比 is the engine's, on the comparable basis (not this total over last year's)."""

    comparable_growth: float | None = None

    @property
    def growth(self):
        from decimal import Decimal

        return None if self.comparable_growth is None else Decimal(str(self.comparable_growth))


def _indicator(query: stats.Query) -> Indicator:
    wanted = query.filters.get("indicator") or []
    if len(wanted) > 1:
        raise stats.QueryError(gettext("经济指标一次只问一个指标"))
    active = Indicator.objects.filter(active=True)
    found = (Indicator.objects.filter(pk=int(wanted[0])).first() if wanted else
             active.filter(code="revenue").first() or active.order_by("pk").first())
    if found is None:
        raise stats.QueryError(gettext("尚未设置经济指标"))
    return found


WINDOWS = ("ytd", "all", "month")  # 1–N月 cumulative (ytd, all), 当月


def answer(query: stats.Query, user) -> stats.Answer:
    """The latest month with complete reporting that is over by the window's end (a month under way,
    or still being reported, is not quoted), its value and 同比 over the user's enterprises, in the parks asked for:
    the 1–N月 cumulative (window ytd) or 当月 (window month)."""
    if query.window_kind not in WINDOWS or query.within is not None:
        raise stats.QueryError(gettext("经济指标按月报送累计值，时段只能选“年初至今”（1至N月累计）或“当月”，"
                                       "所引月份为截止日期前报送完整的最近月份"))
    if query.compare not in ("", "yoy"):
        raise stats.QueryError(gettext("经济指标按月份累计，比较请用同比（yoy）"))
    if query.by is not None and query.by.key != "zone":
        raise stats.QueryError(gettext("经济指标只能按园区分组"))
    indicator = _indicator(query)
    values = IndicatorValue.objects.visible_to(user)
    if query.filters.get("zone"):
        values = values.filter(query.subject.dimension("zone").q(query.filters["zone"], query.window.end, IndicatorValue))
    coverage = engine.Coverage.parse("", indicator, user)
    # a month is quoted once it is over (a report of 16 November quoted 1–11月, a March question 1–3月)
    reporting = engine.reporting_month(values.filter(period__lte=last_month_ended(query.window.end)), indicator)
    measure = stats.Measure("value", indicator.name_shown, "sum", "value", indicator.unit)
    result = IndicatorAnswer(query, [stats.Figure(measure, None)])
    if reporting is None:
        result.sentence = gettext("{end}前没有{indicator}的数据").format(end=query.window.label, indicator=indicator.name_shown)
        result.rule = coverage.label
        return result
    period = reporting.period
    total = next(iter(engine.yoy(values, indicator, period, "total", coverage=coverage)), None)
    if total is None:
        result.sentence = gettext("{indicator}本期没有数据").format(indicator=indicator.name_shown)
        return result
    if query.window_kind == "month":
        return _month(query, result, measure, values, indicator, period, total, coverage, reporting)
    result.figures = [stats.Figure(measure, total.total)]
    if query.compare == "yoy":
        result.previous, result.previous_label = [stats.Figure(measure, total.comparable_before)], gettext("上年同期（同口径）")
        result.comparable_growth = total.growth
    if query.by is not None:
        rows = engine.yoy(values, indicator, period, "zone", coverage=coverage)
        result.groups = [stats.Group(str(r.key) if r.key is not None else "", r.label, [stats.Figure(measure, r.total)],
                                     share=float(r.total / total.total) if total.total else None)
                         for r in sorted(rows, key=lambda r: -r.total)]
    result.sentence = engine.sentence(indicator, period, total, coverage)
    result.period = engine.release_label(period, indicator.cumulative)  # the month quoted, not the window
    result.rule = gettext("{release}累计（{indicator}），{reporting}；同比按同口径：本年在统计范围内的企业，上年同期无数据的按0计").format(
        release=engine.release_label(period, indicator.cumulative), indicator=indicator.name_shown, reporting=reporting)
    return result


def _month(query, result, measure, values, indicator, period, total, coverage, reporting) -> stats.Answer:
    """当月 of the quoted month (``engine.Row.month_value``): this month's cumulative less last
    month's of the same enterprises (1–2月 the cumulative itself), 当月同比 against the same
    enterprises' 当月 a year earlier."""
    label = engine.month_label(period) if indicator.cumulative else engine.release_label(period, False)
    result.figures = [stats.Figure(measure, total.month_value)]
    if query.compare == "yoy":
        result.previous = [stats.Figure(measure, total.month_before)]
        result.previous_label = gettext("上年同期当月（同口径）")
        result.comparable_growth = total.month_growth
    if query.by is not None:
        rows = engine.yoy(values, indicator, period, "zone", coverage=coverage)
        whole = total.month_value
        result.groups = [stats.Group(str(r.key) if r.key is not None else "", r.label,
                                     [stats.Figure(measure, r.month_value)],
                                     share=float(r.month_value / whole) if whole and r.month_value is not None else None)
                         for r in sorted(rows, key=lambda r: -(r.month_value or 0))]
    result.sentence = engine.month_sentence(indicator, period, total, coverage)
    result.period = label  # the month quoted, not the window
    result.rule = gettext("{release}当月（{indicator}）＝本月累计减上月累计（1–2月为其累计），上月未报送的企业不计入，"
                          "{reporting}；当月同比按同口径：同一批企业上年同期的当月").format(
        release=label, indicator=indicator.name_shown, reporting=reporting)
    return result


def register() -> None:
    stats.register(stats.Subject(
        key="indicators", label=_("经济指标"), model=IndicatorValue, noun=pgettext_lazy("stats noun", "经济指标"),
        unit="", order=5, answer=answer,
        help=_("某月的累计值及同比（同口径），如“1–10月规上工业增加值同比增长8.5%”；时段的截止月份为所引月份（取报送完整的最近月份）"),
        measures=(stats.Measure("value", _("数值"), "sum", "value"),),
        dimensions=(
            stats.Dimension("indicator", _("指标"), "indicator_id", model="indicators.Indicator"),
            stats.Dimension("zone", _("园区"), "zone_id", model="registry.Zone"),
        ),
    ))
