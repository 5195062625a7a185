"""Money is stored exactly (Decimal yuan) and shown as users expect: 万元 / 亿元."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal

from django.utils.translation import gettext

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def to_decimal(value) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def wan(value, places: int = 2) -> str:
    """Amount in yuan shown in 万元, e.g. 1234567 → '123.46'."""
    q = Decimal(1).scaleb(-places)
    return f"{(to_decimal(value) / WAN).quantize(q, rounding=ROUND_HALF_UP):,}"


def yi(value, places: int = 2) -> str:
    q = Decimal(1).scaleb(-places)
    return f"{(to_decimal(value) / YI).quantize(q, rounding=ROUND_HALF_UP):,}"


def human(value) -> str:
    """The unit a report would choose: 亿元 from 1亿, else 万元."""
    amount = to_decimal(value)
    if abs(amount) >= YI:
        return gettext("{yi}亿元").format(yi=yi(amount))
    return gettext("{wan}万元").format(wan=wan(amount))
