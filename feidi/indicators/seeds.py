"""The indicators every installation starts with (added when missing, never changed)."""

from __future__ import annotations

from decimal import Decimal

# code: (name, unit, kind, aggregation, above-scale only, required, warn ratio, order)
DEFAULTS = {
    "revenue": ("主营业务收入", "元", "cumulative", "sum", False, True, "1", 10),
    "value_added": ("规上工业增加值", "元", "cumulative", "sum", True, False, "1", 20),
    "rd": ("研发投入", "元", "cumulative", "sum", False, False, "2", 30),
    "tax": ("税收", "元", "cumulative", "sum", False, True, "1", 40),
    "land": ("用地面积", "亩", "point", "sum", False, False, "0.2", 50),
    "energy": ("综合能耗", "吨标准煤", "cumulative", "sum", False, False, "1", 60),
    "employees": ("从业人员", "人", "point", "sum", False, True, "0.5", 70),
    "fai": ("固定资产投资", "元", "cumulative", "sum", False, False, "2", 80),
}


def ensure_indicators() -> None:
    from .models import Indicator

    have = set(Indicator.objects.values_list("code", flat=True))
    Indicator.objects.bulk_create([
        Indicator(code=code, name=name, unit=unit, kind=kind, aggregation=agg, above_scale_only=above,
                  required=required, warn_ratio=Decimal(ratio), order=order)
        for code, (name, unit, kind, agg, above, required, ratio, order) in DEFAULTS.items() if code not in have])
