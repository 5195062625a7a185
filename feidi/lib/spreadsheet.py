"""Reading an uploaded spreadsheet that nobody here wrote, within a budget.

Whatever arrives is first told apart by its bytes, and each kind gets its own answer: an .xlsx (a
zip of XML parts) is read; a CSV in UTF-8 (with or without BOM) or GBK/GB18030 is read; an
encrypted workbook, a legacy .xls, an HTML page saved as .xls and anything else is refused with a
message saying what it is and what to do — never "not an xlsx".

An .xlsx is read as a stream: every zip entry's declared size and compression ratio are checked
before anything is inflated, then the chosen sheet is inflated as a stream while the bytes and the
rows are counted against a budget that aborts the read when the real stream exceeds it (a
declared size can lie); no DOCTYPE is accepted (XXE, entity expansion).

Memory does not grow with the sheet's rows: rows are given one at a time as expat parses them (a
64 KB window of inflated XML at a time), and the caller decides how many it holds. Only a small
sheet of plain values (``CALAMINE_BYTES`` of XML, counted while inflating, not as declared) is read
whole by calamine (Rust, ~4× faster, but it materialises the whole sheet). What is held whatever
the rows: the upload's bytes (capped by the budget) and the workbook's shared strings, kept as one
UTF-8 buffer with a 4-byte offset each (capped by ``shared_string_bytes``). A CSV is decoded as a
stream too (its encoding is first checked chunk by chunk, keeping no decoded copy); every byte of it
must decode (a file cut inside its last character is refused, never read with "�" stored).

The sheet read is the template's (by name), else the first visible one; never a hidden or
very-hidden sheet. A formula cell is given with its cached value; one without a cached value is
reported (``FormulaCell``), never read as blank — and so is a CSV field starting with "=", which
Excel computes on opening the file; an error (#DIV/0!, #N/A …, typed or cached) is an
``ErrorCell``, never text; a string's _xHHHH_ escapes are decoded (``unescape_xstring``); a number
whose format shows a time of day or a duration (h:mm, [h]:mm) is a ``TimeCell``, never a number or
Python's timedelta. Both readers give the same rows: a cell is placed by its reference
whatever the order it is written in, and what either would read otherwise (rows out of order, a
damaged shared-string reference) is refused by both. Only rows and cells with content meet the
budget's rows and columns (formatting alone does not). A sheet's extent is bounded before anything
lays it out as a grid (``_small_and_plain``); dates follow the workbook's date system (1900 or 1904), and
``Sheet.epoch`` says which, for a plain number read as a date by its column. The merged ranges
are found before the rows are given, and a cell a range covers that holds a value is noted
(``Hidden.cover``). Every refusal is a
``SheetError`` in Chinese: no library's exception text reaches the user.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from array import array
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from xml.parsers import expat

from django.utils.translation import gettext
from django.utils.translation import gettext_noop

from .cells import ErrorCell  # noqa: F401 (the readers' cells, given by this module)
from .cells import FormulaCell  # noqa: F401
from .cells import TimeCell
from .cells import as_time_cell
from .cells import exact
from .cells import shown

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
MIDNIGHT = dt.time()
CLOCK_TYPES = (dt.time, dt.timedelta)  # what calamine gives for a time of day and a duration
EPOCH_1904 = dt.datetime(1904, 1, 1)  # a workbook with <workbookPr date1904="1"/> counts from here
LAST_DAY = dt.datetime(9999, 12, 31)  # the last day Excel (and Python) has


def date_serials(epoch: dt.datetime) -> tuple[int, int]:
    """The serials a date-formatted number is a date for, [first, last): in the 1900 system from 61
    (1900-03-01: Excel counts a 1900-02-29 that never was), in the 1904 one from 1; to 9999-12-31."""
    return (1 if epoch is EPOCH_1904 else 61), (LAST_DAY - epoch).days + 1


# OOXML's escape of a character in a string (ECMA-376 22.9.2.19, ST_Xstring): _xHHHH_ is U+HHHH
XSTRING = re.compile(r"_x(D[89AB][0-9A-F]{2})__x(D[C-F][0-9A-F]{2})_|_x([0-9A-F]{4})_", re.I)
XSTRING_BYTES = re.compile(rb"_x[0-9A-Fa-f]{4}_")


def _xchar(m: re.Match) -> str:
    if m.group(1) is not None:  # a surrogate pair written as two escapes: one character beyond the BMP
        return chr(0x10000 + ((int(m.group(1), 16) - 0xD800) << 10) + int(m.group(2), 16) - 0xDC00)
    code = int(m.group(3), 16)
    return m.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)  # a lone surrogate is no character: as written


def unescape_xstring(text: str) -> str:
    """A string of a sheet as Excel reads it: each _xHHHH_ the character it escapes (Excel writes a
    control character or a line break so: _x000D_, _x0001_ — refused by the import as any control
    character is), _x005F_ an underscore (_x005F_x0041_ is the text "_x0041_"), decoded once from
    left to right, as Excel does; a surrogate pair's two escapes are one character, a lone one is
    left as written."""
    return XSTRING.sub(_xchar, text) if "_x" in text else text


@dataclass(frozen=True)
class Budget:
    """What one upload may cost: compressed bytes, inflated bytes of the whole package and of the
    sheet, the ratio of any entry, rows, columns, shared strings."""

    upload_bytes: int = 60 * 1024 * 1024
    inflated_bytes: int = 400 * 1024 * 1024
    sheet_bytes: int = 350 * 1024 * 1024
    max_ratio: int = 120
    rows: int = 1_000_000
    columns: int = 200
    shared_strings: int = 2_000_000
    shared_string_bytes: int = 64 * 1024 * 1024
    entries: int = 2_000


DEFAULT_BUDGET = Budget()


class SheetError(ValueError):
    """The file as a whole cannot be read (its kind, its size, its structure)."""


def _nothing_read() -> float:
    return 0.0


MERGES_KEPT = 5  # merged ranges over several rows kept in the order written (besides the one reaching lowest)
UNSEEN_KEPT = 5  # cells whose format shows nothing kept to be named (all are counted)
COVERED_KEPT = 5  # cells holding a value under a merged range kept to be named (all are counted)
# merged ranges a sheet may have (each held to find the cells it covers, ~100 bytes): a sheet of more
# was made by no person merging cells, and is refused
MERGES_LIMIT = 100_000


@dataclass
class Hidden:
    """What the sheet hides, found as it is read: rows as Excel numbers them, columns from 0 —
    hidden, or of a height or width too small to be seen (``MIN_ROW_HEIGHT``,
    ``MIN_COLUMN_WIDTH``), which Excel shows as hidden or as a sliver — the cells whose number
    format shows nothing (";;;"), and the merged ranges over several rows (one value shown, the
    other rows' cells empty in the file), and the cells a merged range covers that hold a value
    (``cover``: Excel shows the top-left cell's over them). A filter leaves rows out by hiding them, and a hidden
    row or column is still in the file: a reader that took them would import what the person
    looking at the sheet does not see. What is kept is bounded whatever the sheet: the rows and
    columns within the budget, ``UNSEEN_KEPT`` cells, ``MERGES_KEPT`` ranges and the lowest."""

    rows: set[int] = field(default_factory=set)
    columns: set[int] = field(default_factory=set)
    # non-blank cells shown as nothing: (row, column from 0, the format code), the first few; all counted
    unseen: list[tuple[int, int, str]] = field(default_factory=list)
    unseen_count: int = 0
    # merged ranges spanning more than one row: (range, first row, last row), the first few and the lowest
    merged: list[tuple[str, int, int]] = field(default_factory=list)
    lowest_merge: tuple[str, int, int] | None = None
    # every merged range of more than one cell: (first row, last row, first column, last column from 0, range)
    ranges: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    # whether ``ranges`` were all found before the rows were read (Excel writes them after the rows):
    # only then is each row's cells checked against them as it is read (``cover``)
    scanned: bool = False
    # cells under a merged range (not its top-left one) that hold a value: (row, column from 0,
    # range, the value as shown), the first few; all counted
    covered: list[tuple[int, int, str, str]] = field(default_factory=list)
    covered_count: int = 0
    _pending: list | None = None  # ``ranges`` by first row, reversed: the next to start is last
    _active: list = field(default_factory=list)  # the ranges over the rows being read

    def hide_columns(self, first, last, budget: Budget) -> None:
        """``<col min= max= hidden=>``: columns first…last (1-based, as written), within the budget."""
        try:
            first, last = int(first), int(last or first)
        except (TypeError, ValueError):
            return  # a damaged width record hides nothing that could be read
        self.columns.update(range(max(first, 1) - 1, min(last, budget.columns)))

    def hide_columns_but(self, spans, budget: Budget) -> None:
        """Every column within the budget but those of ``spans`` (``<col min= max=>`` given a width of
        their own): the sheet's default width is nothing."""
        shown: set[int] = set()
        for first, last in spans:
            try:
                first, last = int(first), int(last or first)
            except (TypeError, ValueError):
                continue
            shown.update(range(max(first, 1) - 1, min(last, budget.columns)))
        self.columns.update(set(range(budget.columns)) - shown)

    def unseen_cell(self, row: int, column: int, code: str) -> None:
        """A non-blank cell whose number format ``code`` shows it as nothing."""
        self.unseen_count += 1
        if len(self.unseen) < UNSEEN_KEPT:
            self.unseen.append((row, column, code))

    def merge(self, ref) -> None:
        """``<mergeCell ref="E2:E3"/>``: every range is kept to find the cells it covers (``cover``);
        one spanning more than one row also among ``merged`` (a range across one row shows its
        value in that row, where it is read)."""
        said = (ref.decode("ascii", "replace") if isinstance(ref, bytes) else str(ref or "")).replace("$", "").strip().upper()
        corners = [_placed(part.strip()) for part in said.split(":")]
        if len(corners) != 2 or corners[0] is None or corners[1] is None:
            return  # one cell, or a reference no reader places: nothing is spread over rows
        first, last = sorted((corners[0][0], corners[1][0]))
        left, right = sorted((corners[0][1] - 1, corners[1][1] - 1))
        # a range starting right of every column a sheet may fill covers nothing read (a cell there
        # with content refuses the sheet): not kept, so that the ranges over a row stay few
        if (first, left) != (last, right) and left < DEFAULT_BUDGET.columns:
            if len(self.ranges) >= MERGES_LIMIT:
                raise SheetError(gettext("工作表中的合并单元格超过{limit:,}个：请取消合并后再导入").format(limit=MERGES_LIMIT))
            self.ranges.append((first, last, left, right, said))
        if first == last:
            return
        if len(self.merged) < MERGES_KEPT:
            self.merged.append((said, first, last))
        if self.lowest_merge is None or last > self.lowest_merge[2]:
            self.lowest_merge = (said, first, last)

    def cover(self, row: int, cells: list) -> None:
        """Note the cells of ``row`` (rows come in ascending order) that a merged range covers — all
        of it but its top-left cell — and that hold a value: Excel shows the top-left cell's value
        over the whole range, so such a value was seen by nobody (a merge over a value Excel itself
        empties; a program or a hand-edited file need not)."""
        if self._pending is None:
            self._pending = sorted(self.ranges, reverse=True)
        pending, active = self._pending, self._active
        if any(merged[1] < row for merged in active):
            active[:] = [merged for merged in active if merged[1] >= row]
        while pending and pending[-1][0] <= row:
            starting = pending.pop()
            if starting[1] < row:
                continue  # ended above the rows with content
            # Excel merges no cell twice: ranges overlapping are a damaged or made-up sheet (and
            # disjoint ones keep the ranges over a row to the columns' number)
            clash = next((m for m in active if m[2] <= starting[3] and starting[2] <= m[3]), None)
            if clash is not None:
                raise SheetError(gettext("工作表内容已损坏：合并区域 {one} 与 {other} 重叠，请在 Excel 中取消合并后重新另存为 .xlsx").format(
                    one=clash[4], other=starting[4]))
            active.append(starting)
        if not active:
            return
        width = len(cells)
        for first, _last, left, right, said in active:
            for column in range(left, min(right, width - 1) + 1):
                value = cells[column]
                if value is None or (value.__class__ is str and not value.strip()) or (row == first and column == left):
                    continue
                self.covered_count += 1
                if len(self.covered) < COVERED_KEPT:
                    self.covered.append((row, column, said, shown(value, 20)))

    def forget_covered_above(self, row: int) -> None:
        """Drop the covered cells noted above ``row`` (a title above the header: never read)."""
        kept = [cell for cell in self.covered if cell[0] >= row]
        self.covered_count -= len(self.covered) - len(kept)
        self.covered[:] = kept

    def merged_over(self, header_row: int) -> list[str]:
        """The merged ranges kept that span two rows or more below ``header_row`` (data rows: the
        top one holds the value, the others are empty in the file), in the order written. None
        kept when the lowest reaching range spans fewer: a range across rows spans two data rows
        exactly when it reaches two rows below the header, and none then reaches as far."""
        def spans(first: int, last: int) -> bool:
            return last > max(first, header_row + 1)

        over = [said for said, first, last in self.merged if spans(first, last)]
        if not over and self.lowest_merge is not None and spans(*self.lowest_merge[1:]):
            over.append(self.lowest_merge[0])
        return over


HIDDEN_VALUES = ("1", "true")  # xsd:boolean as a sheet writes it


# The least height (points, as ``ht`` writes it) and width (characters of the default font, as
# ``width`` writes it, the cell's padding included) a row or a column may have and be seen: below
# them Excel shows it as a sliver (3 pt is 4 pixels, under any font's x-height; a width of 1 is
# 7 pixels, the padding and not one digit), so its cells are as unseen as a hidden row's or column's.
MIN_ROW_HEIGHT = 3.0
MIN_COLUMN_WIDTH = 1.0


def _sized(text, least: float) -> bool:
    """Whether a height or width as written is enough to be seen (``least`` or more)."""
    try:
        return text is not None and float(text) >= least
    except (TypeError, ValueError):
        return False


def _no_size(text, least: float) -> bool:
    """Whether a row's height or a column's width as written (``ht``, ``width``) is below ``least``
    (``MIN_ROW_HEIGHT``, ``MIN_COLUMN_WIDTH``): Excel shows such a row or column not at all (dragging
    one to nothing hides it) or as a sliver nobody reads, as if hidden. A NaN is no size either."""
    if text is None:
        return False
    try:
        size = float(text)
    except (TypeError, ValueError):
        return False  # a damaged size: the row or column keeps its default
    return size == size and size < least


@dataclass
class Sheet:
    """The rows of one sheet, read lazily (``rows`` yields (excel_row_number, [cells]));
    ``fraction()`` is the share of the sheet read so far (0–1), for a progress estimate."""

    name: str
    kind: str  # xlsx | csv
    rows: Iterator[tuple[int, list]]
    skipped: list[str] = field(default_factory=list)  # hidden sheets passed over, for the report
    fraction: Callable[[], float] = _nothing_read
    # (last row, last column) of every cell, when a pass over the whole sheet has found them (a
    # small plain sheet, before calamine reads it); None when the rows are only known as read
    extent: tuple[int, int] | None = None
    hidden: Hidden = field(default_factory=Hidden)  # hidden rows and columns (filled as the rows are read)
    others: list[str] = field(default_factory=list)  # the workbook's other visible sheets, not read
    # the day of serial 0 in the workbook's date system: a plain number in a date column is counted
    # from it (``cells.parse_date``, ``parse_month``), as the date-formatted cells are here
    epoch: dt.date = EXCEL_EPOCH.date()


# --- what kind of file -----------------------------------------------------------------------------

def sniff(data: bytes) -> str:
    """xlsx | ole-encrypted | xls | html | csv | unknown."""
    head = data[:4096]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE compound file
        names = data[:min(len(data), 2_000_000)]
        if "EncryptedPackage".encode("utf-16-le") in names or "EncryptionInfo".encode("utf-16-le") in names:
            return "ole-encrypted"
        return "xls"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text" (tab-separated)
        return "csv" if _decode(data[:65536]) is not None else "unknown"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta", b"<head", b"<body", b"<style",
                        b"<tr", b"<div")) or b"urn:schemas-microsoft-com:office" in head.lower():
        return "html"
    if _decode(data[:65536]) is not None:
        return "csv" if b"\x00" not in head else "nul"  # text but for its NUL bytes: binary data in a text file
    if _utf16_without_bom(data[:65536]):
        return "nul"  # its message names UTF-16 without a BOM
    return "unknown"


