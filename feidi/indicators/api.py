"""Indicators API: monthly values (scoped) and 同比 tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Field
from ninja import Query
from ninja import Router
from ninja import Schema

from feidi.core import declare
from feidi.core.api import Id
from feidi.core.api import model_of
from feidi.core.api import require_perm
from feidi.core.api import scoped_get
from feidi.core.api import scoped_list

from . import engine
from .filtersets import IndicatorValueFilterSet
from .models import Indicator
from .models import IndicatorValue

router = Router(tags=["经济运行 indicators"])


class ValueSchema(Schema):
    id: int
    organization_id: int
    indicator: str = Field(alias="indicator.code")
    period: dt.date
    value: Decimal
    zone_id: int | None
    industry: str
    source: str


class YoySchema(Schema):
    key: str | None
    label: str
    total: Decimal = Field(..., description="累计（或时点）合计；平均型指标为平均值")
    count: int = Field(..., description="本期报送企业数（集合S）")
    comparable_now: Decimal = Field(..., description="Σ_S 本期")
    comparable_before: Decimal = Field(..., description="Σ_S 上年同期（上年无数据的企业按0计）")
    comparable_count: int = Field(..., description="S中上年同期有数据的企业数")
    growth: float | None = Field(..., description="累计同比（同口径；上年同期为0或负数时为空）")
    month_value: Decimal | None = Field(..., description="当月（1–2月为1–2月累计）；上月未报送的企业不计入，全部未报送时为空")
    month_before: Decimal | None = Field(..., description="上年同月（同一批企业）")
    month_growth: float | None = Field(..., description="当月同比（上年同月为0或负数、或上年当月无法计算时为空）")
    month_left_out: int = Field(0, description="上月未报送、未计入当月的企业数")
    share: float | None
    split: int = Field(0, description="按环节均分的共享企业数（按产业链环节汇总时）")
    per_km2: Decimal | None = Field(None, description="地均：每平方公里土地的数值（按园区汇总且园区面积已录入时）")


class YoyAnswer(Schema):
    indicator: str
    period: dt.date
    release: str = Field(..., description="发布期，如 2026年1–10月")
    coverage: str = Field(..., description="统计口径")
    coverage_label: str
    sentence: str = Field(..., description="可引用表述（含口径）")
    rows: list[YoySchema]


class StandingSchema(Schema):
    zone_id: int
    zone: str
    value: Decimal | None = Field(..., description="公布数据或本人可见园区的合计；其他园区只给位次")
    growth: float | None
    published: bool
    rank: int
    growth_rank: int | None


class RankingAnswer(Schema):
    peers: str
    peers_label: str
    zone_id: int
    rank: int | None
    of: int
    tied: bool
    share: float | None
    share_basis: str
    share_note: str
    zones_reported: int
    zones_total: int
    real_growth: float | None
    real_growth_note: str
    sentence: str
    standings: list[StandingSchema]


def _a_month(text: str) -> None:
    if text and engine.month_param(text) is None:
        raise ValidationError(gettext("月份格式应为 2026-03"))


class ValueFilterSet(IndicatorValueFilterSet):
    """The list page's filters, read strictly: a ``month`` that is not one is a 422 naming it, not
    ignored (which listed every month)."""

    month = django_filters.CharFilter(label=_("月份"), method="filter_month", validators=[_a_month])


declare.api_routes(router, IndicatorValue, ValueSchema, path="/values", list_summary="指标数据（企业×指标×月份）",
                   filterset=ValueFilterSet, related=("indicator",),
                   order_by=("-period", "organization_id", "indicator_id"), page_size=100)


@router.get("/yoy", response=YoyAnswer, summary="同比（同口径）：按园区、行业、产业链或环节汇总，含当月与当月同比",
            openapi_extra=model_of("indicators.indicatorvalue"))
def yoy(request, indicator: str = "revenue", period: str = "", by: str = "zone",
        coverage: str = Query("", description="统计口径：all、above_scale、label:<标签代码>、chain:<产业链编号>；默认按指标定义")):
    values = scoped_list(request, IndicatorValue)
    found = Indicator.objects.filter(code=indicator).first()
    if found is None:
        raise ValidationError({"indicator": [gettext("未知指标：{indicator}").format(indicator=indicator)]})
    if by not in engine.GROUPS:
        raise ValidationError({"by": [gettext("可选：{join}").format(join='、'.join(engine.GROUPS))]})
    try:
        scope = engine.Coverage.parse(coverage, found, request.user)
    except ValueError as exc:
        raise ValidationError({"coverage": [str(exc)]}) from None
    if period:
        month_ = engine.month_param(period)
        if month_ is None:
            raise ValidationError({"period": [gettext("月份格式应为 2026-03")]})
    else:  # the latest month whose reporting is complete, as the pages show by default
        reporting = engine.reporting_month(values, found)
        month_ = reporting.period if reporting else None
    rows = engine.yoy(values, found, month_, by, coverage=scope) if month_ else []
    total = next(iter(engine.yoy(values, found, month_, "total", coverage=scope)), None) if month_ else None
    whole = total.total if total else None
    areas = engine.zone_areas(r.key for r in rows) if by == "zone" else {}
    return {"indicator": found.code, "period": month_ or timezone.localdate().replace(day=1),
            "release": engine.release_label(month_, found.cumulative) if month_ else "",
            "coverage": str(scope), "coverage_label": scope.label,
            "sentence": engine.sentence(found, month_, total, scope) if total else "",
            "rows": [{"key": None if r.key is None else str(r.key), "label": r.label, "total": r.total, "count": r.count,
                      "comparable_now": r.comparable_now, "comparable_before": r.comparable_before,
                      "comparable_count": r.comparable_count, "growth": r.growth, "month_value": r.month_value,
                      "month_before": r.month_before, "month_growth": r.month_growth,
                      "month_left_out": r.month_left_out,
                      "share": engine.share(r.total, whole) if whole and len(rows) > 1 else None, "split": r.split,
                      "per_km2": engine.per_area(r.total, areas.get(r.key))}
                     for r in rows]}


@router.get("/zones/{pk}/rankings", response=RankingAnswer,
            summary="园区位次与占比：全市园区、全省同类园区或全省园区（公布数据优先）", openapi_extra=model_of("registry.zone"))
def rankings(request, pk: Id, indicator: str = "revenue", period: str = "",
             peers: str = Query("province_kind", description="city、province_kind、province")):
    from feidi.registry.models import Zone

    from . import zones

    require_perm(request, "indicators.view_indicatorvalue")
    found = Indicator.objects.filter(code=indicator).first()
    if found is None:
        raise ValidationError({"indicator": [gettext("未知指标：{indicator}").format(indicator=indicator)]})
    if peers not in zones.PEER_GROUPS:
        raise ValidationError({"peers": [gettext("可选：{join}").format(join='、'.join(zones.PEER_GROUPS))]})
    target = scoped_get(request, Zone, pk)
    latest = None if period else engine.reporting_month(scoped_list(request, IndicatorValue), found)
    month_ = engine.month_param(period) if period else (latest.period if latest else None)
    if month_ is None:
        raise ValidationError({"period": [gettext("月份格式应为 2026-03，或该指标尚无数据")]})
    items = zones.standings(found, month_, zones.peers(target, peers))
    mine = zones.rank_of(target, items)
    share = zones.city_share(target, found, month_, request.user)
    real, real_note = zones.real_growth(found, month_, target, mine["growth"] if mine else None)
    by_value = sorted(items, key=lambda x: -x.value)
    grown = sorted([x.growth for x in items if x.growth is not None], reverse=True)
    # another zone's computed total is its own data: only its rank, unless published or all seen
    visible = zones.readable(request.user, found, month_, items)
    return {"peers": peers, "peers_label": str(zones.PEER_GROUPS[peers]), "zone_id": target.pk,
            "rank": mine["rank"] if mine else None, "of": len(items), "tied": bool(mine and mine["tied"]),
            "share": share.ratio, "share_basis": share.basis, "share_note": share.note,
            "zones_reported": share.zones_reported, "zones_total": share.zones_total,
            "real_growth": real, "real_growth_note": real_note, "sentence": zones.sentence(target, found, month_),
            "standings": [{"zone_id": x.zone.pk, "zone": x.zone.short_name or x.zone.name,
                           "value": x.value if x.published or x.zone.pk in visible else None,
                           "growth": x.growth if x.published or x.zone.pk in visible else None,
                           "published": x.published,
                           "rank": 1 + sum(1 for y in by_value if y.value > x.value),
                           "growth_rank": None if x.growth is None else 1 + sum(1 for g in grown if g > x.growth)}
                          for x in by_value]}
