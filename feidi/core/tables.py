"""Declarative list columns. The same columns render the list page and the .xlsx export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Column:
    _counter = 0

    def __init__(self, header: str | None = None, accessor: str | None = None, *, order_by: str | None = None,
                 sortable: bool = True, link: bool = False, render=None, export: bool = True,
                 export_value=None, css: str = "", money: bool = False, page: bool = True):
        self.label = header
        self.accessor = accessor
        self.order_by = order_by
        self.sortable = sortable
        self.link = link
        self.render = render
        self.export = export
        self.page = page  # False: a column of the export only (a figure the page shows otherwise)
        self.export_value = export_value
        self.css = css
        self.money = money
        Column._counter += 1
        self._order = Column._counter
        self.name = ""

    def bind(self, name: str) -> None:
        """Called once by the table class with the attribute name the column stands under."""
        self.name = name

    @property
    def header(self) -> str:
        """The label in the user's language (columns are built once, at import, with lazy labels)."""
        header = str(self.label)
        # Money is shown in 万元 on the page and in the export: the header says so.
        if self.money and gettext("万元") not in header:
            return gettext("{header}（万元）").format(header=header)
        return header

    def value(self, row):
        """The raw value: follows ``a.b.c`` and calls methods such as ``get_kind_display``."""
        obj = row
        for part in (self.accessor or self.name).split("."):
            if obj is None:
                return None
            obj = getattr(obj, part, None)
            if callable(obj) and not isinstance(obj, models.Manager):
                obj = obj()
        return obj

    def display(self, row):
        if self.render:
            return self.render(row)
        value = self.value(row)
        if self.money and value is not None:
            from feidi.lib.money import wan

            value = wan(value)
        text = format_value(value)
        if self.link and hasattr(row, "get_absolute_url"):
            return format_html('<a href="{}">{}</a>', row.get_absolute_url(), text)
        return text

    def export_cell(self, row):
        if self.export_value:
            return self.export_value(row)
        value = self.value(row)
        if self.money and value is not None:
            return float(Decimal(value) / Decimal(10000))
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, (int, float, dt.date)) or value is None:
            return value
        return format_value(value)


def badge(label, color: str) -> str:
    """Tabler's light badge: ``bg-<color>-lt``."""
    return format_html('<span class="badge bg-{}-lt">{}</span>', color, label)


def sample_badge(row) -> str:
    """The 示例 badge after the name of invented demo data (``FeidiModel.sample``), else nothing."""
    return format_html(' <span class="badge bg-yellow-lt">{}</span>', gettext("示例")) if getattr(
        row, "sample", False) else ""


def link_to(obj, text=None) -> str:
    """A link to ``obj``'s page showing ``text`` (else the object itself)."""
    return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj if text is None else text)


class NameColumn(Column):
    """The record's name (or title) linking to its page, with the 示例 badge on demo rows; ``wrap``:
    a long one wraps instead of widening the table. The export has the name alone."""

    def __init__(self, header=None, *, wrap: bool = False, **kwargs):
        super().__init__(header, **kwargs)
        self.wrap = wrap

    def display(self, row):
        html = format_html("{}{}", link_to(row, self.value(row)), sample_badge(row))
        return format_html('<div class="text-wrap" style="min-width: 12rem">{}</div>', html) if self.wrap else html


class WordsColumn(Column):
    """A list of words kept in one text (synonyms, keywords) shown as its first ``limit`` words and
    how many there are, wrapping within a column of reading width, so that a long list does not push
    the row's other columns off the page; the whole list is in the cell's tooltip, on the record's
    page and in the export. ``split`` is the rule the field's own module reads the list by
    (``thesaurus.split_equivalents``), so the column shows the words the application uses."""

    def __init__(self, header=None, *, split, limit: int = 6, **kwargs):
        super().__init__(header, **kwargs)
        self.split, self.limit = split, limit

    def display(self, row):
        words = list(self.split(self.value(row) or ""))
        if not words:
            return "—"
        count = (format_html(' <span class="text-secondary text-nowrap">{}</span>',
                             gettext("等 {n} 个").format(n=len(words))) if len(words) > self.limit else "")
        return format_html('<div class="text-wrap" style="min-width: 10rem; max-width: 22rem" title="{}">{}{}</div>',
                           "、".join(words), "、".join(words[: self.limit]), count)