def _utf16_without_bom(sample: bytes) -> bool:
    """Text saved as UTF-16 with no byte-order mark: in either byte order, lines of separated cells."""
    sample = sample[:len(sample) // 2 * 2]
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        # a table's text: its lines and separators are there, and nothing unprintable
        if "\n" in text and ("," in text or "\t" in text) and all(c.isprintable() or c in "\t\r\n" for c in text):
            return True
    return False


MESSAGES = {
    "ole-encrypted": gettext_noop("这是加了打开密码的工作簿：请在 Excel 中“文件→信息→保护工作簿→用密码进行加密”清空密码，另存为 .xlsx 后再导入"),
    "xls": gettext_noop("这是旧版 Excel 97-2003 工作簿（.xls）：请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再导入"),
    "html": gettext_noop("这是网页另存的“.xls”（实为 HTML 表格，常见于从业务系统导出的文件）：请用 Excel 打开后“另存为”Excel 工作簿（.xlsx）再导入"),
    "unknown": gettext_noop("无法识别该文件：请上传 .xlsx 工作簿（或 UTF-8/GBK 编码的 .csv 文件）"),
    "nul": gettext_noop("无法识别该文件：其中含有空字符（NUL），是二进制数据（或不带 BOM 的 UTF-16 文本），不是 CSV 文本。请上传 .xlsx 工作簿，或用 Excel 打开后“另存为”CSV（逗号分隔）再导入"),
}
TRUNCATED = gettext_noop("文件末尾的字符不完整（文件可能被截断或未保存完整）：请重新保存后再导入")


def _candidates(data: bytes) -> tuple[str, ...]:
    """The encodings text saved by Chinese offices may be in, in the order they are tried."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ("utf-16",)
    if data.startswith(codecs.BOM_UTF8):
        return ("utf-8-sig",)
    return ("utf-8", "gb18030")


def _decode(data: bytes) -> str | None:
    """A sample of text in the first encoding it decodes in, or None. The sample is cut from a
    longer file, so a character cut at its end is left out (an incremental decoder that is never
    told the input ended), never an error."""
    for encoding in _candidates(data):
        try:
            return codecs.getincrementaldecoder(encoding)().decode(data)
        except UnicodeDecodeError:
            continue
    return None


def open_sheet(data: bytes, *, prefer: tuple[str, ...] = (), budget: Budget = DEFAULT_BUDGET) -> Sheet:
    """The sheet to import from ``data``, its rows read lazily within ``budget``."""
    if len(data) > budget.upload_bytes:
        raise SheetError(gettext("文件超过{value}MB，请分批导入").format(value=budget.upload_bytes // 1024 // 1024))
    kind = sniff(data)
    if kind == "xlsx":
        return _open_xlsx(data, prefer, budget)
    if kind == "csv":
        return _open_csv(data, budget)
    raise SheetError(gettext(MESSAGES[kind]))


# --- CSV -------------------------------------------------------------------------------------------

def _encoding(data: bytes) -> str | None:
    """The encoding the whole of ``data`` decodes in (tried as ``_decode`` does), checked chunk
    by chunk so that no decoded copy of the file is ever held. Every byte must decode: a file
    whose every character but a cut last one decodes in an encoding is refused as cut short
    (``TRUNCATED``), never read in another encoding that happens to take its bytes, nor with
    a replacement character stored."""
    view, step = memoryview(data), 1 << 20
    for encoding in _candidates(data):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), step):
                decoder.decode(view[start:start + step])
        except UnicodeDecodeError:
            continue
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise SheetError(gettext(TRUNCATED)) from None
        return encoding
    return None


DELIMITERS = (",", "\t", ";")  # comma (Excel's CSV), tab (Excel's "Unicode text"), semicolon (a comma-decimal locale)
HEADER_SEARCH = 6  # non-blank lines looked at for the header: a title of one cell may stand above it


def _delimiter(sample: str) -> str:
    """The delimiter that splits the header — the first non-blank line it splits into two columns
    or more — into the most columns: counted on the header alone, since a data cell may hold any
    number of commas ("泛黄, 黄变, 变黄") and a tab-separated file would be taken for a comma one.
    Refused, said so, when no delimiter splits any of the first lines."""
    lines = [line for line in sample.splitlines() if line.strip()][:HEADER_SEARCH]
    if not lines:
        return ","  # nothing to split: the file is refused as empty
    for line in lines:
        counts = {d: _width(line, d) for d in DELIMITERS}
        best = max(DELIMITERS, key=lambda d: counts[d])  # the first of equals: comma, tab, semicolon
        if counts[best] >= 2:
            return best
    raise SheetError(gettext("无法识别 CSV 文件的分隔符：列名行未能按逗号、制表符或分号分成多列。请用 Excel 打开后“另存为”Excel 工作簿（.xlsx）或 CSV（逗号分隔）再导入"))


def _width(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:
        return 0


def _open_csv(data: bytes, budget: Budget) -> Sheet:
    encoding = _encoding(data)
    if encoding is None:
        raise SheetError(gettext(MESSAGES["unknown"]))
    if encoding != "utf-16" and b"\x00" in data:  # a NUL past the sniffed head (in UTF-16 every other byte is one)
        raise SheetError(gettext(MESSAGES["nul"]))
    delimiter = _delimiter(_decode(data[:65536]) or "")
    raw = io.BytesIO(data)
    text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")  # every byte checked above

    # A cell is read whole however long (the csv module's default of 128 KB would fail the whole
    # read with its own words): one beyond what an Excel cell holds is its row's error (``cells.CELL_CHARS``).
    if csv.field_size_limit() < budget.upload_bytes:
        csv.field_size_limit(budget.upload_bytes)

    def rows():
        n = 0
        # strict: a quote left open swallows the rest of the file into one cell (the rows below then
        # read as one row's 必填 errors); it is the row's quoting error instead
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error:  # a malformed line: said with its row, never a crash (nor the module's English)
                raise SheetError(gettext("第{n}行无法按 CSV 读取，请检查引号与分隔符").format(n=n + 1)) from None
            n += 1
            if not any(row):
                continue  # a blank line (or one of empty fields) is no row: only rows with content meet the limit
            if n > budget.rows:
                raise SheetError(gettext("行数超过上限（{rows:,}行），请分批导入").format(rows=budget.rows))
            if len(row) > budget.columns:  # as a sheet's cells: a field right of the limit with content refuses the file
                beyond = next((i for i in range(budget.columns, len(row)) if row[i].strip()), None)
                if beyond is not None:
                    _too_far(budget, 0, beyond + 1, f"{column_letter(beyond)}{n}")
                row = row[:budget.columns]
            # Excel opening a CSV computes a field starting with "=" (=HYPERLINK(…), =1+1): a formula
            # whose result is nowhere in the file, given as an xlsx formula without a cached value is
            yield n, [FormulaCell(cell[1:]) if cell[:1] == "=" and len(cell) > 1 else cell for cell in row]

    def fraction() -> float:  # the wrapper closes the buffer once the rows are all read
        return 1.0 if raw.closed else raw.tell() / max(1, len(data))

    return Sheet("CSV", "csv", rows(), fraction=fraction)


# --- XLSX ------------------------------------------------------------------------------------------

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Built-in number formats that are dates (ECMA-376 18.8.30) and custom formats that look like dates.
DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
DATE_PATTERN = re.compile(r"(?<![\\\"])[ymdhs年月日]", re.I)
# What a date format shows of the time (``clock``): nothing (None, a date), the time of day alone
# (TIME: the day is not shown), a day and its time (MOMENT), or a duration (DURATION: [h]:mm counts
# hours past 24). Built in: 18–21, 45, 47 and zh-CN's 32–35, 55, 56 (h"时"mm"分" …) a time, 22 (m/d/yy
# h:mm) a moment, 46 ([h]:mm:ss) a duration. A custom format shows a time with an hour or a second
# (a lone m is a month), AM/PM, 上午/下午; a day with y, d, 年, 月, 日 or mmm; a duration with [h], [m], [s].
TIME, MOMENT, DURATION = "time", "moment", "duration"
BUILT_IN_CLOCKS = dict.fromkeys((18, 19, 20, 21, 32, 33, 34, 35, 45, 47, 55, 56), TIME) | {22: MOMENT, 46: DURATION}
TIME_PATTERN = re.compile(r"[hs]|AM/PM|A/P|上午|下午", re.I)
DAY_PATTERN = re.compile(r"[yd年月日]|mmm", re.I)
ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.I)


def check_package(archive: zipfile.ZipFile, budget: Budget, noun: str | None = None) -> None:
    """An Office package (a workbook, a Word document) refused before anything is inflated when
    its parts are too many, one is too large or compressed beyond ``budget.max_ratio`` (a bomb),
    or all of them inflate beyond the budget. Entries are read no further than their declared
    size (zipfile stops there), so declared sizes bound what reading can cost."""
    noun = noun or gettext("工作簿")
    infos = archive.infolist()
    if len(infos) > budget.entries:
        raise SheetError(gettext("{noun}包含{len}个部件，超过上限：文件可能已损坏或被构造").format(noun=noun, len=len(infos)))
    total, seen = 0, set()
    for info in infos:
        # two entries one reader takes for the same part: a part checked here and another read
        # elsewhere (calamine's zip maps "\\" to "/", and a name may be given twice)
        same = posixpath.normpath(info.filename.replace("\\", "/")).lstrip("/")
        if same in seen:
            raise SheetError(gettext("{noun}中的部件“{filename}”重复出现：文件可能已损坏或被构造，请在 Office 中重新另存后再上传").format(
                noun=noun, filename=info.filename))
        seen.add(same)
        total += info.file_size
        if info.file_size > budget.sheet_bytes:
            raise SheetError(gettext("{noun}中的“{filename}”解压后达{value}MB，超过上限：请分批导入").format(
                noun=noun, filename=info.filename, value=info.file_size // 1024 // 1024))
        if info.compress_size and info.file_size > 1024 * 1024 and info.file_size / info.compress_size > budget.max_ratio:
            raise SheetError(gettext("{noun}中的“{filename}”压缩比异常（{value}倍），疑为压缩炸弹，已拒绝").format(
                noun=noun, filename=info.filename, value=info.file_size // info.compress_size))
    if total > budget.inflated_bytes:
        raise SheetError(gettext("{noun}解压后共{value}MB，超过上限：请分批导入").format(noun=noun, value=total // 1024 // 1024))


# What zipfile and zlib raise for a damaged or unreadable archive or entry, none of them a defect of
# ours: a bad CRC or a mangled deflate stream (BadZipFile, zlib.error, EOFError), a damaged header
# (OSError), an entry compressed by a method zipfile does not implement, such as AES or Deflate64
# (zipfile raises NotImplementedError for those), an encrypted entry that needs a password
# (RuntimeError). Each is said to the uploader in Chinese, never in the library's words.
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


class _Counted(io.RawIOBase):
    """An inflating entry read in chunks, refused once it yields more than ``limit`` bytes."""

    def __init__(self, stream, limit: int, name: str):
        self.stream, self.limit, self.name, self.count = stream, limit, name, 0

    def read_chunk(self, size: int = 1 << 16) -> bytes:
        try:
            chunk = self.stream.read(size)
        except ZIP_DAMAGE:
            raise SheetError(gettext("文件已损坏（“{name}”的压缩数据与声明不符）：请在 Excel 中重新另存为 .xlsx").format(
                name=self.name)) from None
        self.count += len(chunk)
        if self.count > self.limit:
            raise SheetError(gettext("“{name}”解压后超过{value}MB，已中止读取（可能是压缩炸弹）").format(
                name=self.name, value=self.limit // 1024 // 1024))
        return chunk


def _parse(stream: _Counted, start, end=None, text=None) -> None:
    """Feed an XML part to expat, refusing any DOCTYPE (no entity is ever defined or expanded)."""
    parser = expat.ParserCreate(namespace_separator="}")

    def doctype(*_args):
        raise SheetError(gettext("工作簿的 XML 中含有 DOCTYPE 声明（可能是 XXE 或实体膨胀攻击），已拒绝"))

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    try:
        while chunk := stream.read_chunk():
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise SheetError(gettext("工作簿内容已损坏（“{name}”第{line}行的 XML 不完整）：请在 Excel 中重新另存为 .xlsx").format(
            name=stream.name, line=exc.lineno)) from None


def _open_part(archive: zipfile.ZipFile, name: str, limit: int) -> _Counted:
    try:
        return _Counted(archive.open(name), limit, name)
    except KeyError:
        raise SheetError(gettext("工作簿缺少部件 {name}").format(name=name)) from None
    except ZIP_DAMAGE:
        raise SheetError(gettext("文件已损坏（部件“{name}”无法解压）：请在 Excel 中重新另存为 .xlsx").format(name=name)) from None


def _sheets(archive: zipfile.ZipFile, budget: Budget, flags: dict | None = None) -> list[tuple[str, str, str]]:
    """(name, state, part path) of the workbook's sheets, in order; ``flags["date1904"]`` is set
    when the workbook counts its dates from 1904 (Excel for Mac's old default), ``flags["uncomputed"]``
    when its formulas' cached values were never computed (``fullCalcOnLoad``)."""
    sheets, rels = [], {}
    flags = {} if flags is None else flags

    def on_sheet(tag, attrs):
        if tag == f"{NS_MAIN}}}sheet":
            sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), attrs.get(f"{NS_REL}}}id", "")))
        elif tag == f"{NS_MAIN}}}workbookPr":
            flags["date1904"] = attrs.get("date1904", "").strip().lower() in ("1", "true")
        elif tag == f"{NS_MAIN}}}calcPr":
            # "compute every formula on opening": written by a program that computed none (the
            # cached values are placeholders, "" or 0, not what Excel will show)
            flags["uncomputed"] = attrs.get("fullCalcOnLoad", "").strip().lower() in ("1", "true")

    def on_rel(tag, attrs):
        if tag.endswith("}Relationship"):
            rels[attrs.get("Id")] = attrs.get("Target", "")

    _parse(_open_part(archive, "xl/workbook.xml", 16 * 1024 * 1024), on_sheet)
    _parse(_open_part(archive, "xl/_rels/workbook.xml.rels", 16 * 1024 * 1024), on_rel)
    out = []
    for name, state, rid in sheets:
        target = rels.get(rid, "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out.append((name, state, path))
    return out


class SharedStrings:
    """A workbook's shared strings as one UTF-8 buffer and the end offset of each (4 bytes a
    string besides its text), not a str object each (~60 bytes more): a sheet of 300,000 distinct
    names costs their text. A string is decoded when a cell asks for it."""

    __slots__ = ("data", "ends")

    def __init__(self):
        self.data, self.ends = bytearray(), array("I")  # the budget keeps the buffer far below 4 GB

    def append(self, text: str) -> None:
        self.data += text.encode()
        self.ends.append(len(self.data))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        end = self.ends[index]
        return self.data[self.ends[index - 1] if index else 0:end].decode()


def _shared_strings(archive: zipfile.ZipFile, budget: Budget) -> SharedStrings:
    strings = SharedStrings()
    if "xl/sharedStrings.xml" not in archive.namelist():
        return strings
    state = {"in_si": False, "in_t": False, "parts": [], "in_rph": False, "t_start": 0}

    def start(tag, attrs):
        local = tag.rsplit("}", 1)[-1]
        if local == "si":
            state["in_si"], state["parts"] = True, []
        elif local == "t" and state["in_si"] and not state["in_rph"]:
            state["in_t"], state["t_start"] = True, len(state["parts"])
        elif local == "rPh":  # phonetic runs are not the cell's text
            state["in_rph"] = True

    def end(tag):
        local = tag.rsplit("}", 1)[-1]
        if local == "si":
            strings.append("".join(state["parts"]))
            if len(strings) > budget.shared_strings or len(strings.data) > budget.shared_string_bytes:
                raise SheetError(gettext("工作簿中的文字内容超过上限：请分批导入"))
            state["in_si"] = False
        elif local == "t":
            if state["in_t"]:  # a run's text, its escapes decoded (``unescape_xstring``)
                parts, at = state["parts"], state["t_start"]
                parts[at:] = [unescape_xstring("".join(parts[at:]))]
            state["in_t"] = False
        elif local == "rPh":
            state["in_rph"] = False

    def text(data):
        if state["in_t"]:
            state["parts"].append(data)

    _parse(_open_part(archive, "xl/sharedStrings.xml", budget.shared_string_bytes * 4), start, end, text)
    return strings


def _number_styles(archive: zipfile.ZipFile) -> tuple[dict[int, str | None], dict[int, str],
                                                     dict[int, tuple[str, bool, bool]]]:
    """Indexes of the cell styles (cellXfs) whose number format shows a date or a time, each with
    what its format shows of the time (``clock``); the format code
    of those whose format shows a number as more than its value (``shows_more``: 5% for 0.05,
    12万元 for 12, 001 for 1): such a cell is read as the text it shows (``shown_text``), so that a
    column's unit logic takes or refuses what the person looking at the sheet saw; and (code,
    numbers, text) of those whose format shows numbers or text as nothing (``shows_nothing``)."""
    if "xl/styles.xml" not in archive.namelist():
        return {}, {}, {}
    custom: dict[int, str] = {}
    xfs: list[int] = []
    where = {"cellXfs": False}

    def number(text) -> int:
        try:
            return int(text or 0)
        except ValueError:
            return 0  # a damaged style record: General, as Excel falls back to

    def start(tag, attrs):
        local = tag.rsplit("}", 1)[-1]
        if local == "numFmt":
            custom[number(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            where["cellXfs"] = True
        elif local == "xf" and where["cellXfs"]:
            xfs.append(number(attrs.get("numFmtId")))

    def end(tag):
        if tag.endswith("}cellXfs"):
            where["cellXfs"] = False

    _parse(_open_part(archive, "xl/styles.xml", 16 * 1024 * 1024), start, end)
    dates: dict[int, str | None] = {}
    shown, unseen = {}, {}
    for index, fmt in enumerate(xfs):
        code = custom.get(fmt, BUILT_IN_SHOWN.get(fmt))
        bare = re.sub(r'"[^"]*"|\[[^]]*\]|\\.', "", code) if code else ""
        numbers, text = shows_nothing(code) if code else (False, False)
        if numbers or text:
            unseen[index] = (code, numbers, text)
        elapsed = bool(code) and fmt in custom and ELAPSED.search(re.sub(r'"[^"]*"|\\.', "", code)) is not None
        if fmt in DATE_FORMATS or elapsed or (fmt in custom and code and DATE_PATTERN.search(bare)):
            dates[index] = clock(fmt, code if fmt in custom else None)
        elif code and shows_more(code):
            shown[index] = code
    return dates, shown, unseen


def clock(fmt: int, code: str | None) -> str | None:
    """What a date format shows of the time: None nothing (a date), ``TIME`` the time of day alone,
    ``MOMENT`` a day and its time, ``DURATION`` elapsed time ([h]:mm shows 1.25 as 30:00).
    ``code`` is the custom format's code, None for a built-in one (zh-CN's numbering)."""
    if code is None:
        return BUILT_IN_CLOCKS.get(fmt)
    plain = re.sub(r'"[^"]*"|\\.', "", code)
    if ELAPSED.search(plain):
        return DURATION
    bare = re.sub(r"\[[^]]*\]", "", plain)
    if not TIME_PATTERN.search(bare):
        return None
    return MOMENT if DAY_PATTERN.search(bare) else TIME


# --- number formats (ECMA-376 18.8.31): the text a number is shown as --------------------------------
# A format code is up to four sections split by ";" — positive, negative, zero, text; with
# [>100]-style conditions the first two apply when their condition holds. In a section, 0 # ?
# place digits (0 shows a zero where the number has none), "." the decimal point, "," between
# digits groups thousands and after them divides by 1000 each, % multiplies by 100, "…" and \x
# are text shown as written, [$¥-804] shows ¥, [Red] and [>100] show nothing, _x is a space and
# *x fills the cell.

BUILT_IN_SHOWN = {9: "0%", 10: "0.00%"}  # built-in formats showing more than the number (others: a date, or the value)
SIGN_LIKE = frozenset(" -+()\u3000")  # literals that only place a sign or pad (accounting brackets), saying nothing of the value


def _sections(code: str) -> list[str]:
    """A format code's sections, split on the ";" outside quotes, escapes and brackets."""
    out, current, i = [], [], 0
    while i < len(code):
        ch = code[i]
        if ch == '"':
            end = code.find('"', i + 1)
            end = len(code) - 1 if end < 0 else end
            current.append(code[i:end + 1])
            i = end + 1
        elif ch in "\\_*":
            current.append(code[i:i + 2])
            i += 2
        elif ch == "[":
            end = code.find("]", i + 1)
            end = len(code) - 1 if end < 0 else end
            current.append(code[i:end + 1])
            i = end + 1
        elif ch == ";":
            out.append("".join(current))
            current, i = [], i + 1
        else:
            current.append(ch)
            i += 1
    out.append("".join(current))
    return out


def _tokens(section: str) -> list[tuple[str, str]]:
    """A section as (kind, text): digit (0 # ?), point, comma, percent, exponent, general, text
    (what is shown as written), condition ("<0", ">=100")."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(section)
    while i < n:
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = n if end < 0 else end
            out.append(("text", section[i + 1:end]))
            i = end + 1
        elif ch in "\\!":  # the next character as written (Excel writes both: 0!.0,"万" shows 12.3万)
            out.append(("text", section[i + 1:i + 2]))
            i += 2
        elif ch == "[":
            end = section.find("]", i + 1)
            end = n if end < 0 else end
            inside = section[i + 1:end]
            if inside.startswith("$"):  # a currency and locale, [$¥-804]: the currency is shown
                out.append(("text", inside[1:].split("-", 1)[0]))
            elif inside[:1] in ("<", ">", "="):
                out.append(("condition", inside))
            elif ELAPSED.fullmatch(f"[{inside}]"):  # elapsed hours, minutes, seconds ([h]:mm): shown
                out.append(("text", inside))
            i = end + 1  # a colour ([Red], [Color10]) shows nothing
        elif ch == "_":  # a space as wide as the next character
            out.append(("text", " "))
            i += 2
        elif ch == "*":  # the next character repeated to fill the cell: nothing of the value
            i += 2
        elif ch in "0#?":
            out.append(("digit", ch))
            i += 1
        elif ch in ".,%@":
            out.append(({".": "point", ",": "comma", "%": "percent", "@": "at"}[ch], ch))
            i += 1
        elif ch in "Ee" and section[i + 1:i + 2] in ("+", "-"):
            out.append(("exponent", section[i:i + 2]))
            i += 2
        elif section[i:i + 7].lower() == "general":
            out.append(("general", ""))
            i += 7
        else:
            out.append(("text", ch))
            i += 1
    return out


@dataclass
class _Layout:
    """A section's number: the tokens before it, its integer and decimal places, the tokens after,
    how it is scaled (×100 a %, ÷1000 a trailing comma) and grouped."""

    before: list
    whole: list
    decimals: list
    after: list
    percent: int = 0
    scale: int = 0
    grouped: bool = False
    plain: bool = False  # an exponent, a fraction or General: the number in its own digits
    has_number: bool = True


def _layout(tokens: list[tuple[str, str]]) -> _Layout:
    places = [i for i, (kind, _) in enumerate(tokens) if kind in ("digit", "general")]
    percent = sum(1 for kind, _ in tokens if kind == "percent")
    if not places:
        return _Layout(tokens, [], [], [], percent=percent, has_number=False)
    first, last = places[0], places[-1]
    block, after = tokens[first:last + 1], tokens[last + 1:]
    scale = 0
    while scale < len(after) and after[scale][0] == "comma":  # 0.0,, : millions
        scale += 1
    point = next((i for i, (kind, _) in enumerate(block) if kind == "point"), len(block))
    whole, decimals = block[:point], block[point + 1:]
    while whole and whole[-1][0] == "comma":  # 0,.0 : a comma before the point scales too
        whole.pop()
        scale += 1
    grouped = any(kind == "comma" for kind, _ in whole)
    plain = any(kind in ("exponent", "general") for kind, _ in block) or any(
        kind == "text" and text == "/" for kind, text in block)  # # ?/? is a fraction
    return _Layout(tokens[:first], whole, decimals, after[scale:], percent, scale, grouped, plain)


def _number_sections(code: str) -> list[tuple[list, str | None]]:
    """The (tokens, condition) of the sections that show numbers (the 4th shows text)."""
    out = []
    for section in _sections(code)[:3]:
        tokens = _tokens(section)
        condition = next((text for kind, text in tokens if kind == "condition"), None)
        out.append(([t for t in tokens if t[0] != "condition"], condition))
    return out


def shows_more(code: str) -> bool:
    """Whether a number format shows a number as more than its value: a percentage, text (a unit,
    a currency: 0"万元", [$¥-804]#,##0), a scale (0.00,, in millions) or zeros padding a code (000)."""
    for tokens, _ in _number_sections(code):
        layout = _layout(tokens)
        if layout.percent or layout.scale:
            return True
        around = layout.before + layout.after + ([] if layout.plain else layout.whole + layout.decimals)
        if any(kind == "text" and set(text) - SIGN_LIKE for kind, text in around):  # a fraction's / is no text
            return True
        if sum(1 for kind, text in layout.whole if kind == "digit" and text == "0") > 1:
            return True
    return False


def _blank(section: str) -> bool:
    """Whether a section shows nothing: no digit, no General, no @, no point or percent sign, no
    text but spaces (a colour, a condition, a fill or a pad shows nothing of the value)."""
    return all(kind == "condition" or (kind == "text" and not text.strip()) for kind, text in _tokens(section))


def shows_nothing(code: str) -> tuple[bool, bool]:
    """Whether a number format shows (numbers, text) as nothing, as ";;;" does: every section
    that shows a number (the first three) is blank; the text section (the fourth) is given and
    blank — without one, text is shown as typed."""
    sections = _sections(code)
    return all(_blank(section) for section in sections[:3]), len(sections) > 3 and _blank(sections[3])


def _holds(condition: str, value: float) -> bool:
    m = re.match(r"^(<=|>=|<>|<|>|=)\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)$", condition.strip())
    if m is None:
        return False
    op, limit = m.group(1), float(m.group(2))
    return {"<": value < limit, ">": value > limit, "=": value == limit, "<=": value <= limit,
            ">=": value >= limit, "<>": value != limit}[op]


def shown_text(value: float, code: str) -> str | None:
    """``value`` as a cell of format ``code`` shows it, its digits all kept: Excel rounds to the
    format's places ("12" for 12.3456 under 0"万元"), a reader must not lose what the cell holds
    (12.3456万元), as a percentage keeps its digits (0.12345 → 12.345%); a fraction, an exponent or
    General shows the number's own digits, and a number below 1 keeps its 0 (".5" is no number a
    reader takes). None when the section that applies shows no digit (a zero shown as "-"): the
    value is then read as it is."""

    sections = _number_sections(code)
    sign = "-" if value < 0 else ""
    if any(condition for _, condition in sections[:2]):  # [>=10000]0.0,"万";0 : the first section that holds
        chosen = next((tokens for tokens, condition in sections[:2] if condition and _holds(condition, value)), None)
        if chosen is None:
            rest = [tokens for tokens, condition in sections if not condition]
            if not rest:
                return None
            chosen = rest[0]
    elif len(sections) == 1 or (value >= 0 and len(sections) == 2) or value > 0:
        chosen = sections[0][0]
    elif value < 0:
        chosen, sign = sections[1][0], ""  # the negative section places its own sign (-0, (0))
    else:
        chosen = sections[2][0]
    layout = _layout(chosen)
    if not layout.has_number:
        return None
    number = abs(exact(value)) * Decimal(100) ** layout.percent / Decimal(1000) ** layout.scale
    point = _literal_point(layout)
    if point:  # 0!.0,"万": a point written between the integer places (12.3万 for 123456) is the point
        number = number.scaleb(-point)
        digits = format(number.quantize(Decimal(1).scaleb(-point)) if number.normalize().as_tuple().exponent > -point
                        else number.normalize(), "f")
        body = digits + "".join(_shown_token(t) for t in layout.decimals if t[0] != "digit")
        text = sign + "".join(_shown_token(t) for t in layout.before) + body + "".join(
            _shown_token(t) for t in layout.after)
        return text.strip()
    digits = format(number.normalize(), "f")
    whole_digits, _, decimal_digits = digits.partition(".")
    if layout.plain:
        body = digits
    else:
        zeros = sum(1 for kind, text in layout.decimals if kind == "digit" and text == "0")
        decimal_digits = decimal_digits.ljust(zeros, "0")
        body = _whole(whole_digits, layout) or ("0" if decimal_digits else "")
        body += ("." + decimal_digits if decimal_digits else "") + "".join(
            _shown_token(t) for t in layout.decimals if t[0] != "digit")
    if not any(ch.isdigit() for ch in body):
        return None
    text = sign + "".join(_shown_token(t) for t in layout.before) + body + "".join(
        _shown_token(t) for t in layout.after)
    return text.strip()


def _literal_point(layout: _Layout) -> int:
    """How many integer places follow a point written as text among them (0!.0 and 0\\.0 have
    one; Excel's trick to show 123456 as 12.3万 with a thousands scale), 0 when none does, or when
    the section has its own decimal places as well (the point is then only text)."""
    if layout.plain or any(kind == "digit" for kind, _ in layout.decimals):
        return 0
    at = next((i for i in range(len(layout.whole) - 1, -1, -1) if layout.whole[i] == ("text", ".")), None)
    if at is None or not any(kind == "digit" for kind, _ in layout.whole[:at]):
        return 0
    return sum(1 for kind, _ in layout.whole[at + 1:] if kind == "digit")


def _shown_token(token: tuple[str, str]) -> str:
    kind, text = token
    return text if kind in ("text", "percent", "point") else ""


def _whole(digits: str, layout: _Layout) -> str:
    """The integer part placed in the section's integer places: a 0 place shows a zero where the
    number has no digit, # and ? show none; text between places stays where it is (000-0000);
    digits beyond the places go before the first; thousands grouped when a comma says so."""
    digits = "" if digits == "0" else digits
    zeros = sum(1 for kind, text in layout.whole if kind == "digit" and text == "0")
    if layout.grouped:
        digits = digits.rjust(zeros, "0")
        groups = []
        while len(digits) > 3:
            digits, tail = digits[:-3], digits[-3:]
            groups.insert(0, tail)
        return ",".join([digits, *groups] if digits else groups)
    out = []
    for kind, text in reversed(layout.whole):
        if kind == "digit":
            if digits:
                out.append(digits[-1])
                digits = digits[:-1]
            elif text == "0":
                out.append("0")
        else:
            out.append(_shown_token((kind, text)))
    return digits + "".join(reversed(out))


def _column(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


OTHER_PACKAGES = (  # a zip that is not a workbook: what it is, by the part that gives it away
    ("word/document.xml", gettext_noop("这是 Word 文档（.docx），不是 Excel 工作簿：请把表格复制到 Excel 中，另存为 .xlsx 后再导入")),
    ("ppt/presentation.xml", gettext_noop("这是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿：请上传 .xlsx 工作簿")),
    ("xl/workbook.bin", gettext_noop("这是 Excel 二进制工作簿（.xlsb）：请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再导入")),
)
OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.spreadsheet": gettext_noop(
        "这是 OpenDocument 表格（.ods，WPS 或 LibreOffice 保存）：请“另存为”Excel 工作簿（.xlsx）后再导入"),
    b"application/vnd.oasis.opendocument.text": gettext_noop(
        "这是 OpenDocument 文档（.odt），不是表格：请把表格复制到 Excel 中，另存为 .xlsx 后再导入"),
}


def _not_a_workbook(archive: zipfile.ZipFile) -> str:
    """What a zip without ``xl/workbook.xml`` is, as the message that says so."""
    names = set(archive.namelist())
    if "mimetype" in names:
        try:
            kind = archive.open("mimetype").read(200).strip()
        except ZIP_DAMAGE:
            kind = b""
        if kind in OPEN_DOCUMENT:
            return gettext(OPEN_DOCUMENT[kind])
    for part, message in OTHER_PACKAGES:
        if part in names:
            return gettext(message)
    return gettext("这是一个 zip 压缩包，不是 Excel 工作簿：请解压后上传其中的 .xlsx 文件")


def _open_xlsx(data: bytes, prefer: tuple[str, ...], budget: Budget) -> Sheet:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (*ZIP_DAMAGE, ValueError):
        raise SheetError(gettext("文件已损坏，无法作为 .xlsx 打开：请在 Excel 中重新另存为 .xlsx")) from None
    if any(n in archive.namelist() for n in ("EncryptionInfo", "EncryptedPackage")):
        raise SheetError(gettext(MESSAGES["ole-encrypted"]))
    check_package(archive, budget)
    if "xl/workbook.xml" not in archive.namelist():
        raise SheetError(_not_a_workbook(archive))
    flags: dict = {}
    sheets = _sheets(archive, budget, flags)
    _distinct_names(sheets)
    visible = [s for s in sheets if s[1] == "visible"]
    hidden, very_hidden = gettext("隐藏"), gettext("深度隐藏")
    skipped = [gettext("{name}（{state}）").format(
        name=name, state=hidden if state == "hidden" else very_hidden)
               for name, state, _ in sheets
               if state != "visible"]
    chosen = next((s for want in prefer for s in visible if s[0].strip() == want), None) or (
        visible[0] if visible else None)
    if chosen is None:
        raise SheetError(gettext("工作簿中没有可见的工作表"))
    name, _, path = chosen
    others = [s[0] for s in visible if s is not chosen]
    index = sheets.index(chosen)  # the sheet as calamine numbers them: read by its place, never by its name
    dates, shown, unseen = _number_styles(archive)
    epoch = EPOCH_1904 if flags.get("date1904") else EXCEL_EPOCH
    # calamine gives a number as its value, not as its format shows it (0.05 for 5%, 12 for
    # 12万元, nothing for ;;;), a duration ([h]:mm) as a timedelta and a time (h:mm) as a time or a
    # date and time, by its value: a workbook with such a format is streamed
    hidden = Hidden()
    if not shown and not unseen and not {TIME, DURATION} & set(dates.values()) and (
            extent := _small_and_plain(archive, path, budget, hidden, dates, epoch)) is not None:
        book = _calamine_book(data, index, name)
        if book is not None:
            done = [0.0]
            hidden.scanned = True  # the extent pass read every mergeCell before any row is given
            return Sheet(name, "xlsx", _calamine_rows(book, index, done, hidden), skipped, lambda: done[0], extent,
                         hidden, others, epoch.date())
    hidden = Hidden()  # the extent pass may have stopped half way: the streaming reader finds them all
    _scan_merges(archive, path, budget, hidden)
    strings = _shared_strings(archive, budget)
    stream = _open_part(archive, path, budget.sheet_bytes)
    declared = max(1, archive.getinfo(path).file_size)  # for the estimate only: the budget counts the real bytes
    return Sheet(name, "xlsx", _rows(stream, strings, dates, budget, epoch, shown, hidden, unseen,
                                     uncomputed=bool(flags.get("uncomputed"))), skipped,
                 lambda: min(1.0, stream.count / declared), hidden=hidden, others=others, epoch=epoch.date())


MERGE_CELL = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?mergeCell(?=[\s>/])((?:[^>"']|"[^"]*"|'[^']*')*)>""")


def _scan_merges(archive: zipfile.ZipFile, path: str, budget: Budget, hidden: Hidden) -> None:
    """The sheet's merged ranges into ``hidden`` before its rows are read: Excel writes them after
    the rows, where a reader giving the rows as it parses them would find them too late to tell
    which cells they cover. One inflating pass over the sheet, its bytes searched for
    ``<mergeCell>`` tags (no XML parsed; a tag cut between two chunks is carried to the next)."""
    stream = _open_part(archive, path, budget.sheet_bytes)
    tail = b""
    while chunk := stream.read_chunk():  # 64 KB at a time: memory does not grow with the sheet
        window = tail + chunk
        cut = window.rfind(b"<")
        if cut < 0 or window.find(b">", cut) >= 0:
            cut = len(window)
        for m in MERGE_CELL.finditer(window, 0, cut):
            found = REF.search(m.group(1))
            if found is not None:
                hidden.merge(found.group(2) if found.group(2) is not None else found.group(3))
        tail = window[cut:] if len(window) - cut < 4096 else b""  # a tag is short; a longer run is text
    hidden.scanned = True


def _distinct_names(sheets: list[tuple[str, str, str]]) -> None:
    """Refuse a workbook two of whose sheets share a name, compared as Excel compares them
    (case-blind): Excel cannot save one, and a reader asked for the name would take the first
    (a hidden one) while the sheet checked and reported is another."""
    seen: dict[str, str] = {}
    for name, _, _ in sheets:
        first = seen.get(name.casefold())
        seen.setdefault(name.casefold(), name)
        if first is not None:
            names = "、".join(f"“{n}”" for n in dict.fromkeys((first, name)))
            raise SheetError(gettext("工作簿中有两个同名的工作表：{names}（Excel 不区分大小写，隐藏的工作表也算）。Excel 不允许同名工作表，文件可能被改动过，请在 Excel 中核对后重新另存为 .xlsx").format(
                names=names))


DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY")
FORMULA_OR_ERROR = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?f[\s>/]|\st\s*=\s*["']e["']""")
ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
# A row, cell or dimension start tag with its attributes (a quoted value may hold ">"; it cannot hold "<")
PLACED = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?(row|col|c|dimension|mergeCell|sheetFormatPr)(?=[\s>/])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
HIDDEN_ATTR = re.compile(rb"""\shidden\s*=\s*["']\s*(?:1|true)\s*["']""")
HEIGHT = re.compile(rb"""\sht\s*=\s*(?:"([^"]*)"|'([^']*)')""")  # a row's height (customHeight is another name)
WIDTH = re.compile(rb"""\swidth\s*=\s*(?:"([^"]*)"|'([^']*)')""")  # a column's width (not customWidth)
SPAN = re.compile(rb"""\s(min|max)\s*=\s*["']\s*([0-9]{1,9})\s*["']""")
ZERO_HEIGHT = re.compile(rb"""\szeroHeight\s*=\s*["']\s*(?:1|true)\s*["']""")  # rows hidden unless sized
DEFAULT_WIDTH = re.compile(rb"""\sdefaultColWidth\s*=\s*(?:"([^"]*)"|'([^']*)')""")
REF = re.compile(rb"""\s(r|ref)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
CELL_REF = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
# a shared-string cell's value: the index into the table (any attributes, any order; the value's text)
SHARED_VALUE = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s(?:[^>"']|"[^"]*"|'[^']*')*?\st\s*=\s*["']s["']"""
                          rb"""(?:[^>"'/]|"[^"]*"|'[^']*')*>\s*<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>([^<]*)<""")
# a cell of one of some styles (``%s``: the indexes, as alternatives): from its style attribute to
# its value, the attributes after the style and the value given
STYLED_VALUE = rb"""\ss\s*=\s*["']\s*(?:%s)\s*["']((?:[^>"'/]|"[^"]*"|'[^']*')*)>\s*<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>([^<]*)<"""
KIND = re.compile(rb"""\st\s*=\s*["']([^"']*)["']""")  # a cell's type among its attributes
STRING_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")  # a shared string, in the table
# where a window of XML may be cut: before a cell, a row or another tag ``PLACED`` reads whole
ELEMENT_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row|col|dimension|mergeCell|si|sheetData)[\s>/]")


# A sheet of plain values up to this many bytes of XML (≈ 10,000 rows of a dozen columns) is read
# whole by calamine; a larger one row by row, so that memory does not grow with the file.
CALAMINE_BYTES = 4 * 1024 * 1024
# calamine lays the sheet out as a grid from A1 to its last cell, empty cells included: a sheet
# whose extent (rows × columns) is larger is read row by row, whatever its bytes (one cell at
# XFD1048576 is 17 billion cells of grid for 2 KB of file)
CALAMINE_CELLS = 1_000_000


def _too_far(budget: Budget, row: int, col: int, ref: str = "") -> None:
    """Refuse a row or a cell with content beyond the budget's rows or columns, said where it is
    (``row``: the row's number when it is the rows' count past the limit)."""
    if row > budget.rows + 1:
        raise SheetError(gettext("行数超过上限（{rows:,}行）：工作表第{row:,}行{ref}仍有内容，请删除表格下方多余的行或分批导入").format(
            rows=budget.rows, row=row, ref=f"（{ref}）" if ref else ""))
    if col > budget.columns:
        raise SheetError(gettext("列数超过上限（{max_cols}列）：单元格 {ref} 仍有内容，请删除表格右侧多余的列").format(
            ref=ref or gettext("第{col}列").format(col=col), max_cols=budget.columns))



def column_letter(index: int) -> str:
    """A column as Excel names it (0 → A, 27 → AB)."""
    out, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _placed(ref: str) -> tuple[int, int] | None:
    """(row, column) of a canonical cell reference (B7 → (7, 2)), None for anything else."""
    m = CELL_REF.match(ref)
    return (int(m.group(2)), _column(m.group(1)) + 1) if m else None


def _small_and_plain(archive: zipfile.ZipFile, path: str, budget: Budget, hidden: Hidden, dates=(),
                     epoch: dt.datetime = EXCEL_EPOCH) -> tuple[int, int] | None:
    """Whether calamine may read the sheet: one inflating pass that counts what the sheet really
    holds — stopped as soon as it exceeds ``CALAMINE_BYTES`` (the sheet is then parsed row by row
    under the budget instead) — refuses any DOCTYPE and bounds the sheet's extent, then the same
    over the shared strings; so a reader that loads the sheet whole (calamine, in Rust, ~4× faster
    than expat here) cannot be made to inflate or lay out more than this.

    The extent is what calamine would lay out: the last row and column of any cell that is not
    empty (``<c r="D9" s="1"/>``, formatting only, lays out nothing). A grid larger than
    ``CALAMINE_CELLS``, a row or cell tag beyond the budget (the streaming reader then refuses
    it, said where it is, when it holds anything), a ``dimension`` claiming more than the budget
    (only the writer's claim), a reference written in any but the canonical form, rows out of
    order or a cell placed in another row than its own (calamine would move it, the streaming
    reader refuses the sheet) and a shared-string reference that is no index of the table
    (calamine reads "-1" or "x" as the first string) send the sheet to the streaming reader,
    which never builds a grid and reads what calamine would read or refuses what it would
    misread. None as well when a cell is a formula or an error (those need this module's own
    reading: a formula without a cached value is reported, not blank), when a string holds an
    escape (_x0041_: calamine decodes only those below U+0100, ``unescape_xstring`` all), or when a
    number whose style (``dates``) shows a date or a time is no day of the calendar (0.5 under
    h:mm, 5 under yyyy-mm-dd: calamine makes a time or a day of 1900 of it, the streaming reader a
    ``TimeCell`` or the number); else the extent, (last row, last column). The hidden rows and
    columns are noted in ``hidden`` on the way."""
    rows, row_no, col_no, max_row, max_col, highest = 0, 0, 0, 0, 0, -1
    dated = re.compile(STYLED_VALUE % b"|".join(str(index).encode() for index in dates)) if dates else None
    first, last = date_serials(epoch)
    for window in _windows(_open_part(archive, path, budget.sheet_bytes), CALAMINE_BYTES):
        if window is None:
            return None
        if DOCTYPE.search(window):
            raise SheetError(gettext("工作簿的 XML 中含有 DOCTYPE 声明（可能是 XXE 或实体膨胀攻击），已拒绝"))
        if FORMULA_OR_ERROR.search(window) or XSTRING_BYTES.search(window):
            return None
        if dated is not None and not _calendar_days(window, dated, first, last):
            return None
        indexes = SHARED_VALUE.findall(window)  # the shared strings' indexes the cells name: digits, nothing else
        if indexes:
            if not (all(indexes) and b"".join(indexes).isdigit()):
                return None
            highest = max(highest, *map(int, indexes))
        for m in PLACED.finditer(window):
            tag = m.group(1)
            if tag == b"sheetFormatPr":
                if ZERO_HEIGHT.search(m.group(2)) or _sized_nil(DEFAULT_WIDTH, m.group(2), MIN_COLUMN_WIDTH):
                    return None  # rows or columns hidden by default: the streaming reader finds which
                continue
            if tag == b"col":
                if HIDDEN_ATTR.search(m.group(2)) or _sized_nil(WIDTH, m.group(2), MIN_COLUMN_WIDTH):
                    span = dict(SPAN.findall(m.group(2)))
                    hidden.hide_columns(span.get(b"min"), span.get(b"max"), budget)
                continue
            found = REF.search(m.group(2))
            ref = None
            if found is not None:
                ref = (found.group(2) if found.group(2) is not None else found.group(3)).decode(
                    "ascii", "replace").strip()
                if "&" in ref:  # a character reference: decoded by the readers, not here
                    return None
            if tag == b"mergeCell":
                if ref is None or not all(_placed(corner) for corner in ref.split(":", 1)):
                    return None  # calamine refuses the whole sheet for a range it cannot place ($D$2)
                hidden.merge(ref)
                continue
            if tag == b"dimension":
                corner = _placed(ref.rsplit(":", 1)[-1]) if ref else None
                if corner is None or corner[0] > budget.rows + 1 or corner[1] > budget.columns or \
                        corner[0] * corner[1] > CALAMINE_CELLS:
                    return None
                continue
            if tag == b"row":
                rows += 1
                if ref is None:
                    row_no += 1
                elif ref.isdigit() and int(ref) > row_no:
                    row_no = int(ref)
                else:
                    return None  # out of order, repeated or no number
                col_no = 0
                if row_no > budget.rows + 1 or rows > budget.rows + 1:
                    return None
                if HIDDEN_ATTR.search(m.group(2)) or _sized_nil(HEIGHT, m.group(2), MIN_ROW_HEIGHT):
                    hidden.rows.add(row_no)
                continue
            if ref is None:
                col_no += 1
            else:
                place = _placed(ref)
                if place is None or place[0] != row_no:
                    return None
                col_no = place[1]
            if col_no > budget.columns:
                return None
            if not m.group(2).endswith(b"/"):  # <c …/> holds nothing: no part of the grid
                if row_no > max_row:
                    max_row = row_no
                if col_no > max_col:
                    max_col = col_no
    if max_row * max_col > CALAMINE_CELLS:
        return None
    strings = 0
    if "xl/sharedStrings.xml" in archive.namelist():
        for window in _windows(_open_part(archive, "xl/sharedStrings.xml", budget.shared_string_bytes)):
            if window is None:
                return None
            if DOCTYPE.search(window):
                raise SheetError(gettext("工作簿的 XML 中含有 DOCTYPE 声明（可能是 XXE 或实体膨胀攻击），已拒绝"))
            if XSTRING_BYTES.search(window):
                return None
            strings += len(STRING_ITEM.findall(window))
    if highest >= strings:
        return None  # an index beyond the table: calamine fails, the streaming reader says what is damaged
    return max_row, max_col


def _calendar_days(window: bytes, dated: re.Pattern, first: int, last: int) -> bool:
    """Whether every number of the window whose style shows a date or a time (``dated``: such a
    cell from its style attribute to its value, ``STYLED_VALUE``) is a day of the calendar,
    ``first`` ≤ serial < ``last``."""
    for m in dated.finditer(window):
        kind = KIND.search(window, window.rfind(b"<", 0, m.start()), m.end(1))  # the type, before or after the style
        if kind is not None and kind.group(1).strip() not in (b"n", b""):
            continue  # text, a boolean, an error or an ISO date: no serial
        try:
            serial = float(m.group(2))
        except ValueError:
            return False
        if not first <= serial < last:
            return False
    return True


def _windows(stream: _Counted, limit: int | None = None) -> Iterator[bytes | None]:
    """A part's XML inflated a chunk at a time, as windows of whole elements: each cut before its
    last cell or row (whose value, formula or text may go on in the next chunk), carried to the
    next window. None (and no more) when the part inflates beyond ``limit`` bytes or one element
    runs over 64 KB (a text that long is left to the streaming reader)."""
    tail = b""
    while chunk := _inflate(stream):
        if limit is not None and stream.count > limit:
            yield None
            return
        window = tail + chunk
        cut = window.rfind(b"<")
        while cut > 0 and window[cut + 1:cut + 2] == b"/":  # a closing tag ends what is before it
            cut = window.rfind(b"<", 0, cut)
        if cut > 0 and not ELEMENT_START.match(window, cut):  # inside a cell: from the cell's start
            back = max(0, cut - 65536)
            starts = [m.start() for m in ELEMENT_START.finditer(window, back, cut)]
            cut = starts[-1] if starts else back
        window, tail = (window[:cut], window[cut:]) if cut >= 0 else (window, b"")
        if len(tail) > 65536:
            yield None
            return
        yield window
    yield tail


def _sized_nil(size: re.Pattern, attrs: bytes, least: float) -> bool:
    """Whether a row's or a column's tag (its attributes) gives it a height or width below ``least``."""
    found = size.search(attrs)
    return found is not None and _no_size(found.group(1) if found.group(1) is not None else found.group(2), least)


def _inflate(stream: _Counted) -> bytes:
    return stream.read_chunk()  # damaged data is refused there, in Chinese


def _calamine_book(data: bytes, index: int, name: str):
    """The workbook opened by calamine when its ``index``-th sheet is the one this module chose
    and checked (same place, same name); else None, and the sheet is streamed. The sheet is then
    read by its place: by name calamine would take the first sheet so named."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = book.sheet_names
    except Exception:  # calamine raises its own types (and English text) for a damaged part
        raise SheetError(gettext("工作表内容已损坏，无法读取：请在 Excel 中重新另存为 .xlsx")) from None
    return book if index < len(names) and names[index] == name else None


def _calamine_rows(book, index: int, done: list[float], hidden: Hidden | None = None) -> Iterator[tuple[int, list]]:
    """The sheet's rows through calamine, as ``_rows`` gives them: (Excel row number, cells) with
    empty cells None, blank rows left out, dates as dates; ``done[0]`` is the share given. The
    cells under a merged range (``hidden.ranges``, found by the pass before) are noted as read."""
    try:
        grid = book.get_sheet_by_index(index).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own types (and English text) for a damaged part
        raise SheetError(gettext("工作表内容已损坏，无法读取：请在 Excel 中重新另存为 .xlsx")) from None
    for index, row in enumerate(grid):
        # a date at midnight is a date, as ``_cell`` gives it (calamine gives an ISO t="d" cell a time);
        # a time or a duration a ``TimeCell`` (``_small_and_plain`` leaves calamine none it would give otherwise)
        cells = [None if value == "" else value.date() if value.__class__ is dt.datetime and value.time() == MIDNIGHT
                 else as_time_cell(value) if value.__class__ in CLOCK_TYPES else value for value in row]
        while cells and cells[-1] is None:
            cells.pop()
        grid[index] = None  # each row is let go once given
        done[0] = (index + 1) / len(grid)
        if cells:
            if hidden is not None and hidden.ranges:
                hidden.cover(index + 1, cells)
            yield index + 1, cells


def _rows(stream: _Counted, strings, dates, budget, epoch=EXCEL_EPOCH, shown: dict[int, str] | None = None,
          hidden: Hidden | None = None, unseen: dict[int, tuple[str, bool, bool]] | None = None,
          uncomputed: bool = False) -> Iterator[tuple[int, list]]:
    """Rows as they are parsed, through a small queue between expat and the caller (the rows of
    one 64 KB window of XML at most). The sheet is parsed without namespace processing (a prefix
    such as ``x:row`` is dropped): the handlers below run for every element of millions of cells
    and are the cost of an import's read, hence their state in closure variables, a cell's
    column found from its letters once per column, the style compared as the attribute's text.
    Hidden rows and columns are noted in ``hidden`` before their cells are given. A number whose
    style's format shows more than its value (``shown``: style index → format code) is given as
    the text it shows; the phonetic guide of a string (``rPh``, furigana) is not its text. A
    non-blank cell whose style shows it as nothing (``unseen``: style index → (format code,
    numbers shown as nothing, text shown as nothing)) is noted in ``hidden``, and so are the
    merged ranges (``mergeCell``, after the rows).

    Every cell is placed by its reference, whatever the order the cells are written in (a cell
    without one follows the cell before it), as calamine places them; a row numbered out of
    order, or a cell whose reference names another row than its own, refuses the sheet (calamine
    would move it). Only what holds something meets the limits: a row or a cell with content
    beyond the budget's rows or columns refuses the sheet, a row or cell that only carries
    formatting does not."""
    parser = expat.ParserCreate()
    hidden = hidden if hidden is not None else Hidden()
    ready: list[tuple[int, list]] = []
    cells: list = []
    row_no, col, kind, style, value, formula = 0, -1, "n", "0", None, None
    # the cell's reference and the row it names; the row's number as a reference writes it, whether
    # the row is hidden, whether it came out of order (refused once it is found to hold anything)
    ref, ref_row, row_text, row_hidden, misplaced, top = None, "", "0", False, False, 0
    capturing, parts = None, []  # what is being read (v / f / t) and its text
    phonetic = False  # inside an <rPh>: its <t> is a reading aid, not the cell's text
    max_rows, max_cols = budget.rows + 1, budget.columns
    date_styles = {str(index) for index in dates}
    clocks = {str(index): shows for index, shows in dates.items()} if isinstance(dates, dict) else {}
    shown_formats = {str(index): code for index, code in (shown or {}).items()}
    unseen_styles = {str(index): said for index, said in (unseen or {}).items()}
    special_styles = date_styles | set(shown_formats) | set(unseen_styles)  # not a plain number
    columns: dict[str, int] = {}  # a reference's letters → the column (at most max_cols of them)
    # the sheet's defaults (<sheetFormatPr>): rows of no height but their own (zeroHeight), columns of
    # no width but their own (defaultColWidth 0) — Excel shows the others not at all
    rows_hidden_by_default, columns_hidden_by_default, sized_columns = False, False, []

    def doctype(*_args):
        raise SheetError(gettext("工作表的 XML 中含有 DOCTYPE 声明（可能是 XXE 或实体膨胀攻击），已拒绝"))

    def start(tag, attrs):
        nonlocal row_no, col, kind, style, value, formula, capturing, parts, phonetic, ref, ref_row, row_text, \
            row_hidden, misplaced, top, rows_hidden_by_default, columns_hidden_by_default
        if ":" in tag:
            tag = tag.rsplit(":", 1)[1]
        if tag == "c":
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                col = columns.get(letters, -1)
                if col < 0:
                    col = _column(letters)
                    if col < 0 or letters == ref:
                        raise SheetError(gettext("工作表内容已损坏（单元格引用“{ref}”无效）").format(ref=ref[:20]))
                    if col < max_cols:
                        columns[letters] = col
                ref_row = ref[len(letters):]
            else:
                col += 1
                ref_row = row_text
            kind, style, value, formula = attrs.get("t", "n"), attrs.get("s", "0"), None, None
        elif tag == "v" or tag == "f" or (tag == "t" and not phonetic):
            capturing, parts = tag, []
        elif tag == "rPh":
            phonetic = True
        elif tag == "row":
            number = attrs.get("r")
            if number is None:
                number = row_no + 1
            elif number.isascii() and number.isdigit():
                number = int(number)
            else:
                raise SheetError(gettext("工作表内容已损坏（行号“{r}”无效）").format(r=number[:20]))
            # a row not below every row before it: calamine would merge it into the earlier one of its number
            misplaced = (top, number) if number <= top else False
            row_no, top = number, max(top, number)
            row_text = str(row_no)
            cells.clear()
            col = -1
            row_hidden = (attrs.get("hidden") or "").strip() in HIDDEN_VALUES or _no_size(
                attrs.get("ht"), MIN_ROW_HEIGHT) or (rows_hidden_by_default and not _sized(attrs.get("ht"), MIN_ROW_HEIGHT))
        elif tag == "col":
            if (attrs.get("hidden") or "").strip() in HIDDEN_VALUES or _no_size(attrs.get("width"), MIN_COLUMN_WIDTH):
                hidden.hide_columns(attrs.get("min"), attrs.get("max"), budget)
            elif columns_hidden_by_default and _sized(attrs.get("width"), MIN_COLUMN_WIDTH):
                sized_columns.append((attrs.get("min"), attrs.get("max")))
        elif tag == "sheetFormatPr":
            rows_hidden_by_default = (attrs.get("zeroHeight") or "").strip() in HIDDEN_VALUES
            columns_hidden_by_default = _no_size(attrs.get("defaultColWidth"), MIN_COLUMN_WIDTH)
        elif tag == "sheetData" and columns_hidden_by_default:
            hidden.hide_columns_but(sized_columns, budget)
        elif tag == "mergeCell" and not hidden.scanned:  # found before the rows otherwise (``_scan_merges``)
            hidden.merge(attrs.get("ref"))

    def text(data):
        if capturing is not None:
            parts.append(data)

    def end(tag):
        nonlocal value, formula, capturing, phonetic
        if ":" in tag:
            tag = tag.rsplit(":", 1)[1]
        if tag == "c":
            # a formula's cached value is what Excel shows, unless there is none: no <v>, an empty
            # one where a number belongs, or a workbook whose formulas were never computed
            if formula is not None and (value is None or uncomputed or (value == "" and kind == "n")):
                given = FormulaCell(formula)
            elif value is None:
                return  # an empty cell (formatting only): nothing to place, whatever its column
            elif kind == "n" and style not in special_styles:
                try:
                    given = float(value)
                except ValueError:
                    given = value
            elif kind == "n" and style in shown_formats:
                given = _shown(value, shown_formats[style])
            else:
                given = _cell(value, kind, style in date_styles, strings, epoch, clocks.get(style))
            if col >= max_cols:
                _too_far(budget, 0, col + 1, ref or "")
            if ref_row != row_text:  # a reference naming another row: calamine would put the cell there
                if ref_row.isdigit():
                    _too_far(budget, int(ref_row), 0, ref)
                raise SheetError(gettext("工作表内容已损坏：单元格 {ref} 写在第{row}行中").format(ref=ref[:20], row=row_no))
            if col < len(cells):
                cells[col] = given  # written out of order: placed by its reference
            else:
                if len(cells) < col:
                    cells.extend([None] * (col - len(cells)))
                cells.append(given)
            if style in unseen_styles and kind != "e":  # an error shows whatever the format
                code, numbers, texts = unseen_styles[style]
                if (texts if kind in TEXT_KINDS else numbers) and given is not None and (
                        given.__class__ is not str or given.strip()):
                    hidden.unseen_cell(row_no, col, code)
        elif tag == "v":
            value, capturing = "".join(parts), None
        elif tag == "t":
            if capturing == "t":
                value = (value or "") + unescape_xstring("".join(parts))
            capturing = None
        elif tag == "f":
            formula, capturing = "".join(parts) or gettext("（共享公式）"), None
        elif tag == "rPh":
            phonetic = False
        elif tag == "row":
            # a blank row is left out, as calamine's reading does — and one of spaces only, which
            # Excel shows as blank and every reader after this one takes for blank
            if any(c is not None and (c.__class__ is not str or c.strip()) for c in cells):
                if row_no > max_rows:
                    _too_far(budget, row_no, 0)
                if misplaced:
                    raise SheetError(gettext("工作表内容已损坏：第{row}行出现在第{before}行之后（行的顺序错乱或重复）").format(
                        row=misplaced[1], before=misplaced[0]))
                if row_hidden:
                    hidden.rows.add(row_no)
                if hidden.ranges:
                    hidden.cover(row_no, cells)
                ready.append((row_no, list(cells)))

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    try:
        while chunk := stream.read_chunk():
            parser.Parse(chunk, False)
            if ready:
                yield from ready
                ready.clear()
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise SheetError(gettext("工作表内容已损坏（第{line}行的 XML 不完整）：请在 Excel 中重新另存为 .xlsx").format(
            line=exc.lineno)) from None
    yield from ready


TEXT_KINDS = ("s", "str", "inlineStr")  # a cell's type (t=) when it holds text: shown by a format's text section


def _shown(raw: str, code: str):
    """A number cell whose format shows more than its value, as the text it shows ("0.05" under
    0% → "5%", "12" under 0"万元" → "12万元", "1" under 000 → "001"); the number itself when it is
    not finite (refused by the column's check) or its section shows no number."""
    try:
        number = float(raw)
    except ValueError:
        return raw
    if number != number or number in (float("inf"), float("-inf")):
        return number
    text = shown_text(number, code)
    return number if text is None else text


def _cell(raw: str, kind: str, dated: bool, strings, epoch=EXCEL_EPOCH, shows_time: str | None = None):
    """A cell other than a plain number (``_rows`` reads those itself) from its text, its type,
    whether its style shows a date and what it shows of the time (``clock``: ``shows_time``)."""
    if kind == "s":
        try:
            if not (raw.isascii() and raw.isdigit()):  # int() would take " 1 ", "1_0", "-1"
                raise ValueError(raw)
            return strings[int(raw)]
        except (ValueError, IndexError):
            raise SheetError(gettext("工作簿的共享文字表已损坏")) from None
    if kind == "inlineStr":
        return raw  # decoded as its <t> ended
    if kind == "str":
        return unescape_xstring(raw)
    if kind == "b":
        return raw.strip() == "1"
    if kind == "e":
        return ErrorCell(raw.strip())
    if kind == "d":  # an ISO 8601 date (a strict-OOXML or LibreOffice writer), as calamine gives it
        try:
            moment = dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            return raw
        return moment.date() if moment.time() == dt.time() else moment.replace(tzinfo=None)
    try:
        number = float(raw)
    except ValueError:
        return raw
    finite = number == number and number not in (float("inf"), float("-inf"))
    if dated and shows_time in (TIME, DURATION) and finite:  # 12:00, 30:00 shown: never a date nor a number
        return TimeCell.of(number, duration=shows_time == DURATION)
    # Excel's 1900 system counts 1900-02-29, a day that never was: serials before 61 (1900-03-01)
    # are no date this reader can give, nor are those past 9999-12-31
    first, last = date_serials(epoch)
    if dated and first <= number < last:
        # Excel keeps milliseconds; one rounded up past the last day is still that day's
        moment = epoch + dt.timedelta(milliseconds=min(round(number * 86_400_000), last * 86_400_000 - 1))
        return moment.date() if moment.time() == dt.time() else moment
    if dated and shows_time == MOMENT and finite:  # 0.25 under yyyy-mm-dd h:mm: a time on no day, never 0.25 yuan
        return TimeCell.of(number, duration=False)
    return number  # a date format's number outside the calendar: the column's check refuses it
