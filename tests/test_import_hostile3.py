"""The imports against the sixth hostile probe, class by class: a unit stated in a title row above
the header, the template's example row uploaded unchanged, a confirmation of warnings that were
not the ones shown, rows and columns too small to be seen, and the two readers giving one cell two
ways (Excel's _xHHHH_ escapes, numbers shown as times or durations)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlsxwriter

from feidi.core import imports
from feidi.core.importer import ImportFileError
from feidi.indicators.models import IndicatorValue
from feidi.lib import cells
from feidi.lib import spreadsheet
from feidi.lib import uscc
from feidi.lib.cells import TimeCell
from feidi.policies.importers import PolicyItemImporter
from feidi.projects.importers import ProjectImporter
from feidi.projects.models import Project
from feidi.registry.importers import OrganizationImporter
from feidi.registry.models import Organization
from feidi.techmarket.importers import ThesaurusEntryImporter

from .hostile import Book
from .hostile import SheetSpec
from .hostile import handmade
from .test_import_hostile import dressed
from .test_import_hostile2 import both_readers
from .test_import_jobs import api
from .test_import_rules import errors_of
from .test_import_rules import post

PROJECT_HEADER = ["项目名称", "落地园区", "来源渠道", "计划总投资(元)"]
HEADER = ["名称", "统一社会信用代码", "类型"]


def code(n: int) -> str:
    return uscc.make(f"91361100MA38R{n:03d}")


# --- 1: a unit stated above the header is never left unread ------------------------------------------

STATED = ["2026年12月新签约项目表（金额单位：万元）", "（单位：万元）", "单位：万元。", "单位：万元；填报日期：2026-12-05",
          "单位：人民币万元", "金额单位（万元）", "单位（万元）", "单位：亿元）", "【单位：千元】", "单位 ： 万元",
          "2026年新签约项目表（万元）", "单位：万元人民币", "单位:万元填报日期:2026-12-05", "本表金额单位为百万元"]


@pytest.mark.parametrize("title", STATED)
def test_a_multiple_stated_in_a_title_row_refuses_the_file_and_says_where_the_unit_goes(cast, reader, title):
    """Read in the header's 元, 50000 stated in 万元 would be stored 10,000 times too small."""
    rows = [[title], PROJECT_HEADER, ["标题单位项目", "上饶经开区", "以商招商", 50000]]
    with pytest.raises(ImportFileError, match="第1行注明了单位") as refused:
        ProjectImporter().run(handmade(rows, name="招商项目"), cast.invest)
    assert "计划总投资（万元）" in str(refused.value)
    assert not Project.objects.filter(name="标题单位项目").exists()


def test_a_unit_in_another_cell_of_a_notes_row_refuses_an_organization_file(cast):
    rows = [["2026年企业名录"], ["填报单位：经开区", None, None, "单位：人民币万元"], [*HEADER, "注册资本"],
            ["标题资本公司", code(1), "企业", 300]]
    with pytest.raises(ImportFileError, match="第2行注明了单位“万元”"):
        OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert not Organization.objects.filter(name="标题资本公司").exists()


def test_a_unit_in_the_title_of_an_indicator_file_refuses_it(cast, client_for, statistician):
    rows = [["2026年1-2月主要经济指标（金额单位：万元）"], ["统一社会信用代码", "月份", "主营业务收入(元)"],
            [cast.org_a1.uscc, "2026-02", 5]]
    file_error, _ = errors_of(post(client_for("clerk"), "indicators:import", handmade(rows, name="指标数据")))
    assert file_error and "第1行注明了单位“万元”" in file_error
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize("n, title", list(enumerate(["单位名录", "上饶某某单位服务有限公司2026年项目", "填报单位：经开区",
                                                     "单位：元", "单位：人民币元", "2026年亿元以上项目表", "计量单位：个"])))
def test_a_title_stating_no_multiple_is_passed_over(cast, n, title):
    rows = [[title], PROJECT_HEADER, [f"无单位标题项目{n}", "上饶经开区", "以商招商", 50000]]
    result = ProjectImporter().run(handmade(rows, name="招商项目"), cast.invest)
    assert result.applied, list(result.errors)
    assert Project.objects.get(name=f"无单位标题项目{n}").planned_investment == 50000


@pytest.mark.parametrize("text, said, multiple", [
    ("（金额单位：万元）", "万元", 10_000), ("(单位:万元)", "万元", 10_000), ("〔单位：亿元〕", "亿元", 100_000_000),
    ("单位：人民币千元", "千元", 1000), ("金额单位（万元）", "万元", 10_000), ("单位：万元。", "万元", 10_000),
])
def test_a_stated_unit_is_read_whatever_its_widths_brackets_and_punctuation(text, said, multiple):
    assert cells.stated_units(text)[0] == (said, ("元", Decimal(multiple)))
    assert cells.stated_units(text.translate(cells.WIDTH))[0][1][1] == multiple


