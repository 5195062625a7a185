"""The imports against the second hostile probe (issue: spreadsheet imports), class by class:
sheets whose extent would make a grid reader allocate without bound, numbers beyond their column or
not finite, damaged zips, over-limit files, units and thousands separators that do not belong,
headers with unknown units or none, Excel error cells, implausible dates and the 1904 date system,
names with full-width punctuation, credit codes with invisible characters, files with a header and
no rows, title rows, zips that are no workbook."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from feidi.core.importer import ImportFileError
from feidi.core.importer import Limits
from feidi.indicators.models import IndicatorValue
from feidi.lib import cells
from feidi.lib import spreadsheet
from feidi.lib import uscc
from feidi.lib.spreadsheet import ErrorCell
from feidi.lib.spreadsheet import SheetError
from feidi.lib.spreadsheet import open_sheet
from feidi.registry.importers import OrganizationImporter
from feidi.registry.models import Organization

from .hostile import Book
from .hostile import Formula
from .hostile import Raw
from .hostile import SheetSpec
from .hostile import dated
from .hostile import error
from .hostile import handmade
from .hostile import zip_of
from .test_import_rules import errors_of
from .test_import_rules import post

ENGLISH = re.compile(r"CRC|Bad|[Ee]rror|Exception|zip file|decompress|invalid|range")  # a library's own words


@pytest.fixture
def statistician(cast):
    from feidi.accounts.models import Role

    cast.clerk.roles.add(Role.objects.get(code="statistics"))
    return cast.clerk


def code(n: int) -> str:
    return uscc.make(f"91361100MA36R{n:03d}")


def rows_of(data, **kw):
    sheet = open_sheet(data, **kw)
    return [cells for _, cells in sheet.rows]


# --- A1: the extent of a sheet is bounded before any reader lays it out --------------------------------

@pytest.mark.parametrize("ref", ["XFD1048576", "A1048576", "XFD3", "GS2", "A60000"])
@pytest.mark.parametrize("where", ["cell", "cell-without-row-number"])
def test_a_cell_placed_beyond_the_rows_or_columns_refuses_the_file_at_once(ref, where):
    row = int(re.sub(r"^[A-Z]+", "", ref))
    row_tag = f'<row r="{row}">' if where == "cell" else "<row>"
    tail = f'{row_tag}<c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
    data = handmade([["名称", "类型"], ["甲", "企业"]], tail=tail)
    assert len(data) < 4096
    with pytest.raises(SheetError, match="超过上限") as refused:
        rows_of(data, budget=spreadsheet.Budget(rows=51_000))
    assert ref in str(refused.value) or f"{row:,}" in str(refused.value)


def test_a_dimension_claiming_the_whole_sheet_is_read_by_its_cells():
    data = handmade([["a", "b"], [1, 2]], dimension="A1:XFD1048576")
    assert rows_of(data) == [["a", "b"], [1.0, 2.0]]


def test_a_grid_larger_than_calamine_may_lay_out_is_streamed(monkeypatch):
    monkeypatch.setattr(spreadsheet, "CALAMINE_CELLS", 10)
    calls = []
    monkeypatch.setattr(spreadsheet, "_calamine_rows", lambda *a: calls.append(a) or iter(()))
    data = handmade([["a", "b"], [1, 2]], tail='<row r="20"><c r="F20"><v>3</v></c></row>')
    assert rows_of(data)[-1] == [None, None, None, None, None, 3.0] and not calls


# --- A4: damaged files and cells are said in Chinese ---------------------------------------------------

def test_a_damaged_zip_is_refused_in_chinese_on_every_path():
    for rows in ([["a"], [1]], [["a"], [Formula("1+1", 2)]]):  # the calamine check's pass and the stream
        data = bytearray(zip_of(Book([SheetSpec("数据", rows)]).parts(), stored=True))
        at = data.index(b"<sheetData>")
        data[at + 1] = ord("X")  # the stored bytes no longer match their CRC
        with pytest.raises(SheetError) as refused:
            rows_of(bytes(data))
        assert not ENGLISH.search(str(refused.value)), refused.value


@pytest.mark.parametrize("value", [1e10, -1, float("inf"), float("nan"), 2021, 60, "1899-12", "0001-01", 99999999.0])
def test_a_month_that_is_no_month_is_a_value_error(value):
    with pytest.raises(ValueError):
        cells.parse_month(value)


def test_a_job_that_fails_unexpectedly_says_so_without_the_exception(cast, monkeypatch):
    from feidi.core import imports

    def crash(*args, **kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(OrganizationImporter, "run", crash)
    job = imports.submit(cast.clerk, "organizations", handmade([["名称"], ["甲"]], name="单位"), "x.xlsx")
    assert job.status == "failed" and "Overflow" not in job.message and not ENGLISH.search(job.message)


# --- A2/A3: every number is finite and fits its column ------------------------------------------------

@pytest.mark.parametrize("value, places, digits", [
    (Decimal("1e17"), 4, 20), (Decimal("1.23456"), 4, 20), (Decimal("12.345"), 2, 14), (Decimal("0.5"), 0, 10),
])
def test_a_number_beyond_its_column_is_refused(value, places, digits):
    with pytest.raises(ValueError):
        cells.fit(value, digits, places)


def test_a_float_cell_is_read_to_excels_precision():
    assert cells.parse_number(0.1 + 0.2) == Decimal("0.3")
    assert cells.parse_number(float(2**52)) == Decimal(2**52)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), 1e308, 1e17, 1.23456, "1e400"])
def test_an_indicator_value_that_is_not_finite_or_beyond_the_column_is_a_row_error(cast, client_for, statistician,
                                                                                    value):
    rows = [["统一社会信用代码", "月份", "主营业务收入(元)", "税收(元)"], [cast.org_a1.uscc, "2026-03", value, 1.0]]
    response = post(client_for("clerk"), "indicators:import", handmade(rows, name="指标数据"))
    file_error, errors = errors_of(response)
    assert not file_error and [(e.row, e.column) for e in errors] == [(2, "主营业务收入(元)")]
    assert not IndicatorValue.objects.exists()


def test_an_organization_amount_beyond_its_column_is_one_row_error(cast):
    rows = [["名称", "统一社会信用代码", "类型", "注册资本(元)"], ["大数公司", code(1), "企业", 1e300]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert [(e.row, e.column) for e in result.errors] == [(2, "注册资本(元)")] and not result.applied


# --- A5: an over-limit file is refused before a row is checked or written -----------------------------

def test_a_file_over_the_row_limit_is_refused_before_any_row_is_checked(cast, monkeypatch):
    monkeypatch.setattr(OrganizationImporter, "limits", Limits(rows=3))
    checked = []
    monkeypatch.setattr(OrganizationImporter, "check", lambda self, chunk, *a: checked.append(chunk) or [])
    rows = [["名称", "统一社会信用代码", "类型"]] + [[f"超限公司{i}", code(10 + i), "企业"] for i in range(5)]
    with pytest.raises(ImportFileError, match="最多导入3行"):
        OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert not checked and not Organization.objects.filter(name__startswith="超限公司").exists()


# --- B1/B2: units and separators in cells -------------------------------------------------------------

@pytest.mark.parametrize("text, measure", [
    ("50%", "元"), ("12亩", "元"), ("3.5万元", "人"), ("12人", None), ("3万", "%"), ("5元", "%"),
    ("1,5", None), ("1,2,3", None), ("12,34", None), ("1，5", None), ("1,2345", None), ("1 5", None),
])
def test_a_unit_that_is_not_the_columns_or_a_misplaced_separator_is_refused(text, measure):
    with pytest.raises(ValueError):
        cells.parse_number(text, measure=measure)


@pytest.mark.parametrize("text, unit, measure, expected", [
    ("1,234", None, "元", "1234"), ("1,234,567.5", None, "元", "1234567.5"), ("１，２３４", None, None, "1234"),
    ("3.5万元", None, "元", "35000"), ("12亩", None, "亩", "12"), ("1.2万人", None, "人", "12000"),
    ("5000元", Decimal(10_000), "元", "5000"), ("50%", None, "%", "50"), ("7", Decimal(10_000), "元", "70000"),
])
def test_a_unit_of_the_column_and_proper_grouping_are_read(text, unit, measure, expected):
    assert cells.parse_number(text, unit=unit, measure=measure) == Decimal(expected)


def test_a_project_amount_with_a_unit_of_another_column_is_a_row_error(cast, client_for):
    from feidi.projects.models import Project

    header = ["项目名称", "落地园区", "来源渠道", "计划总投资(元)"]
    for i, amount in enumerate(["50%", "12亩", "1,5"]):
        rows = [header, [f"单位项目{i}", "上饶经开区", "以商招商", amount]]
        _, errors = errors_of(post(client_for("invest"), "projects:project_import", handmade(rows, name="招商项目")))
        assert [(e.row, e.column) for e in errors] == [(2, "计划总投资(元)")], amount
    assert not Project.objects.filter(name__startswith="单位项目").exists()


# --- B3: a header's unit is converted or refused ------------------------------------------------------

@pytest.mark.parametrize("header", ["注册资本(美元)", "注册资本(万美元)", "用地面积(万元)", "用地面积(公顷)"])
def test_a_header_with_a_unit_not_the_columns_refuses_the_file_naming_it(cast, header):
    rows = [["名称", "统一社会信用代码", "类型", header], ["外币公司", code(20), "企业", 3]]
    with pytest.raises(ImportFileError) as refused:
        OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert header in str(refused.value)


def test_a_multiple_of_the_columns_unit_in_the_header_is_converted(cast):
    rows = [["名称", "统一社会信用代码", "类型", "注册资本(亿)", "从业人员(万人)"], ["倍数公司", code(21), "企业", 1.5, 0.035]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    org = Organization.objects.get(name="倍数公司")
    assert org.registered_capital == Decimal(150_000_000) and org.employees == 350


def test_an_indicator_header_with_an_unknown_unit_refuses_the_file(cast, client_for, statistician):
    for header in ("主营业务收入(美元)", "从业人员(万元)"):
        rows = [["统一社会信用代码", "月份", header], [cast.org_a1.uscc, "2026-03", 1]]
        file_error, _ = errors_of(post(client_for("clerk"), "indicators:import", handmade(rows, name="指标数据")))
        assert file_error and header in file_error
    assert not IndicatorValue.objects.exists()


# --- B4: data under no header ------------------------------------------------------------------------

@pytest.mark.parametrize("header, letter", [(["名称", "统一社会信用代码", "类型", None], "D"),
                                            (["名称", None, "统一社会信用代码", "类型"], "B")])
def test_data_under_a_blank_header_refuses_the_file_naming_the_column(cast, header, letter):
    values = {"名称": "无名列公司", "统一社会信用代码": code(22), "类型": "企业", None: "这列数据去哪了"}
    rows = [header, [values[h] for h in header]]
    with pytest.raises(ImportFileError, match=f"{letter}列没有列名"):
        OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert not Organization.objects.filter(name="无名列公司").exists()


def test_indicator_data_under_a_blank_header_refuses_the_file(cast, client_for, statistician):
    rows = [["统一社会信用代码", "月份", "主营业务收入(元)", None], [cast.org_a1.uscc, "2026-03", 1, 99]]
    file_error, _ = errors_of(post(client_for("clerk"), "indicators:import", handmade(rows, name="指标数据")))
    assert file_error and "D列没有列名" in file_error
    assert not IndicatorValue.objects.exists()


# --- B5: Excel error cells ---------------------------------------------------------------------------

def test_error_cells_are_read_as_errors_whatever_the_reader():
    assert rows_of(handmade([["a"], [error("#N/A")]]))[-1] == [ErrorCell("#N/A")]
    formula = Book([SheetSpec("数据", [["a"], [Formula("1/0", None)]])]).parts()
    formula["xl/worksheets/sheet1.xml"] = formula["xl/worksheets/sheet1.xml"].replace(
        b"<c r=\"A2\"><f>1/0</f></c>", b'<c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    assert rows_of(zip_of(formula))[-1] == [ErrorCell("#DIV/0!")]


@pytest.mark.parametrize("column", ["名称", "简介", "从业人员", "成立日期", "类型", "所在园区"])
def test_an_error_cell_is_refused_in_every_kind_of_column(cast, column):
    header = ["名称", "统一社会信用代码", "类型", "所在园区", "从业人员", "成立日期", "简介"]
    row = ["错误值公司", code(23), "企业", "上饶经开区", 5, "2020-01-01", "简介"]
    row[header.index(column)] = error("#REF!")
    result = OrganizationImporter().run(handmade([header, row], name="单位"), cast.clerk)
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]
    assert "#REF!" in result.errors[0].message and not Organization.objects.filter(code_filter(code(23))).exists()


def code_filter(value):
    from django.db.models import Q

    return Q(uscc=value)


# --- B6/B7: dates within a plausible range, the 1904 system -----------------------------------------------

@pytest.mark.parametrize("value", [2021, 60, 5, "1899-12-31", "0001-01-01", "1900-02-28", dated(60), dated(5)])
def test_a_date_before_1900_03_or_a_bare_small_number_is_refused(cast, value):
    rows = [["名称", "统一社会信用代码", "类型", "成立日期"], ["日期公司", code(24), "企业", value]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert [(e.row, e.column) for e in result.errors] == [(2, "成立日期")], value


def test_an_establishment_date_in_the_future_is_refused(cast):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    rows = [["名称", "统一社会信用代码", "类型", "成立日期"], ["未来公司", code(25), "企业", tomorrow.isoformat()]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert [e.column for e in result.errors] == ["成立日期"] and "将来" in result.errors[0].message


@pytest.mark.parametrize("stream", [False, True], ids=["calamine", "streamed"])
def test_a_1904_workbooks_dates_are_read_from_1904(stream):
    serial = (dt.date(2026, 1, 5) - dt.date(1904, 1, 1)).days
    other = Raw('<c r="{ref}"><f>1+1</f><v>2</v></c>') if stream else 2  # a formula sends the sheet to the stream
    data = handmade([["日期", "数"], [dated(serial), other]], date1904=True)
    assert rows_of(data)[-1][0] == dt.date(2026, 1, 5)


def test_dates_read_within_their_range():
    assert cells.parse_date(46027) == dt.date(2026, 1, 5)
    assert cells.parse_date("1900-03-01") == dt.date(1900, 3, 1)
    with pytest.raises(ValueError):
        cells.parse_date(timezone.localdate() + dt.timedelta(days=1), latest=timezone.localdate())
    with pytest.raises(ValueError):
        cells.parse_date(f"{timezone.localdate().year + cells.DATE_HORIZON_YEARS + 1}-01-01")


# --- C1: names with full-width punctuation are found ----------------------------------------------------

def test_a_related_record_named_with_full_width_brackets_is_found_and_a_missing_one_named(cast):
    from feidi.registry.models import Zone

    Zone.objects.filter(pk=cast.zone_a.pk).update(name="上饶（国家级）经开区")
    rows = [["名称", "统一社会信用代码", "类型", "所在园区"],
            ["全角园区公司", code(26), "企业", "上饶（国家级）经开区"],
            ["半角园区公司", code(27), "企业", "上饶(国家级)经开区"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.filter(name__endswith="园区公司", zone=cast.zone_a).count() == 2
    rows = [["名称", "统一社会信用代码", "类型", "所在园区"], ["无园区公司", code(28), "企业", "不存在的园区"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert "不存在的园区" in result.errors[0].message


# --- C4/C5, D2/D3: codes and text with invisible characters; one error a cell -------------------------------

@pytest.mark.parametrize("dirt", [" ", "\xa0", "\u200b", "\ufeff", "\n", "\u3000", "\t"])
def test_a_credit_code_with_spaces_or_invisible_characters_inside_is_read(cast, dirt):
    value = code(29)
    rows = [["名称", "统一社会信用代码", "类型"], ["脏代码公司", dirt + value[:9] + dirt + value[9:] + dirt, "企业"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.get(name="脏代码公司").uscc == value


def test_the_organization_form_normalizes_a_code_before_judging_its_length(cast):
    from feidi.registry.forms import OrganizationForm

    value = code(30)
    form = OrganizationForm({"name": "表单公司", "uscc": f"\u200b{value[:6]} \xa0{value[6:]}\n", "kind": "enterprise"},
                            user=cast.clerk)
    form.is_valid()
    assert "uscc" not in form.errors and form.cleaned_data["uscc"] == value


def test_a_cell_with_a_bad_value_gets_one_error_not_also_required(cast):
    rows = [["名称", "统一社会信用代码", "类型", "成立日期"], ["一错公司", Raw('<c r="{ref}"><f>X()</f></c>'), "企业", "明天"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert sorted(e.column for e in result.errors) == ["成立日期", "统一社会信用代码"]


def test_zero_width_characters_are_dropped_and_control_characters_refused(cast):
    rows = [["名称", "统一社会信用代码", "类型", "简介"], ["\u200b\ufeff零宽公司", code(31), "企业", "第一行\n第二行"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.get(name="零宽公司").description == "第一行\n第二行"
    rows = [["名称", "统一社会信用代码", "类型"], ["控制\x01字符公司", code(32), "企业"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert [e.column for e in result.errors] == ["名称"] and "控制字符" in result.errors[0].message


# --- C7, C2, C3: empty files, title rows, zips that are no workbook ----------------------------------------

def test_a_file_with_a_header_and_no_rows_is_refused_as_empty(cast):
    with pytest.raises(ImportFileError, match="没有数据"):
        OrganizationImporter().run(handmade([["名称", "统一社会信用代码", "类型"]], name="单位"), cast.clerk)


def test_a_title_row_above_the_header_is_passed_over(cast):
    rows = [["2026年单位导入表"], [None], ["名称", "统一社会信用代码", "类型"], ["标题行公司", code(33), "企业"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.filter(name="标题行公司").exists()


def test_a_preamble_of_several_cells_above_the_header_is_passed_over_unless_it_states_a_multiple(cast):
    """An office's sheet: a title, then “填报单位：… 单位：元” in two cells, then the header on row
    3 — imported. A preamble stating 万元 (“金额单位：万元”) that no column states is refused
    naming its row: read in the columns' 元, every amount would be 10,000 times too small."""
    header = ["名称", "统一社会信用代码", "类型", "注册资本"]
    rows = [["2026年上饶经开区企业名录"], ["填报单位：经开区", None, None, "单位：元"], header,
            ["前言公司", code(35), "企业", "3000000"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.get(name="前言公司").registered_capital == 3_000_000
    for said in ("单位：万元", "金额单位：亿元", "单位:千元"):
        rows = [["2026年企业名录"], ["填报日期：2026-03-05", said], header, ["前言万元公司", code(36), "企业", "300"]]
        with pytest.raises(ImportFileError, match="第2行注明"):
            OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert not Organization.objects.filter(name="前言万元公司").exists()


def test_a_title_row_over_a_header_not_recognised_says_where_the_header_belongs(cast):
    rows = [["2026年单位导入表"], ["单位全称", "代码号", "性质"], ["标题行公司", code(34), "企业"]]
    with pytest.raises(ImportFileError, match="第1行"):
        OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)


@pytest.mark.parametrize("parts, said", [
    ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}, ".ods"),
    ({"word/document.xml": b"<x/>", "[Content_Types].xml": b"<x/>"}, ".docx"),
    ({"readme.txt": b"hello"}, "zip"),
])
def test_a_zip_that_is_no_workbook_is_said_for_what_it_is(parts, said):
    with pytest.raises(SheetError, match=re.escape(said)):
        open_sheet(zip_of(parts, stored=True))


