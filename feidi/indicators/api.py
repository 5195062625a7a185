"""Indicators API: monthly values (scoped) and 同比 tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja.pagination import paginate

from feidi.core.api import Pages, filtered, model_of, scoped_list

from . import engine
from .filtersets import IndicatorValueFilterSet
from .models import Indicator, IndicatorValue

router = Router(tags=["经济运行 indicators"])


class ValueSchema(Schema):
    id: int
    organization_id: int
    indicator: str
    period: dt.date
    value: Decimal
    zone_id: int | None
    industry: str
    source: str

    @staticmethod
    def resolve_indicator(obj):
        return obj.indicator.code


class YoySchema(Schema):
    key: str | None
    label: str
    total: Decimal
    count: int
    comparable_now: Decimal
    comparable_before: Decimal
    comparable_count: int
    growth: float | None
    share: float | None


@router.get("/values", response=list[ValueSchema], summary="指标数据（企业×指标×月份）",
            openapi_extra=model_of("indicators.indicatorvalue"))
@paginate(Pages, page_size=100)
def list_values(request):
    qs = scoped_list(request, IndicatorValue).select_related("indicator")
    return filtered(request, qs, IndicatorValueFilterSet).order_by("-period", "organization_id", "indicator_id")


@router.get("/yoy", response=list[YoySchema], summary="同比（同口径）：按园区、行业、产业链或环节汇总",
            openapi_extra=model_of("indicators.indicatorvalue"))
def yoy(request, indicator: str = "revenue", period: str = "", by: str = "zone"):
    values = scoped_list(request, IndicatorValue)
    found = Indicator.objects.filter(code=indicator).first()
    if found is None:
        raise ValidationError({"indicator": [f"未知指标：{indicator}"]})
    if by not in engine.GROUPS:
        raise ValidationError({"by": [f"可选：{'、'.join(engine.GROUPS)}"]})
    if period:
        month_ = engine.month_param(period)
        if month_ is None:
            raise ValidationError({"period": ["月份格式应为 2026-03"]})
    else:
        month_ = engine.latest_period(values, found)
        if month_ is None:
            return []
    rows = engine.yoy(values, found, month_, by)
    whole = sum((r.total for r in rows), Decimal(0)) if by in ("zone", "industry") else None
    return [{"key": None if r.key is None else str(r.key), "label": r.label, "total": r.total, "count": r.count,
             "comparable_now": r.comparable_now, "comparable_before": r.comparable_before,
             "comparable_count": r.comparable_count, "growth": r.growth,
             "share": engine.share(r.total, whole) if whole else None} for r in rows]
