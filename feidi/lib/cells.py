"""What people type into Chinese spreadsheets, read as values: full-width digits and punctuation,
thousands separators, 万/亿 written in the cell, units stated in the header, the date and month
formats offices use. Pure functions, shared by every import and form that reads such text."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from decimal import InvalidOperation

from django.utils.translation import gettext

EXCEL_EPOCH = dt.date(1899, 12, 30)
UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10_000), "百万元": Decimal(1_000_000),
         "亿元": Decimal(100_000_000)}
MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1000), "百万": Decimal(1_000_000)}
NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)(百万|万|亿|千)?(元|亩|人|吨|吨标准煤|%)?$")
BRACKETS = re.compile(r"[(\[]([^()\[\]]*)[)\]]")


def fold(text) -> str:
    """Full-width to half-width (ＡＢ１２（）→AB12()), the ideographic space and NBSP to none."""
    return unicodedata.normalize("NFKC", str(text)).replace("\u3000", "").replace("\xa0", "")


def normalize_label(text) -> str:
    """A header as its meaning: full-width folded, spaces, required-marks and the unit in brackets
    dropped ("签约金额（万元）*" → "签约金额")."""
    label = fold(text).replace("*", "").replace(" ", "").replace("\t", "").strip()
    label = re.sub(r"[:：]$", "", label)
    return BRACKETS.sub("", label).strip()


def unit_of(text) -> Decimal | None:
    """The money unit a header states in brackets or after 单位: — 1 for 元, 10,000 for 万元 …"""
    label = fold(text).replace(" ", "")
    for inside in BRACKETS.findall(label):
        inside = inside.replace("单位:", "").replace("单位", "")
        if inside in UNITS:
            return UNITS[inside]
    for name, factor in sorted(UNITS.items(), key=lambda kv: -len(kv[0])):
        if label.endswith(name) and not label.endswith(f"({name})"):
            return factor
    return None


def parse_number(value, *, unit: Decimal | None = None) -> Decimal | None:
    """A cell as an exact number; ``unit`` multiplies it (the header's 万元). 万/亿 written in the
    cell count too and then stand alone ("1.5亿" → 150,000,000 in a 万元 column as anywhere). Empty → None; anything else → ValueError in Chinese."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(gettext("应为数字，不是“是/否”"))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and value != value:
            raise ValueError(gettext("不是数字"))
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = fold(value).strip().replace(",", "").replace(" ", "").replace("，", "")
        if not text or text in ("-", "—", "/"):
            return None
        m = NUMBER.match(text)
        if not m:
            raise ValueError(gettext("“{shown}”不是数字").format(shown=shown(value)))
        try:
            number = Decimal(m.group(1))
        except InvalidOperation:
            raise ValueError(gettext("“{shown}”不是数字").format(shown=shown(value))) from None
        if m.group(2):  # 万/亿 written in the cell: an amount in yuan, whatever the header's unit
            number *= MULTIPLIERS[m.group(2)]
            unit = None
    if not number.is_finite():
        raise ValueError(gettext("不是数字"))
    return number * unit if unit is not None else number


DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value) -> dt.date | None:
    """A date cell: a real date, an Excel serial number, or 2026-03-05, 2026/3/5, 2026.3.5,
    2026年3月5日, 20260305."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000101 <= value <= 21001231 and float(value).is_integer():
            value = str(int(value))
        elif 1 <= value < 2_958_466:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        else:
            raise ValueError(gettext("不是有效的日期"))
    text = fold(value).strip().split(" ")[0].split("T")[0]
    for pattern in DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise ValueError(gettext("“{shown}”不是存在的日期").format(shown=shown(value))) from None
    raise ValueError(gettext("“{shown}”不是日期（应为 2026-03-05 或 2026年3月5日）").format(shown=shown(value)))


MONTH_PATTERNS = (
    re.compile(r"^(\d{4})\s*(?:[-/.年])\s*(?:1\s*[-–—~至]\s*)?(\d{1,2})\s*(?:月(?:份)?)?(?:[-/.]\d{1,2}日?)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)


def parse_month(value) -> dt.date:
    """A month: 2026-03, 2026年3月, 2026年1-2月 (the first release: February), 202603, a date, an
    Excel serial — as the month's first day."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 190001 <= value <= 299912 and float(value).is_integer():
            year, month = divmod(int(value), 100)
        else:
            return (EXCEL_EPOCH + dt.timedelta(days=int(value))).replace(day=1)
    else:
        text = fold(value or "").strip()
        m = next((p.match(text) for p in MONTH_PATTERNS if p.match(text)), None)
        if not m:
            raise ValueError(gettext("月份格式应为 2026-03、2026年3月或2026年1-2月"))
        year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(gettext("月份应在1–12之间"))
    return dt.date(year, month, 1)


def shown(value, limit: int = 50) -> str:
    """A value as an error report shows it: the first ``limit`` characters and the length."""
    text = str(value)
    return text if len(text) <= limit else gettext("{value}…（共{len}字）").format(
        value=text[:limit], len=len(text))
