"""Resident identity card number (居民身份证号码), GB 11643-1999: 17 digits and an ISO 7064
MOD 11-2 check character (0–9 or X)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


class InvalidIdCard(ValueError):
    pass


def check_character(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def validate(value: str) -> str:
    value = (value or "").strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidIdCard(gettext("身份证号应为18位：17位数字加1位校验码（数字或X）"))
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdCard(gettext("身份证号中的出生日期无效")) from None
    if check_character(value[:17]) != value[17]:
        raise InvalidIdCard(gettext("身份证号校验位错误"))
    return value
