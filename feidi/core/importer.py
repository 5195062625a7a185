"""Excel in: every bulk entry imports from an .xlsx template, all rows or none.

Each row is validated with the same ModelForm as the edit page (so the same Chinese field errors
and the same scope rules on related records), duplicates inside the file are caught, and only a
file without a single bad row is kept — written in one transaction, through the app's action,
with the audit trail marking the channel 导入. A bad file gets a row-by-row report and stores
nothing.

Memory does not grow with the file: its rows are read (``read_sheet``), checked and written a
chunk (``CHUNK`` rows) at a time inside the one transaction, which is rolled back when any row
fails; what an import keeps across chunks is small and said where it is kept (the reports:
``RowReports``; the values no two rows may share: ``Importer.run``).
"""

from __future__ import annotations

import datetime as dt
import heapq
import io
import itertools
import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from feidi.lib.cells import EXCEL_EPOCH
from feidi.lib.cells import PAST_DATES
from feidi.lib.spreadsheet import column_letter

from .context import acting
from .context import current


@dataclass(frozen=True)
class Limits:
    """What one import file may hold; the page and the template say it."""

    rows: int = 50_000
    megabytes: int = 30

    @property
    def bytes(self) -> int:
        return self.megabytes * 1024 * 1024

    @property
    def rows_said(self) -> str:
        return f"{self.rows:,}"


LIMITS = Limits()
CHUNK = 5000  # rows read, checked and written at a time: what an import holds of its file
KEPT = 1000  # row reports (errors, warnings) kept of one import; all are counted
MEMO = 20_000  # texts looked up (parks, segments, codes) remembered per import, then forgotten
NUMERIC = (forms.DecimalField, forms.IntegerField, forms.FloatField)
# a yes/no cell as offices mark it (compared folded: ｙ is y): ticks and crosses included, × being
# the usual Chinese mark for 否
YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "☑"}
NO = {"否", "n", "no", "false", "0", "×", "✗", "✘", "☒"}


@dataclass
class RowError:
    row: int  # the row number as Excel shows it
    column: str
    value: str
    message: str


class RowReports:
    """The errors (or the warnings) of one import by row: every report is counted (``total``),
    the first ``KEPT`` by row are kept — a heap of the lowest rows, so a file of 300,000 bad rows
    costs a thousand reports (~300 bytes each), not 300,000. Iterating or indexing gives the
    kept reports in row order (the first of one row first); true when there is any."""

    def __init__(self, keep: int | None = None):
        self.keep, self.total = KEPT if keep is None else keep, 0
        self._heap: list[tuple[int, int, RowError]] = []
        self._sorted: list[RowError] | None = []

    def append(self, report: RowError) -> None:
        self.total += 1
        item = (-report.row, -self.total, report)  # the heap's top is the last row kept, its latest report
        if len(self._heap) < self.keep:
            heapq.heappush(self._heap, item)
        elif item > self._heap[0]:
            heapq.heapreplace(self._heap, item)
        else:
            return
        self._sorted = None

    def _kept(self) -> list[RowError]:
        if self._sorted is None:
            self._sorted = [report for *_, report in sorted(self._heap, reverse=True)]
        return self._sorted

    def __iter__(self):
        return iter(self._kept())

    def __getitem__(self, index):
        return self._kept()[index]

    def __len__(self) -> int:
        return len(self._heap)

    def __bool__(self) -> bool:
        return self.total > 0

    def __repr__(self) -> str:
        return f"RowReports({self.total} reports, {len(self)} kept)"


@dataclass
class Checked:
    """A row that passed its form: the record to write and the form's cleaned data."""

    instance: object
    cleaned_data: dict


