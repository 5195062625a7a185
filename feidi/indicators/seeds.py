"""The indicators every installation starts with (added when missing, never changed)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_noop

# code: (name, unit, kind, aggregation, above-scale only, required, warn ratio, order)
DEFAULTS = {
    "revenue": (gettext_noop("主营业务收入"), gettext_noop("元"), "cumulative", "sum", False, True, "1", 10),
    "value_added": (gettext_noop("规上工业增加值"), gettext_noop("元"), "cumulative", "sum", True, False, "1", 20),
    "rd": (gettext_noop("研发投入"), gettext_noop("元"), "cumulative", "sum", False, False, "2", 30),
    "tax": (gettext_noop("税收"), gettext_noop("元"), "cumulative", "sum", False, True, "1", 40),
    "land": (gettext_noop("用地面积"), gettext_noop("亩"), "point", "sum", False, False, "0.2", 50),
    "energy": (gettext_noop("综合能耗"), gettext_noop("吨标准煤"), "cumulative", "sum", False, False, "1", 60),
    "employees": (gettext_noop("从业人员"), gettext_noop("人"), "point", "sum", False, True, "0.5", 70),
    "fai": (gettext_noop("固定资产投资"), gettext_noop("元"), "cumulative", "sum", False, False, "2", 80),
}


def ensure_indicators() -> None:
    from .models import Indicator

    have = set(Indicator.objects.values_list("code", flat=True))
    Indicator.objects.bulk_create([
        Indicator(code=code, name=name, unit=unit, kind=kind, aggregation=agg, above_scale_only=above,
                  required=required, warn_ratio=Decimal(ratio), order=order)
        for code, (name, unit, kind, agg, above, required, ratio, order) in DEFAULTS.items() if code not in have])
