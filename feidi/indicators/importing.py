"""Monthly values from an .xlsx sheet: one row per enterprise and month, one column per indicator.

Fast path for large files (100,000 rows): the sheet is read with python-calamine, enterprises and
the neighbouring months are loaded once, rows are checked in memory, and a clean file is written
with batched upserts in one transaction. Any error refuses the whole file with a row-by-row
report; warnings are listed and the file is kept as a pending batch until someone confirms it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from feidi.core import audit
from feidi.core.context import acting, current
from feidi.core.importer import (
    FORMULA,
    ImportFileError,
    ImportResult,
    Limits,
    RowError,
    cell_text,
    read_sheet,
)
from feidi.lib import cells as cells_lib
from feidi.lib.spreadsheet import FormulaCell

from . import actions
from .models import Indicator, IndicatorValue

KEY_HEADERS = {"统一社会信用代码": "uscc", "企业名称": "name", "月份": "period"}
# the other names the key columns go by in the offices' own sheets
KEY_SYNONYMS = {"信用代码": "uscc", "社会信用代码": "uscc", "统一代码": "uscc", "单位名称": "name", "企业": "name",
                "报告期": "period", "统计月份": "period", "期别": "period"}
SHEET_NAMES = ("指标数据",)
LIMITS = Limits(rows=300_000, megabytes=60)  # a province's month-end is 200,000 rows


parse_month = cells_lib.parse_month


def template_bytes() -> bytes:
    import io

    import xlsxwriter

    indicators = list(Indicator.objects.filter(active=True))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(gettext("指标数据"))
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    need = book.add_format({"bold": True, "bg_color": "#FDE8E8", "border": 1})
    text = book.add_format({"num_format": "@"})
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
    notes = book.add_worksheet(gettext("填写说明"))
    notes.write(0, 0, gettext("一行一个企业一个月份。累计值填年初至当月累计；时点值填当月数。金额单位为元。"))
    notes.write(1, 0, gettext("任何一行有错误时整个文件不导入并列出每行错误；数值波动较大的会提示，确认后才保存。"))
    book.close()
    return buffer.getvalue()


def _columns(header: list[str], indicators: list[Indicator]):
    """Which column is which: the key columns and the indicators, matched on the normalised label
    (full-width folded, spaces and the unit in brackets dropped, known other names), each money
    column with the unit its header states (元/万元/亿元). A column the import does not know makes
    the file refused, listing it: data under an unrecognised header is never dropped silently."""
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
            factor = cells_lib.unit_of(raw)
            if indicator.unit == "元" and factor is not None:
                units[c] = factor
            elif factor is not None and indicator.unit != "元":
                raise ImportFileError(gettext("“{raw}”的单位与指标“{name}”的单位（{unit}）不符").format(
                    raw=raw, name=indicator.name, unit=indicator.unit))
        else:
            unknown.append(str(raw))
    if unknown:
        raise ImportFileError(gettext("文件中有无法识别的列：{join}。列名应为模板中的列（统一社会信用代码、企业名称、月份）或指标名称（{join2}），可带单位如“（万元）”").format(join='、'.join(unknown), join2='、'.join(i.name for i in indicators)))
    return positions, columns, units


def check_file(data: bytes, user, progress=None) -> tuple[ImportResult, list[actions.Entry]]:
    """Read and check the whole file; the rows to write come back only when there is no error."""
    from feidi.lib import uscc as uscc_lib
    from feidi.registry.models import Organization

    if progress is not None:
        progress.phase(gettext("读取文件"))
    sheet = read_sheet(data, prefer=SHEET_NAMES, limits=LIMITS, progress=progress)
    header, body = sheet.header, sheet.body
    outcome = ImportResult(total=len(body), sheet=sheet.said)
    if progress is not None:
        progress.phase(gettext("检查"), len(body))
    indicators = list(Indicator.objects.filter(active=True))
    positions, columns, units = _columns(header, indicators)
    missing = [h for h, key in KEY_HEADERS.items() if key in ("uscc", "period") and key not in positions]
    if missing:
        raise ImportFileError(gettext("缺少必需的列：{join}（请使用导入模板）").format(join='、'.join(missing)))
    if not columns:
        raise ImportFileError(gettext("没有可识别的指标列（列名应与指标名称一致，如“主营业务收入(元)”）"))
    # a file carries the indicators it has columns for (a revenue-only file is a whole import);
    # 每月必报 is what the enterprise's own monthly report form asks
    def code_of(raw) -> str:
        try:
            return uscc_lib.normalize(cell_text(raw))
        except ValueError:  # a long number Excel rounded: reported on the row
            return ""

    # Column-wise: each column's distinct raw cells are interpreted once (a file repeats its
    # months and, across months, its credit codes), and the rows then only look the results up.
    width = max(columns) + 1
    code_col, period_col = positions["uscc"], positions["period"]
    code_cells = [cells[code_col] if code_col < len(cells) else None for _, cells in body]
    period_cells = [cells[period_col] if period_col < len(cells) else None for _, cells in body]
    codes = {raw: code_of(raw) for raw in set(code_cells)}
    orgs = {}  # normalised code → (pk, name, zone_id, department_id, division)
    visible = Organization.objects.visible_to(user)
    code_list = sorted(set(codes.values()) - {""})
    for start in range(0, len(code_list), 5000):
        for pk, code, name, zone_id, department_id, industry_code in visible.filter(
                uscc__in=code_list[start:start + 5000]).values_list(
                "pk", "uscc", "name", "zone_id", "department_id", "industry_code"):
            orgs[code] = (pk, name, zone_id, department_id, actions._division(industry_code or ""))
    today = timezone.localdate().replace(day=1)
    months: dict = {}  # raw cell → (period, None) or (None, error)
    for raw in set(period_cells):
        try:
            period = parse_month(raw)
            if period > today:
                raise ValueError(gettext("不能导入未来月份"))
            months[raw] = (period, None)
        except ValueError as exc:
            months[raw] = (None, str(exc))
    amount = cells_lib.parse_number
    column_list = sorted(columns.items())
    parsed = []  # (excel_row, org, period, [value per column])
    seen: dict[tuple[int, dt.date], int] = {}
    errors = outcome.errors
    for done, ((excel_row, cells), raw_code, raw_period) in enumerate(
            zip(body, code_cells, period_cells, strict=True), start=1):
        if progress is not None and not done % 1000:
            progress.advance(done // 2)  # reading the cells is the first half of the check
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        code = codes[raw_code]
        org = orgs.get(code)
        bad = False
        if org is None:
            errors.append(RowError(excel_row, "统一社会信用代码", str(raw_code or ""),
                                   gettext("未找到该企业（不在主体库或不在您的管理范围）") if code else gettext("必填")))
            bad = True
        period, month_error = months[raw_period]
        if month_error is not None:
            errors.append(RowError(excel_row, "月份", str(raw_period or ""), month_error))
            bad = True
        values = []
        for c, _indicator in column_list:
            raw = cells[c]
            unit = units.get(c)
            if raw.__class__ is float and unit is None:
                values.append(Decimal(repr(raw)))  # what parse_number does, without its dispatch
                continue
            if isinstance(raw, FormulaCell):
                errors.append(RowError(excel_row, header[c], f"={raw.formula}", gettext(FORMULA)))
                bad = True
                continue
            try:
                values.append(amount(raw, unit=unit))
            except ValueError as exc:
                errors.append(RowError(excel_row, header[c], cells_lib.shown(raw), str(exc)))
                bad = True
        if bad:
            continue
        key = (org[0], period)
        if key in seen:
            errors.append(RowError(excel_row, gettext("月份"), f"{period:%Y-%m}",
                                   gettext("与第{value}行重复（同一企业同一月份）").format(value=seen[key])))
            continue
        seen[key] = excel_row
        parsed.append((excel_row, org, period, values))
    # one set-based read of the stored neighbouring months; the file's own months count as
    # neighbours of each other. Held as {(indicator, month): {enterprise: value}}, so each check
    # looks its three neighbours up by the enterprise's id in dicts found once per row.
    indicator_ids = [i.pk for _, i in column_list]
    known: dict[tuple[int, dt.date], dict[int, Decimal]] = {}
    for org_id, indicator_id, period, value in actions.stored(
            {p[1][0] for p in parsed}, indicator_ids, actions.neighbour_months({p[2] for p in parsed}), "value"):
        known.setdefault((indicator_id, period), {})[org_id] = value
    for _, org, period, values in parsed:
        for indicator_id, value in zip(indicator_ids, values, strict=True):
            if value is not None:
                known.setdefault((indicator_id, period), {})[org[0]] = value

    def stored_for(indicator_id: int, month: dt.date) -> dict[int, Decimal]:
        return known.get((indicator_id, month), {})

    checks = [(c, indicator.pk, actions.month_checker(indicator)) for c, indicator in column_list]
    around = {}  # month → per column (before, before2, after) dicts
    for period in {p[2] for p in parsed}:
        months = actions.add_months(period, -1), actions.add_months(period, -2), actions.add_months(period, 1)
        around[period] = [tuple(stored_for(indicator_id, m) for m in months) for _, indicator_id, _ in checks]
    rows = []
    source = IndicatorValue.Source.IMPORT
    user_id = getattr(user, "pk", None)
    Entry = actions.Entry
    if progress is not None:
        progress.advance(len(body) // 2)
    for done, (excel_row, org, period, values) in enumerate(parsed, start=1):
        if progress is not None and not done % 1000:
            progress.advance((len(body) + done) // 2)
        org_id, month = org[0], period.month
        for (c, indicator_id, check), (before, before2, after), value in zip(
                checks, around[period], values, strict=True):
            error, warning = check(month, value, before.get(org_id), before2.get(org_id), after.get(org_id))
            if error:
                errors.append(RowError(excel_row, header[c], "" if value is None else f"{value:f}", error))
            elif warning:
                outcome.warnings.append(RowError(excel_row, header[c], f"{value:f}", f"{org[1]}：{warning}"))
            if value is not None and not error:
                rows.append(Entry(org_id, indicator_id, period, value, org[3], org[2], org[4], source,
                                  (warning or "")[:200], user_id))
    outcome.errors.sort(key=lambda e: e.row)
    outcome.warnings.sort(key=lambda e: e.row)
    outcome.created = len(rows)
    return outcome, (rows if not outcome.errors else [])


def run(data: bytes, filename: str, user, *, confirmed: bool = False, progress=None) -> ImportResult:
    """Check ``data``; write it when clean and either warning-free or ``confirmed`` by its
    uploader (the result then says it waits for confirmation)."""
    outcome, rows = check_file(data, user, progress)
    if outcome.errors or (outcome.warnings and not confirmed):
        return outcome
    if progress is not None:
        progress.phase(gettext("写入"), len(rows))
    ctx = current()
    with acting("import", ctx.address, ctx.user_agent), transaction.atomic():
        actions.bulk_upsert(rows)
        audit.record(audit.AuditRecord.Action.CREATE, user=user, model_label="indicators.indicatorvalue",
                     object_repr=f"导入{filename}：{outcome.total}行，{len(rows)}个数值",
                     after={"file": filename, "sha256": hashlib.sha256(data).hexdigest(), "rows": outcome.total,
                            "values": len(rows), "confirmed_warnings": len(outcome.warnings)})
    if progress is not None:
        progress.advance(len(rows))
    outcome.applied = True
    return outcome


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

    def template_bytes(self) -> bytes:
        return template_bytes()

    def run(self, data: bytes, user, *, filename: str = "", confirmed: bool = False, progress=None) -> ImportResult:
        return run(data, filename, user, confirmed=confirmed, progress=progress)
