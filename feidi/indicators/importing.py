"""Monthly values from an .xlsx sheet: one row per enterprise and month, one column per indicator.

A province's month-end is 200,000 rows; memory stays bounded by the chunk (``CHUNK`` rows), not
the file, in two passes:

1. the sheet is streamed (``core.importer.read_sheet``) and each chunk's rows are checked on their
   own — the enterprise by its credit code among those the user may see, the month, every value —
   and the good ones staged, parsed, in a temporary table (``core.staging``);
2. inside one transaction the staged rows are read back by enterprise and month, whole
   enterprises a chunk at a time: a second row of an enterprise's month is a duplicate, and each
   value is checked against its neighbouring months (the stored ones, read for the chunk's
   enterprises in one query, and the file's own, which count as neighbours of each other). While
   the file is clean so far — no error, and no warning unless the uploader confirmed them (a value
   replacing a stored one is such a warning, old → new, and the audit keeps both) — each
   chunk's values are upserted at once (``actions.BulkWrite``); the cells are recomputed at the
   end.

Any error refuses the whole file with a row-by-row report (the first ``KEPT`` rows, all counted);
warnings are listed and the file waits for its uploader's confirmation; either way the
transaction is rolled back and nothing is kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterator
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop

from feidi.core import audit
from feidi.core.context import acting
from feidi.core.context import current
from feidi.core.importer import CHUNK
from feidi.core.importer import ERROR_CELL
from feidi.core.importer import FORMULA
from feidi.core.importer import MEMO
from feidi.core.importer import ImportFileError
from feidi.core.importer import ImportResult
from feidi.core.importer import Limits
from feidi.core.importer import RowError
from feidi.core.importer import RowReports
from feidi.core.importer import TemplateBook
from feidi.core.importer import cell_text
from feidi.core.importer import read_sheet
from feidi.core.importer import unnamed_data
from feidi.core.scope import landing_departments
from feidi.lib import cells as cells_lib
from feidi.lib.spreadsheet import ErrorCell
from feidi.lib.spreadsheet import FormulaCell

from . import actions
from .cells import lock as lock_indicators
from .models import Indicator
from .models import IndicatorValue

KEY_HEADERS = {"统一社会信用代码": "uscc", "企业名称": "name", "月份": "period"}
# the other names the key columns go by in the offices' own sheets
KEY_SYNONYMS = {"信用代码": "uscc", "社会信用代码": "uscc", "统一代码": "uscc", "单位名称": "name", "企业": "name",
                "报告期": "period", "统计月份": "period", "期别": "period"}
SHEET_NAMES = ("指标数据",)
LIMITS = Limits(rows=300_000, megabytes=60)  # a province's month-end is 200,000 rows


parse_month = cells_lib.parse_month


def template_bytes() -> bytes:
    indicators = list(Indicator.objects.filter(active=True))
    book = TemplateBook(gettext("指标数据"))
    sheet, head, need, text = book.sheet, book.head, book.need, book.text
    headers = [("统一社会信用代码*", need), ("企业名称", head), ("月份*", need)]
    headers += [(f"{i.name}({i.unit}){'*' if i.required else ''}", need if i.required else head) for i in indicators]
    for c, (h, fmt) in enumerate(headers):
        sheet.write_string(0, c, h, fmt)
        sheet.set_column(c, c, max(12, len(h) * 2), text if c < 3 else None)
    for c, i in enumerate(indicators, start=3):
        above = gettext("仅统计规上企业；") if i.above_scale_only else ""
        sheet.write_comment(0, c, gettext("{kind}；{above}{description}").format(
            kind=i.get_kind_display(), above=above, description=i.description or ""))
    sheet.freeze_panes(1, 3)
    return book.finish(gettext("一行一个企业一个月份。累计值填年初至当月累计；时点值填当月数。金额单位为元。"),
                       gettext("任何一行有错误时整个文件不导入并列出每行错误；数值波动较大的会提示，确认后才保存。"))


def _columns(header: list[str], indicators: list[Indicator]):
    """Which column is which: the key columns and the indicators, matched on the normalised label
    (full-width folded, spaces and the unit in brackets dropped, known other names), each indicator
    column with the unit its header states as (multiple of the indicator's unit or None, the
    indicator's measure): 万元 for 元, 万人 for 人. A column the import does not know makes the file
    refused, listing it, and so does a unit that is not the indicator's or that nobody here knows
    (美元): data under an unrecognised header is never dropped or misread silently."""
    keys = {cells_lib.normalize_label(h): k for h, k in KEY_HEADERS.items()}
    keys.update({cells_lib.normalize_label(h): k for h, k in KEY_SYNONYMS.items()})
    by_label = {cells_lib.normalize_label(i.name): i for i in indicators}
    by_label.update({cells_lib.normalize_label(i.code): i for i in indicators})
    positions, columns, units, unknown, seen = {}, {}, {}, [], {}
    for c, raw in enumerate(header):
        label = cells_lib.normalize_label(raw)
        if not label:
            continue
        if label in seen:
            raise ImportFileError(gettext("第{value}列“{raw}”与第{value2}列重复").format(
                value=c + 1, raw=raw, value2=seen[label] + 1))
        seen[label] = c
        if label in keys:
            positions[keys[label]] = c
        elif label in by_label:
            indicator = by_label[label]
            columns[c] = indicator
            units[c] = _unit(c, raw, indicator)
        else:
            unknown.append(str(raw))
    if unknown and len(header) - header.count("") <= 1:
        raise ImportFileError(gettext("“{title}”不是列名：列名（表头）应在第1行，请删除表格上方的标题行后再导入").format(
            title=unknown[0][:50]))
    if unknown:
        raise ImportFileError(gettext("文件中有无法识别的列：{join}。列名应为模板中的列（统一社会信用代码、企业名称、月份）或指标名称（{join2}），可带单位如“（万元）”").format(join='、'.join(unknown), join2='、'.join(i.name for i in indicators)))
    return positions, columns, units


def _is_header(indicators, cells: list) -> bool:
    """Whether a row is the header: two of its cells name columns the import knows."""
    labels = {cells_lib.normalize_label(h) for h in (*KEY_HEADERS, *KEY_SYNONYMS)}
    labels |= {cells_lib.normalize_label(i.name) for i in indicators}
    found = [cells_lib.normalize_label(c) for c in cells if c is not None]
    return sum(1 for label in found if label in labels) >= 2


def _unit(c: int, raw: str, indicator: Indicator) -> tuple:
    """(multiple or None, measure) of the column ``raw`` holding ``indicator``."""
    base = cells_lib.read_unit(indicator.unit or "")
    measure, own = (base[0] or None, base[1]) if base else (indicator.unit or None, Decimal(1))
    try:
        stated = cells_lib.header_unit(raw)
    except ValueError as exc:
        raise ImportFileError(gettext("第{value}列“{raw}”：{exc}，指标“{name}”的单位是{unit}").format(
            value=c + 1, raw=raw, exc=exc, name=indicator.name, unit=indicator.unit)) from None
    if stated is None:
        return None, measure
    if stated[0] not in ("", measure) or (measure == "%" and stated[1] != 1):
        raise ImportFileError(gettext("“{raw}”的单位与指标“{name}”的单位（{unit}）不符").format(
            raw=raw, name=indicator.name, unit=indicator.unit))
    factor = stated[1] / own
    return (factor if factor != 1 else None), measure


def run(data: bytes, filename: str, user, *, confirmed: bool = False, progress=None) -> ImportResult:
    """Check ``data`` and keep it when clean and either warning-free or ``confirmed`` by its
    uploader (else the result says why: errors, or warnings waiting for confirmation).

    Held at any time: one chunk of rows (read, staged or checked: ~5 MB for 5,000 rows of eight
    indicators), the reports kept, and what a file repeats — its credit codes and months with
    what they were found to be, up to ``MEMO`` of each (~150 bytes each), then forgotten and
    looked up again. Staged in the database: every good row, parsed (~100 bytes a row)."""
    from feidi.core.progress import Quiet
    from feidi.core.staging import Staging

    progress = progress or Quiet()
    progress.phase(gettext("读取文件"))
    indicators = list(Indicator.objects.filter(active=True))
    sheet = read_sheet(data, prefer=SHEET_NAMES, limits=LIMITS, is_header=functools.partial(_is_header, indicators))
    outcome = ImportResult(sheet=sheet.said)
    positions, columns, units = _columns(sheet.header, indicators)
    missing = [h for h, key in KEY_HEADERS.items() if key in ("uscc", "period") and key not in positions]
    if missing:
        raise ImportFileError(gettext("缺少必需的列：{join}（请使用导入模板）").format(join='、'.join(missing)))
    if not columns:
        raise ImportFileError(gettext("没有可识别的指标列（列名应与指标名称一致，如“主营业务收入(元)”）"))
    # a file carries the indicators it has columns for (a revenue-only file is a whole import);
    # 每月必报 is what the enterprise's own monthly report form asks
    column_list = sorted(columns.items())
    rows = _Rows(sheet.header, positions, column_list, units, user, sheet.epoch)  # units: column → (multiple, measure)
    staged = [("org", "bigint"), ("month", "int"), ("excel_row", "int")]
    staged += [(f"v{n}", "decimal") for n in range(len(column_list))]
    with Staging("indicator_import", staged, order=3) as stage:
        # pass 1, outside the transaction (staging locks nothing): each row on its own
        progress.phase(gettext("检查"), sheet.estimate())
        for chunk in sheet.chunks(CHUNK):
            stage.add(rows.check(chunk, outcome.errors, outcome.warnings))
            progress.advance(sheet.count, total=sheet.estimate())
        outcome.total = sheet.count
        progress.advance(sheet.count, total=sheet.count)
        # pass 2: by enterprise, against the neighbouring months, written while clean
        progress.phase(gettext("核对相邻月份并写入"), stage.count)
        neighbours = _Neighbours(sheet.header, column_list, user)
        indicator_ids = [indicator.pk for _, indicator in column_list]
        ctx = current()
        with acting("import", ctx.address, ctx.user_agent), transaction.atomic():
            if not outcome.errors:  # taken before the stored months are read: they stay so until commit
                lock_indicators(indicator_ids)
            stage.analyze()
            stored = _Merge(actions.stored_in_order(
                f"SELECT org FROM {stage.name}", indicator_ids,
                actions.neighbour_months(_period(m) for m in rows.staged_months), CHUNK))
            writer = actions.BulkWrite(indicator_ids)
            done = replaced = 0
            for batch in _by_enterprise(stage.ordered(CHUNK), CHUNK, outcome.errors):
                known = stored.upto(batch[-1][0])
                values = neighbours.check(batch, known, outcome, writer.now)
                outcome.created += len(values)
                if not outcome.errors and (confirmed or not outcome.warnings):
                    writer.add(values, stored={(o, i, p) for o, i, p, _ in known})
                    if neighbours.replaced:  # the values this batch replaces, before and after
                        replaced += len(neighbours.replaced)
                        audit.record(audit.AuditRecord.Action.UPDATE, user=user,
                                     model_label="indicators.indicatorvalue",
                                     object_repr=f"导入{filename}：替换{len(neighbours.replaced)}个已有数值",
                                     before={key: str(old) for key, old, _ in neighbours.replaced},
                                     after={key: str(new) for key, _, new in neighbours.replaced})
                done += len(batch)
                progress.advance(done, written=writer.count)
            if outcome.errors or (outcome.warnings and not confirmed):
                transaction.set_rollback(True)
                return outcome
            progress.phase(gettext("更新汇总"))
            writer.finish()
            audit.record(audit.AuditRecord.Action.CREATE, user=user, model_label="indicators.indicatorvalue",
                         object_repr=f"导入{filename}：{outcome.total}行，{outcome.created}个数值",
                         after={"file": filename, "sha256": hashlib.sha256(data).hexdigest(), "rows": outcome.total,
                                "values": outcome.created, "replaced": replaced,
                                "confirmed_warnings": outcome.warnings.total})
    outcome.applied = True
    return outcome


def _month(period: dt.date) -> int:
    """A month as the integer it is staged as (sorts as the months do)."""
    return period.year * 12 + period.month - 1


@functools.lru_cache(maxsize=4096)
def _period(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


class _Rows:
    """Pass 1: a chunk's rows checked each on its own, into the rows to stage — (enterprise id,
    month, Excel row, value per indicator column). A file repeats its months and, across months,
    its credit codes: each distinct cell is interpreted once, and remembered up to ``MEMO`` of
    them (then forgotten, and looked up again when met)."""

    def __init__(self, header, positions, column_list, units, user, epoch: dt.date = cells_lib.EXCEL_EPOCH):
        from feidi.registry.models import Organization

        self.header, self.column_list = header, column_list
        self.epoch = epoch  # a month given as a plain number is counted in the workbook's date system
        # the columns of indicators counted in whole things, with their place in a row's values
        self.column_index = {c: i for i, (c, _indicator) in enumerate(column_list)}
        self.counted = [(c, indicator) for c, indicator in column_list if indicator.counted]
        # a column in the indicator's own unit multiplies by one: its floats take the fast path
        self.units = {c: multiple for c, (multiple, _measure) in units.items() if multiple is not None}
        self.measures = {c: measure for c, (_multiple, measure) in units.items()}
        # the column every value is written to: a value beyond it, or finer than it, is refused on its row
        column = IndicatorValue._meta.get_field("value")
        self.digits, self.places = column.max_digits, column.decimal_places
        # the fast path's bound: within the column, and of at most ``EXACT_DIGITS`` whole digits (a
        # longer number is judged by ``check_digits`` and ``fit``, as in every other import)
        self.limit = float(min(10 ** (column.max_digits - column.decimal_places), 10 ** cells_lib.EXACT_DIGITS))
        # data under a blank header cell (a merged header's second column) would be dropped unseen
        self.unnamed = [c for c, h in enumerate(header) if not cells_lib.normalize_label(h)]
        self.code_col, self.period_col = positions["uscc"], positions["period"]
        self.name_col = positions.get("name")  # 企业名称: checked against the code's enterprise
        self.names: dict[int, str] = {}  # enterprise id → its name, folded
        self.founded: dict[int, object] = {}  # enterprise id → the day it was founded, when known
        self.width = max(c for c, _ in column_list) + 1
        # the enterprises whose figures the user may enter: those it sees, within its add scope (a
        # city-wide viewer entering only its own zone's figures matches no other zone's code)
        self.visible = Organization.objects.visible_to(user)
        landing = landing_departments(IndicatorValue, user)
        if landing is not None and not user.organization_id:
            self.visible = self.visible.filter(department_id__in=landing)
        self.orgs: dict = {}  # raw cell → enterprise id, 0 when not found, -1 when no code, or why it is no code
        self.months: dict = {}  # raw cell → (month, None) or (None, error)
        self.staged_months: set[int] = set()  # the months of the rows staged: a few dozen
        self.today = timezone.localdate().replace(day=1)
        self.this_month = _month(self.today)

    def _enterprises(self, cells) -> None:
        from feidi.lib import uscc as uscc_lib

        new = set(cells) - self.orgs.keys()
        if not new:
            return
        if len(self.orgs) + len(new) > MEMO:
            self.orgs.clear()
            new = set(cells)
        codes = {}
        for raw in new:
            try:
                code = uscc_lib.normalize(cell_text(raw))
            except ValueError as exc:  # a long number Excel rounded, an error cell: reported on the row
                self.orgs[raw] = str(exc)
                continue
            if code:
                codes.setdefault(code, []).append(raw)
            else:
                self.orgs[raw] = -1
        found = {}
        wanted = sorted(codes)
        for start in range(0, len(wanted), 5000):
            for pk, code, name, founded in self.visible.filter(uscc__in=wanted[start:start + 5000]).values_list(
                    "pk", "uscc", "name", "established_on"):
                found[code] = pk
                self.names[pk] = name
                if founded is not None:
                    self.founded[pk] = founded
        for code, raws in codes.items():
            result = found.get(code, 0)
            if not result:  # not found: a code that cannot be one says why (its check digit …)
                try:
                    uscc_lib.validate(code)
                except uscc_lib.InvalidCode as exc:
                    result = str(exc)
            for raw in raws:
                self.orgs[raw] = result

    def _months(self, cells) -> None:
        new = set(cells) - self.months.keys()
        if len(self.months) + len(new) > MEMO:
            self.months.clear()
            new = set(cells)
        for raw in new:
            try:
                if isinstance(raw, (FormulaCell, ErrorCell)):
                    cell_text(raw)  # refused with its own message
                period = parse_month(raw, latest=self.today, epoch=self.epoch)
                self.months[raw] = (_month(period), None)
            except ValueError as exc:
                message = str(exc)
                if raw is not None and not isinstance(raw, (FormulaCell, ErrorCell)) and "不在有效的月份范围内" in message:
                    try:
                        if parse_month(raw, epoch=self.epoch) > self.today:
                            message = gettext("不能导入未来月份")
                    except ValueError:
                        pass
                self.months[raw] = (None, message)
            except ArithmeticError:
                self.months[raw] = (None, gettext("月份格式应为 2026-03、2026年3月或2026年1-2月"))

    def check(self, chunk, errors: RowReports, warnings: RowReports | None = None) -> list[tuple]:
        """The chunk's good rows as staged tuples; a bad cell is an error on its row, and a 企业名称
        that is not the name of the enterprise the code finds is a warning to confirm (the values
        go to the code's enterprise: a row pasted from another company's line is caught here)."""
        code_col, period_col, width, header = self.code_col, self.period_col, self.width, self.header
        code_cells = [cells[code_col] if code_col < len(cells) else None for _, cells in chunk]
        period_cells = [cells[period_col] if period_col < len(cells) else None for _, cells in chunk]
        self._enterprises(code_cells)
        self._months(period_cells)
        orgs, months, units, measures = self.orgs, self.months, self.units, self.measures
        amount, fit, exact = cells_lib.parse_number, cells_lib.fit, cells_lib.exact
        digits, places, limit, unnamed = self.digits, self.places, self.limit, self.unnamed
        out = []
        for (excel_row, cells), raw_code, raw_period in zip(chunk, code_cells, period_cells, strict=True):
            if len(cells) < width:
                cells = cells + [None] * (width - len(cells))
            org = orgs[raw_code]
            bad = False
            if len(cells) > len(header) or (unnamed and any(cells[i] is not None for i in unnamed if i < len(cells))):
                refusal = unnamed_data(header, excel_row, cells)
                if refusal is not None:
                    raise refusal
            if org.__class__ is str:
                errors.append(RowError(excel_row, "统一社会信用代码", cells_lib.shown(raw_code or ""), org))
                bad = True
            elif org <= 0:
                errors.append(RowError(excel_row, "统一社会信用代码", str(raw_code or ""),
                                       "未找到该企业（不在主体库或不在您的管理范围）" if org == 0 else "必填"))
                bad = True
            if warnings is not None and org.__class__ is int and org > 0 and self.name_col is not None \
                    and self.name_col < len(cells) and (typed := cells[self.name_col]) is not None:
                said = cells_lib.fold(str(typed)).strip()
                if said and said != cells_lib.fold(self.names.get(org, "")).strip():
                    warnings.append(RowError(excel_row, gettext("企业名称"), cells_lib.shown(typed), gettext(
                        "与统一社会信用代码对应的企业“{name}”不一致：数值将记入“{name}”，请核对代码与名称").format(
                        name=self.names.get(org, ""))))
            month, month_error = months[raw_period]
            if month_error is None and org.__class__ is int and org > 0 and org in self.founded:
                month_error = actions.before_founded(self.founded[org], _period(month))
            if month_error is not None:
                errors.append(RowError(excel_row, gettext("月份"), _said(raw_period), month_error))
                bad = True
            row = [org, month, excel_row]
            for c, _indicator in self.column_list:
                raw = cells[c]
                unit = units.get(c)
                if raw.__class__ is float and unit is None and -limit < raw < limit:  # finite, and within the column
                    value = exact(raw)
                    if value.as_tuple().exponent >= -places:
                        row.append(value)  # what parse_number and fit do, without their dispatch
                        continue
                if isinstance(raw, FormulaCell):
                    errors.append(RowError(excel_row, header[c], f"={raw.formula}", FORMULA))
                    bad = True
                    continue
                if isinstance(raw, ErrorCell):
                    errors.append(RowError(excel_row, header[c], raw.code, gettext(ERROR_CELL).format(code=raw.code)))
                    bad = True
                    continue
                try:
                    row.append(fit(amount(raw, unit=unit, measure=measures.get(c)), digits, places))
                except (ValueError, ArithmeticError) as exc:
                    message = str(exc) if isinstance(exc, ValueError) else gettext("不是数字")
                    errors.append(RowError(excel_row, header[c], cells_lib.shown(raw), message))
                    bad = True
            if not bad and self.counted:  # 从业人员 in whole persons
                for c, indicator in self.counted:
                    value = row[3 + self.column_index[c]]
                    if value is not None and (why := actions.not_whole(indicator, value)):
                        errors.append(RowError(excel_row, header[c], cells_lib.shown(cells[c]), why))
                        bad = True
            if not bad and month == self.this_month:  # a month still running: no cumulative figure yet
                for (c, indicator), value in zip(self.column_list, row[3:], strict=True):
                    why = actions.not_ended(indicator, self.today) if value is not None else None
                    if why:
                        errors.append(RowError(excel_row, header[c], cells_lib.shown(cells[c]), why))
                        bad = True
            if not bad:
                out.append(tuple(row))
                self.staged_months.add(month)
        return out


def _said(raw) -> str:
    """A key cell as the report shows it (``cells.shown``: one rendering for every import)."""
    return cells_lib.shown(raw)


def _by_enterprise(chunks, size: int, errors: RowReports):
    """The staged rows (in enterprise, month, row order) in batches of whole enterprises, of at
    least ``size`` rows but the last. The second row of an enterprise's month is reported as a
    duplicate of the first and left out, so a batch holds at most ``size`` rows and one
    enterprise's distinct months."""
    batch: list[tuple] = []
    last, first_row = None, 0
    for chunk in chunks:
        for row in chunk:
            if last is not None and row[0] == last[0] and row[1] == last[1]:
                errors.append(RowError(row[2], gettext("月份"), f"{_period(row[1]):%Y-%m}",
                                       gettext("与第{value}行重复（同一企业同一月份）").format(value=first_row)))
                continue
            if len(batch) >= size and row[0] != batch[-1][0]:
                yield batch
                batch = []
            batch.append(row)
            last, first_row = row, row[2]
    if batch:
        yield batch


