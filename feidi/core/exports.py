"""Excel out: every list exports its table's columns to .xlsx (streamed, constant memory)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import xlsxwriter
from django.utils import timezone

# Characters Excel refuses in sheet names, and formula prefixes neutralised on export
# (a cell starting with = + - @ would run as a formula in the reader's Excel: CSV/formula injection).
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def workbook(target, **options) -> xlsxwriter.Workbook:
    """Every workbook Feidi writes: a string is a string — never a formula (``=…``), a hyperlink
    (``https://…``, ``external:\\\\host\\share``: a click on a network share leaks the reader's login)
    or a number. ``options``: xlsxwriter's others (``constant_memory`` …)."""
    return xlsxwriter.Workbook(target, {"in_memory": True, **options, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})


def write_xlsx(target, table_class, rows, title: str) -> int:
    """Write rows to ``target`` (path or binary file). Returns the number of data rows."""
    book = workbook(target, constant_memory=True, in_memory=False)
    sheet = book.add_worksheet(_SHEET_BAD.sub("_", title)[:31] or "Sheet1")
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    dt_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    columns = [c for c in table_class.base_columns.values() if c.export]
    for i, col in enumerate(columns):
        header = col.header
        sheet.write_string(0, i, header, head)
        sheet.set_column(i, i, max(10, min(40, len(header) * 2 + 2)))
    count = 0
    for r, row in enumerate(rows, start=1):
        for c, col in enumerate(columns):
            value = _safe(col.export_cell(row))
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, dt_fmt)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
        count += 1
    sheet.freeze_panes(1, 0)
    book.close()
    return count


def xlsx_bytes(table_class, rows, title: str) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, table_class, rows, title)
    return buffer.getvalue()


def export_filename(title: str) -> str:
    return f"{title}_{timezone.localtime():%Y%m%d_%H%M%S}.xlsx"


def export_dir() -> Path:
    from django.conf import settings

    path = Path(settings.EXPORT_ROOT)
    path.mkdir(parents=True, exist_ok=True)
    return path