class MonthColumn(Column):
    """A month (a date on its first day) shown as 2024-03; the export has the date."""

    def display(self, row):
        value = self.value(row)
        return "—" if value is None else f"{value:%Y-%m}"


class DecimalColumn(Column):
    """A decimal figure without trailing zeros, with thousands separators; the export has the number."""

    def display(self, row):
        value = self.value(row)
        return "—" if value is None else f"{value.normalize():,f}"


class PercentColumn(Column):
    """A ratio shown as a percentage with ``digits`` decimals; the export has the ratio."""

    def __init__(self, header=None, *, digits: int = 1, **kwargs):
        super().__init__(header, **kwargs)
        self.digits = digits

    def display(self, row):
        value = self.value(row)
        return "—" if value is None else f"{value * 100:.{self.digits}f}%"


class ChoiceColumn(Column):
    """A choice field shown by its label (``get_<name>_display``), sorted by its stored value."""

    def bind(self, name: str) -> None:
        super().bind(name)
        if self.accessor is None:
            self.accessor = f"get_{name}_display"


STATUS = _("状态")


class StatusColumn(ChoiceColumn):
    """The record's ``status``, headed 状态 unless told otherwise."""

    def __init__(self, header=STATUS, **kwargs):
        super().__init__(header, **kwargs)


class BadgeColumn(ChoiceColumn):
    """A choice field shown as a badge coloured by its value (``colors``, else secondary); the
    export has the label."""

    def __init__(self, header=STATUS, colors=None, **kwargs):
        super().__init__(header, **kwargs)
        self.colors = colors or {}

    def display(self, row):
        return badge(self.value(row), self.colors.get(getattr(row, self.name), "secondary"))


class RelatedColumn(Column):
    """A related record shown by its name and sorted by the related model's field ``by``
    (``organization`` sorted by ``organization__name``)."""

    def __init__(self, header=None, by: str = "name", **kwargs):
        super().__init__(header, **kwargs)
        self.by = by

    def bind(self, name: str) -> None:
        super().bind(name)
        if self.order_by is None:
            self.order_by = f"{name}__{self.by}"


class DeadlineColumn(Column):
    """A step's deadline (a date-time): 已逾期 in red while the row, in one of ``open_statuses``,
    is past it."""

    def __init__(self, header, open_statuses, **kwargs):
        super().__init__(header, **kwargs)
        self.open_statuses = open_statuses

    def display(self, row):
        from feidi.core.calendar import deadline_text

        deadline = self.value(row)
        text = deadline_text(deadline, brief=True) if deadline is not None else super().display(row)
        if deadline is not None and row.status in self.open_statuses and deadline < timezone.now():
            return format_html('<span class="badge bg-red-lt">{}</span>', gettext("已逾期 {text}").format(text=text))
        return text


def format_value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if timezone.is_aware(value) else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, models.Manager):
        return "、".join(str(v) for v in value.all())
    if isinstance(value, (list, tuple)):  # a JSON list: its items, never Python's brackets and quotes
        return gettext("、").join(format_value(v) for v in value) or "—"
    if isinstance(value, dict):  # a JSON object: 键：值；…
        return gettext("；").join(f"{k}{gettext('：')}{format_value(v)}" for k, v in value.items()) or "—"
    return str(value)


