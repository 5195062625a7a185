"""The three imports against files written the way other offices write them (issue 14): headers
under other names, units in the header, columns the template does not know, formula cells, hidden
sheets, full-width text, 万/亿 in cells, the dates Chinese spreadsheets use, long values in the
report. Files are generated (``tests/hostile.py``), each class over several cases."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from feidi.indicators.models import IndicatorValue
from feidi.lib import cells
from feidi.lib import uscc
from feidi.projects.models import Project
from feidi.registry.models import Organization

from .hostile import Book
from .hostile import Formula
from .hostile import SheetSpec
from .hostile import csv_bytes
from .hostile import forged_codes

FULL = str.maketrans("0123456789.,-()", "０１２３４５６７８９．，－（）")


def code(n: int) -> str:
    return uscc.make(f"91361100MA35R{n:03d}")


def post(client, url_name, data: bytes, name="导入.xlsx"):
    return client.post(reverse(url_name), {"file": SimpleUploadedFile(name, data)})


def errors_of(response):
    context = response.context
    result = context.get("result") or context.get("outcome")
    return context.get("file_error"), (result.errors if result else [])


@pytest.fixture
def statistician(cast):
    from feidi.accounts.models import Role

    cast.clerk.roles.add(Role.objects.get(code="statistics"))
    return cast.clerk


# --- cells -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, unit, expected", [
    ("1,234.5", None, "1234.5"), ("１，２３４．５", None, "1234.5"), ("1.5亿", None, "150000000"),
    ("３万", None, "30000"), (" 12 ", Decimal(10_000), "120000"), (2.5, Decimal(100_000_000), "250000000"),
    ("-", None, None), ("", None, None), ("1 234", None, "1234"),
])
def test_numbers_are_read_the_way_offices_write_them(text, unit, expected):
    value = cells.parse_number(text, unit=unit)
    assert (value if value is None else value.normalize()) == (None if expected is None else Decimal(expected).normalize())


@pytest.mark.parametrize("cell", ["-0", "−0.00", "(0)", "-0万", -0.0, Decimal("-0"), " -0 "])
def test_a_negative_zero_is_zero(cell):
    """An export's "-0" (a rounded small negative) is read as 0: stored and shown as 0, never −0."""
    value = cells.parse_number(cell, unit=Decimal(10_000))
    assert value == 0 and not value.is_signed() and str(value.normalize()) == "0"


@pytest.mark.parametrize("text", ["abc", "1.2.3", "万", "1e400x", True])
def test_what_is_not_a_number_says_so(text):
    with pytest.raises(ValueError):
        cells.parse_number(text)


def test_dates_and_months_in_the_formats_chinese_spreadsheets_use():
    rng = random.Random()
    for _ in range(200):
        day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(12000))
        for text in (f"{day:%Y-%m-%d}", f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
                     f"{day.year}年{day.month}月{day.day}日", f"{day:%Y%m%d}", f"{day:%Y-%m-%d}".translate(FULL)):
            assert cells.parse_date(text) == day, text
        assert cells.parse_date((day - dt.date(1899, 12, 30)).days) == day  # an Excel serial
        first = day.replace(day=1)
        for text in (f"{day:%Y-%m}", f"{day.year}年{day.month}月", f"{day:%Y%m}", f"{day.year}年{day.month}月份"):
            assert cells.parse_month(text) == first, text
    # the first release of the year is 1–2月: a cumulative figure for February
    for text in ("2026年1-2月", "2026年1—2月", "2026年1~2月", "2026年1至2月"):
        assert cells.parse_month(text) == dt.date(2026, 2, 1)
    for bad in ("2026-02-30", "2026年13月", "下个月"):
        with pytest.raises(ValueError):
            cells.parse_date(bad) if "月" not in bad or "日" in bad else cells.parse_month(bad)


@pytest.mark.parametrize("header, label, unit", [
    ("签约金额（万元）*", "签约金额", Decimal(10_000)), ("计划总投资 (亿元)", "计划总投资", Decimal(100_000_000)),
    ("营业收入[元]", "营业收入", Decimal(1)), ("主营业务收入（单位：万元）", "主营业务收入", Decimal(10_000)),
    ("　名　称：", "名称", None), ("用地面积(亩)", "用地面积", None),
])
def test_headers_are_matched_by_their_meaning_and_units_read(header, label, unit):
    assert cells.normalize_label(header) == label
    assert cells.unit_of(header) == unit


