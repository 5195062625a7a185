"""Entering a year's statutory holiday schedule (年度节假日安排): three ways in — a form, an .xlsx
file, the notice's text pasted — one check, one confirmation page, one action.

The State Council publishes next year's schedule around November; chinesecalendar learns it only
with a new release. Until a year is known, no deadline in working days can fall in it
(``core.calendar.CalendarMissing``); from 1 November the administrators are warned.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from dataclasses import field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from feidi.lib.holiday_notice import Period
from feidi.lib.holiday_notice import parse
from feidi.lib.holiday_notice import weekday_name
from feidi.lib.workdays import YearSchedule

from . import audit
from .models import CalendarYear

STANDARD_HOLIDAYS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
MAX_PERIOD_DAYS = 15


@dataclass
class Draft:
    """A year's schedule as entered, before confirmation."""

    year: int
    periods: list[Period] = field(default_factory=list)
    workdays: list[tuple[str, dt.date]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # refuse the draft until mended
    notes: list[str] = field(default_factory=list)  # worth a look, not wrong

    def as_data(self) -> dict:
        return {"year": self.year,
                "periods": [{"name": p.name, "first": p.first.isoformat(), "last": p.last.isoformat()}
                            for p in self.periods],
                "workdays": [{"name": n, "date": d.isoformat()} for n, d in self.workdays]}

    @classmethod
    def from_data(cls, data: dict) -> Draft:
        try:
            draft = cls(int(data["year"]),
                        [Period(p["name"], dt.date.fromisoformat(p["first"]), dt.date.fromisoformat(p["last"]))
                         for p in data["periods"]],
                        [(w["name"], dt.date.fromisoformat(w["date"])) for w in data["workdays"]])
        except (KeyError, TypeError, ValueError):
            raise ValidationError(gettext("确认数据已损坏，请重新录入")) from None
        return check(draft)

    def schedule(self) -> YearSchedule:
        return YearSchedule(self.year, frozenset(d for p in self.periods for d in p.days),
                            frozenset(d for _, d in self.workdays))


def check(draft: Draft) -> Draft:
    """The rules a schedule obeys, each broken one said in Chinese: periods within the year (元旦
    may start the previous December), at most two weeks, not overlapping; make-up workdays are
    weekend days outside the periods, of the year or, for 元旦, of the previous December (the 2019
    notice: "2018年12月29日（星期六）上班")."""
    year = draft.year
    if not 2000 <= year <= 2100:
        draft.problems.append(gettext("年度应在2000–2100之间"))
        return draft
    lowest, highest = dt.date(year - 1, 12, 1), dt.date(year, 12, 31)
    taken: dict[dt.date, str] = {}
    for p in draft.periods:
        if not p.name.strip():
            draft.problems.append(gettext("{first:%m月%d日}开始的放假安排缺少节日名称").format(first=p.first))
        if p.last < p.first:
            draft.problems.append(gettext("{name}：结束日期{last:%Y-%m-%d}早于开始日期{first:%Y-%m-%d}").format(
                name=p.name, last=p.last, first=p.first))
            continue
        if p.first < lowest or p.last > highest:
            draft.problems.append(gettext("{name}：{first:%Y-%m-%d}至{last:%Y-%m-%d}不在{year}年内（仅元旦可从上年12月开始）").format(name=p.name, first=p.first, last=p.last, year=year))
        if len(p.days) > MAX_PERIOD_DAYS:
            draft.problems.append(gettext("{name}：放假{len}天，超过{MAX_PERIOD_DAYS}天，请核对").format(
                name=p.name, len=len(p.days), MAX_PERIOD_DAYS=MAX_PERIOD_DAYS))
        for d in p.days:
            if d in taken:
                draft.problems.append(gettext("{d:%Y-%m-%d}同时属于“{value}”和“{name}”").format(
                    d=d, value=taken[d], name=p.name))
            taken[d] = p.name
    seen = set()
    for name, d in draft.workdays:
        if not lowest <= d <= highest:
            draft.problems.append(gettext("调休上班日{d:%Y-%m-%d}（{name}）不在{year}年内（仅元旦可在上年12月调休）").format(
                d=d, name=name, year=year))
        if d in taken:
            draft.problems.append(gettext("调休上班日{d:%Y-%m-%d}同时是“{value}”的放假日").format(d=d, value=taken[d]))
        if d.weekday() < 5:
            draft.problems.append(gettext("调休上班日{d:%Y-%m-%d}是周{weekday}，本来就是工作日").format(
                d=d, weekday=weekday_name(d)))
        if d in seen:
            draft.problems.append(gettext("调休上班日{d:%Y-%m-%d}重复").format(d=d))
        seen.add(d)
    if not draft.periods:
        draft.problems.append(gettext("没有任何放假安排"))
    names = {p.name for p in draft.periods}
    missing = [h for h in STANDARD_HOLIDAYS if not any(h in n for n in names)]
    if draft.periods and missing:
        draft.notes.append(gettext("未见{join}的放假安排，请确认通知中确实没有").format(join='、'.join(missing)))
    return draft


# --- the three ways in -----------------------------------------------------------------------------

def from_notice(text: str, year: int) -> Draft:
    notice = parse(text, year)
    draft = Draft(year, notice.periods, notice.workdays)
    check(draft)
    draft.problems = list(dict.fromkeys([*notice.problems, *draft.problems]))
    return draft


def from_rows(rows: list[tuple[str, str, dt.date | None, dt.date | None]], year: int) -> Draft:
    """Form rows: (name, kind 放假/上班, first, last)."""
    draft = Draft(year)
    for name, kind, first, last in rows:
        if kind == "上班":
            draft.workdays.append((name, first))
        else:
            draft.periods.append(Period(name, first, last or first))
    return check(draft)


XLSX_HEADERS = ("类型", "节日名称", "开始日期", "结束日期")


def template_bytes(year: int) -> bytes:
    from feidi.core.exports import workbook

    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet("节假日安排")
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for c, h in enumerate(XLSX_HEADERS):
        sheet.write_string(0, c, h, head)
        sheet.set_column(c, c, 16)
    sheet.write_row(1, 0, ["放假", "元旦"])
    sheet.write_datetime(1, 2, dt.datetime(year, 1, 1), day)
    sheet.write_datetime(1, 3, dt.datetime(year, 1, 1), day)
    notes = book.add_worksheet("填写说明")
    for i, line in enumerate((
            "一行一段放假或一个调休上班日：类型填“放假”或“上班”。",
            "放假填开始与结束日期（一天的填同一天）；上班只填开始日期。",
            "元旦可从上一年12月开始；其余日期按周一至周五上班、周六周日休息。",
            "导入后会显示全年日历供核对，确认后才保存。")):
        notes.write(i, 0, line)
    book.close()
    return buffer.getvalue()


def from_xlsx(content: bytes, year: int) -> Draft:
    """The schedule from the template's sheet, each bad cell a problem naming its row (as Excel
    numbers it) and column and showing the cell as Excel does: a formula, an error or a boolean
    in any column is refused, and so is a holiday without its name (a make-up workday's name is
    optional: 调休)."""
    from feidi.lib.cells import clean_text
    from feidi.lib.cells import parse_date
    from feidi.lib.cells import shown

    from .importer import ImportFileError
    from .importer import cell_text
    from .importer import read_sheet

    draft = Draft(year)
    try:
        data = read_sheet(content, prefer=("节假日安排",))
        if [str(c).strip() for c in data.header[:4]] != list(XLSX_HEADERS):
            draft.problems.append(gettext("第1行应为表头：{join}").format(join='、'.join(XLSX_HEADERS)))
            return draft
        rows = list(data.rows)
    except ImportFileError as exc:
        draft.problems.append(str(exc))
        return draft
    failed = object()  # a cell refused (its problem said): not also 必填

    def as_text(value, row: int, column: str):
        try:
            return clean_text(cell_text(value))  # a formula, an error, a boolean, a control character refused
        except ValueError as exc:
            draft.problems.append(gettext("第{row}行{column}“{shown}”：{message}").format(
                row=row, column=column, shown=shown(value, 30), message=exc))
            return failed

    def as_date(value, row: int, column: str):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, (dt.date, int, float)) or isinstance(value, bool):
            if as_text(value, row, column) is failed:
                return failed
        try:
            return parse_date(value, epoch=data.epoch)  # the workbook's date system (1904 or 1900)
        except ValueError as exc:
            draft.problems.append(gettext("第{row}行{column}：{message}").format(row=row, column=column, message=exc))
            return failed

    for index, cells in rows:
        cells = list(cells) + [None] * 4
        kind, name = as_text(cells[0], index, "类型"), as_text(cells[1], index, "节日名称")
        first, last = as_date(cells[2], index, "开始日期"), as_date(cells[3], index, "结束日期")
        if failed in (kind, name, first, last):
            continue
        if kind not in ("放假", "上班"):
            draft.problems.append(gettext("第{index}行类型：应为“放假”或“上班”").format(index=index))
            continue
        if first is None:
            draft.problems.append(gettext("第{index}行开始日期：必填").format(index=index))
            continue
        if kind == "上班":
            if last is not None and last != first:  # a make-up working day is one day: a range was not meant
                draft.problems.append(gettext(
                    "第{index}行：调休上班日逐日填写（每行一天，只填开始日期），不能填{first:%Y-%m-%d}至{last:%Y-%m-%d}这样的日期段").format(
                        index=index, first=first, last=last))
                continue
            draft.workdays.append((name or "调休", first))
        elif not name:
            draft.problems.append(gettext("第{index}行节日名称：放假安排须填写节日名称（如“国庆节”）").format(index=index))
        else:
            draft.periods.append(Period(name, first, last or first))
    before = list(draft.problems)
    check(draft)
    draft.problems = before + [p for p in draft.problems if p not in before]
    return draft