# --- 2: the template's example row is no record ------------------------------------------------------------

@pytest.mark.parametrize("importer", [OrganizationImporter, ProjectImporter, PolicyItemImporter, ThesaurusEntryImporter])
def test_the_template_uploaded_unchanged_is_refused_on_its_example_row(cast, importer):
    result = importer().run(importer().template_bytes(), cast.invest)
    assert not result.applied
    assert [(e.row, "示例行" in e.message) for e in result.errors] == [(2, True)], list(result.errors)
    assert "删除该行" in result.errors[0].message


def test_an_example_row_among_real_rows_is_refused_and_a_row_changed_from_it_is_not(cast):
    template = OrganizationImporter.example
    header = list(OrganizationImporter.columns)
    example = [template.get(h) for h in header]
    real = [{"名称": "真实光伏有限公司", "统一社会信用代码": code(2)}.get(h, template.get(h)) for h in header]
    result = OrganizationImporter().run(handmade([header, example, real], name="单位"), cast.clerk)
    assert [e.row for e in result.errors] == [2] and result.errors[0].column == "名称"
    result = OrganizationImporter().run(handmade([header, real], name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    assert not Organization.objects.filter(name=template["名称"]).exists()


# --- 3: a confirmation covers the warnings shown, and no others --------------------------------------------

def indicator_job(cast, value=1000):
    rows = [["统一社会信用代码", "月份", "主营业务收入(元)"], [cast.org_a1.uscc, "2026-02", value]]
    return imports.submit(cast.clerk, "indicators", Book([SheetSpec("指标数据", rows)]).bytes(), "提醒.xlsx")


def test_warnings_changed_after_they_were_shown_send_the_file_back_to_be_confirmed(cast, statistician):
    from .test_indicators import put

    put(cast.org_a1, "revenue", 2026, 1, 100)
    job = indicator_job(cast)
    assert job.status == "awaiting" and job.warning_count == 1
    shown = list(job.warnings)
    put(cast.org_a1, "revenue", 2026, 1, 200)  # the month before changes while the uploader reads
    job = imports.confirm(cast.clerk, job)
    assert job.status == "awaiting" and not job.confirmed and "确认时看到的不同" in job.message
    assert job.warnings != shown and "200" in job.warnings[0]["message"]
    assert not IndicatorValue.objects.filter(period=dt.date(2026, 2, 1)).exists()
    job = imports.confirm(cast.clerk, job)  # the new warnings, confirmed as shown
    assert job.status == "done" and job.confirmed and not job.message
    assert IndicatorValue.objects.get(period=dt.date(2026, 2, 1)).value == 1000


def test_a_confirmation_through_the_api_writes_nothing_when_the_warnings_changed(cast, statistician):
    from .test_indicators import put

    put(cast.org_a1, "revenue", 2026, 1, 100)
    c = api(cast.clerk)
    job = indicator_job(cast)
    put(cast.org_a1, "revenue", 2026, 1, 300)
    body = c.post(f"/api/v1/core/imports/{job.pk}/confirm").json()
    assert body["status"] == "awaiting" and not body["confirmed"] and "未写入任何数据" in body["message"]
    assert not IndicatorValue.objects.filter(period=dt.date(2026, 2, 1)).exists()


def test_the_same_warnings_on_confirmation_are_written(cast, statistician):
    from .test_indicators import put

    put(cast.org_a1, "revenue", 2026, 1, 100)
    job = imports.confirm(cast.clerk, indicator_job(cast))
    assert job.status == "done" and not job.message
    assert IndicatorValue.objects.get(period=dt.date(2026, 2, 1)).value == 1000


def test_the_digest_of_warnings_is_the_warnings_shown():
    rows = [{"row": 2, "column": "主营业务收入(元)", "value": "1000", "message": "当月增长800%"}]
    assert imports.warnings_digest(rows, 1) == imports.warnings_digest([dict(r) for r in rows], 1)
    assert imports.warnings_digest(rows, 1) != imports.warnings_digest(rows, 2)
    assert imports.warnings_digest(rows, 1) != imports.warnings_digest([{**rows[0], "message": "当月增长300%"}], 1)


# --- 4: rows and columns too small to be seen ----------------------------------------------------------------

@pytest.mark.parametrize("height", ['ht="0.1" customHeight="1"', 'ht="1"', 'ht="2.5" customHeight="1"'])
def test_data_in_a_row_too_low_to_be_seen_refuses_the_file_as_hidden(cast, reader, height):
    rows = [HEADER, ["矮行可见公司", code(10), "企业"], ["一磅高公司", code(11), "企业"]]
    with pytest.raises(ImportFileError, match="第3行被隐藏") as refused:
        OrganizationImporter().run(dressed(rows, row_attrs={3: height}), cast.clerk)
    assert "行高" in str(refused.value)
    assert not Organization.objects.filter(name__in=["矮行可见公司", "一磅高公司"]).exists()


@pytest.mark.parametrize("width", ["0.05", "0.5", "0.9"])
def test_data_in_a_column_too_narrow_to_be_seen_refuses_the_file_as_hidden(cast, reader, width):
    rows = [[*HEADER, "注册资本(元)"], ["窄列公司", code(12), "企业", 99_999_999]]
    cols = f'<cols><col min="1" max="3" width="20"/><col min="4" max="4" width="{width}" customWidth="1"/></cols>'
    with pytest.raises(ImportFileError, match="D列“注册资本\\(元\\)”被隐藏"):
        OrganizationImporter().run(dressed(rows, cols=cols), cast.clerk)
    assert not Organization.objects.filter(name="窄列公司").exists()


def test_low_rows_and_narrow_columns_that_can_be_read_are_imported(cast, reader):
    rows = [[*HEADER, "注册资本(元)"], ["细看公司", code(13), "企业", 5]]
    cols = '<cols><col min="1" max="3" width="20"/><col min="4" max="4" width="1.5"/></cols>'
    result = OrganizationImporter().run(dressed(rows, cols=cols, row_attrs={2: 'ht="6" customHeight="1"'}), cast.clerk)
    assert result.applied, list(result.errors)


def test_a_sheet_whose_default_column_width_is_a_sliver_hides_its_unsized_columns(cast, reader):
    rows = [[*HEADER, "注册资本(元)"], ["默认窄列公司", code(14), "企业", 99_999_999]]
    fmt = '<sheetFormatPr defaultRowHeight="15" defaultColWidth="0.3"/><cols><col min="1" max="3" width="20"/></cols>'
    with pytest.raises(ImportFileError, match="D列“注册资本\\(元\\)”被隐藏"):
        OrganizationImporter().run(dressed(rows, cols=fmt), cast.clerk)


# --- 5: one cell, one reading, whichever reader --------------------------------------------------------------

ESCAPED = [("_x0041_B", "AB"), ("_x4E2D_文", "中文"), ("_x4e2d_", "中"), ("_x005F_x0041_", "_x0041_"),
           ("甲_x000D__x000A_乙", "甲\r\n乙"), ("_xD83D__xDE00_", "\U0001F600"), ("_xD800_", "_xD800_"),
           ("_x0041", "_x0041"), ("a_x0001_b", "a\x01b")]


@pytest.mark.parametrize("shared", [True, False])
def test_excels_string_escapes_are_decoded_alike_by_both_readers(shared):
    data = Book([SheetSpec("数据", [["原文", "x"], *[[raw, "x"] for raw, _ in ESCAPED]])], shared=shared).bytes()
    whole, streamed = both_readers(data)
    assert whole == streamed
    assert [row[0] for row in streamed[1:]] == [text for _, text in ESCAPED]


def timed_book(values: list[tuple[object, str | None]], header=("名称", "统一社会信用代码", "类型", "注册资本(元)"),
               name: str = "单位", date1904: bool = False) -> bytes:
    """A sheet of one organization a row, the cells of ``values`` (value, number format) put in the
    column their row says: (column, value, format) … written by xlsxwriter as Excel would."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "date_1904": date1904})
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, list(header))
    for r, row in enumerate(values, start=1):
        for c, (value, fmt) in enumerate(row):
            if value is None:
                continue
            style = book.add_format({"num_format": fmt}) if fmt else None
            if isinstance(value, (int, float)):
                sheet.write_number(r, c, value, style)
            else:
                sheet.write_string(r, c, value, style)
    book.close()
    return buffer.getvalue()


def test_numbers_shown_as_times_are_read_alike_by_both_readers():
    """A time of day shown alone is a time whatever the day it holds (46000.5 under h:mm shows
    12:00, not 2025-12-09); a day and its time is that moment, or a time on no day."""
    rows = [[(0.5, "h:mm"), (1.25, "[h]:mm"), (0.25, "yyyy-mm-dd h:mm"), (46000.5, "h:mm"), (0.75, '上午/下午h"时"mm"分"'),
             (5, "yyyy-mm-dd"), (46000, "yyyy-mm-dd"), (46000.25, "yyyy-mm-dd hh:mm"), (2.5, None)]]
    data = timed_book(rows, header=[f"c{n}" for n in range(9)])
    whole, streamed = both_readers(data)
    assert whole == streamed, (whole, streamed)
    assert streamed[1] == [TimeCell(0.5, "12:00"), TimeCell(1.25, "30:00"), TimeCell(0.25, "6:00"),
                           TimeCell(46000.5, "12:00"), TimeCell(0.75, "18:00"), 5.0, dt.date(2025, 12, 9),
                           dt.datetime(2025, 12, 9, 6, 0), 2.5]


def test_dates_and_moments_in_the_calendar_are_still_read_by_calamine(monkeypatch):
    calls = []
    monkeypatch.setattr(spreadsheet, "_calamine_rows", lambda *a: calls.append(a) or iter([(1, ["a", "b"])]))
    spreadsheet.open_sheet(timed_book([[(46000, "yyyy-mm-dd"), (46000.25, "yyyy-mm-dd hh:mm")]], header=["a", "b"]))
    assert calls
    calls.clear()
    spreadsheet.open_sheet(timed_book([[(46000, "yyyy-mm-dd"), (0.25, "yyyy-mm-dd hh:mm")]], header=["a", "b"]))
    assert not calls  # a moment on no day: streamed, as a time


def test_a_date_past_the_calendar_of_a_1904_workbook_is_no_crash_and_read_alike():
    data = timed_book([[(2958465.5, "yyyy-mm-dd"), (2957003.5, "yyyy-mm-dd")]], header=["a", "b"], date1904=True)
    whole, streamed = both_readers(data)
    assert whole == streamed == [["a", "b"], [2958465.5, dt.datetime(9999, 12, 31, 12, 0)]]


def import_both_ways(data: bytes, user, monkeypatch) -> list[list[tuple]]:
    """The row reports of ``data`` imported by calamine and by the streaming reader."""
    out = []
    for limit in (spreadsheet.CALAMINE_BYTES, 0):
        monkeypatch.setattr(spreadsheet, "CALAMINE_BYTES", limit)
        result = OrganizationImporter().run(data, user)
        assert not result.applied
        out.append([(e.row, e.column, e.value, e.message) for e in result.errors])
    return out


def test_a_time_in_a_number_column_and_a_duration_as_a_name_are_refused_alike_by_both_readers(cast, monkeypatch):
    rows = [[("时间资本公司", None), (code(20), None), ("企业", None), (0.5, "h:mm")],
            [(1.25, "[h]:mm"), (code(21), None), ("企业", None), (100, None)],
            [("时长资本公司", None), (code(22), None), ("企业", None), (1.25, "h:mm")]]
    whole, streamed = import_both_ways(timed_book(rows), cast.clerk, monkeypatch)
    assert whole == streamed
    assert [(row, column, value) for row, column, value, _ in streamed] == [
        (2, "注册资本(元)", "12:00"), (3, "名称", "30:00"), (4, "注册资本(元)", "6:00")]
    assert all("显示为时间" in message and "day" not in message for *_, message in streamed)
    assert not Organization.objects.filter(uscc__in=[code(20), code(21), code(22)]).exists()


def test_an_escape_decoded_to_a_control_character_is_refused_alike_by_both_readers(cast, monkeypatch):
    rows = [HEADER, ["转义_x0001_公司", code(23), "企业"], ["转义_x0041_公司", code(24), "企业"]]
    whole, streamed = import_both_ways(handmade(rows, name="单位"), cast.clerk, monkeypatch)
    assert whole == streamed and [(row, column) for row, column, *_ in streamed] == [(2, "名称")]
    assert "控制字符" in streamed[0][3]


def test_an_escaped_name_is_stored_as_excel_shows_it(cast, reader):
    rows = [HEADER, ["转义_x0041_公司", code(25), "企业"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.filter(uscc=code(25)).get().name == "转义A公司"


@pytest.mark.parametrize("code_", ["[h]", "[ss]", "[mm]"])
def test_an_elapsed_time_format_shows_its_number_and_is_a_duration(code_):
    assert spreadsheet.shows_nothing(code_) == (False, False)
    assert spreadsheet.clock(164, code_) == spreadsheet.DURATION


@pytest.mark.parametrize("fmt, code_, shows", [
    (14, None, None), (20, None, "time"), (22, None, "moment"), (46, None, "duration"), (32, None, "time"),
    (164, "yyyy-mm-dd", None), (164, "h:mm", "time"), (164, 'yyyy"年"m"月"d"日" hh:mm', "moment"),
    (164, 'm"月"d"日"', None), (164, "mm:ss", "time"), (164, "[h]:mm:ss", "duration"),
])
def test_what_a_date_format_shows_of_the_time(fmt, code_, shows):
    assert spreadsheet.clock(fmt, code_) == shows