def test_a_report_shows_long_values_cut_with_their_length():
    assert cells.shown("甲" * 49) == "甲" * 49
    shown = cells.shown("<script>" * 100)
    assert shown.startswith("<script>") and "共800字" in shown and len(shown) < 70


# --- credit codes ------------------------------------------------------------------------------------

def test_structurally_forged_codes_are_refused_on_the_form_and_in_the_import(cast, client_for):
    forged = [c for c, _ in forged_codes(random.Random())]
    rows = [["名称", "统一社会信用代码", "类型"]] + [[f"伪造代码公司{i}", c, "企业"] for i, c in enumerate(forged)]
    response = post(client_for("clerk"), "registry:organization_import", Book([SheetSpec("单位", rows)]).bytes())
    file_error, errors = errors_of(response)
    assert not file_error
    assert {e.row for e in errors if e.column == "统一社会信用代码"} == set(range(2, 2 + len(forged)))
    assert not Organization.objects.filter(name__startswith="伪造代码公司").exists()


# --- organizations -----------------------------------------------------------------------------------

def test_headers_under_other_names_with_units_and_full_width_text_are_imported(cast, client_for):
    rows = [["单位名称", "社会信用代码 ", "主体类型", "园区", "注册资本（万元）", "成立时间", "员工人数", "用地面积（亩）"],
            ["宽字符公司", code(1).translate(FULL), "企业", "上饶经开区", "１，２００", "2021年6月18日", "３５０", "12.5"],
            ["亿元公司", code(2), "企业", None, "0.3亿", "2019/3/5", 40, None]]
    response = post(client_for("clerk"), "registry:organization_import", Book([SheetSpec("单位", rows)]).bytes())
    assert response.status_code == 302, errors_of(response)
    wide = Organization.objects.get(name="宽字符公司")
    assert wide.uscc == code(1) and wide.registered_capital == Decimal(12_000_000)
    assert wide.established_on == dt.date(2021, 6, 18) and wide.employees == 350 and wide.zone == cast.zone_a
    assert Organization.objects.get(name="亿元公司").registered_capital == Decimal(30_000_000)


@pytest.mark.parametrize("extra", ["规上", "专精特新", "签约日期", "备注（内部）"])
def test_a_column_the_template_does_not_know_refuses_the_file_naming_it(cast, client_for, extra):
    rows = [["名称", "统一社会信用代码", "类型", extra], ["多列公司", code(3), "企业", "是"]]
    file_error, _ = errors_of(post(client_for("clerk"), "registry:organization_import",
                                   Book([SheetSpec("单位", rows)]).bytes()))
    assert file_error and extra in file_error and "模板之外的列" in file_error
    assert not Organization.objects.filter(name="多列公司").exists()


def test_a_unit_on_a_column_that_is_not_money_is_refused(cast, client_for):
    rows = [["名称", "统一社会信用代码", "类型", "从业人员（万元）"], ["单位错公司", code(4), "企业", 3]]
    file_error, _ = errors_of(post(client_for("clerk"), "registry:organization_import",
                                   Book([SheetSpec("单位", rows)]).bytes()))
    assert "不是金额列" in file_error


@pytest.mark.parametrize("cached", [None, 350])
def test_a_formula_cell_is_used_by_its_cached_value_or_reported(cast, client_for, cached):
    rows = [["名称", "统一社会信用代码", "类型", "从业人员", "简介"],
            ["公式公司", code(5), "企业", Formula("SUM(A1:A3)", cached), Formula('CONCAT("a","b")', None)]]
    response = post(client_for("clerk"), "registry:organization_import", Book([SheetSpec("单位", rows)]).bytes())
    file_error, errors = errors_of(response)
    reported = {e.column for e in errors if "公式单元格" in e.message}
    assert "简介" in reported  # never stored blank
    assert ("从业人员" in reported) == (cached is None)
    assert not Organization.objects.filter(name="公式公司").exists()