# --- hidden rows and columns: what a filter or a hand hid is not imported unseen -----------------------

def hiding(rows: list[list], *, hide_rows=(), hide_columns=(), name="单位", filtered=False) -> bytes:
    """A workbook as Excel writes it (xlsxwriter), with rows (Excel's numbers) and columns
    (letters) hidden, or left out by an autofilter (``filtered``: the filter's hidden rows)."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(name)
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    if filtered:
        sheet.autofilter(0, 0, len(rows) - 1, len(rows[0]) - 1)
        sheet.filter_column(2, "x == 企业")
    for number in hide_rows:
        sheet.set_row(number - 1, None, None, {"hidden": True})
    for letter in hide_columns:
        sheet.set_column(f"{letter}:{letter}", None, None, {"hidden": True})
    book.close()
    return buffer.getvalue()


HEADER = ["名称", "统一社会信用代码", "类型"]


def test_data_in_hidden_rows_refuses_the_file_naming_them(cast, reader):
    rows = [HEADER, ["看得见公司", code(40), "企业"], ["筛掉的机构", code(41), "机构"], ["看得见二号", code(42), "企业"],
            ["又筛掉的", code(43), "机构"]]
    with pytest.raises(ImportFileError, match="第3、5行被隐藏") as refused:
        OrganizationImporter().run(hiding(rows, hide_rows=(3, 5), filtered=True), cast.clerk)
    assert "取消筛选和隐藏" in str(refused.value)
    assert not Organization.objects.filter(uscc__in=[code(n) for n in range(40, 44)]).exists()


def test_many_hidden_rows_are_counted_not_all_listed(cast, reader):
    rows = [HEADER] + [[f"隐藏公司{n}", code(100 + n), "企业"] for n in range(15)]
    with pytest.raises(ImportFileError, match=r"第2、3、4、5、6、7、8、9、10、11等15行被隐藏"):
        OrganizationImporter().run(hiding(rows, hide_rows=range(2, 17)), cast.clerk)


def test_data_in_a_hidden_column_refuses_the_file_naming_it(cast, reader):
    rows = [HEADER + ["简介"], ["藏列公司", code(44), "企业", None], ["藏列二号", code(45), "企业", "看不见的简介"]]
    with pytest.raises(ImportFileError, match="D列“简介”被隐藏（第3行起有数据）"):
        OrganizationImporter().run(hiding(rows, hide_columns="D"), cast.clerk)
    assert not Organization.objects.filter(name__startswith="藏列").exists()


def test_hidden_rows_and_columns_without_data_are_no_obstacle(cast, reader):
    rows = [HEADER + ["简介"], ["露面公司", code(46), "企业"], [], ["露面二号", code(47), "企业"]]
    result = OrganizationImporter().run(hiding(rows, hide_rows=(3,), hide_columns="D"), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.filter(name__startswith="露面").count() == 2


def test_hidden_rows_of_an_indicator_file_refuse_it(cast, client_for, statistician):
    rows = [["统一社会信用代码", "月份", "主营业务收入(元)"], [cast.org_a1.uscc, "2026-03", 1],
            [cast.org_a1.uscc, "2026-04", 2]]
    file_error, _ = errors_of(post(client_for("clerk"), "indicators:import", hiding(rows, hide_rows=(3,), name="指标数据")))
    assert file_error and "第3行被隐藏" in file_error
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize("attribute", ['hidden="1"', "hidden='true'", 'hidden=" 1 "'])
def test_the_readers_find_a_hidden_row_however_written(attribute, monkeypatch):
    for limit in (spreadsheet.CALAMINE_BYTES, 0):
        monkeypatch.setattr(spreadsheet, "CALAMINE_BYTES", limit)
        data = handmade([["a", "b"], [1, 2]], tail=f'<x:row r="3" {attribute}><c r="A3"><v>3</v></c></x:row>'.replace(
            "x:", ""))
        sheet = open_sheet(data)
        assert [number for number, _ in sheet.rows] == [1, 2, 3]
        assert sheet.hidden.rows == {3}


# --- the sheet read is the sheet checked; formats, phonetics, delimiters, direction controls ---------

def far_hidden_twin(name="单位", twin="单位", state="hidden") -> bytes:
    """A visible sheet ``name`` after a ``state`` sheet ``twin`` whose cell sits at XFD1048576: a
    reader taking the first sheet of the name would lay out 17 billion cells."""
    parts = Book([SheetSpec(twin, [["名称"], ["隐藏表"]], state), SheetSpec(name, [["名称", "统一社会信用代码", "类型"],
                                                                               ["可见表公司", code(60), "企业"]])],
                 shared=False).parts()
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    return zip_of(parts)


@pytest.mark.parametrize("twin, name, state", [("单位", "单位", "hidden"), ("单位", "单位", "veryHidden"),
                                               ("单位", "单位", "visible"), ("SHEET", "Sheet", "hidden"), ("A", "A", "hidden")])
def test_a_workbook_whose_sheet_names_repeat_is_refused_before_any_sheet_is_read(twin, name, state, monkeypatch):
    read = []
    monkeypatch.setattr(spreadsheet, "_calamine_book", lambda *a: read.append(a))
    with pytest.raises(SheetError, match=f"两个同名的工作表：“{twin}”"):
        open_sheet(far_hidden_twin(name, twin, state), prefer=(name,))
    assert not read


def test_an_import_of_a_workbook_with_a_hidden_twin_sheet_stores_nothing(cast):
    with pytest.raises(ImportFileError, match="同名工作表"):
        OrganizationImporter().run(far_hidden_twin(), cast.clerk)
    assert not Organization.objects.filter(name__in=["可见表公司", "隐藏表"]).exists()


@pytest.mark.parametrize("twin", ["xl/worksheets/sheet1.xml", "xl/worksheets\\sheet1.xml", "xl/worksheets/./sheet1.xml"])
def test_a_package_naming_a_part_twice_is_refused(twin):
    """Two zip entries one reader or another takes for the same part (a name given twice, a
    backslash calamine's zip reads as a slash): the part checked would not be the part read."""
    import io
    import warnings
    import zipfile

    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate it is told to write
        for part, data in Book([SheetSpec("单位", [["名称"], ["甲"]])], shared=False).parts().items():
            archive.writestr(part, data)
        archive.writestr(zipfile.ZipInfo(twin), b"<worksheet/>")
    with pytest.raises(SheetError, match="重复出现"):
        open_sheet(buffer.getvalue())


def test_calamine_reads_the_chosen_sheet_by_its_place():
    """The template's sheet is not the first: calamine is given its place, and a workbook whose
    sheet at that place is not the one chosen is streamed instead."""
    data = Book([SheetSpec("说明", [["请填写第二个工作表"]]), SheetSpec("单位", [["名称", "类型"], ["甲", "企业"]])],
                shared=False).bytes()
    sheet = open_sheet(data, prefer=("单位",))
    assert sheet.extent is not None and [cells for _, cells in sheet.rows] == [["名称", "类型"], ["甲", "企业"]]
    assert spreadsheet._calamine_book(data, 1, "单位") is not None
    assert spreadsheet._calamine_book(data, 0, "单位") is None


@pytest.mark.parametrize("value, code, shown", [
    (12, '0"万元"', "12万元"), (1200, '#,##0"万元"', "1,200万元"), (12.3456, '0"万元"', "12.3456万元"),
    (-12, '0"万元"', "-12万元"), (-12, '0"万元";[Red]-0"万元"', "-12万元"), (12, "0\\万\\元", "12万元"),
    (1, "000", "001"), (1234567, "000-0000", "123-4567"), (1234567, '0.00,,"百万"', "1.234567百万"),
    (0.05, "0%", "5%"), (0.125, "0.0%", "12.5%"), (0.1 + 0.2, "0%", "30%"), (1234.5, "[$¥-804]#,##0.00", "¥1,234.50"),
    (1234.5, '_ "￥"* #,##0.00_ ;_ "￥"* \\-#,##0.00_ ;_ "￥"* "-"??_ ;_ @_ ', "￥1,234.50"),
    (-5, '_ "￥"* #,##0.00_ ;_ "￥"* \\-#,##0.00_ ;_ "￥"* "-"??_ ;_ @_ ', "￥-5.00"),
    (0, '_ "￥"* #,##0.00_ ;_ "￥"* \\-#,##0.00_ ;_ "￥"* "-"??_ ;_ @_ ', None), (12, 'General"人"', "12人"),
    (15000, '[>=10000]0.0,"千";0', "15.0千"), (50, '[>=10000]0.0,"千";0', "50"), (0.5, '#.00"亩"', "0.50亩"),
    # the 万 display: a point written as text among the integer places (! or \\ escape it) is the point
    (123456, '0!.0,"万"', "12.3456万"), (123456, '0\\.0,"万"', "12.3456万"), (120000, '0!.0000"万"', "12.0000万"),
    (-5000, '0!.0,"万"', "-0.5万"), (1234567.8, '0!.0000"万"', "123.45678万"),
])
def test_a_number_format_is_rendered_as_excel_shows_it_with_every_digit_kept(value, code, shown):
    assert spreadsheet.shows_more(code)
    assert spreadsheet.shown_text(value, code) == shown


@pytest.mark.parametrize("code", ["0", "0.00", "#,##0", "#,##0.00_);(#,##0.00)", "#,##0;-#,##0", "0.00E+00",
                                  "@", "General", "# ?/?", "[Red]0.0"])
def test_a_format_showing_only_the_number_leaves_it_a_number(code):
    assert not spreadsheet.shows_more(code)


def formatted(rows: list[list], name="单位") -> bytes:
    """A workbook as Excel writes it, a cell given as (value, number format) formatted so."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(name)
    formats = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, tuple):
                value, code = value
                formats.setdefault(code, book.add_format({"num_format": code}))
                sheet.write(r, c, value, formats[code])
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def test_an_amount_shown_with_a_unit_is_read_in_that_unit_or_refused(cast):
    rows = [["名称", "统一社会信用代码", "类型", "注册资本(元)", "简介"],
            ["格式万元公司", code(61), "企业", (12, '0"万元"'), (1, "000")],
            ["格式千分公司", code(62), "企业", (1200, '#,##0"万元"'), None],
            ["格式人民币公司", code(63), "企业", (1234.5, "[$¥-804]#,##0.00"), None]]
    result = OrganizationImporter().run(formatted(rows), cast.clerk)
    assert result.applied, list(result.errors)
    stored = dict(Organization.objects.filter(name__startswith="格式").values_list("name", "registered_capital"))
    assert stored == {"格式万元公司": 120_000, "格式千分公司": 12_000_000, "格式人民币公司": Decimal("1234.5")}
    assert Organization.objects.get(name="格式万元公司").description == "001"  # a text column takes what is shown
    rows = [["名称", "统一社会信用代码", "类型", "用地面积(亩)"], ["格式错单位公司", code(64), "企业", (12, '0"万元"')]]
    result = OrganizationImporter().run(formatted(rows), cast.clerk)
    assert [(e.column, e.value) for e in result.errors] == [("用地面积(亩)", "12万元")] and "单位" in result.errors[0].message


def test_phonetic_guides_are_no_part_of_a_cells_text_whatever_the_reader(monkeypatch):
    rich = Raw('<c r="{ref}" t="inlineStr"><is><r><t>探针</t></r><r><t>富文本</t></r>'
               '<rPh sb="0" eb="2"><t>タンシン</t></rPh><phoneticPr fontId="0"/></is></c>')
    for limit in (spreadsheet.CALAMINE_BYTES, 0):
        monkeypatch.setattr(spreadsheet, "CALAMINE_BYTES", limit)
        assert rows_of(handmade([["名称"], [rich]])) == [["名称"], ["探针富文本"]]


def test_a_float_in_a_text_column_is_stored_as_excel_shows_it(cast, reader):
    rows = [["名称", "统一社会信用代码", "类型", "地址", "简介"], ["浮点公司", code(65), "企业", 0.1 + 0.2, 1 / 3]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    org = Organization.objects.get(name="浮点公司")
    assert (org.address, org.description) == ("0.3", "0.333333333333333")


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "gb18030"])
def test_a_csv_delimiter_is_read_from_its_header_not_from_commas_in_cells(delimiter, encoding):
    from .hostile import csv_bytes

    rows = [["术语", "同义词/缩写", "相关词", "扩展权重"],
            ["黄变", "泛黄, 黄变, 变黄, 黄化, 褪色, 发黄", "耐紫外, 湿热老化, 光稳定剂, 封装胶膜, 背板, 玻璃, 边框, 接线盒, 胶膜, EVA", "0.5"]]
    assert rows_of(csv_bytes(rows, encoding, delimiter)) == rows


def test_a_csv_title_line_above_the_header_does_not_decide_the_delimiter():
    from .hostile import csv_bytes

    rows = [["2026年单位导入表"], ["名称", "统一社会信用代码", "类型"], ["甲", code(66), "企业"]]
    assert rows_of(csv_bytes(rows, "utf-16", "\t")) == rows


def test_a_csv_whose_header_no_delimiter_splits_is_refused_saying_so():
    data = "名称|统一社会信用代码|类型\r\n甲|x|企业\r\n".encode()
    with pytest.raises(SheetError, match="无法识别 CSV 文件的分隔符"):
        open_sheet(data)


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_a_bidirectional_override_is_refused_in_any_text(cast, control):
    with pytest.raises(ValueError, match=f"U\\+{ord(control):04X}"):
        cells.clean_text(f"探针{control}司公限有")
    rows = [["名称", "统一社会信用代码", "类型"], [f"探针{control}司公限有", code(67), "企业"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert [e.column for e in result.errors] == ["名称"] and "显示方向" in result.errors[0].message


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c"])
def test_a_direction_mark_is_dropped_as_invisible(mark):
    assert cells.clean_text(f"甲{mark}公司") == "甲公司"
    assert cells.fold(f"甲{mark}公司") == "甲公司"


@pytest.mark.parametrize("header", ["注册资本（元）（万元）", "注册资本(万元)(亿元)", "注册资本[元](万元)"])
def test_a_header_stating_two_units_is_refused_naming_both(cast, header):
    rows = [["名称", "统一社会信用代码", "类型", header], ["两单位公司", code(68), "企业", 12]]
    with pytest.raises(ImportFileError, match="多个单位") as refused:
        OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert "元" in str(refused.value)


def test_a_header_stating_a_unit_in_brackets_and_another_after_them_is_ambiguous():
    with pytest.raises(ValueError, match="多个单位"):
        cells.header_unit("注册资本(元)万元")


def test_a_header_repeating_one_unit_is_read():
    assert cells.header_unit("注册资本(万元)（万元）") == ("元", Decimal(10_000))
    assert cells.header_unit("单元数(万元)") == ("元", Decimal(10_000))  # 元 in the name is no second unit


@pytest.mark.parametrize("text, unit, measure, expected", [
    ("¥1,234", None, "元", "1234"), ("￥1,234", None, "元", "1234"), ("-¥1,234.5", None, "元", "-1234.5"),
    ("¥ 1 234", None, "元", "1234"), ("RMB1,234", None, "元", "1234"), ("人民币12万元", None, "元", "120000"),
    ("¥12万", None, "元", "120000"), ("¥12万", Decimal(10_000), "元", "120000"), ("¥5000元", Decimal(10_000), "元", "5000"),
    ("¥5000", Decimal(1), "元", "5000"),
])
def test_an_amount_with_the_yuan_sign_is_read_as_yuan(text, unit, measure, expected):
    assert cells.parse_number(text, unit=unit, measure=measure) == Decimal(expected)


@pytest.mark.parametrize("text, said", [
    ("¥1,234", "单位“元”与本列的单位（亩）不符"), ("$1,234", "外币"), ("US$12", "外币"), ("12万美元", "外币"),
    ("€5", "外币"), ("¥12亩", "人民币符号"),
])
def test_a_currency_that_is_not_the_columns_is_named(text, said):
    with pytest.raises(ValueError, match=re.escape(said)):
        cells.parse_number(text, measure="亩")
    if said == "外币":
        with pytest.raises(ValueError, match="外币"):
            cells.parse_number(text, measure="元")


def test_an_amount_with_the_yuan_sign_under_a_header_of_wan_is_refused_as_ambiguous():
    with pytest.raises(ValueError, match="本列的单位是万元"):
        cells.parse_number("¥1,234", unit=Decimal(10_000), measure="元")


@pytest.mark.parametrize("value", [dt.date(2026, 3, 5), dt.datetime(2026, 3, 5, 8, 30), "2026-03-05",
                                   "2026-03-05T00:00:00", "2026/3/5 08:30", "2026年3月5日"])
def test_a_date_in_a_number_column_is_said_to_be_a_date(value):
    with pytest.raises(ValueError, match="是日期"):
        cells.parse_number(value, measure="元")


def test_an_iso_date_cell_is_a_date_whatever_the_reader(cast, reader):
    iso = Raw('<c r="{ref}" t="d"><v>2026-03-05T00:00:00</v></c>')
    assert rows_of(handmade([["成立日期"], [iso]])) == [["成立日期"], [dt.date(2026, 3, 5)]]
    rows = [["名称", "统一社会信用代码", "类型", "注册资本(元)"], ["日期资本公司", code(69), "企业", iso]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert [e.column for e in result.errors] == ["注册资本(元)"] and "是日期" in result.errors[0].message


# --- a third probe: amounts converted from 万元, content shown as nothing, merged rows, lost digits ----

DJANGO_DECIMAL = re.compile(r"确认|确保|Ensure|最多 \d+ 位")  # the form's own words about digits: never reached


def test_an_amount_converted_from_a_multiple_of_yuan_is_stored_whatever_its_trailing_zeros(cast, reader):
    rows = [["名称", "统一社会信用代码", "类型", "注册资本(万元)"], ["万元三位公司", code(200), "企业", 12.345],
            ["万元一位公司", code(201), "企业", 1.1], ["万元文字公司", code(202), "企业", "1.1万元"],
            ["万元写元公司", code(203), "企业", "5000.50元"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    rows = [["名称", "统一社会信用代码", "类型", "注册资本(元)", "用地面积(亩)"],
            ["元列写万公司", code(204), "企业", "12.345万", None], ["亿元公司", code(205), "企业", "0.0123456789亿", "1.50"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    stored = dict(Organization.objects.filter(uscc__in=[code(n) for n in range(200, 206)]).values_list(
        "name", "registered_capital"))
    assert stored == {"万元三位公司": 123_450, "万元一位公司": 11_000, "万元文字公司": 11_000,
                      "万元写元公司": Decimal("5000.5"), "元列写万公司": 123_450, "亿元公司": Decimal("1234567.89")}


def test_an_amount_shown_in_a_multiple_of_yuan_by_its_format_is_stored(cast):
    rows = [["名称", "统一社会信用代码", "类型", "注册资本(元)"],
            ["格式万元三位公司", code(210), "企业", (12.345, '0.00"万元"')],
            ["格式百万公司", code(211), "企业", (1234567, '0.00,,"百万"')],
            ["格式千公司", code(212), "企业", (1234567, '#,##0.00,"千"')]]
    result = OrganizationImporter().run(formatted(rows), cast.clerk)
    assert result.applied, list(result.errors)
    stored = dict(Organization.objects.filter(name__startswith="格式").values_list("name", "registered_capital"))
    assert stored == {"格式万元三位公司": 123_450, "格式百万公司": 1_234_567, "格式千公司": 1_234_567}


def test_an_amount_finer_than_the_fen_after_conversion_is_refused_in_the_importers_words(cast, reader):
    rows = [["名称", "统一社会信用代码", "类型", "注册资本(万元)", "用地面积(亩)"],
            ["过细万元公司", code(213), "企业", 0.0000001, None], ["过细亩公司", code(214), "企业", None, "0.001"]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert [(e.row, e.column) for e in result.errors] == [(2, "注册资本(万元)"), (3, "用地面积(亩)")]
    assert all("小数位数过多" in e.message and not DJANGO_DECIMAL.search(e.message) for e in result.errors)
    assert not Organization.objects.filter(name__startswith="过细").exists()


def test_the_number_given_to_the_form_has_no_meaningless_trailing_zeros(cast):
    from feidi.registry.forms import OrganizationForm

    field = OrganizationForm(user=cast.clerk).fields["registered_capital"]
    importer = OrganizationImporter()
    assert importer._value(field, 12.345, (Decimal(10_000), "元")) == "123450"
    assert importer._value(field, "1.23万", (None, "元")) == "12300"
    assert importer._value(field, 1e15, (None, "元")) == "1000000000000000"  # no exponent
    assert importer._value(field, "0.50", (None, "元")) == "0.5"


def dressed(rows: list[list], *, cols: str = "", after: str = "", row_attrs: dict | None = None,
            name: str = "单位") -> bytes:
    """``handmade`` with a sheet's ``<cols>`` before the rows, attributes on some rows (by their
    number) and parts after the rows (``<mergeCells>``), written as Excel places them."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(handmade(rows, name=name))) as archive:
        parts = {part: archive.read(part) for part in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for number, attrs in (row_attrs or {}).items():
        sheet = sheet.replace(f'<row r="{number}">', f'<row r="{number}" {attrs}>')
    sheet = sheet.replace("<sheetData>", f"{cols}<sheetData>").replace("</sheetData>", f"</sheetData>{after}")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    return zip_of(parts)


@pytest.mark.parametrize("height", ['ht="0" customHeight="1"', 'ht="0.0"', "ht='0' customHeight='true'"])
def test_data_in_a_row_of_zero_height_refuses_the_file_as_hidden(cast, reader, height):
    rows = [HEADER, ["矮行可见公司", code(220), "企业"], ["零高公司", code(221), "企业"]]
    with pytest.raises(ImportFileError, match="第3行被隐藏"):
        OrganizationImporter().run(dressed(rows, row_attrs={3: height}), cast.clerk)
    assert not Organization.objects.filter(name__in=["矮行可见公司", "零高公司"]).exists()


def test_data_in_a_column_of_zero_width_refuses_the_file_as_hidden(cast, reader):
    rows = [HEADER + ["注册资本(元)"], ["零宽列公司", code(222), "企业", 99_999_999]]
    cols = '<cols><col min="1" max="3" width="20" customWidth="1"/><col min="4" max="4" width="0" customWidth="1"/></cols>'
    with pytest.raises(ImportFileError, match="D列“注册资本\\(元\\)”被隐藏（第2行起有数据）"):
        OrganizationImporter().run(dressed(rows, cols=cols), cast.clerk)
    assert not Organization.objects.filter(name="零宽列公司").exists()


def test_rows_and_columns_of_zero_size_without_data_are_no_obstacle(cast, reader):
    rows = [HEADER + ["简介"], ["零尺寸空公司", code(223), "企业"], [], ["零尺寸空二号", code(224), "企业"]]
    cols = '<cols><col min="4" max="4" width="0"/></cols>'
    result = OrganizationImporter().run(dressed(rows, cols=cols, row_attrs={3: 'ht="0"'}), cast.clerk)
    assert result.applied, list(result.errors)


def test_rows_hidden_by_the_sheets_default_height_refuse_the_file(cast, reader):
    """``<sheetFormatPr zeroHeight="1">``: a row without a height of its own is not shown (Excel
    writes the shown rows with theirs); one holding data refuses the file like any hidden row."""
    rows = [HEADER, ["默认隐藏可见公司", code(225), "企业"], ["默认隐藏公司", code(226), "企业"]]
    fmt = '<sheetFormatPr defaultRowHeight="15" zeroHeight="1"/>'
    sized = {1: 'ht="15" customHeight="1"', 2: 'ht="15" customHeight="1"'}
    with pytest.raises(ImportFileError, match="第3行被隐藏"):
        OrganizationImporter().run(dressed(rows, cols=fmt, row_attrs=sized), cast.clerk)
    assert not Organization.objects.filter(name__startswith="默认隐藏").exists()
    result = OrganizationImporter().run(dressed(rows, cols=fmt, row_attrs={**sized, 3: 'ht="15"'}), cast.clerk)
    assert result.applied, list(result.errors)


def test_columns_hidden_by_the_sheets_default_width_refuse_the_file(cast, reader):
    """``defaultColWidth="0"``: a column not given a width of its own is not shown."""
    rows = [HEADER + ["注册资本(元)"], ["默认零宽公司", code(227), "企业", 99_999_999]]
    fmt = '<sheetFormatPr defaultRowHeight="15" defaultColWidth="0"/><cols><col min="1" max="3" width="20"/></cols>'
    with pytest.raises(ImportFileError, match="D列“注册资本\\(元\\)”被隐藏（第2行起有数据）"):
        OrganizationImporter().run(dressed(rows, cols=fmt), cast.clerk)
    assert not Organization.objects.filter(name="默认零宽公司").exists()


@pytest.mark.parametrize("code_, numbers, text", [
    (";;;", True, True), (";;;@", True, False), ('"";"";""', True, False), ("[Red];[Blue];", True, False),
    ("_-;_-;_-;_-", True, True), ("0;;;", False, True), ("0;-0;;@", False, False), ("0", False, False),
    ('0.00"万元"', False, False), ("General", False, False), (";;;\"x\"", True, False), ("yyyy;;;", False, True),
])
def test_a_format_showing_nothing_is_known_by_its_sections(code_, numbers, text):
    assert spreadsheet.shows_nothing(code_) == (numbers, text)


@pytest.mark.parametrize("code_, value, column", [
    (";;;", 5_000_000, "注册资本(元)"), ('[Red];[Red];""', 5_000_000, "注册资本(元)"), (";;;", "隐形名称公司", "名称"),
    ("0;0;0;", "隐形名称公司", "名称"), (";;;@", 12, "从业人员"),
])
def test_a_cell_whose_format_shows_nothing_refuses_the_file_naming_it(cast, reader, code_, value, column):
    header = ["名称", "统一社会信用代码", "类型", column] if column != "名称" else HEADER
    cells_ = ["看得见公司" if column != "名称" else (value, code_), code(225), "企业"]
    if column != "名称":
        cells_.append((value, code_))
    letter = "A" if column == "名称" else "D"
    with pytest.raises(ImportFileError) as refused:
        OrganizationImporter().run(formatted([header, cells_]), cast.clerk)
    assert f"第2行{letter}列的内容设置为不显示（单元格格式“{code_}”）" in str(refused.value)
    assert not Organization.objects.filter(uscc=code(225)).exists()


def test_cells_showing_nothing_are_counted_and_blank_ones_are_no_obstacle(cast):
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet, invisible = book.add_worksheet("单位"), book.add_format({"num_format": ";;;"})
    sheet.write_row(0, 0, HEADER + ["注册资本(元)"])
    for r in range(1, 9):
        sheet.write_row(r, 0, [f"空白格式公司{r}", code(230 + r), "企业"])
        sheet.write_blank(r, 3, None, invisible)  # a blank cell styled so hides nothing
    book.close()
    result = OrganizationImporter().run(buffer.getvalue(), cast.clerk)
    assert result.applied, list(result.errors)
    rows = [HEADER + ["注册资本(元)"]] + [[f"多隐形公司{r}", code(240 + r), "企业", (r, ";;;")] for r in range(1, 9)]
    with pytest.raises(ImportFileError, match="第2行D列、第3行D列、第4行D列、第5行D列、第6行D列等8个单元格的内容设置为不显示"):
        OrganizationImporter().run(formatted(rows), cast.clerk)


def test_a_zero_shown_as_blank_by_its_own_section_is_read(cast):
    rows = [HEADER + ["注册资本(元)"], ["零显空白公司", code(250), "企业", (0, "0;-0;;@")]]
    result = OrganizationImporter().run(formatted(rows), cast.clerk)
    assert result.applied, list(result.errors)


@pytest.mark.parametrize("merge, said", [("D2:D3", "D2:D3"), ("$D$2:$D$4", "D2:D4"), ("C3:D4", "C3:D4")])
def test_a_range_merged_over_data_rows_refuses_the_file_naming_it(cast, reader, merge, said):
    rows = [HEADER + ["地址"], ["合并一号", code(260), "企业", "上饶经开区"], ["合并二号", code(261), "企业"],
            ["合并三号", code(262), "企业"]]
    after = f'<mergeCells count="1"><mergeCell ref="{merge}"/></mergeCells>'
    with pytest.raises(ImportFileError, match=re.escape(f"{said} 是合并单元格：合并区域只有左上角有值，请取消合并并在每一行填写")):
        OrganizationImporter().run(dressed(rows, after=after), cast.clerk)
    assert not Organization.objects.filter(name__startswith="合并").exists()


def test_merged_title_and_header_cells_and_a_merge_along_a_row_are_no_obstacle(cast, reader):
    rows = [["2026年单位名录"], [None], HEADER + ["地址"], ["标题合并公司", code(263), "企业", "甲地"],
            ["标题合并二号", code(264), "企业", "乙地"]]
    # (a header merged down over a data cell hides that cell's value: refused, test_import_hostile4)
    after = ('<mergeCells count="2"><mergeCell ref="A1:D2"/>'
             '<mergeCell ref="D5:E5"/></mergeCells>')
    result = OrganizationImporter().run(dressed(rows, after=after), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.filter(name__startswith="标题合并").count() == 2


def test_a_range_merged_over_data_rows_is_found_after_many_merges_above_them():
    hidden = spreadsheet.Hidden()
    for letter in "ABCDEFGHIJ":
        hidden.merge(f"{letter}1:{letter}2")  # a two-row header, cell by cell
    hidden.merge("C7:C9")
    hidden.merge("B3:B4")
    assert hidden.merged_over(1) == ["C7:C9"] and hidden.merged_over(9) == []
    assert len(hidden.merged) == spreadsheet.MERGES_KEPT


@pytest.mark.parametrize("value, column, said", [
    (12345678901234567, "从业人员", "Excel 已丢失精度"), (9007199254740993, "从业人员", "Excel 已丢失精度"),
    (9007199254740993, "注册资本(元)", "Excel 已丢失精度"), (-12345678901234567, "用地面积(亩)", "Excel 已丢失精度"),
    (1234567890123456, "从业人员", "有效位数不能超过15位"), (1234567890123456.0, "注册资本(元)", "有效位数不能超过15位"),
    ("12345678901234567", "从业人员", "有效位数不能超过15位"),
])
def test_a_whole_number_beyond_excels_fifteen_digits_is_refused_in_any_number_column(cast, reader, value, column, said):
    """Beyond 2**53 a float has lost the digits written past the 15th (Excel would have too);
    below it, or as text, every digit is read, and more than 15 are refused as the column's."""
    rows = [HEADER + [column], ["十六位公司", code(270), "企业", value]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert [e.column for e in result.errors] == [column] and said in result.errors[0].message
    assert not Organization.objects.filter(name="十六位公司").exists()


def test_a_whole_number_of_fifteen_digits_is_read_and_a_long_code_as_a_number_refused(cast):
    rows = [HEADER + ["注册资本(元)", "从业人员"], ["十五位公司", code(271), "企业", 123456789012345, 1e5]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.filter(name="十五位公司", registered_capital=123456789012345, employees=100_000).exists()
    rows = [HEADER + ["地址"], ["长码公司", code(272), "企业", 913611001234567890]]
    result = OrganizationImporter().run(handmade(rows, name="单位"), cast.clerk)
    assert [e.column for e in result.errors] == ["地址"] and "设置为“文本”格式" in result.errors[0].message


def test_a_csv_quote_left_open_is_its_rows_quoting_error_not_the_rows_below_swallowed():
    """An unclosed quote took the rest of the file into one cell: the rows below vanished into it
    and the report spoke of 必填 columns. It is said as the quoting error it is, on its row."""
    data = "名称,统一社会信用代码,类型\n甲公司,91360000MA00000001,企业\n\"乙公司,91360000MA00000002,企业\n丙公司,x,企业\n"
    with pytest.raises(SheetError, match="第3行无法按 CSV 读取，请检查引号与分隔符"):
        list(open_sheet(data.encode("utf-8")).rows)
