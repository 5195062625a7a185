"""Excel in: every bulk entry imports from an .xlsx template, all rows or none.

Each row is validated with the same ModelForm as the edit page (so the same Chinese field errors
and the same scope rules on related records), duplicates inside the file are caught, and only a
file without a single bad row is written — in one transaction, through the app's action, with
the audit trail marking the channel 导入. A bad file gets a row-by-row report and stores nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .context import acting, current

MAX_ROWS = 100_000
MAX_BYTES = 30 * 1024 * 1024
EXCEL_EPOCH = dt.date(1899, 12, 30)
YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", ""}


@dataclass
class RowError:
    row: int  # the row number as Excel shows it
    column: str
    value: str
    message: str


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not .xlsx, no header, too large …)."""


def _clean_header(text) -> str:
    return str(text or "").strip().replace("（", "(").replace("）", ")").replace(" ", "").replace("*", "")


def read_sheet(data: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    """The first sheet's header and its non-blank rows (with Excel row numbers)."""
    from python_calamine import CalamineWorkbook

    if len(data) > MAX_BYTES:
        raise ImportFileError(f"文件超过{MAX_BYTES // 1024 // 1024}MB，请分批导入")
    if not data.startswith(b"PK"):
        raise ImportFileError("文件不是 .xlsx 格式（请在 Excel 中“另存为 Excel 工作簿(.xlsx)”后再导入）")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for damaged files
        raise ImportFileError(f"无法读取该文件：{exc}") from None
    header_index = next((i for i, r in enumerate(rows) if any(str(c).strip() for c in r)), None)
    if header_index is None:
        raise ImportFileError("文件中没有数据")
    header = [_clean_header(c) for c in rows[header_index]]
    body = []
    for offset, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        if any(str(c).strip() for c in row if c is not None):
            body.append((offset, list(row)))
    if len(body) > MAX_ROWS:
        raise ImportFileError(f"一次最多导入{MAX_ROWS}行，本文件有{len(body)}行")
    return header, body


def cell_text(value) -> str:
    """A cell as the text a person typed: integral floats without '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            if abs(value) >= 2**53:
                raise ValueError("数字位数过多，Excel 已丢失精度：请把该列设置为“文本”格式后重新填写")
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


class Importer:
    """Subclass with ``model``, ``form_class``, ``columns`` (header → form field, in template
    order), ``unique_in_file`` (fields no two rows may share) and ``action``, the domain
    ``do_save_<model>`` that writes one record."""

    model = None
    form_class: type[forms.ModelForm] = None
    columns: dict[str, str] = {}
    required_headers: tuple[str, ...] = ()
    unique_in_file: tuple[str, ...] = ()
    title = ""
    example: dict[str, str] = {}

    action = None

    def save(self, form, user):
        return type(self).action(form.instance, acting_user=user)

    def initial_instance(self, user):
        obj = self.model()
        if hasattr(obj, "department_id") and user.department_id:
            obj.department_id = user.department_id
        return obj

    # --- template --------------------------------------------------------------------------
    def template_bytes(self) -> bytes:
        import xlsxwriter

        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet(self.title[:31] or "导入")
        head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
        need = book.add_format({"bold": True, "bg_color": "#FDE8E8", "border": 1})
        text = book.add_format({"num_format": "@"})
        form = self.form_class(user=None)
        for i, (header, name) in enumerate(self.columns.items()):
            required = form.fields[name].required
            sheet.write_string(0, i, header + ("*" if required else ""), need if required else head)
            sheet.set_column(i, i, max(12, len(header) * 2 + 4), text)
            help_text = str(form.fields[name].help_text or "")
            choices = getattr(form.fields[name], "choices", None)
            if choices and not isinstance(form.fields[name], forms.ModelChoiceField):
                help_text = "可选：" + "、".join(str(label) for value, label in choices if value != "")
            if help_text:
                sheet.write_comment(0, i, help_text)
            if header in self.example:
                sheet.write_string(1, i, self.example[header], text)
        sheet.freeze_panes(1, 0)
        notes = book.add_worksheet("填写说明")
        notes.write(0, 0, "带 * 的列必填；第2行是示例，导入前请删除或覆盖。任何一行有错误时整个文件都不会导入，并列出每行的错误。")
        notes.write(1, 0, "代码类列（统一社会信用代码、行业代码）请保持“文本”格式，避免 Excel 把长数字改成科学计数。")
        book.close()
        return buffer.getvalue()

    # --- import ----------------------------------------------------------------------------
    def _choice_value(self, field_obj, text: str):
        """Accept a choice's label (企业) as well as its value (enterprise); a related record by its
        name or id, among the rows the user may see."""
        if isinstance(field_obj, forms.BooleanField):
            # A checkbox would read any non-empty text (even 否) as ticked: accept only yes/no words.
            word = text.strip().lower()
            if word in YES:
                return True
            if word in NO:
                return False
            raise ValueError("请填写“是”或“否”")
        if not text:
            return ""
        if isinstance(field_obj, forms.ModelChoiceField):
            qs = field_obj.queryset
            model = qs.model
            if hasattr(model, "import_lookup"):  # e.g. "锂电新能源·电芯" for a segment
                found = model.import_lookup(qs, text)
                if found is not None:
                    return found
            for lookup in ("name", "label", "username"):
                if any(f.name == lookup for f in model._meta.fields):
                    found = list(qs.filter(**{lookup: text}).values_list("pk", flat=True)[:2])
                    if len(found) == 1:
                        return found[0]
            if text.isdigit() and qs.filter(pk=int(text)).exists():
                return int(text)
            return text  # the form reports it as an invalid choice
        if isinstance(field_obj, forms.ChoiceField):
            for value, label in field_obj.choices:
                if text in (str(value), str(label)):
                    return value
        return text

    def run(self, data: bytes, user) -> ImportResult:
        header, body = read_sheet(data)
        result = ImportResult(total=len(body))
        positions = {}
        for wanted in self.columns:
            key = _clean_header(wanted)
            if key in header:
                positions[wanted] = header.index(key)
        probe = self.form_class(user=user)
        missing = [h for h, name in self.columns.items()
                   if h not in positions and (probe.fields[name].required or h in self.required_headers)]
        if missing:
            raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（请使用导入模板）")
        forms_ok = []
        seen: dict[tuple, int] = {}
        for excel_row, cells in body:
            data_row, bad = {}, False
            for header_text, index in positions.items():
                name = self.columns[header_text]
                raw = cells[index] if index < len(cells) else None
                try:
                    text = cell_text(raw)
                    data_row[name] = self._choice_value(probe.fields[name], text)
                except ValueError as exc:
                    result.errors.append(RowError(excel_row, header_text, str(raw), str(exc)))
                    bad = True
                    continue
            form = self.form_class(data_row, instance=self.initial_instance(user), user=user)
            if not form.is_valid():
                labels = {name: h for h, name in self.columns.items()}
                for name, errors in form.errors.items():
                    column = labels.get(name, "")
                    for message in errors:
                        result.errors.append(RowError(excel_row, column, str(data_row.get(name, "")), message))
                continue
            if bad:
                continue
            for name in self.unique_in_file:
                key = (name, str(form.cleaned_data.get(name)))
                if key[1] and key in seen:
                    header_text = next(h for h, n in self.columns.items() if n == name)
                    result.errors.append(RowError(excel_row, header_text, key[1], f"与第{seen[key]}行重复"))
                    bad = True
                elif key[1]:
                    seen[key] = excel_row
            if not bad:
                forms_ok.append((excel_row, form))
        if result.errors:
            result.errors.sort(key=lambda e: e.row)
            return result
        ctx = current()
        try:
            with acting("import", ctx.address, ctx.user_agent), transaction.atomic():
                for excel_row, form in forms_ok:
                    try:
                        self.save(form, user)
                    except ValidationError as exc:
                        result.errors.append(RowError(excel_row, "", "", "；".join(exc.messages)))
                        raise
                    result.created += 1
        except (ValidationError, IntegrityError) as exc:
            if not result.errors:
                result.errors.append(RowError(0, "", "", f"保存时与已有数据冲突：{exc}"))
            result.created = 0
        return result