@dataclass
class ImportResult:
    """What one run of an import came to: refused (``errors``), waiting for its uploader to
    confirm ``warnings``, or written (``applied``, ``created`` records or values)."""

    total: int = 0
    created: int = 0
    errors: RowReports = field(default_factory=RowReports)
    warnings: RowReports = field(default_factory=RowReports)
    sheet: str = ""  # which sheet was read, said on the page
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def needs_confirmation(self) -> bool:
        return self.ok and bool(self.warnings) and not self.applied


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not .xlsx, no header, too large …)."""


FORMULA = gettext_noop("公式单元格，请粘贴为数值（在 Excel 中“选择性粘贴→数值”）")
BOOLEAN = gettext_noop("单元格是 Excel 的逻辑值“{shown}”，不是本列要填的内容：请填写文字（要填 TRUE/FALSE 本身时，请先把单元格设置为“文本”格式）")
# Excel's text prefix: a code typed as '913611… is kept as text, the apostrophe not being part of it
# (a CSV written by hand or by another program may carry it)
TEXT_PREFIXED = re.compile(r"^'([0-9A-Za-z][0-9A-Za-z._/-]*)$")
EXAMPLE_ROW = gettext_noop("该行是导入模板中的示例行（示例数据未修改），不是要导入的数据：请删除该行，或用实际数据覆盖后再导入")
ERROR_CELL = gettext_noop("单元格是 Excel 错误值“{code}”（公式出错或引用失效），请改为正确的值")


@dataclass
class SheetData:
    """The import sheet: its header, then its non-blank rows as they are read — once, lazily —
    (``rows``: (row number as Excel shows it, cells)), ``count`` of them given so far."""

    name: str  # the sheet that was read ("" for CSV)
    header: list[str]
    skipped: list[str]  # hidden sheets passed over
    fraction: Callable[[], float]  # the share of the sheet read so far
    rows: Iterator[tuple[int, list]] = iter(())
    count: int = 0
    header_row: int = 1  # the row the header was found on (below a title, at most ``TITLE_ROWS`` down)
    extent: tuple[int, int] | None = None  # (last row, last column) when known before reading (Sheet.extent)
    # serial 0 of the workbook's date system (Sheet.epoch): a plain number in a date or month column
    # is counted from it, as the reader counts a date-formatted cell
    epoch: dt.date = EXCEL_EPOCH

    def surveyed(self, limits: Limits) -> bool:
        """Whether the sheet's extent already shows what ``survey`` would read the whole sheet for:
        no more rows than the limit, no cell right of the header, no blank header cell."""
        if self.extent is None:
            return False
        last_row, last_col = self.extent
        return (last_row - self.header_row <= limits.rows and last_col <= len(self.header)
                and all(h.strip() for h in self.header))

    @property
    def said(self) -> str:
        """Which sheet was read, as the report says it."""
        if not self.name:
            return gettext("已读取 CSV 文件")
        hidden = gettext("（已跳过隐藏工作表：{join}）").format(join='、'.join(self.skipped)) if self.skipped else ""
        return gettext("已读取工作表“{name}”{hidden}").format(name=self.name, hidden=hidden)

    def estimate(self) -> int:
        """How many rows the sheet holds, as the share read so far projects it (for the
        progress bar; exact once every row is read)."""
        share = self.fraction()
        return max(self.count, round(self.count / share)) if share > 0 else self.count

    def chunks(self, size: int) -> Iterator[tuple[tuple[int, list], ...]]:
        return itertools.batched(self.rows, size)


def _non_blank(rows):
    for excel_row, row in rows:
        if any(c is not None and (c.__class__ is not str or c.strip()) for c in row):
            yield excel_row, row


def _filled(cells) -> int:
    return sum(1 for c in cells if c is not None and (c.__class__ is not str or c.strip()))


TITLE_ROWS = 5  # rows above the header that may hold a title (one cell each), when the header is known


def read_sheet(data: bytes, prefer: tuple[str, ...] = (), limits: Limits = LIMITS,
               is_header: Callable[[list], bool] | None = None) -> SheetData:
    """The import sheet with its header read and its non-blank rows to come (with their row numbers
    as Excel shows them): the sheet named in ``prefer`` (the template's), else the first visible
    one — never a hidden one — read within the upload budget (``lib.spreadsheet``: bombs,
    encrypted, legacy and HTML files refused with their own message; CSV read). The rows are
    read as they are asked for, so a file refused on its Nth row (too many rows, a bomb found
    while inflating) raises ``ImportFileError`` then.

    The header is the first non-blank row; given ``is_header``, up to ``TITLE_ROWS`` rows above
    it (a title such as “2026年招商项目表”, often merged across, a “填报单位：… 单位：元” line) are
    passed over when a row after them is the header — unless they state a multiple unit
    (“单位：万元”) the columns would not be read in (``_check_preamble``). A file of a header and no rows is refused as empty.
    Data in a hidden row (a filter's, or of a height too small to be seen) or column (or of such a
    width: ``lib.spreadsheet.MIN_ROW_HEIGHT``, ``MIN_COLUMN_WIDTH``) refuses the
    file once the rows are read (``hidden_refusal``), and so does a non-blank cell whose format
    shows nothing (``unseen_refusal``): nobody checked it on screen. So does a range merged over
    two data rows (``merged_refusal``): its value is shown on both, held by the top one only; and
    a value in a cell a merged range covers, in the header or a data row (``covered_refusal``):
    Excel shows the range's top-left value over it — the header's at once, before any row is read."""
    from feidi.lib.spreadsheet import Budget
    from feidi.lib.spreadsheet import SheetError
    from feidi.lib.spreadsheet import open_sheet

    if len(data) > limits.bytes:
        raise ImportFileError(f"文件超过{limits.megabytes}MB，请分批导入")
    try:
        sheet = open_sheet(data, prefer=prefer, budget=Budget(upload_bytes=limits.bytes, rows=limits.rows + 1000))
        rows = _non_blank(sheet.rows)
        first = next(rows, None)
        ahead: list = []
        if first is not None and is_header is not None and not is_header(first[1]):
            ahead = [first]
            while len(ahead) <= TITLE_ROWS and (following := next(rows, None)) is not None:
                if is_header(following[1]):
                    _check_preamble(ahead)
                    first, ahead = following, []
                    break
                ahead.append(following)
            rows = itertools.chain(ahead[1:], rows)
        second = next(rows, None)
    except SheetError as exc:
        raise ImportFileError(str(exc)) from None
    # the data may be on another sheet (a cover sheet first, an empty Sheet1 before Sheet2): say which was read
    elsewhere = gettext("。本工作簿另有工作表{names}：导入读取名为“{prefer}”的工作表，没有时读取第一个可见的工作表，请把数据所在的工作表移到最前或改名为“{prefer}”").format(
        names="、".join(f"“{n}”" for n in sheet.others[:5]), prefer=prefer[0] if prefer else "") \
        if sheet.kind == "xlsx" and sheet.others and prefer else ""
    if first is None:
        raise ImportFileError((gettext("工作表“{name}”中没有数据").format(name=sheet.name) + elsewhere)
                              if sheet.kind == "xlsx" else gettext("文件中没有数据"))
    if second is None:
        where = gettext("工作表“{name}”").format(name=sheet.name) if sheet.kind == "xlsx" else gettext("文件")
        said = (gettext("{where}中没有数据：第{row}行是列名，其下没有数据行") if is_header is None or is_header(first[1])
                else gettext("{where}中没有数据：只有第{row}行一行内容，不是本模板的列名"))
        raise ImportFileError(said.format(where=where, row=first[0]) + elsewhere)
    rows = itertools.chain([second], rows)
    out = SheetData(sheet.name if sheet.kind == "xlsx" else "", [str(c) if c is not None else "" for c in first[1]],
                    list(sheet.skipped), sheet.fraction)
    out.header_row = first[0]
    out.extent = sheet.extent
    out.epoch = sheet.epoch
    hidden = sheet.hidden
    hidden.forget_covered_above(out.header_row)  # a title's merged cells are passed over, never read
    if any(row == out.header_row for row, *_ in hidden.covered):
        raise covered_refusal(out.header, hidden.covered, hidden.covered_count, out.header_row)

    def body():
        concealed: list[int] = []  # hidden rows holding data
        covered: dict[int, int] = {}  # a hidden column holding data → the first row it does
        try:
            for row in rows:
                if row[0] in hidden.rows:
                    concealed.append(row[0])
                    continue
                if hidden.columns:
                    cells = row[1]
                    for index in hidden.columns:
                        if index < len(cells) and index not in covered and _filled(cells[index:index + 1]):
                            covered[index] = row[0]
                out.count += 1
                if out.count > limits.rows:
                    raise ImportFileError(gettext("一次最多导入{rows:,}行，请分批导入").format(rows=limits.rows))
                yield row
        except SheetError as exc:
            raise ImportFileError(str(exc)) from None
        if concealed or covered:
            raise hidden_refusal(out.header, concealed, covered)
        merged = hidden.merged_over(out.header_row)
        if merged:
            raise merged_refusal(merged)
        if hidden.covered_count:
            raise covered_refusal(out.header, hidden.covered, hidden.covered_count, out.header_row)
        if hidden.unseen:
            raise unseen_refusal(hidden.unseen, hidden.unseen_count)

    out.rows = body()
    return out


def _check_preamble(rows: list) -> None:
    """Rows passed over above the header may say the figures' unit (“单位：万元”, “（金额单位：亿元）”,
    “单位：人民币万元；填报日期：…”, a title ending “（万元）”: ``cells.stated_units``): the columns
    are read in the unit their own names state (the template's, 元), so a multiple stated only up
    there would make every amount 10,000 times too small — refused, naming the row, rather than
    read in another unit than the office meant. “单位：元” (the template's own), “填报单位：经开区”
    (who fills it in) and “单位名录” (a title) pass."""
    from feidi.lib.cells import cell_shown
    from feidi.lib.cells import stated_units

    for number, cells in rows:
        for cell in cells:
            if cell is None or cell.__class__ is not str:
                continue
            for said, (_measure, multiple) in stated_units(cell):
                if multiple != 1:
                    raise ImportFileError(gettext("第{row}行注明了单位“{unit}”（“{text}”）：本平台只按各列列名中的单位读取数值（列名未注明单位的金额按元读取），不采用表格上方注明的单位。请把单位写进金额列的列名（如“计划总投资（万元）”），并删去该行的单位说明后再导入").format(
                        row=number, text=cell_shown(cell)[:60], unit=said))


def merged_refusal(ranges: list[str]) -> ImportFileError:
    """The refusal of a sheet with a range merged over two data rows or more: Excel shows its one
    value on every row it covers, but only the top-left cell holds it, and the other rows would
    be written without it."""
    return ImportFileError(gettext("{ranges} 是合并单元格：合并区域只有左上角有值，请取消合并并在每一行填写").format(
        ranges="、".join(ranges)))


def covered_refusal(header: list[str], cells: list[tuple[int, int, str, str]], count: int,
                    header_row: int) -> ImportFileError:
    """The refusal of a sheet with a value in a cell a merged range covers (all of it but its
    top-left cell), in the header or a data row: Excel shows the top-left value over the whole
    range, so the covered value — a column's name, a row's 法定代表人 — was seen by nobody, and the
    import would read it."""
    said = []
    for row, column, merged, value in cells:
        name = header[column].strip() if row > header_row and column < len(header) else ""
        said.append(gettext("第{row}行{letter}列{name}的“{value}”（被合并区域 {range} 遮住）").format(
            row=row, letter=column_letter(column), name=f"（{name}）" if name else "", value=value, range=merged))
    listed = "、".join(said)
    if count > len(cells):
        listed = gettext("{cells}等{count}个单元格").format(cells=listed, count=count)
    return ImportFileError(gettext("合并单元格下有看不到的内容：{cells}。合并区域只显示左上角单元格的值，被遮住的内容屏幕上看不到，导入时却会读入。请取消合并，核对这些内容后再导入；不需要的内容请先删除").format(
        cells=listed))


def unseen_refusal(cells: list[tuple[int, int, str]], count: int) -> ImportFileError:
    """The refusal of a sheet with non-blank cells whose number format shows them as nothing
    (";;;"): the person checking the sheet saw blank cells, the import would write their values."""
    said = "、".join(gettext("第{row}行{letter}列").format(row=row, letter=column_letter(column))
                    for row, column, _ in cells)
    if count > len(cells):
        said = gettext("{cells}等{count}个单元格").format(cells=said, count=count)
    codes = "、".join(f"“{code}”" for code in dict.fromkeys(code for *_, code in cells))
    return ImportFileError(gettext("{cells}的内容设置为不显示（单元格格式{codes}）：屏幕上看是空白，导入时却会写入。请把这些单元格的数字格式改为“常规”，核对内容后再导入；不需要的内容请先删除").format(
        cells=said, codes=codes))


def hidden_refusal(header: list[str], rows: list[int], columns: dict[int, int]) -> ImportFileError:
    """The refusal of a sheet whose hidden rows (a filter's, or hidden by hand) or hidden columns
    hold data: the file would write what the person who checked it on screen did not see."""
    parts = []
    if rows:
        listed = "、".join(str(r) for r in rows[:10])
        parts.append(gettext("第{rows}行被隐藏").format(rows=listed) if len(rows) <= 10 else
                     gettext("第{rows}等{count}行被隐藏").format(rows=listed, count=len(rows)))
    for index, row in sorted(columns.items()):
        name = header[index].strip() if index < len(header) else ""
        parts.append(gettext("{letter}列{name}被隐藏（第{row}行起有数据）").format(
            letter=column_letter(index), name=f"“{name}”" if name else "", row=row))
    return ImportFileError(gettext(
        "表格中有隐藏的内容，导入时会一并写入：{parts}。请取消筛选和隐藏（行高或列宽几乎为零的行、列也看不见，请调整行高、列宽），核对这些内容后再导入；不需要的行或列请先删除").format(
        parts="；".join(parts)))


def unnamed_data(header: list[str], row: int, cells: list) -> ImportFileError | None:
    """The refusal of a row holding data in a column without a header (a blank header cell, the
    second column of a merged header, a column right of the header): such data would be dropped
    unseen."""
    from feidi.lib.cells import normalize_label
    from feidi.lib.cells import shown

    for index, value in enumerate(cells):
        if value is None or (value.__class__ is str and not value.strip()):
            continue
        if index < len(header) and normalize_label(header[index]):
            continue
        return ImportFileError(gettext("{letter}列没有列名，但第{row}行该列有数据“{value}”：请填写列名或删除该列（合并的列名单元格请取消合并）").format(
            letter=column_letter(index), row=row, value=shown(value, 20)))
    return None


def survey(data: bytes, prefer: tuple[str, ...], limits: Limits, is_header=None) -> int:
    """Read the whole sheet once, before anything is checked or written: the rows are counted (a
    file beyond ``limits.rows`` is refused for the price of a read, never after writing the rows
    it may hold) and a row with data under no header refuses the file. Returns the rows."""
    sheet = read_sheet(data, prefer, limits, is_header)
    unnamed = [i for i, h in enumerate(sheet.header) if not h.strip()]
    width = len(sheet.header)
    for excel_row, cells in sheet.rows:
        if len(cells) > width or (unnamed and any(cells[i] is not None for i in unnamed if i < len(cells))):
            refusal = unnamed_data(sheet.header, excel_row, cells)
            if refusal is not None:
                raise refusal
    return sheet.count


def cell_text(value) -> str:
    """A cell as the text a person typed: integral floats without '.0', other floats as Excel
    shows them (15 significant digits: 0.3, never 0.30000000000000004), dates as ISO, invisible
    characters dropped and the width kept (a name's full-width brackets and a list's ① are the
    text's, as a form keeps them: a lookup compares folded, ``cells.fold``; a code's field folds
    its width, ``is_code``), a code's text-prefix apostrophe ('913611…) dropped; a formula without a
    cached value, an error, a boolean (TRUE is no text anybody typed: read as text it would be
    stored as 是), a time or a duration (``cells.TimeCell``: 12:00 is no name, and Python's
    "1 day, 6:00:00" nobody's) and a text longer than an Excel cell holds (``cells.CELL_CHARS``)
    are refused."""
    from feidi.lib.cells import CELL_CHARS
    from feidi.lib.cells import INVISIBLE
    from feidi.lib.cells import check_digits
    from feidi.lib.cells import number_text
    from feidi.lib.cells import refuse_time
    from feidi.lib.cells import shown
    from feidi.lib.cells import width_fold
    from feidi.lib.spreadsheet import ErrorCell
    from feidi.lib.spreadsheet import FormulaCell

    if value is None:
        return ""
    if isinstance(value, FormulaCell):
        raise ValueError(gettext(FORMULA))
    if isinstance(value, ErrorCell):
        raise ValueError(gettext(ERROR_CELL).format(code=value.code))
    if isinstance(value, bool):
        raise ValueError(gettext(BOOLEAN).format(shown=shown(value)))
    refuse_time(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(check_digits(value, as_text=True)))
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(gettext("不是有限的数字"))
        return number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    value = str(value)
    if len(value) > CELL_CHARS:
        raise ValueError(gettext("内容有{length:,}个字符，超过 Excel 单元格的上限（{limit:,}个字符）：请精简后再导入").format(
            length=len(value), limit=CELL_CHARS))
    text = value.translate(INVISIBLE).strip()
    prefixed = TEXT_PREFIXED.match(width_fold(text))
    return prefixed.group(1) if prefixed is not None else text


def is_code(field_obj) -> bool:
    """A form field whose text is a code or an address written in ASCII — an e-mail, a web
    address, a slug, an IP, or text a pattern checks (a regular expression validator) — rather than
    words: a file's full-width ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｃｏｍ is read as the address it spells."""
    from django.core.validators import RegexValidator

    return isinstance(field_obj, (forms.EmailField, forms.URLField, forms.SlugField, forms.GenericIPAddressField)) or any(
        isinstance(v, RegexValidator) for v in field_obj.validators)


def _remembered(to_python, memo: dict, name: str):
    def fetch(value):
        if value in forms.Field.empty_values:
            return to_python(value)
        key = (name, str(value))
        if key not in memo:
            if len(memo) >= MEMO:
                memo.clear()
            memo[key] = to_python(value)  # a refusal (ValidationError) is not remembered
        return memo[key]
    return fetch


class TemplateBook:
    """An import template being written: the sheet of columns with its formats — a header
    (``head``), a required one (``need``, in red), text cells (``text``: Excel keeps a long code as
    typed) — and, when finished, the sheet of notes (填写说明)."""

    def __init__(self, sheet_name: str):
        from .exports import workbook

        self.buffer = io.BytesIO()
        self.book = workbook(self.buffer)
        self.sheet = self.book.add_worksheet(sheet_name)
        self.head = self.book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
        self.need = self.book.add_format({"bold": True, "bg_color": "#FDE8E8", "border": 1})
        self.text = self.book.add_format({"num_format": "@"})

    def finish(self, *notes: str) -> bytes:
        sheet = self.book.add_worksheet(gettext("填写说明"))
        for row, note in enumerate(notes):
            sheet.write(row, 0, note)
        self.book.close()
        return self.buffer.getvalue()


class _OutsideScope(Exception):
    """A chunk written outside the importing user's scope: rolled back, its rows reported."""


class Importer:
    """Subclass with ``form_class`` (``model`` is its model unless given), ``columns`` (header →
    form field, in template order), ``unique_in_file`` (fields no two rows may share — a field, or a
    tuple of fields whose values together; text compared folded and case-blind, as people read it),
    ``unique_stored`` (the natural keys no row may share with a stored record: a model without a
    constraint of its own that the form checks) and ``action``, the domain ``do_save_<model>``
    that writes one record."""

    model = None
    form_class: type[forms.ModelForm] = None
    columns: dict[str, str] = {}
    required_headers: tuple[str, ...] = ()
    unique_in_file: tuple[str | tuple[str, ...], ...] = ()
    # natural keys (tuples of fields, compared as ``_key_text`` does) no row may share with a record
    # already stored — the same data imported again, in another file (CRLF, .xlsx) — each also
    # in ``unique_in_file``; refused row by row
    unique_stored: tuple[tuple[str, ...], ...] = ()
    # field → the fields whose value makes it not apply (重点级别 by 重点项目): named when a row's
    # cell is discarded by the record's own rules (``_discarded``)
    decided_by: dict[str, tuple[str, ...]] = {}
    title = ""
    example: dict[str, str] = {}
    limits = LIMITS
    confirms_warnings = False  # rows are refused or written; no warnings to confirm
    reads_months = False
    intro = _("请按模板填写后上传。")

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return (self.title, f"{self.title}导入")

    @property
    def shown_sheet_names(self) -> tuple[str, ...]:
        """The sheet names as the rules state them, in the user's language (the template's sheet is
        named so; a sheet of another name is still read when it is the first visible one)."""
        title = gettext(self.title)
        return tuple(dict.fromkeys(title if name == self.title else gettext("{title}导入").format(title=title)
                                   if name == f"{self.title}导入" else name for name in self.sheet_names))

    @property
    def permission(self) -> str:
        return f"{self.model._meta.app_label}.add_{self.model._meta.model_name}"

    @property
    def list_url(self) -> str:
        return f"{self.model._meta.app_label}:{self.model._meta.model_name}_list"

    action = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is None and cls.form_class is not None:
            cls.model = cls.form_class._meta.model

    def save(self, form, user):
        return type(self).action(form.instance, acting_user=user)

    def initial_instance(self, user):
        obj = self.model()
        if hasattr(obj, "department_id") and user.department_id:
            obj.department_id = user.department_id
        return obj

    # --- template --------------------------------------------------------------------------
    def template_bytes(self) -> bytes:
        book = TemplateBook(gettext(self.title)[:31] or gettext("导入"))
        sheet, head, need, text = book.sheet, book.head, book.need, book.text
        form = self.form_class(user=None)
        for i, (header, name) in enumerate(self.columns.items()):
            required = form.fields[name].required
            sheet.write_string(0, i, header + ("*" if required else ""), need if required else head)
            sheet.set_column(i, i, max(12, len(header) * 2 + 4), text)
            help_text = str(form.fields[name].help_text or "")
            choices = getattr(form.fields[name], "choices", None)
            if choices and not isinstance(form.fields[name], forms.ModelChoiceField):
                help_text = gettext("可选：") + "、".join(str(label) for value, label in choices if value != "")
            if help_text:
                sheet.write_comment(0, i, help_text)
            if header in self.example:
                sheet.write_string(1, i, self.example[header], text)
        sheet.freeze_panes(1, 0)
        return book.finish(
            gettext("带 * 的列必填；第2行是示例，导入前请删除或覆盖。任何一行有错误时整个文件都不会导入，并列出每行的错误。"),
            gettext("代码类列（统一社会信用代码、行业代码）请保持“文本”格式，避免 Excel 把长数字改成科学计数。"))

    # --- import ----------------------------------------------------------------------------
    def _choice_value(self, field_obj, text: str, typed: str | None = None):
        """Accept a choice's label (企业) as well as its value (enterprise); a related record by its
        name or id, among the rows the user may see. ``text`` is the cell folded (``cell_text``),
        ``typed`` as written: a name is found by either, and by both sides folded."""
        from feidi.lib.cells import fold

        if isinstance(field_obj, forms.BooleanField):
            # A checkbox would read any non-empty text (even 否) as ticked: accept only yes/no words.
            word = fold(text).strip().lower()
            if not word:
                return ""  # blank: the field's default (``_unsaid``)
            if word in YES:
                return True
            if word in NO:
                return False
            raise ValueError(gettext("请填写“是”或“否”"))
        if not text:
            return ""
        if isinstance(field_obj, forms.ModelChoiceField):
            # a file repeats its parks and segments: each text is looked up once per run
            memo = self.__dict__.setdefault("_lookups", {})
            key = (id(field_obj), text, typed)
            if key not in memo:
                if len(memo) >= MEMO:
                    memo.clear()
                memo[key] = self._related_value(field_obj, text, typed)
            return memo[key]
        if isinstance(field_obj, forms.ChoiceField):
            # each field's choices by their value and label, as written and folded: once per run
            names = self.__dict__.setdefault("_choice_names", {})
            if id(field_obj) not in names:
                found: dict[str, object] = {}
                for value, label in reversed(list(field_obj.choices)):  # the first choice named wins
                    for name in (fold(label).strip(), fold(value).strip(), str(label), str(value)):
                        found[name] = value  # a choice's value wins over its label
                names[id(field_obj)] = found
            return names[id(field_obj)].get(text, text)
        return text

    FOLDED_INDEX = 20_000  # a related table up to this many rows is matched by its names folded

    def _related_value(self, field_obj, text: str, typed: str | None = None):
        """A related record by its import name, name, label or id, among the rows the user may see:
        first as written and as folded, then — a name stored with full-width punctuation
        (“上饶（国家级）经开区”) compared with the cell both folded — against the names of the
        rows the user may see, folded once per run."""
        from feidi.lib.cells import fold

        qs = field_obj.queryset
        model = qs.model
        fields = [lookup for lookup in ("name", "label", "username", "title", "number", "short_name")
                  if any(f.name == lookup for f in model._meta.fields)]
        for candidate in dict.fromkeys(c for c in (typed, text) if c):
            if hasattr(model, "import_lookup"):  # e.g. "锂电新能源·电芯" for a segment
                found = model.import_lookup(qs, candidate)
                if found is not None:
                    return found
            for lookup in fields[:3]:
                found = list(qs.filter(**{lookup: candidate}).values_list("pk", flat=True)[:2])
                if len(found) == 1:
                    return found[0]
        if text.isdigit() and qs.filter(pk=int(text)).exists():
            return int(text)
        indexes = self.__dict__.setdefault("_folded", {})
        if id(field_obj) not in indexes:
            index: dict[str, set] = {}
            if fields and qs.count() <= self.FOLDED_INDEX:
                for pk, *names in qs.values_list("pk", *fields).iterator():
                    for name in names:
                        if name:
                            index.setdefault(fold(name).strip(), set()).add(pk)
            indexes[id(field_obj)] = index
        found = indexes[id(field_obj)].get(fold(text).strip(), ())
        if len(found) == 1:
            return next(iter(found))
        return text  # the form reports it as an invalid choice, naming the value

    synonyms: dict[str, str] = {}  # other names a column goes by → the template's header

    def _positions(self, header: list[str]) -> tuple[dict[str, int], dict[str, object]]:
        """Template header → column index, matched on the normalised label (full-width folded,
        spaces, marks and the unit in brackets dropped, ``synonyms``), with the unit each header
        states: (multiple, measure) per numeric column. A column the template does not know
        refuses the file, listed; so does a unit that is not the template's (美元 for 元, 万人 for
        a rate) or that nobody here knows — read as the template's it would be silently wrong."""
        from feidi.lib.cells import normalize_label
        from feidi.lib.cells import unit_of

        wanted = {normalize_label(h): h for h in self.columns}
        wanted.update({normalize_label(alias): h for alias, h in self.synonyms.items()})
        probe = self.form_class(user=None)
        positions, units, unknown = {}, {}, []
        for index, raw in enumerate(header):
            label = normalize_label(raw)
            if not label:
                continue
            target = wanted.get(label)
            if target is None:
                unknown.append(str(raw))
                continue
            if target in positions:
                raise ImportFileError(gettext("第{value}列“{raw}”与第{value2}列是同一列").format(
                    value=index + 1, raw=raw, value2=positions[target] + 1))
            positions[target] = index
            numeric = isinstance(probe.fields[self.columns[target]], NUMERIC)
            if not numeric:
                unit = unit_of(raw)
                if unit is not None and unit_of(target) is None:
                    raise ImportFileError(gettext("第{value}列“{raw}”不是金额列，不能注明货币单位").format(
                        value=index + 1, raw=raw))
                continue
            units[target] = self._unit(index, raw, target)
        if unknown:
            if len(header) - header.count("") <= 1:
                raise ImportFileError(gettext("第{row}行“{title}”不是列名：列名（表头）应在第1行，请删除表格上方的标题行后再导入").format(
                    row=getattr(self, "_header_row", 1), title=unknown[0][:50]))
            raise ImportFileError(gettext("文件中有模板之外的列：{join}。请使用导入模板的列名（{join2}），金额列可注明单位如“（万元）”").format(
                join='、'.join(unknown), join2='、'.join(self.columns)))
        return positions, units

    @staticmethod
    def _unit(index: int, raw: str, target: str) -> tuple:
        """(multiple or None, measure) of a numeric column whose header in the file is ``raw`` and
        in the template ``target``."""
        from feidi.lib.cells import header_unit

        expected = header_unit(target)
        try:
            stated = header_unit(raw)
        except ValueError as exc:
            raise ImportFileError(gettext("第{value}列“{raw}”：{exc}，请使用模板的单位{unit}").format(
                value=index + 1, raw=raw, exc=exc,
                unit=gettext("（{unit}）").format(unit=expected[0]) if expected else "")) from None
        if stated is None:
            return None, expected[0] if expected else None
        measure, multiple = stated
        if expected is None:
            if measure == "元":
                raise ImportFileError(gettext("第{value}列“{raw}”不是金额列，不能注明货币单位").format(
                    value=index + 1, raw=raw))
            if measure == "%" and multiple != 1:
                raise ImportFileError(gettext("第{value}列“{raw}”的单位无法识别").format(value=index + 1, raw=raw))
            return (multiple if multiple != 1 else None), (measure or None)
        if measure not in ("", expected[0]) or (expected[0] == "%" and multiple != 1):
            raise ImportFileError(gettext("第{value}列“{raw}”的单位与模板的单位（{unit}）不符").format(
                value=index + 1, raw=raw, unit=expected[0]))
        factor = multiple / expected[1]
        return (factor if factor != 1 else None), expected[0]

    def _value(self, field_obj, raw, unit, name: str = ""):
        """A cell for the form: numbers and dates read the way offices write them (a number in the
        header's unit converted, finite and within the column's digits and places), dates within
        their plausible range, text without invisible or control characters. ``unit`` is the
        column's (multiple, measure). A boolean cell (TRUE/FALSE) is a yes/no column's value and
        no other column's."""
        from feidi.lib.cells import clean_text
        from feidi.lib.cells import fit
        from feidi.lib.cells import parse_date
        from feidi.lib.cells import parse_month
        from feidi.lib.cells import parse_number
        from feidi.lib.cells import shown
        from feidi.lib.cells import width_fold

        from .fields import MonthFormField

        if raw.__class__ is bool:
            if isinstance(field_obj, forms.BooleanField):
                return raw
            raise ValueError(gettext(BOOLEAN).format(shown=shown(raw)))
        if isinstance(field_obj, NUMERIC):
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                return ""
            cell_text(raw) if not isinstance(raw, (int, float)) else None  # a formula or an error is refused here
            multiple, measure = unit if isinstance(unit, tuple) else (unit, None)
            number = parse_number(raw, unit=multiple, measure=measure)
            integral = isinstance(field_obj, forms.IntegerField) and not isinstance(
                field_obj, (forms.DecimalField, forms.FloatField))  # Django's DecimalField is an IntegerField
            if integral and number is not None:  # a whole number, held as a money column's digits are
                return str(int(fit(number, None, 0)))
            if isinstance(field_obj, forms.DecimalField):
                number = fit(number, field_obj.max_digits, field_obj.decimal_places)
            # the number as its digits, never its trailing zeros: 12.345万 is 123450.000 as computed,
            # and the form would count those zeros as decimal places beyond its column's
            return "" if number is None else format(number.normalize(), "f")
        if isinstance(field_obj, forms.DateField):
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                return ""
            cell_text(raw)
            epoch = getattr(self, "_epoch", EXCEL_EPOCH)  # a plain number counted in the workbook's date system
            if isinstance(field_obj, MonthFormField):  # 2025年12月, 2025-12, a date of the month
                return parse_month(raw, epoch=epoch).isoformat()
            latest = timezone.localdate() if name in PAST_DATES else None
            return parse_date(raw, latest=latest, epoch=epoch).isoformat()
        text = cell_text(raw)
        if is_code(field_obj):  # an address, a code: its characters are ASCII whatever the input method typed
            text = width_fold(text)
        if isinstance(field_obj, (forms.ChoiceField, forms.BooleanField)):
            typed = clean_text(str(raw)).strip() if isinstance(raw, str) else None
            return self._choice_value(field_obj, clean_text(text), typed)
        return clean_text(text, multiline=isinstance(field_obj.widget, forms.Textarea))

    def run(self, data: bytes, user, *, filename: str = "", confirmed: bool = False, progress=None) -> ImportResult:
        """Read, check and write the rows a chunk (``CHUNK`` rows) at a time, all in one
        transaction that is kept only when every row passed — else rolled back, with the report.
        While no row has failed, each chunk is written as soon as it is checked (nothing is
        checked twice); after the first bad row the rest is only checked, for the report.

        Held at any time: one chunk's rows and its checked records, the reports kept
        (``RowReports``), the texts looked up (``MEMO``), and across the whole file the values
        no two rows may share (``unique_in_file``): one str and one int a row in a dict, ~150
        bytes for an 18-character code, 7.5 MB at the 50,000-row cap. ``progress``
        (``core.progress.Reporter``) hears the phases and the counts."""
        from .progress import Quiet

        progress = progress or Quiet()
        progress.phase(gettext("读取文件"))
        sheet = read_sheet(data, prefer=self.sheet_names, limits=self.limits, is_header=self._is_header)
        self._header_row, self._epoch = sheet.header_row, sheet.epoch
        result = ImportResult(sheet=sheet.said)
        positions, units = self._positions(sheet.header)
        self._headed = {h: " ".join(str(sheet.header[i]).replace("*", "").replace("＊", "").split()) or h
                        for h, i in positions.items()}
        probe = self.form_class(user=user)
        missing = [h for h, name in self.columns.items()
                   if h not in positions and (probe.fields[name].required or h in self.required_headers)]
        if missing:
            raise ImportFileError(gettext("缺少必需的列：{join}（请使用导入模板）").format(join="、".join(missing)))
        # the whole sheet read once before any row is checked or written (ADR 0010 keeps the check
        # and the write of a chunk together in the transaction): a file over the row limit, or
        # with data under no header, is refused for the price of a read, holding no lock
        if not sheet.surveyed(self.limits):
            survey(data, self.sheet_names, self.limits, self._is_header)
        progress.phase(gettext("检查"), sheet.estimate())
        self.seen: dict[str, dict[str, int]] = {name: {} for name in self.unique_in_file}
        ctx = current()
        with acting("import", ctx.address, ctx.user_agent), transaction.atomic():
            for chunk in sheet.chunks(CHUNK):
                self.prepare(chunk, positions, user)
                checked = self.check(chunk, positions, units, probe, user, result.errors)
                if checked and not result.errors:
                    try:
                        with transaction.atomic():  # a conflict is reported; the rows after it are still checked
                            written = self.save_all(checked, user)
                            outside = self.outside_scope(written, user)
                            if outside:  # rolled back with the chunk; the rows after it are still checked
                                for error in outside:
                                    result.errors.append(error)
                                raise _OutsideScope
                            result.created += len(written)
                    except _OutsideScope:
                        pass
                    except (ValidationError, IntegrityError) as exc:
                        row, message = getattr(exc, "import_row", 0), "；".join(getattr(exc, "messages", [str(exc)]))
                        result.errors.append(RowError(row, "", "", message if row else gettext("保存时与已有数据冲突：{message}").format(message=message)))
                progress.advance(sheet.count, total=sheet.estimate(), written=result.created)
            result.total = sheet.count
            progress.advance(sheet.count, total=sheet.count, written=result.created)
            if result.errors:
                transaction.set_rollback(True)
                result.created = 0
                return result
            progress.phase(gettext("写入"), result.created)
            progress.advance(result.created)
        result.applied = True
        return result

    def _is_header(self, cells: list) -> bool:
        """Whether a row is this template's header: two of its cells name its columns."""
        from feidi.lib.cells import normalize_label

        known = self.__dict__.get("_labels")
        if known is None:
            known = self._labels = {normalize_label(h) for h in (*self.columns, *self.synonyms)}
        return sum(1 for c in cells if c is not None and normalize_label(c) in known) >= min(2, len(self.columns))

    @staticmethod
    def _key_text(values) -> str:
        """A natural key's values as compared: a record by its id, text as every entry path
        compares a name (``cells.key_text``: NFKC, whitespace collapsed, case-blind — PV and ｐｖ
        are one term, “年产  项目” and “年产　项目” one name), joined; "" when the last is blank —
        the field that names the record within the others (a project's name in its zone, an item's
        number in its policy): without it the row has no such key."""
        from django.db import models

        from feidi.lib.cells import key_text

        parts = [str(v.pk) if isinstance(v, models.Model) else "" if v is None else key_text(v)
                 for v in values]
        return "\x1f".join(parts) if parts and parts[-1] else ""

    @classmethod
    def _unique_text(cls, cleaned: dict, name: str | tuple[str, ...]) -> str:
        """The value (or values) of a ``unique_in_file`` key as compared: a single field as given
        (a code, a name); a tuple's as ``_key_text`` compares them."""
        if isinstance(name, str):
            value = cleaned.get(name)
            return "" if value is None else str(value)
        return cls._key_text([cleaned.get(n) for n in name])

    def first_row(self, name: str, value: str) -> int | None:
        """The row that first gave ``value`` to the ``unique_in_file`` field ``name``, if any."""
        return self.seen[name].get(value)

    def _unsaid(self, probe) -> dict:
        """A yes/no field's value where its cell is blank or its column left out: the record's default
        (有效 is 是 unless said otherwise), not the 否 an unticked box would read. Once a run."""
        found = self.__dict__.get("_unsaid_values")
        if found is None:
            found = self._unsaid_values = {}
            for name, form_field in probe.fields.items():
                if isinstance(form_field, forms.BooleanField):
                    initial = form_field.initial() if callable(form_field.initial) else form_field.initial
                    found[name] = bool(initial)
        return found

    def check(self, chunk, positions: dict[str, int], units: dict, probe, user, errors: RowReports) -> list:
        """The chunk's rows that pass, as (row, ``Checked``); the others are reported in ``errors``.
        A value is reported as its cell shows it in Excel (``cells.shown``), whichever the check."""
        from feidi.lib.cells import shown

        # a column is reported under the name the file gives it ("计划总投资(万元)"), not the template's
        headed = getattr(self, "_headed", {})
        labels = {name: headed.get(h, h) for h, name in self.columns.items()}
        checked = []
        form = getattr(self, "_form", None)
        example = self._example_at(positions)
        for excel_row, cells in chunk:
            if example and self._is_example(cells, example):
                index = example[0][0]
                errors.append(RowError(excel_row, labels[self.columns[example[0][2]]],
                                       shown(cells[index] if index < len(cells) else None), gettext(EXAMPLE_ROW)))
                continue
            data_row, bad, failed, raws = {}, False, set(), {}
            for header_text, index in positions.items():
                name = self.columns[header_text]
                raw = raws[name] = cells[index] if index < len(cells) else None
                try:
                    data_row[name] = self._value(probe.fields[name], raw, units.get(header_text), name)
                except (ValueError, ArithmeticError) as exc:  # every cell's failure is its row's, in Chinese
                    message = str(exc) if isinstance(exc, ValueError) and str(exc) else gettext("无法读取该值")
                    errors.append(RowError(excel_row, headed.get(header_text, header_text), shown(raw), message))
                    bad = True
                    failed.add(name)
                    data_row[name] = ""
                    continue
            for name, default in self._unsaid(probe).items():
                if data_row.get(name, "") == "":
                    data_row[name] = default
            form = self._form = self.bind(form, data_row, user)
            if not form.is_valid():
                for name, problems in form.errors.as_data().items():
                    if name in failed:  # one error a cell: its value's, not also 必填
                        continue
                    for problem in problems:
                        # a record's own rule (a unique constraint …) names its fields: the columns are said
                        fields = [name] if name in labels else [
                            n for n in (getattr(problem, "params", None) or {}).get("unique_check", ()) if n in labels]
                        column = "、".join(labels[n] for n in fields)
                        value = " · ".join(shown(raws.get(n, data_row.get(n, ""))) for n in fields)
                        for message in problem.messages:
                            if problem.code == "invalid_choice":
                                message = gettext("“{value}”不是有效的选项：没有找到，或不在您可选的范围内").format(
                                    value=shown(raws.get(name, data_row.get(name, "")), 30))
                            errors.append(RowError(excel_row, column, value, message))
                continue
            if bad:
                continue
            if self._discarded(form, raws, labels, excel_row, errors):
                continue
            for name in self.unique_in_file:
                text = self._unique_text(form.cleaned_data, name)
                first = self.seen[name].get(text) if text else None
                if first is not None:
                    if not bad:  # one report a row, by its first key that repeats
                        column, shown_value = self._said_key(form.cleaned_data, name, labels)
                        errors.append(RowError(excel_row, column, shown_value, gettext("与第{value}行重复").format(
                            value=first)))
                    bad = True
                elif text:
                    self.seen[name][text] = excel_row
            if not bad:
                checked.append((excel_row, Checked(form.instance, dict(form.cleaned_data))))
        return self._not_stored(checked, labels, errors) if self.unique_stored and checked else checked

    def _discarded(self, form, raws: dict, labels: dict[str, str], excel_row: int, errors: RowReports) -> bool:
        """Whether the record's own rules (``Model.clean``) emptied a value the row's cell gave, as
        a project not 重点 drops its 重点级别: the file says something the record will not keep.
        Each such cell is its row's error, naming the columns that decide it (``decided_by``), as
        a value in a field another makes irrelevant is refused on a page (a policy item's amount
        rule): the row is refused, never written without it."""
        from feidi.lib.cells import shown

        found = False
        for name, label in labels.items():
            raw = raws.get(name)
            if raw is None or (raw.__class__ is str and not raw.strip()):
                continue
            if form.cleaned_data.get(name) in (None, "") or not hasattr(form.instance, name):
                continue
            try:
                field_obj = form.instance._meta.get_field(name)
            except Exception:  # a form field that is no model field: the record keeps nothing of it
                continue
            if field_obj.many_to_many or getattr(form.instance, field_obj.attname) not in (None, ""):
                continue
            deciding = [n for n in self.decided_by.get(name, ()) if n in labels]
            if deciding:
                said = "、".join(gettext("“{column}”为“{value}”").format(
                    column=labels[n], value=shown(raws.get(n) if raws.get(n) is not None else form.cleaned_data.get(n)))
                    for n in deciding)
                message = gettext("{said}时不填“{column}”：该值不会保存。请删除该值，或核对{said2}").format(
                    said=said, column=label, said2="、".join(f"“{labels[n]}”" for n in deciding))
            else:
                message = gettext("按本行其他列的填写，“{column}”不适用，该值不会保存：请删除该值或核对相关列").format(column=label)
            errors.append(RowError(excel_row, label, shown(raw), message))
            found = True
        return found

    EXAMPLE_COLUMNS = 3  # the example's columns a file must have for a row to be taken for the example

    def _example_at(self, positions: dict[str, int]) -> list[tuple[int, str, str]]:
        """(column index, the example's text as compared, header) of the template's example row
        (``example``) for the columns the file has — none when it has fewer than
        ``EXAMPLE_COLUMNS`` of them (a term and a yes alone are no example)."""
        from feidi.lib.cells import fold

        found = self.__dict__.get("_example_cells")
        if found is None or found[0] is not positions:
            at = [(positions[h], fold(v).strip().casefold(), h) for h, v in self.example.items() if h in positions]
            found = self._example_cells = (positions, at if len(at) >= min(self.EXAMPLE_COLUMNS, len(self.example)) else [])
        return found[1]

    @staticmethod
    def _is_example(cells: list, example: list[tuple[int, str, str]]) -> bool:
        """Whether a row holds the template's example in every column of it the file has, each cell
        compared as it is read (``cell_text``, folded): the template uploaded unchanged."""
        from feidi.lib.cells import fold

        for index, wanted, _header in example:
            try:
                text = cell_text(cells[index] if index < len(cells) else None)
            except ValueError:
                return False
            if fold(text).strip().casefold() != wanted:
                return False
        return True

    @staticmethod
    def _said_key(cleaned: dict, name: str | tuple[str, ...], labels: dict[str, str]) -> tuple[str, str]:
        """(the columns, the values) of a key as a report says them."""
        from feidi.lib.cells import shown

        names = (name,) if isinstance(name, str) else name
        return "、".join(labels[n] for n in names), " · ".join(shown(cleaned.get(n) or "") for n in names)

    def _not_stored(self, checked: list, labels: dict[str, str], errors: RowReports) -> list:
        """The rows of ``checked`` none of whose ``unique_stored`` keys a stored record has; the
        others reported (one query a key for the chunk). Rows written by an earlier chunk of the
        same file are the file's duplicates, caught before (``unique_in_file`` holds every
        ``unique_stored`` key)."""
        from django.db import models

        clashing: set[int] = set()
        for key in self.unique_stored:
            rows = [(excel_row, item, self._key_text([item.cleaned_data.get(n) for n in key]))
                    for excel_row, item in checked if excel_row not in clashing]
            rows = [row for row in rows if row[2]]
            if not rows:
                continue
            stored = self.model._default_manager.all()
            related = [n for n in key if isinstance(self.model._meta.get_field(n), models.ForeignKey)]
            for n in related or key[:1]:  # the records of the rows' parents; without one, of the same text
                stored = stored.filter(**{f"{n}__in": {
                    (v.pk if isinstance(v, models.Model) else v) for _, item, _ in rows
                    if (v := item.cleaned_data.get(n)) is not None}})
            found = {self._key_text(values) for values in stored.values_list(*key).iterator()}
            for excel_row, item, text in rows:
                if text in found:
                    column, value = self._said_key(item.cleaned_data, key, labels)
                    errors.append(RowError(excel_row, column, value, gettext(
                        "系统中已有{columns}相同的记录，未再次导入：已导入的记录请在其页面修改").format(columns=column)))
                    clashing.add(excel_row)
        return [(excel_row, item) for excel_row, item in checked if excel_row not in clashing]

    # --- hooks for volume ------------------------------------------------------------------------
    def prepare(self, chunk, positions, user) -> None:
        """Before a chunk of rows is checked: load once what its rows would look up (an importer
        of many rows overrides this to fetch, say, the existing codes in one query)."""

    def bind(self, form, data_row: dict, user):
        """The form checking this row. One form is made per run and bound to each row in turn
        (its fields copied and its choices scoped once, not 20,000 times); each row gets a fresh
        instance, and its errors and cleaned data are its own."""
        if form is None:
            return self.make_form(data_row, user)
        form.data, form.is_bound, form._errors = data_row, True, None
        form.instance = self.initial_instance(user)
        form._bound_fields_cache = {}
        return form

    def make_form(self, data_row: dict, user, **kwargs):
        """The row's form; a related row named by many rows (the park, the segment) is fetched
        once per run, not once a row."""
        form = self.form_class(data_row, instance=self.initial_instance(user), user=user, **kwargs)
        memo = self.__dict__.setdefault("_related", {})
        for name, form_field in form.fields.items():
            if isinstance(form_field, forms.ModelChoiceField) and not isinstance(
                    form_field, forms.ModelMultipleChoiceField):
                form_field.to_python = _remembered(form_field.to_python, memo, name)
        return form

    def save_all(self, checked, user) -> list[tuple[int, object]]:
        """Write a chunk's checked rows (inside the import's transaction); returns each row's number
        with the record written. One domain action per row here; an importer of many rows
        overrides it with bulk writes."""
        written = []
        for excel_row, form in checked:
            try:
                written.append((excel_row, self.save(form, user) or form.instance))
            except ValidationError as exc:
                exc.import_row = excel_row
                raise
        return written

    def outside_scope(self, written: list[tuple[int, object]], user) -> list[RowError]:
        """The rows whose record, as written, lands outside what ``user`` may add
        (``ScopedQuerySet.lands_within``, as a page's or the API's save is held,
        ``core.actions.refuse_outside_scope``): a park one only sees named in a row is no place to
        file a record into. One query a chunk; each such row reported with the unit it would
        belong to."""
        model = self.model
        if user is None or not written or getattr(model, "scope", None) is None \
                or not hasattr(model.objects, "lands_within"):
            return []
        pks = [obj.pk for _, obj in written]
        landed = set(model.objects.lands_within(user, "add").filter(pk__in=pks).values_list("pk", flat=True))
        # the column that places the record: its first relation to a scoped record (the park, the segment)
        header, name = next(((h, n) for h, n in self.columns.items()
                             if getattr(getattr(model._meta.get_field(n), "related_model", None), "scope", None)),
                            ("", ""))
        out = []
        for excel_row, obj in written:
            if obj.pk not in landed:
                department = getattr(obj, "department", None) if hasattr(obj, "department_id") else None
                said = getattr(obj, name, None) if name else None
                out.append(RowError(excel_row, self._headed.get(header, header), str(said or department or ""), gettext(
                    "该行的{verbose_name}将属于“{department}”，不在您可新增的数据范围内").format(
                        verbose_name=model._meta.verbose_name, department=department or gettext("（无所属部门）"))))
        return out
