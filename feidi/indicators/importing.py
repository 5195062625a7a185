"""Monthly values from an .xlsx sheet: one row per enterprise and month, one column per indicator.

Fast path for large files (100,000 rows): the sheet is read with python-calamine, enterprises and
the neighbouring months are loaded once, rows are checked in memory, and a clean file is written
with batched upserts in one transaction. Any error refuses the whole file with a row-by-row
report; warnings are listed and the file is kept as a pending batch until someone confirms it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from feidi.core import audit
from feidi.core.context import acting, current
from feidi.core.importer import EXCEL_EPOCH, ImportFileError, RowError, _clean_header, cell_text, read_sheet

from . import actions
from .models import ImportBatch, Indicator, IndicatorValue

KEY_HEADERS = {"统一社会信用代码": "uscc", "企业名称": "name", "月份": "period"}
MONTH_RE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:月|[-/.]\d{1,2}(?:日)?)?\s*$")
MONTH_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})\s*$")


@dataclass
class Outcome:
    total: int = 0
    values: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    batch: ImportBatch | None = None
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_month(raw) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date().replace(day=1)
    if isinstance(raw, dt.date):
        return raw.replace(day=1)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 190001 <= raw <= 299912 and float(raw).is_integer():  # 202603
            year, month = divmod(int(raw), 100)
        else:  # an Excel date serial
            return (EXCEL_EPOCH + dt.timedelta(days=int(raw))).replace(day=1)
    else:
        text = str(raw or "").strip()
        m = MONTH_RE.match(text) or MONTH_COMPACT.match(text)
        if not m:
            raise ValueError("月份格式应为 2026-03 或 2026年3月")
        year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError("月份应在1–12之间")
    return dt.date(year, month, 1)


def template_bytes() -> bytes:
    import io

    import xlsxwriter

    indicators = list(Indicator.objects.filter(active=True))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("指标数据")
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    need = book.add_format({"bold": True, "bg_color": "#FDE8E8", "border": 1})
    text = book.add_format({"num_format": "@"})
    headers = [("统一社会信用代码*", need), ("企业名称", head), ("月份*", need)]
    headers += [(f"{i.name}({i.unit}){'*' if i.required else ''}", need if i.required else head) for i in indicators]
    for c, (h, fmt) in enumerate(headers):
        sheet.write_string(0, c, h, fmt)
        sheet.set_column(c, c, max(12, len(h) * 2), text if c < 3 else None)
    for c, i in enumerate(indicators, start=3):
        sheet.write_comment(0, c, f"{i.get_kind_display()}；{'仅统计规上企业；' if i.above_scale_only else ''}"
                                  f"{i.description or ''}")
    sheet.freeze_panes(1, 3)
    notes = book.add_worksheet("填写说明")
    notes.write(0, 0, "一行一个企业一个月份。累计值填年初至当月累计；时点值填当月数。金额单位为元。")
    notes.write(1, 0, "任何一行有错误时整个文件不导入并列出每行错误；数值波动较大的会提示，确认后才保存。")
    book.close()
    return buffer.getvalue()


def _indicator_columns(header: list[str], indicators: list[Indicator]) -> dict[int, Indicator]:
    by_name = {_clean_header(i.name): i for i in indicators}
    found = {}
    for c, h in enumerate(header):
        name = re.sub(r"\(.*\)$", "", h)
        if name in by_name:
            found[c] = by_name[name]
    return found


def check_file(data: bytes, user) -> tuple[Outcome, list[actions.Entry]]:
    """Read and check the whole file; the rows to write come back only when there is no error."""
    from feidi.lib import uscc as uscc_lib
    from feidi.registry.models import Organization

    header, body = read_sheet(data)
    outcome = Outcome(total=len(body))
    positions = {KEY_HEADERS[h]: c for c, h in enumerate(header) if h in KEY_HEADERS}
    missing = [h for h, key in KEY_HEADERS.items() if key in ("uscc", "period") and key not in positions]
    if missing:
        raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（请使用导入模板）")
    indicators = list(Indicator.objects.filter(active=True))
    columns = _indicator_columns(header, indicators)
    if not columns:
        raise ImportFileError("没有可识别的指标列（列名应与指标名称一致，如“主营业务收入(元)”）")
    required_missing = [i.name for i in indicators if i.required and i not in columns.values()]
    if required_missing:
        raise ImportFileError(f"缺少每月必报指标的列：{'、'.join(required_missing)}")

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
                raise ValueError("不能导入未来月份")
            months[raw] = (period, None)
        except ValueError as exc:
            months[raw] = (None, str(exc))
    amount = actions.parse_amount
    column_list = sorted(columns.items())
    parsed = []  # (excel_row, org, period, [value per column])
    seen: dict[tuple[int, dt.date], int] = {}
    errors = outcome.errors
    for (excel_row, cells), raw_code, raw_period in zip(body, code_cells, period_cells, strict=True):
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        code = codes[raw_code]
        org = orgs.get(code)
        bad = False
        if org is None:
            errors.append(RowError(excel_row, "统一社会信用代码", str(raw_code or ""),
                                   "未找到该企业（不在主体库或不在您的管理范围）" if code else "必填"))
            bad = True
        period, month_error = months[raw_period]
        if month_error is not None:
            errors.append(RowError(excel_row, "月份", str(raw_period or ""), month_error))
            bad = True
        values = []
        for c, _indicator in column_list:
            raw = cells[c]
            if raw.__class__ is float:
                values.append(Decimal(repr(raw)))  # what parse_amount does, without its dispatch
                continue
            try:
                values.append(amount(raw))
            except ValueError as exc:
                errors.append(RowError(excel_row, header[c], str(raw), str(exc)))
                bad = True
        if bad:
            continue
        key = (org[0], period)
        if key in seen:
            errors.append(RowError(excel_row, "月份", f"{period:%Y-%m}", f"与第{seen[key]}行重复（同一企业同一月份）"))
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
    for excel_row, org, period, values in parsed:
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
    outcome.values = len(rows)
    return outcome, (rows if not outcome.errors else [])


def run(data: bytes, filename: str, user, *, confirm_batch: ImportBatch | None = None) -> Outcome:
    """Check ``data``; write it when clean and either warning-free or confirmed, else keep it as a
    pending batch for confirmation."""
    outcome, rows = check_file(data, user)
    if outcome.errors:
        return outcome
    if outcome.warnings and confirm_batch is None:
        batch = ImportBatch(user=user, name=filename[:200], sha256=hashlib.sha256(data).hexdigest(), rows=outcome.total,
                            warnings=[{"row": w.row, "column": w.column, "value": w.value, "message": w.message}
                                      for w in outcome.warnings[:1000]], warning_count=len(outcome.warnings))
        batch.file.save(f"{batch.sha256[:16]}.xlsx", ContentFile(data), save=False)
        batch.save()
        outcome.batch = batch
        return outcome
    ctx = current()
    with acting("import", ctx.address, ctx.user_agent), transaction.atomic():
        actions.bulk_upsert(rows)
        if confirm_batch is not None:
            confirm_batch.status = ImportBatch.Status.APPLIED
            confirm_batch.applied_at = timezone.now()
            confirm_batch.save(update_fields=["status", "applied_at"])
        audit.record(audit.AuditRecord.Action.CREATE, user=user, model_label="indicators.indicatorvalue",
                     object_repr=f"导入{filename}：{outcome.total}行，{len(rows)}个数值",
                     after={"file": filename, "sha256": hashlib.sha256(data).hexdigest(), "rows": outcome.total,
                            "values": len(rows), "confirmed_warnings": len(outcome.warnings)})
    outcome.applied = True
    return outcome