class TableMeta(type):
    """Collects the columns: the bases' first, then the table's own — in the order of ``fields``
    where the table names them (a field without a declared column gets a plain one), else in
    declaration order. A column without a header takes the verbose name of the ``model_class``'s field."""

    def __new__(mcs, name, bases, attrs):
        columns = {}
        for base in bases:
            columns.update(getattr(base, "base_columns", {}))
        own = dict(sorted(((k, v) for k, v in attrs.items() if isinstance(v, Column)), key=lambda kv: kv[1]._order))
        fields = attrs.get("fields")
        if fields is not None:
            unlisted = set(own) - set(fields)
            if unlisted:
                raise TypeError(f"{name}: columns {sorted(unlisted)} are not in fields")
            own = {key: own.get(key) or Column() for key in fields}
        for key, col in own.items():
            col.bind(key)
            if col.label is None:
                col.label = attrs["model_class"]._meta.get_field(key).verbose_name
            columns[key] = col
            attrs.pop(key, None)
        attrs["base_columns"] = columns
        ordering = attrs["model_class"]._meta.ordering if "model_class" in attrs else ()
        if "default_order" not in attrs and ordering and isinstance(ordering[0], str):
            attrs["default_order"] = ordering[0]  # the list sorts as its model does
        return super().__new__(mcs, name, bases, attrs)


def orderable(model, path: str, annotations=()) -> bool:
    """Whether ``path`` (``name``, ``zone__name``) is something the database can order ``model``'s
    rows by: a field, a field through relations, or an annotation of the queryset — not a method
    or a property a column happens to display."""
    from django.core.exceptions import FieldDoesNotExist

    name = path.lstrip("-")
    if name in annotations:
        return True
    opts = model._meta
    parts = name.split("__")
    for i, part in enumerate(parts):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return False
        if i < len(parts) - 1:
            if not field.is_relation or field.related_model is None:
                return False
            opts = field.related_model._meta
    return True


class Table(metaclass=TableMeta):
    """Subclass with Column attributes. ``default_order`` is used when the user picks none (by
    default the first ordering of ``model_class``).
    ``model_class`` and ``fields`` (the column names in order) declare the columns that need
    nothing but the field's verbose name as their header.

    Given the rows' ``model`` (and the queryset's annotations), only columns the database can
    order by offer sorting; a ``?sort=`` on any other column is ignored, never an error."""

    default_order: str = "-pk"

    def __init__(self, rows, order: str = "", *, model=None, annotations=()):
        self.rows = rows
        self.order = order
        self.model = model
        self.annotations = tuple(annotations)

    @property
    def columns(self) -> list[Column]:
        """The page's columns (the export takes every column with ``export``, ``exports.py``)."""
        return [c for c in self.base_columns.values() if c.page]

    @classmethod
    def column_order(cls, col: Column) -> str:
        field = col.order_by or (col.accessor or col.name).replace(".", "__")
        if field.startswith("get_") and field.endswith("_display"):
            field = field[4:-8]
        return field

    @classmethod
    def order_field(cls, order: str, model=None, annotations=()) -> str | None:
        """Map ?sort=name / -name to an ORDER BY expression, only for sortable columns (and, when the
        model is given, only for what the database can order by)."""
        desc = order.startswith("-")
        key = order.lstrip("-")
        col = cls.base_columns.get(key)
        if col is None or not col.sortable:
            return None
        field = cls.column_order(col)
        if model is not None and not orderable(model, field, annotations):
            return None
        return f"-{field}" if desc else field

    def sortable(self, col: Column) -> bool:
        return col.sortable and (self.model is None or orderable(self.model, self.column_order(col), self.annotations))

    def header_cells(self):
        for col in self.columns:
            current = self.order.lstrip("-") == col.name
            desc = self.order.startswith("-")
            yield {
                "column": col,
                "sortable": self.sortable(col),
                "sorted": current,
                "desc": current and desc,
                "next": f"-{col.name}" if current and not desc else col.name,
            }

    def body(self):
        for row in self.rows:
            yield row, [col.display(row) for col in self.columns]