class _Merge:
    """An ordered stream of rows taken a key at a time: the stored values, read by enterprise
    beside the staged rows (both in enterprise order), so that each batch gets those of its own
    enterprises."""

    def __init__(self, rows: Iterator[tuple]):
        self.rows = rows
        self.next = next(rows, None)

    def upto(self, last: int) -> list[tuple]:
        """The rows whose enterprise id is at most ``last``."""
        out = []
        while self.next is not None and self.next[0] <= last:
            out.append(self.next)
            self.next = next(self.rows, None)
        return out


class _Neighbours:
    """Pass 2: a batch of whole enterprises' rows checked against their neighbouring months —
    the stored values (the batch's share of one read for the whole file, ``_Merge``) with the
    file's own over them — into the values to write."""

    def __init__(self, header, column_list, user):
        self.header = header
        self.indicator_ids = [i.pk for _, i in column_list]
        self.codes = {i.pk: i.code for _, i in column_list}
        # the stored values the last batch's rows replace: ("enterprise id:code@YYYY-MM", old, new)
        self.replaced: list[tuple[str, Decimal, Decimal]] = []
        self.checks = [(c, indicator.pk, actions.month_checker(indicator)) for c, indicator in column_list]
        self.user_id = getattr(user, "pk", None)

    def check(self, batch: list[tuple], stored: list[tuple], outcome: ImportResult, now) -> list[tuple]:
        """The values to write, as rows in the table's column order (``actions.BulkWrite``)."""
        from feidi.registry.models import Organization

        org_ids = sorted({row[0] for row in batch})
        orgs = {}  # id → (name, zone_id, department_id, division)
        for start in range(0, len(org_ids), 5000):
            for pk, name, zone_id, department_id, industry_code in Organization.objects.filter(
                    pk__in=org_ids[start:start + 5000]).values_list(
                    "pk", "name", "zone_id", "department_id", "industry_code"):
                orgs[pk] = (name, zone_id, department_id, actions._division(industry_code or ""))
        by_month: dict[int, list[tuple]] = {}
        for row in batch:
            by_month.setdefault(row[1], []).append(row)
        periods = {month: _period(month) for month in by_month}
        # {(indicator, month): {enterprise: value}}: the stored values, then the file's over them,
        # so each check finds its three neighbours by the enterprise's id in dicts found once per month
        known: dict[tuple[int, dt.date], dict[int, Decimal]] = {}
        for org_id, indicator_id, period, value in stored:
            known.setdefault((indicator_id, period), {})[org_id] = value
        # the stored values of the rows' own months, before the file's are laid over them: a row
        # replacing one says so (old → new), a warning its uploader confirms, and the audit keeps both
        here = {(indicator_id, period): {org_id: value for org_id, value in by_org.items()}
                for (indicator_id, period), by_org in known.items()
                if _month(period) in by_month}
        self.replaced = []
        for month, rows in by_month.items():
            for n, indicator_id in enumerate(self.indicator_ids, start=3):
                values = {row[0]: row[n] for row in rows if row[n] is not None}
                slot = known.setdefault((indicator_id, periods[month]), values)
                if slot is not values:
                    slot.update(values)
        empty: dict[int, Decimal] = {}
        around = {}  # month → per column (check, before, before2, after)
        for month, period in periods.items():
            months = actions.add_months(period, -1), actions.add_months(period, -2), actions.add_months(period, 1)
            around[month] = [(c, indicator_id, check, *(known.get((indicator_id, m), empty).get for m in months))
                             for c, indicator_id, check in self.checks]
        header, user_id = self.header, self.user_id
        errors, warnings = outcome.errors, outcome.warnings
        source = IndicatorValue.Source.IMPORT
        out = []
        append = out.append
        for row in batch:
            org_id, month, excel_row = row[0], row[1], row[2]
            if org_id not in orgs:  # deleted since its row was read
                errors.append(RowError(excel_row, gettext("统一社会信用代码"), "", gettext("未找到该企业（不在主体库或不在您的管理范围）")))
                continue
            name, zone_id, department_id, division = orgs[org_id]
            period = periods[month]
            month_no = period.month
            for (c, indicator_id, check, before, before2, after), value in zip(around[month], row[3:], strict=True):
                error, warning = check(month_no, value, before(org_id), before2(org_id), after(org_id))
                if error:
                    errors.append(RowError(excel_row, header[c], "" if value is None else f"{value:f}", error))
                    continue
                if warning:
                    warnings.append(RowError(excel_row, header[c], f"{value:f}", f"{name}：{warning}"))
                old = here.get((indicator_id, period), empty).get(org_id) if value is not None else None
                if old is not None and old != value:
                    warnings.append(RowError(excel_row, header[c], f"{value:f}", gettext(
                        "{name}：系统中已有{period:%Y年%m月}的数值{old}，导入后将替换为{new}").format(
                        name=name, period=period, old=f"{old.normalize():f}", new=f"{value.normalize():f}")))
                    self.replaced.append((f"{org_id}:{self.codes[indicator_id]}@{period:%Y-%m}", old, value))
                if value is not None:
                    append((org_id, indicator_id, period, value, department_id, zone_id, division, source,
                            warning[:200] if warning else "", user_id, False, now))
        return out


class IndicatorImporter:
    """The monthly values import, in the shape every import has for the job queue and the API."""

    title = gettext_noop("指标数据")
    limits = LIMITS
    sheet_names = SHEET_NAMES
    permission = "indicators.add_indicatorvalue"
    list_url = "indicators:indicatorvalue_list"
    confirms_warnings = True
    reads_months = True
    intro = (gettext_lazy("一行一个企业一个月份，一列一个指标（列名与指标名称一致，只需包含要报送的指标列）。数值较上月波动超过阈值的会列出提醒，"
             "核实后确认才会导入。"))

    @property
    def shown_sheet_names(self) -> tuple[str, ...]:
        """The sheet names the import page's rules state (``core.importer.Importer`` has the same):
        the sheet this import reads, in the user's language."""
        return tuple(gettext(name) for name in self.sheet_names)

    def template_bytes(self) -> bytes:
        return template_bytes()

    def run(self, data: bytes, user, *, filename: str = "", confirmed: bool = False, progress=None) -> ImportResult:
        return run(data, filename, user, confirmed=confirmed, progress=progress)
