"""Excel out: every list exports its table's columns to .xlsx (streamed, constant memory)."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from pathlib import Path

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop
from xlsxwriter.worksheet import Worksheet

# Characters Excel refuses in sheet names, and the starts of a text that a spreadsheet would run as
# a formula once the cell is edited or the file is opened as text (formula injection, OWASP "CSV
# injection"): = + - @, and a tab or carriage return before them.
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
# a cell a spreadsheet would read as a formula; the full-width signs too (WPS and Excel read ＝1+1
# typed by a Chinese input method as a formula once the cell is edited)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# What an Excel cell holds: 32,767 characters, counted as Excel counts them (UTF-16 units: an emoji
# is two). xlsxwriter cuts a longer text there without a word; the cut is said in the cell instead.
CELL_UNITS = 32_767
CUT = gettext_noop("…（超出Excel单元格长度，已截断，完整内容见系统）")


def _units(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def fit_cell(text: str) -> str:
    """``text`` as a cell may hold it: whole when it fits, else cut so that it ends with ``CUT``
    (the reader of the file sees it is not the whole text), never a character split."""
    if len(text) <= CELL_UNITS // 2 or _units(text) <= CELL_UNITS:
        return text
    mark = gettext(CUT)
    room = CELL_UNITS - _units(mark)
    kept = text[:room]
    while (over := _units(kept) - room) > 0:
        kept = kept[:len(kept) - over]  # a character is one unit or two: as many characters off as units over
    return kept + mark


class _QuotedWorksheet(Worksheet):
    """A worksheet writing a text that starts as a formula does with the quote prefix (Excel's
    "text typed after an apostrophe"), and a text longer than a cell holds cut with the cut said in
    it (``fit_cell``): every string a sheet writes comes through ``_write_string`` (write,
    write_string, write_row, merge_range)."""

    book: _Workbook | None = None  # set by the workbook adding the sheet

    def _write_string(self, row, col, string, cell_format=None):
        if isinstance(string, str):
            string = fit_cell(string)
            if self.book is not None and string.startswith(_FORMULA_START):
                cell_format = self.book.quoted(cell_format)
        return super()._write_string(row, col, string, cell_format)


class _Workbook(xlsxwriter.Workbook):
    """The workbook of ``workbook()``: its sheets quote formula-like text, each format given a
    quote-prefixed twin once."""

    worksheet_class = _QuotedWorksheet

    def add_worksheet(self, name=None, worksheet_class=None):
        sheet = super().add_worksheet(name, worksheet_class)
        sheet.book = self
        return sheet

    def quoted(self, cell_format):
        """``cell_format`` (None: the default) with the quote prefix, made once per format."""
        twins = self.__dict__.setdefault("_twins", {})
        key = id(cell_format)  # the workbook holds every format it made: an id stays its own
        if key not in twins:
            if cell_format is None:
                twin = self.add_format({"quote_prefix": True})
            else:
                twin = copy.copy(cell_format)
                twin.xf_index, twin._format_key = None, None  # indexed as a format of its own when written
                twin.set_quote_prefix(True)
                self.formats.append(twin)
            twins[key] = twin
        return twins[key]


def workbook(target, **options) -> xlsxwriter.Workbook:
    """Every workbook Feidi writes: a string is a string — never a formula (``=…``), a hyperlink
    (``https://…``, ``external:\\\\host\\share``: a click on a network share leaks the reader's login)
    or a number — and a string starting as a formula (= + - @) is written with Excel's quote
    prefix, so that editing the cell keeps it text. ``options``: xlsxwriter's others
    (``constant_memory`` …)."""
    return _Workbook(target, {"in_memory": True, **options, "strings_to_formulas": False,
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
            value = col.export_cell(row)
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
    from feidi.lib.files import file_name

    return file_name(f"{title}_{timezone.localtime():%Y%m%d_%H%M%S}", ".xlsx")


def export_dir() -> Path:
    from django.conf import settings

    path = Path(settings.EXPORT_ROOT)
    path.mkdir(parents=True, exist_ok=True)
    return path
