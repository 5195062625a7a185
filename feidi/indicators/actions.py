"""Writes on indicator values: one enterprise's month from the form, many from an .xlsx file.

Errors refuse (negative, missing required, unknown enterprise, a cumulative value below the month
before it or above the month after it). Warnings — a month that moves more than the indicator's
``warn_ratio`` against the month before — are kept only once confirmed, and the confirmation is
stored with the value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from feidi.core import audit

from .engine import add_months
from .models import Indicator, IndicatorValue


@dataclass
class Check:
    errors: dict[str, str] = field(default_factory=dict)  # indicator code → message
    warnings: dict[str, str] = field(default_factory=dict)
    saved: int = 0


def parse_amount(text) -> Decimal | None:
    """A cell or field as a Decimal: thousands separators and spaces allowed, empty → None."""
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    if isinstance(text, (int, float)):
        return Decimal(str(text))
    cleaned = str(text).strip().replace(",", "").replace("，", "").replace(" ", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"“{text}”不是数字") from None
    if not value.is_finite():
        raise ValueError(f"“{text}”不是数字")
    return value


def check_month(indicator: Indicator, period: dt.date, value: Decimal | None, *, before: Decimal | None,
                before2: Decimal | None, after: Decimal | None) -> tuple[str | None, str | None]:
    """(error, warning) for one value. ``before``/``after`` are the same enterprise's values of the
    months before and after (None when absent); ``before2`` the month before ``before``."""
    if value is None:
        return ("每月必报，不能为空" if indicator.required else None), None
    if value < 0:
        return "数值不能为负", None
    same_year_before = before is not None and period.month > 1
    if indicator.cumulative:
        if same_year_before and value < before:
            return f"累计值不能小于上月累计（{before.normalize():f}）", None
        if after is not None and period.month < 12 and after < value:
            return f"累计值不能大于下月已报累计（{after.normalize():f}）", None
    if not indicator.warn_ratio:
        return None, None
    # compare this month's own figure with last month's
    if indicator.cumulative:
        if not same_year_before:
            return None, None
        now = value - before
        was = before if period.month == 2 else (before - before2 if before2 is not None else None)
    else:
        now, was = value, before
    if was is None or was <= 0:
        return None, None
    ratio = abs(now - was) / was
    if ratio > indicator.warn_ratio:
        word = "增长" if now > was else "下降"
        return None, f"当月{word}{ratio * 100:.0f}%（上月{was.normalize():f}，本月{now.normalize():f}），请核实后确认"
    return None, None


def neighbours(org_ids, indicators, periods) -> dict[tuple[int, int, dt.date], Decimal]:
    """Existing values around ``periods`` (two months before to one after) for these enterprises."""
    if not periods:
        return {}
    start, end = add_months(min(periods), -2), add_months(max(periods), 1)
    rows = IndicatorValue.objects.filter(organization_id__in=list(org_ids), indicator__in=list(indicators),
                                         period__gte=start, period__lte=end)
    return {(o, i, p): v for o, i, p, v in rows.values_list("organization_id", "indicator_id", "period", "value")}


def check_values(known: dict[tuple[int, int, dt.date], Decimal], org_id: int, indicator: Indicator,
                 period: dt.date, value: Decimal | None) -> tuple[str | None, str | None]:
    key = (org_id, indicator.pk)
    return check_month(indicator, period, value, before=known.get((*key, add_months(period, -1))),
                       before2=known.get((*key, add_months(period, -2))), after=known.get((*key, add_months(period, 1))))


def report_month(organization, period: dt.date, values: dict[Indicator, Decimal | None], *, acting_user,
                 confirm: bool = False, source: str = IndicatorValue.Source.ENTERPRISE) -> Check:
    """Check and save one enterprise's month. Raises ValidationError on errors; returns the
    warnings unsaved unless ``confirm``."""
    period = period.replace(day=1)
    if period > timezone.localdate().replace(day=1):
        raise ValidationError({"period": "不能填报未来月份"})
    if getattr(acting_user, "organization_id", None) and acting_user.organization_id != organization.pk:
        raise PermissionDenied("企业用户只能填报本企业数据")
    known = neighbours([organization.pk], values.keys(), [period])
    result = Check()
    for indicator, value in values.items():
        error, warning = check_values(known, organization.pk, indicator, period, value)
        if error:
            result.errors[indicator.code] = error
        elif warning:
            result.warnings[indicator.code] = warning
    if result.errors:
        raise ValidationError({code: [msg] for code, msg in result.errors.items()})
    if result.warnings and not confirm:
        return result
    rows = [(indicator, value) for indicator, value in values.items() if value is not None]
    with transaction.atomic():
        saved = upsert(organization, period, rows, acting_user=acting_user, source=source,
                       confirmed={code: msg for code, msg in result.warnings.items()})
        audit.record(audit.AuditRecord.Action.UPDATE, organization, user=acting_user,
                     before={f"{i.code}@{period:%Y-%m}": str(known[(organization.pk, i.pk, period)])
                             for i, _ in rows if (organization.pk, i.pk, period) in known},
                     after={f"{i.code}@{period:%Y-%m}": str(v) for i, v in rows})
    result.saved = saved
    return result


def _row(organization, indicator, period, value, *, acting_user, source, confirmed="") -> IndicatorValue:
    from feidi.lib import gbt4754

    return IndicatorValue(
        organization_id=organization.pk, indicator_id=indicator.pk, period=period, value=value,
        department_id=organization.department_id, zone_id=organization.zone_id,
        industry=gbt4754.division_code(organization.industry_code) if organization.industry_code else "",
        source=source, confirmed_warning=confirmed[:200], entered_by=acting_user if getattr(acting_user, "pk", None)
        else None, entered_at=timezone.now())


def upsert(organization, period, rows, *, acting_user, source, confirmed=None) -> int:
    confirmed = confirmed or {}
    objs = [_row(organization, i, period, v, acting_user=acting_user, source=source,
                 confirmed=confirmed.get(i.code, "")) for i, v in rows]
    return len(bulk_upsert(objs))


UPDATE_FIELDS = ["value", "department", "zone", "industry", "source", "confirmed_warning", "entered_by", "entered_at",
                 "sample"]


def bulk_upsert(objs: list[IndicatorValue], batch_size: int = 5000) -> list[IndicatorValue]:
    """Insert or overwrite (enterprise, indicator, month) rows in batches, and recompute the cells
    they move in the same transaction (every write of values comes through here: the report
    form, the import, the API, the demo)."""
    from . import cells

    if not objs:
        return []
    with transaction.atomic():
        slices, keys = cells.before_write(objs)
        saved = IndicatorValue.objects.bulk_create(objs, batch_size=batch_size, update_conflicts=True,
                                                   unique_fields=["organization", "indicator", "period"],
                                                   update_fields=UPDATE_FIELDS)
        cells.refresh(slices, keys)
    return saved