def test_the_visible_sheet_is_read_never_a_hidden_one_and_the_page_says_which(cast, client_for):
    decoy = [["名称", "统一社会信用代码", "类型"], ["隐藏公司", code(6), "企业"]]
    real = [["名称", "统一社会信用代码", "类型"], ["可见公司", code(7), "企业"], ["坏代码公司", "91361100MA35R0070X", "企业"]]
    for state in ("hidden", "veryHidden"):
        book = Book([SheetSpec("旧数据", decoy, state), SheetSpec("本月", real)])
        response = post(client_for("clerk"), "registry:organization_import", book.bytes())
        page = response.content.decode()
        assert "已读取工作表“本月”" in page and "旧数据" in page  # the skipped hidden sheet is named
        assert [e.row for e in errors_of(response)[1]] == [3]
    assert not Organization.objects.filter(name__in=["隐藏公司", "可见公司"]).exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_files_are_imported_in_the_encodings_offices_save(cast, client_for, encoding):
    rows = [["名称", "统一社会信用代码", "类型", "所在园区"], [f"CSV公司{encoding}", code(10 + len(encoding)), "企业", "上饶经开区"]]
    response = post(client_for("clerk"), "registry:organization_import", csv_bytes(rows, encoding), name="单位.csv")
    assert response.status_code == 302, errors_of(response)
    assert Organization.objects.filter(name=f"CSV公司{encoding}", zone=cast.zone_a).exists()


def test_long_values_are_cut_in_the_report(cast, client_for):
    rows = [["名称", "统一社会信用代码", "类型"], ["长代码公司", "9" * 5000, "企业"]]
    response = post(client_for("clerk"), "registry:organization_import", Book([SheetSpec("单位", rows)]).bytes())
    error = errors_of(response)[1][0]
    assert len(error.value) < 80 and "共5000字" in error.value
    assert "9" * 200 not in response.content.decode()


# --- projects ------------------------------------------------------------------------------------------

def test_projects_with_amounts_in_wan_and_yi_are_stored_in_yuan(cast, client_for):
    rows = [["项目名称", "落地园区", "投资主体", "招商渠道", "签约金额（万元）", "总投资（亿元）", "是否重点项目"],
            ["万元项目", "上饶经开区", "某投资方", "以商招商", "５，０００", 1.2, "否"]]
    response = post(client_for("invest"), "projects:project_import", Book([SheetSpec("招商项目", rows)]).bytes())
    assert response.status_code == 302, errors_of(response)
    project = Project.objects.get(name="万元项目")
    assert project.signed_amount == Decimal(50_000_000) and project.planned_investment == Decimal(120_000_000)


def test_a_name_differing_only_by_an_invisible_space_is_the_same_name_and_ticks_and_crosses_are_yes_and_no(cast, client_for):
    """探针\xa0项目 beside 探针项目 looks the same on screen: refused as the same project, in the file
    and beside one stored (NBSP and the ideographic space are dropped before NFKC would make them an
    ASCII space); × is 否 and a full-width ｙ is y."""
    rows = [["项目名称", "落地园区", "投资主体", "招商渠道", "是否重点项目"],
            ["探针项目", "上饶经开区", "某投资方", "以商招商", "×"],
            ["探针\xa0项目", "上饶经开区", "某投资方", "以商招商", "否"]]
    _, errors = errors_of(post(client_for("invest"), "projects:project_import", Book([SheetSpec("招商项目", rows)]).bytes()))
    assert [e.row for e in errors] == [3] and "重复" in errors[0].message, errors
    response = post(client_for("invest"), "projects:project_import", Book([SheetSpec("招商项目", rows[:2])]).bytes())
    assert response.status_code == 302, errors_of(response)
    assert Project.objects.get(name="探针项目").is_key is False
    again = [rows[0], ["探针\u3000项目", "上饶经开区", "某投资方", "以商招商", "否"]]
    _, errors = errors_of(post(client_for("invest"), "projects:project_import", Book([SheetSpec("招商项目", again)]).bytes()))
    assert [e.row for e in errors] == [2], errors
    fresh = [[*rows[0], "重点级别"], ["另一探针项目", "上饶经开区", "某投资方", "以商招商", "ｙ", "市重点"]]
    assert post(client_for("invest"), "projects:project_import", Book([SheetSpec("招商项目", fresh)]).bytes()).status_code == 302
    assert Project.objects.get(name="另一探针项目").is_key is True


def test_a_project_file_with_a_stage_or_signing_date_column_is_refused_not_dropped(cast, client_for):
    for extra in ("项目阶段", "签约日期"):
        rows = [["项目名称", "落地园区", "来源渠道", extra], ["阶段项目", "上饶经开区", "以商招商", "已签约"]]
        file_error, _ = errors_of(post(client_for("invest"), "projects:project_import",
                                       Book([SheetSpec("招商项目", rows)]).bytes()))
        assert extra in file_error
    assert not Project.objects.filter(name="阶段项目").exists()


