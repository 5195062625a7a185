"""Money is stored exactly (Decimal yuan) and shown as users expect: 万元 / 亿元; rates are published
as percentages rounded half up (四舍五入), by ``percent`` alone."""

from __future__ import annotations

from decimal import ROUND_DOWN
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


def human(value, places: int = 2) -> str:
    """The unit a report would choose: 亿元 from 1亿, else 万元 — chosen after rounding, so an
    amount that rounds to 10,000.00万元 is shown as 1.00亿元."""
    amount = to_decimal(value)
    shown_wan = (amount / WAN).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if abs(shown_wan) >= WAN:  # 10,000万元 = 1亿元
        return gettext("{yi}亿元").format(yi=yi(amount, places))
    return gettext("{wan}万元").format(wan=wan(amount, places))


def human_together(*values, places: int = 2) -> list[str]:
    """Amounts compared in one sentence, in one unit (完成投资2,750.00万元，低于进度要求13,750.00万元,
    not …2,750.00万元…1.38亿元): 亿元 when every one of them reaches it, else 万元."""
    amounts = [to_decimal(v) for v in values]
    if amounts and all(abs((a / WAN).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)) >= WAN
                       for a in amounts):
        return [gettext("{yi}亿元").format(yi=yi(a, places)) for a in amounts]
    return [gettext("{wan}万元").format(wan=wan(a, places)) for a in amounts]


def as_decimal(value) -> Decimal:
    """A number as the exact decimal it stands for. A float is read through its shortest spelling
    (``repr``): a ratio computed from Decimals and handed over as a float (0.0125) comes back as
    the decimal it was (0.0125), not as the binary fraction next to it (0.01249999…). A float read
    from a spreadsheet cell is ``cells.exact``'s (Excel's 15 significant digits)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(str(value))


def ratio(part, whole) -> Decimal | None:
    """``part / whole`` exactly (to Decimal's 28 digits); None when ``whole`` is zero or missing
    (a rate without a base is blank, not 0)."""
    if part is None or not whole:
        return None
    return as_decimal(part) / as_decimal(whole)


def growth(now, before) -> Decimal | None:
    """The one rule of every growth rate (同比, 环比, 当月同比): ``now / before − 1`` exactly; None
    (shown "—") without a positive base — a zero base has no ratio, and a negative one (a loss, a
    refund exceeding the tax) gives a ratio whose sign says the opposite of the change (−2 → +1
    would read −150 %)."""
    if now is None or before is None:
        return None
    before = as_decimal(before)
    if before <= 0:
        return None
    return as_decimal(now) / before - 1


def percent(value, places: int = 1) -> Decimal | None:
    """The one rounding rule of every published rate: ``value`` (a ratio, 0.12345 for 12.345 %)
    × 100, rounded half up (四舍五入, as statistics bureaus publish: 12.35 % → 12.4 %, −1.25 % →
    −1.3 %) to ``places`` decimals. Round once, from the exact ratio — never from a figure already
    rounded (12.3449 % → 12.3 %, not 12.345 % → 12.35 % → 12.4 %). None stays None."""
    if value is None or value == "":
        return None
    return (as_decimal(value) * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def short_of_whole(value, places: int = 1) -> Decimal:
    """``percent`` of a ratio, except that one short of the whole (0.99998) is never shown as 100:
    it takes the places that show it short (99.998), rounded down there, up to six."""
    exact = as_decimal(value)
    shown = percent(exact, places)
    while abs(exact) < 1 and abs(shown) >= 100 and places < 6:
        places += 1
        shown = (exact * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    return shown


def change_text(ratio, *, flat: str | None = None) -> str:
    """增长1.3% / 下降1.3%: a change (a ratio, −0.013) as a report says it, rounded by ``percent``.
    A fall short of the whole is never said as 下降100% (a fall from 12,000 to 1 is 下降99.99%, not
    a figure gone to nothing): it takes the places that show it short of 100. ``flat`` is said for
    no change at all (持平), where the caller has a word for it."""
    if flat is not None and not ratio:
        return flat
    exact = as_decimal(ratio)
    shown = short_of_whole(abs(exact)) if exact < 0 else percent(exact)
    if exact >= 0 or not shown:
        return gettext("增长{percent}%").format(percent=f"{shown:f}")
    return gettext("下降{percent}%").format(percent=f"{shown:f}")


def percent_text(value, places: int = 1, *, blank: str = "—") -> str:
    """'12.3%' (``percent``; a rate rounding to zero shows no sign), or ``blank`` without a value."""
    if value is None or value == "":
        return blank
    shown = short_of_whole(value, places)  # 压缩99.998%, never a 100% that is not one
    return f"{shown + 0:f}%"  # + 0 drops the sign of a negative zero


def published_ratio(value, places: int = 1) -> Decimal | None:
    """The ratio a published percentage stands for (12.3 % → 0.123): what a spreadsheet stores in
    a 0.0% cell so that the stored value is the printed one."""
    shown = percent(value, places)
    return None if shown is None else shown / 100
