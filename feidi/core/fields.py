"""Model fields shared by every app."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from feidi.lib import crypto

# The largest key either database stores (a signed 64-bit integer): a bigger id in a path, a body
# or a filter is a 422 or the filter's error, not an overflow in the driver.
MAX_ID = 2**63 - 1

MASKERS = {
    "phone": crypto.mask_phone,
    "id_card": crypto.mask_id_card,
    "secret": lambda v: "******" if v else "",
}


class SecretValue:
    """A decrypted personal number. Printing it shows the masked form; ``reveal()`` the full
    value, which views call only for users allowed to see it (and audit)."""

    __slots__ = ("_plain", "_kind")

    def __init__(self, plain: str, kind: str):
        self._plain = plain
        self._kind = kind

    def reveal(self) -> str:
        return self._plain

    @property
    def masked(self) -> str:
        return MASKERS[self._kind](self._plain)

    def __str__(self):
        return self.masked

    def __repr__(self):
        return f"SecretValue({self.masked!r})"

    def __bool__(self):
        return bool(self._plain)

    def __eq__(self, other):
        if isinstance(other, SecretValue):
            return self._plain == other._plain
        return self._plain == other

    def __hash__(self):
        return hash(self._plain)

    def __len__(self):
        return len(self._plain)


class EncryptedCharField(models.TextField):
    """A short personal value stored AES-GCM encrypted; never in clear in the database, a dump or
    a log. The model attribute is a SecretValue (masked when printed)."""

    encrypted = True

    def __init__(self, *args, kind: str = "secret", max_length: int = 64, **kwargs):
        if kind not in MASKERS:
            raise ValueError(f"unknown kind {kind!r}")
        self.kind = kind
        self.plain_max_length = max_length
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if not value:
            return SecretValue("", self.kind)
        return SecretValue(crypto.decrypt(value), self.kind)

    def to_python(self, value):
        if isinstance(value, SecretValue) or value is None:
            return value
        return SecretValue(str(value).strip(), self.kind)

    def get_prep_value(self, value):
        if isinstance(value, SecretValue):
            value = value.reveal()
        if value is None or value == "":
            return ""
        return crypto.encrypt(str(value))

    def validate(self, value, model_instance):
        plain = value.reveal() if isinstance(value, SecretValue) else (value or "")
        if len(plain) > self.plain_max_length:
            raise ValidationError(gettext("长度不能超过{plain_max_length}个字符").format(
                plain_max_length=self.plain_max_length))
        if not plain and not self.blank:
            raise ValidationError(gettext("此项为必填项"))

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = SecretValue(value.strip(), self.kind)
            setattr(model_instance, self.attname, value)
        return value

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return str(value) if value is not None else ""

    def formfield(self, **kwargs):
        return forms.CharField(max_length=self.plain_max_length, required=not self.blank, label=self.verbose_name,
                               help_text=self.help_text)


class MoneyField(models.DecimalField):
    """Yuan, exact to the fen. Shown in 万元/亿元 by the ``money`` template filters."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class MonthField(models.DateField):
    """A month, stored as its first day whichever day it was given as (a form's 2026-03-15, a
    file's 2026年3月, an API's date): a figure's month is joined and compared as the 1st — a 15th
    stored would match no month's figures. Its form reads a month as offices write one
    (``lib.cells.parse_month``) and shows an ``<input type="month">``."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value is not None and value.day != 1 else value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if value is not None and value.day != 1:
            value = value.replace(day=1)
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MonthFormField, **kwargs})


class MonthFormField(forms.DateField):
    """A month typed as 2026-03 (what a browser's month input posts), 2026年3月, 2025-12-01 or any
    day of it: its first day; anything else refused in Chinese."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def to_python(self, value):
        from feidi.lib.cells import parse_month

        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        try:
            return parse_month(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None


def as_id(raw) -> int | None:
    """A record's id as a request names it (a form's hidden field, a query parameter): digits only
    and at most ``MAX_ID``, else None — never the ValueError of "abc" nor the driver's overflow of
    99999999999999999999999999, which answered 500."""
    text = str(raw if raw is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