# --- indicators ----------------------------------------------------------------------------------------

def test_a_revenue_only_file_in_wan_yuan_with_the_first_release_month_is_imported(cast, client_for, statistician):
    rows = [["信用代码", "报告期", "主营业务收入（万元）"],
            [cast.org_a1.uscc, "2026年1-2月", "１２．５"], [cast.org_a2.uscc, "2026年3月", "3亿"]]
    response = post(client_for("clerk"), "indicators:import", Book([SheetSpec("指标数据", rows)]).bytes())
    assert response.status_code == 302, errors_of(response)
    values = {(v.organization_id, v.period): v.value for v in IndicatorValue.objects.all()}
    assert values == {(cast.org_a1.pk, dt.date(2026, 2, 1)): Decimal(125_000),
                      (cast.org_a2.pk, dt.date(2026, 3, 1)): Decimal(300_000_000)}


def test_indicator_files_refuse_unknown_columns_and_report_formulas(cast, client_for, statistician):
    c = client_for("clerk")
    rows = [["统一社会信用代码", "月份", "主营业务收入(元)", "规上"], [cast.org_a1.uscc, "2026-03", 1, "是"]]
    file_error, _ = errors_of(post(c, "indicators:import", Book([SheetSpec("指标数据", rows)]).bytes()))
    assert "规上" in file_error and "无法识别的列" in file_error
    rows = [["统一社会信用代码", "月份", "主营业务收入(元)", "税收(元)"],
            [cast.org_a1.uscc, "2026-03", Formula("B2*2", None), Formula("B2*3", 42)]]
    file_error, errors = errors_of(post(c, "indicators:import", Book([SheetSpec("指标数据", rows)]).bytes()))
    assert [(e.row, e.column) for e in errors if "公式单元格" in e.message] == [(2, "主营业务收入(元)")]
    rows = [["统一社会信用代码", "月份", "从业人员（万元）"], [cast.org_a1.uscc, "2026-03", 1]]
    file_error, _ = errors_of(post(c, "indicators:import", Book([SheetSpec("指标数据", rows)]).bytes()))
    assert "单位" in file_error
    assert not IndicatorValue.objects.exists()


def test_an_indicator_row_whose_code_cannot_be_one_says_why_not_only_that_it_is_unknown(cast, client_for, statistician):
    wrong = cast.org_a1.uscc[:17] + next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != cast.org_a1.uscc[17])
    rows = [["统一社会信用代码", "月份", "主营业务收入(元)"], [wrong, "2026-03", 1]]
    _, errors = errors_of(post(client_for("clerk"), "indicators:import", Book([SheetSpec("指标数据", rows)]).bytes()))
    assert [(e.row, "校验位" in e.message) for e in errors] == [(2, True)], errors
    assert not IndicatorValue.objects.exists()


def test_a_key_column_is_still_required(cast, client_for, statistician):
    rows = [["企业名称", "主营业务收入(元)"], ["甲光伏科技有限公司", 1]]
    file_error, _ = errors_of(post(client_for("clerk"), "indicators:import", Book([SheetSpec("指标数据", rows)]).bytes()))
    assert "缺少必需的列" in file_error and "统一社会信用代码" in file_error and "月份" in file_error


def test_a_month_written_as_a_date_is_that_dates_month():
    """2026-1-5 is 5 January: its month is January, never January-to-May (the range 1–N reads only
    with 月, "2026年1-5月"); a date that does not exist names no month."""
    rng = random.Random()
    for _ in range(300):
        day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(12000))
        first = day.replace(day=1)
        for text in (f"{day.year}-{day.month}-{day.day}", f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
                     f"{day.year} - {day.month} - {day.day}", f"{day:%Y-%m-%d}", f"{day.year}年{day.month}月{day.day}日",
                     f"{day.year}年{day.month}月{day.day}号", f"{day.year}-{day.month}-{day.day}".translate(FULL)):
            assert cells.parse_month(text) == first, text
    for n in range(2, 13):
        assert cells.parse_month(f"2026年1-{n}月") == cells.parse_month(f"2026.1-{n}月") == dt.date(2026, n, 1)
    for bad in ("2026-2-30", "2026-1-32", "2026/4/31", "2026年1-2", "2026-1/5"):
        with pytest.raises(ValueError):
            cells.parse_month(bad)


