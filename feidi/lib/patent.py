"""Chinese patent numbers (CNIPA). An application number (申请号) since 1 October 2003 is twelve
digits — year (4), type (1: 1 发明, 2 实用新型, 3 外观设计, 8 PCT 发明, 9 PCT 实用新型), serial (7) —
then a dot and a check character; before that, eight digits (year 2 + type 1 + serial 5) and the
check. The check is Σ digit × weight mod 11 with weights 2, 3, 4, 5, 6, 7, 8, 9 repeated, 10
written X. 专利号 are the application number prefixed with ZL, and CN is accepted likewise."""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
TYPES = {"1": _("发明"), "2": _("实用新型"), "3": _("外观设计"), "8": _("发明（PCT）"), "9": _("实用新型（PCT）")}
_SHAPE = re.compile(r"^(?:ZL|CN)?(\d{8}|\d{12})\.?([0-9X])$")


class PatentNumberError(ValueError):
    pass


def check_char(digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=False))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


def normalize(text: str) -> str:
    """``ZL 2023 1 0123456.7`` → ``ZL202310123456.7``; raises PatentNumberError with the reason."""
    raw = re.sub(r"[\s\u3000]", "", str(text or "")).upper().replace("．", ".").replace("。", ".")
    match = _SHAPE.match(raw)
    if not match:
        raise PatentNumberError(gettext("“{text}”不是有效的专利号（应为 ZL + 12 位数字 + . + 校验位，如 ZL202310123456.7）").format(text=text))
    digits, check = match.groups()
    kind = digits[4] if len(digits) == 12 else digits[2]
    if kind not in TYPES:
        raise PatentNumberError(gettext("“{text}”的专利类型位“{kind}”无效（应为 1、2、3、8 或 9）").format(
            text=text, kind=kind))
    if len(digits) == 12 and not 1985 <= int(digits[:4]) <= 2100:
        raise PatentNumberError(gettext("“{text}”的申请年份“{value}”无效").format(text=text, value=digits[:4]))
    expected = check_char(digits)
    if check != expected:
        raise PatentNumberError(gettext("“{text}”的校验位应为 {expected}，不是 {check}").format(
            text=text, expected=expected, check=check))
    return f"ZL{digits}.{check}"


def kind_of(number: str) -> str:
    digits = normalize(number)[2:].split(".")[0]
    return TYPES[digits[4] if len(digits) == 12 else digits[2]]


def split_numbers(text: str) -> list[str]:
    """Patent numbers from a field with one or more numbers separated by newlines, commas or ；."""
    return [part for part in re.split(r"[\n,，;；、]+", str(text or "")) if part.strip()]


def make(digits: str) -> str:
    """The full number for 8 or 12 digits (test data, demo)."""
    return f"ZL{digits}.{check_char(digits)}"