# --- the action ----------------------------------------------------------------------------------

def do_save_calendar_year(draft: Draft, *, source: str, notice: str = "", acting_user) -> CalendarYear:
    """Save (or replace) a year's schedule (``draft`` as ``check`` left it), with its audit row."""
    if draft.problems:
        raise ValidationError(draft.problems)
    data = draft.as_data()
    with transaction.atomic():
        year = CalendarYear.objects.select_for_update().filter(year=draft.year).first()
        before = audit.snapshot(year) if year else None
        year = year or CalendarYear(year=draft.year)
        year.periods, year.workdays, year.source, year.notice = data["periods"], data["workdays"], source, notice
        year.entered_by = acting_user if getattr(acting_user, "pk", None) else None
        year.save()
        audit.record(audit.AuditRecord.Action.UPDATE if before else audit.AuditRecord.Action.CREATE, year,
                     user=acting_user, before=before or {}, after=audit.snapshot(year))
    return year


def month_grids(schedule: YearSchedule, calendar=None) -> list[dict]:
    """Twelve month grids (weeks from Monday) with each day's kind: holiday, makeup, rest, work."""
    import calendar as cal

    out = []
    for month in range(1, 13):
        weeks = []
        for week in cal.Calendar(firstweekday=0).monthdatescalendar(schedule.year, month):
            row = []
            for d in week:
                if d.month != month:
                    row.append(None)
                    continue
                kind = ("makeup" if d in schedule.workdays else "holiday" if d in schedule.holidays
                        else "rest" if d.weekday() >= 5 else "work")
                row.append({"day": d.day, "kind": kind, "date": d})
            weeks.append(row)
        out.append({"month": month, "weeks": weeks})
    return out