@pytest.mark.parametrize("text", ["10²", "⑫", "١٢٣", "۱۲۳", "१२३", "１０²", "3½", "Ⅻ", "²⁵"])
def test_digits_of_other_forms_and_scripts_are_no_number(text):
    """Only 0–9 (half- or full-width) are digits here: a superscript, a circled or a Roman
    numeral, another script's digits — which compatibility folding or Python's own \\d would
    read as digits (10² as 102) — are refused, not stored as another number."""
    with pytest.raises(ValueError):
        cells.parse_number(text)


def test_a_moment_with_its_offset_is_the_day_it_was_here(settings):
    """A timestamp a system exports with its offset (Z, +00:00) is the day it was in the
    installation's time zone; one without an offset is the day it says."""
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert cells.parse_date("2026-03-05T20:00:00Z") == dt.date(2026, 3, 6)
    assert cells.parse_date("2026-03-05T15:59:59Z") == dt.date(2026, 3, 5)
    assert cells.parse_date("2026-03-05 20:00:00+00:00") == dt.date(2026, 3, 6)
    assert cells.parse_date("2026-03-05T20:00:00+0000") == dt.date(2026, 3, 6)
    assert cells.parse_date("2026-03-05T23:30:00+08:00") == dt.date(2026, 3, 5)
    assert cells.parse_date("2026-03-05T20:00:00") == cells.parse_date("2026-03-05 20:00") == dt.date(2026, 3, 5)
    assert cells.parse_number("1\u2009234") == cells.parse_number("1 234") == Decimal(1234)  # a thin space groups


def test_an_imported_text_is_stored_as_written_and_only_codes_and_numbers_are_folded(cast, client_for):
    """A file's text is the text a form would store (a name's full-width brackets, a list's ①②, a
    company's ㈱ are the text's; compatibility folding made them other characters): only a code
    (the credit code), a number and a date are read through their full-width forms, and a
    superscript is no digit (10² 人 refused, not read as 102)."""
    name, address, intro = "探针（全角）科技有限公司", "上饶市信州区，凤凰大道１号（Ａ座）", "主营：光伏组件～①单晶②多晶；㈱合作"
    rows = [["名称", "统一社会信用代码", "类型", "地址", "从业人员", "用地面积（亩）", "简介"],
            [name, code(31).translate(FULL), "企业", address, "１２０", "１２．５", intro]]
    response = post(client_for("clerk"), "registry:organization_import", Book([SheetSpec("单位", rows)]).bytes())
    assert response.status_code == 302, errors_of(response)
    org = Organization.objects.get(uscc=code(31))
    assert (org.name, org.address, org.description) == (name, address, intro)
    assert org.employees == 120 and org.land_area_mu == Decimal("12.5")
    for column, value in (("从业人员", "10²"), ("用地面积（亩）", "⑫")):
        rows = [["名称", "统一社会信用代码", "类型", column], ["上标公司", code(32), "企业", value]]
        file_error, errors = errors_of(post(client_for("clerk"), "registry:organization_import",
                                            Book([SheetSpec("单位", rows)]).bytes()))
        assert [(e.row, "不是数字" in e.message) for e in errors] == [(2, True)], (value, file_error, errors)
    assert not Organization.objects.filter(uscc=code(32)).exists()


def test_a_row_error_names_the_column_as_the_file_heads_it(cast, client_for):
    """The report names a column as the file heads it — “注册资本（万元）”, “单位名称” — not the
    template's “注册资本(元)”, so the office finds the column it typed in."""
    rows = [["单位名称", "统一社会信用代码", "类型", "注册资本（万元）"], ["列名公司", code(41), "企业", "三百"]]
    _, errors = errors_of(post(client_for("clerk"), "registry:organization_import", Book([SheetSpec("单位", rows)]).bytes()))
    assert [(e.column, e.value) for e in errors] == [("注册资本（万元）", "三百")]
    rows = [["单位名称", "统一社会信用代码", "类型"], ["", code(42), "企业"]]
    _, errors = errors_of(post(client_for("clerk"), "registry:organization_import", Book([SheetSpec("单位", rows)]).bytes()))
    assert [e.column for e in errors] == ["单位名称"]
