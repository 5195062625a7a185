"""The imports against the fourth hostile probe, class by class: parcels of GeoJSON beyond their
columns or not features at all, cells written out of column order, CSV wider than the column
limit, Python reprs in the row reports, booleans in text columns, damaged shared-string
references, truncated text files, the holiday calendar's blank names and formulas, the same data
imported twice, cells longer than Excel holds, rows that only carry formatting."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from feidi.core.importer import ImportFileError
from feidi.core.importer import Limits
from feidi.lib import cells
from feidi.lib import spreadsheet
from feidi.lib import uscc
from feidi.lib.spreadsheet import ErrorCell
from feidi.lib.spreadsheet import FormulaCell
from feidi.lib.spreadsheet import SheetError
from feidi.lib.spreadsheet import open_sheet
from feidi.registry.importers import OrganizationImporter
from feidi.registry.models import Organization

from .hostile import Book
from .hostile import Raw
from .hostile import SheetSpec
from .hostile import csv_bytes
from .hostile import error
from .hostile import handmade
from .hostile import zip_of

ENGLISH = re.compile(r"[A-Za-z]{4,}")  # a library's own words (codec, Expecting, property …)
REPR = re.compile(r"FormulaCell|ErrorCell|\bTrue\b|\bFalse\b|\bNone\b")
HEADER = ["名称", "统一社会信用代码", "类型"]


def code(n: int) -> str:
    return uscc.make(f"91361100MA37R{n:03d}")


def both_readers(data: bytes, **kw) -> list:
    """The rows as calamine and as the streaming reader give them (or the refusal each gives)."""
    out = []
    for limit in (spreadsheet.CALAMINE_BYTES, 0):
        original = spreadsheet.CALAMINE_BYTES
        spreadsheet.CALAMINE_BYTES = limit
        try:
            out.append([row for _, row in open_sheet(data, **kw).rows])
        except SheetError as exc:
            out.append(f"refused: {exc}")
        finally:
            spreadsheet.CALAMINE_BYTES = original
    return out


def sheet_of(body: str, strings: list[str] | None = None, name: str = "数据") -> bytes:
    """A workbook whose sheet's XML is ``body`` (the rows, as written), with the shared strings."""
    parts = Book([SheetSpec(name, [["x"]])]).parts()
    parts["xl/worksheets/sheet1.xml"] = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{body}</sheetData></worksheet>").encode()
    parts.pop("xl/sharedStrings.xml", None)
    if strings is not None:
        parts["xl/sharedStrings.xml"] = (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>").encode()
    return zip_of(parts)


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


# --- A: parcels of GeoJSON ------------------------------------------------------------------------------

def square(lon=117.96, lat=28.43, size=0.002):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                 [lon, lat + size], [lon, lat]]]}


def feature(props, geometry=None):
    return {"type": "Feature", "properties": props, "geometry": geometry or square()}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


LONG = "地块" + "X" * 60


@pytest.mark.parametrize("bad, said", [
    (feature({"code": "P-1", "area_mu": 1e30}), "数值过大"),
    (feature({"code": "P-1", "area_mu": "1e30"}), "不是数字"),
    (feature({"code": "P-1", "area_mu": 10**12}), "数值过大"),
    (feature({"code": "P-1", "area_mu": "NaN"}), "不是数字"),
    (feature({"code": "P-1", "area_mu": "Infinity"}), "不是数字"),
    (feature({"code": "P-1", "area_mu": -5}), "不能为负数"),
    (feature({"code": "P-1", "area_mu": 12.345}), "小数位数过多"),
    (feature({"code": "P-1", "area_mu": "12亩3分"}), "不是数字"),
    (feature({"code": "P-1", "area_mu": [12]}), "应为数字"),
    (feature({"code": "P-1", "area_mu": True}), "应为数字"),
    (feature({"code": "P-1", "sample": "false"}), "true 或 false"),
    (feature({"code": "P-1", "sample": 1}), "true 或 false"),
    (feature({"code": ["P-1"]}), "应为文字"),
    (feature({"code": LONG}), "最多50个"),
    (feature({"code": "P-\u202e1"}), "显示方向"),
    (feature({"code": "P-1", "uscc": {"x": 1}}), "应为文字"),
    (feature(["code", "P-1"]), "properties 应为对象"),
    ("abc", "不是 GeoJSON 要素"),
    (None, "不是 GeoJSON 要素"),
    (17, "不是 GeoJSON 要素"),
])
def test_a_bad_parcel_refuses_the_file_naming_the_feature_and_saves_nothing(cast, bad, said):
    from feidi.indicators import geo
    from feidi.indicators.models import Parcel

    data = collection(feature({"code": "OK-1", "area_mu": 30}), bad)
    count, errors = geo.import_parcels(cast.zone_a, data, acting_user=cast.clerk)
    assert count == 0 and [n for n, _ in errors] == [2], errors
    assert said in errors[0][1], errors
    if isinstance(bad, dict) and isinstance(bad.get("properties"), dict) and bad["properties"].get("code") == "P-1":
        assert "地块“P-1”" in errors[0][1]  # the feature named by its code as well as its place
    assert not Parcel.objects.exists()


def test_two_long_codes_sharing_their_first_fifty_characters_are_refused_not_cut(cast):
    from feidi.indicators import geo
    from feidi.indicators.models import Parcel

    data = collection(feature({"code": LONG + "甲"}), feature({"code": LONG + "乙"}))
    count, errors = geo.import_parcels(cast.zone_a, data, acting_user=cast.clerk)
    assert count == 0 and [n for n, _ in errors] == [1, 2] and all("最多50个" in m for _, m in errors)
    assert not Parcel.objects.exists()


@pytest.mark.parametrize("data, said", [
    (b'{"type": "FeatureCollection", features: []}', "第1行第31列"),
    (b"\xff\xfe{}", "UTF-8"),
    (collection(feature({"code": "P-1"}))[:-3] + b"\xe4\xb8", "UTF-8"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "P", "area_mu": NaN}}]}',
     "NaN"),
    (b'{"type": "FeatureCollection", "features": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}", "嵌套过深"),
    (b'{"type": "FeatureCollection", "features": [], "x": ' + b"9" * 5000 + b"}", "位数过多"),
])
def test_a_file_that_is_no_geojson_is_said_so_in_chinese(cast, data, said):
    from feidi.indicators import geo

    count, errors = geo.import_parcels(cast.zone_a, data, acting_user=cast.clerk)
    assert count == 0 and len(errors) == 1 and said in errors[0][1], errors
    assert not re.search(r"Expecting|codec|decode|byte", errors[0][1])


def test_good_parcels_are_stored_as_the_column_holds_them_and_the_map_page_reads_them(cast, client_for):
    from feidi.accounts.models import Role
    from feidi.indicators.models import Parcel

    cast.clerk.roles.add(Role.objects.get(code="statistics"))
    data = collection(feature({"code": "P-1", "area_mu": "1,234.5"}), feature({"code": 1002, "area_mu": 12.3}),
                      feature({"code": "P-3", "area_mu": "9999999999.99", "sample": True}),
                      feature({"code": "P-4", "area_mu": None, "sample": False}))
    r = client_for("clerk").post(reverse("indicators:zone_map"), {
        "zone": cast.zone_a.pk, "file": SimpleUploadedFile("p.geojson", data)})
    assert r.status_code == 302
    stored = {p.code: (p.area_mu, p.sample) for p in Parcel.objects.filter(zone=cast.zone_a)}
    assert stored == {"P-1": (Decimal("1234.5"), False), "1002": (Decimal("12.3"), False),
                      "P-3": (Decimal("9999999999.99"), True), "P-4": (None, False)}
    bad = collection(feature({"code": "P-9", "area_mu": 1e30}), "abc")
    page = client_for("clerk").post(reverse("indicators:zone_map"), {
        "zone": cast.zone_a.pk, "file": SimpleUploadedFile("p.geojson", bad)})
    assert page.status_code == 200 and "数值过大" in page.content.decode()
    assert client_for("leader").get(reverse("indicators:zone_map"), {"zone": cast.zone_a.pk}).status_code == 200


def test_an_area_stored_before_the_check_is_emptied_by_the_upgrade_and_the_map_reads_again(cast, client_for):
    """SQLite kept what the old GeoJSON import gave it (1e30, a negative, a word); Django cannot read
    such a row back, and the zone's map failed for everyone. Migration indicators 0013 empties those
    areas and nothing else."""
    import decimal
    import importlib
    import types

    from django.db import connection

    from feidi.accounts.models import Role
    from feidi.indicators.models import Parcel

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL refused such a number when it was written")
    square = {"type": "Polygon", "coordinates": [[[117.9, 28.4], [117.91, 28.4], [117.91, 28.41], [117.9, 28.4]]]}
    parcels = {code: Parcel.objects.create(zone=cast.zone_a, code=code, area_mu=Decimal("12.5"), geometry=square)
               for code in ("好地块", "巨地块", "负地块", "字地块")}
    with connection.cursor() as cursor:
        for code, raw in (("巨地块", 1e30), ("负地块", -5), ("字地块", "很大")):
            cursor.execute("UPDATE indicators_parcel SET area_mu = %s WHERE id = %s", [raw, parcels[code].pk])
    cast.clerk.roles.add(Role.objects.get(code="statistics"))
    with pytest.raises((decimal.InvalidOperation, TypeError)):
        list(Parcel.objects.values_list("area_mu"))  # what broke the map
    migration = importlib.import_module("feidi.indicators.migrations.0013_parcel_area_in_range")
    migration.empty_impossible_areas(None, types.SimpleNamespace(connection=connection))
    assert dict(Parcel.objects.values_list("code", "area_mu")) == {
        "好地块": Decimal("12.5"), "巨地块": None, "负地块": None, "字地块": None}
    assert client_for("leader").get(reverse("indicators:zone_map"), {"zone": cast.zone_a.pk}).status_code == 200


# --- B: cells written out of column order ----------------------------------------------------------------

def row_xml(number: int, cells_: list[str], order: list[int] | None = None) -> str:
    order = order if order is not None else list(range(len(cells_)))
    return f'<row r="{number}">' + "".join(cells_[i] for i in order) + "</row>"


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("formula", [False, True], ids=["plain", "with-formula"])
def test_cells_written_out_of_order_are_placed_by_their_reference_by_either_reader(seed, formula):
    letters = "ABCDEFG"
    values = [inline(f"{c}2", f"值{c}") if i % 2 else f'<c r="{c}2"><v>{i}</v></c>' for i, c in enumerate(letters)]
    if formula:
        values[3] = '<c r="D2"><f>1+2</f><v>3</v></c>'
    order = list(range(len(letters)))
    random.Random(seed).shuffle(order)
    header = row_xml(1, [inline(f"{c}1", f"列{c}") for c in letters])
    expected = [[f"列{c}" for c in letters], [f"值{c}" if i % 2 else float(i) for i, c in enumerate(letters)]]
    expected[1][3] = 3.0 if formula else "值D"
    for got in both_readers(sheet_of(header + row_xml(2, values, order))):
        assert got == expected, (order, got)


def test_cells_without_a_reference_follow_the_cell_before_them_as_calamine_places_them():
    body = '<row r="1"><c r="D1"><v>4</v></c><c><v>5</v></c><c r="B1"><v>2</v></c><c><v>3</v></c></row>'
    for got in both_readers(sheet_of(body)):
        assert got == [[None, 2.0, 3.0, 4.0, 5.0]]


@pytest.mark.parametrize("body, said", [
    ('<row r="3"><c r="A3"><v>3</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>', "第1行出现在第3行之后"),
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="1"><c r="B1"><v>2</v></c></row>', "第1行出现在第1行之后"),
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B5"><v>2</v></c></row>', "单元格 B5 写在第2行中"),
    ('<row r="1"><c r="a1"><v>1</v></c></row>', "单元格引用“a1”无效"),
])
def test_rows_out_of_order_or_a_cell_in_another_row_refuse_the_sheet_whatever_the_reader(body, said):
    """Calamine would move such a cell or merge such a row; the streaming reader would not: the
    sheet is refused by both, never read two ways."""
    got = both_readers(sheet_of(body))
    assert all(isinstance(g, str) and said in g for g in got), got


def test_an_organization_row_written_out_of_order_beside_a_formula_is_imported_in_its_columns(cast):
    header = [*HEADER, "注册资本(元)", "从业人员", "地址", "简介"]
    head = row_xml(1, [inline(f"{c}1", h) for c, h in zip("ABCDEFG", header, strict=True)])
    data = [inline("A2", "乱序公司"), inline("B2", code(1)), inline("C2", "企业"), '<c r="D2"><v>5000</v></c>',
            '<c r="E2"><f>10*2</f><v>20</v></c>', inline("F2", "上饶市某路1号"), inline("G2", "乱序写入的简介")]
    body = head + row_xml(2, data, [0, 1, 2, 6, 3, 5, 4])
    result = OrganizationImporter().run(sheet_of(body, name="单位"), cast.clerk)
    assert result.applied, list(result.errors)
    org = Organization.objects.get(name="乱序公司")
    assert (org.registered_capital, org.employees, org.address, org.description) == (
        5000, 20, "上饶市某路1号", "乱序写入的简介")


# --- C: a CSV wider than the column limit ----------------------------------------------------------------

def test_a_csv_header_beyond_the_column_limit_refuses_the_file_as_a_sheet_does(cast):
    header = [*HEADER] + [f"空列{i}" for i in range(3, 200)] + ["从业人员"]
    rows = [header, ["宽表公司", code(2), "企业"] + [""] * 197 + ["350"]]
    with pytest.raises(ImportFileError, match="列数超过上限（200列）：单元格 GS1 仍有内容"):
        OrganizationImporter().run(csv_bytes(rows, "utf-8"), cast.clerk)
    assert not Organization.objects.filter(name="宽表公司").exists()


@pytest.mark.parametrize("column", [201, 1000, 100_001])
def test_a_csv_cell_beyond_the_column_limit_refuses_the_file_naming_it(column):
    rows = [["a", "b"], ["1", "2"] + [""] * (column - 3) + ["藏在远处"]]
    with pytest.raises(SheetError, match=f"单元格 {spreadsheet.column_letter(column - 1)}2 仍有内容"):
        list(open_sheet(csv_bytes(rows, "utf-8")).rows)


def test_empty_fields_beyond_the_column_limit_are_no_obstacle():
    rows = [["a", "b"] + [""] * 300, ["1", "2"] + [""] * 300]
    assert [row for _, row in open_sheet(csv_bytes(rows, "utf-8")).rows] == [["a", "b"] + [""] * 198,
                                                                              ["1", "2"] + [""] * 198]


# --- D: one rendering of a cell in every report -----------------------------------------------------------

@pytest.mark.parametrize("value, said", [
    (FormulaCell("SUM(A1:A2)"), "=SUM(A1:A2)"), (ErrorCell("#DIV/0!"), "#DIV/0!"), (True, "TRUE"), (False, "FALSE"),
    (5000.0, "5000"), (0.1 + 0.2, "0.3"), (dt.date(2026, 3, 5), "2026-03-05"), (dt.datetime(2026, 3, 5), "2026-03-05"),
    (dt.datetime(2026, 3, 5, 8, 30), "2026-03-05 08:30:00"), (None, ""), ("文字", "文字"),
])
def test_a_cell_is_shown_as_excel_shows_it(value, said):
    assert cells.shown(value) == said


FORMULA = Raw('<c r="{ref}"><f>SUM(A1:A2)</f></c>')  # no cached value
CELLS = [(FORMULA, "=SUM(A1:A2)"), (error("#DIV/0!"), "#DIV/0!"), (True, "TRUE")]


def _reported(result) -> list[tuple[str, str]]:
    return [(e.column, e.value) for e in result.errors]


@pytest.mark.parametrize("cell, said", CELLS)
@pytest.mark.parametrize("column", ["名称", "简介", "从业人员", "所在园区", "成立日期"])
def test_the_organization_report_shows_the_cell_as_excel_does(cast, cell, said, column):
    header = [*HEADER, "所在园区", "从业人员", "成立日期", "简介"]
    row = ["报告公司", code(3), "企业", "上饶经开区", 5, "2020-01-01", "简介"]
    row[header.index(column)] = cell
    result = OrganizationImporter().run(handmade([header, row], name="单位"), cast.clerk)
    assert _reported(result) == [(column, said)], list(result.errors)
    assert not any(REPR.search(e.value + e.message) for e in result.errors)


@pytest.mark.parametrize("cell, said", CELLS)
def test_the_project_policy_and_thesaurus_reports_show_the_cell_as_excel_does(cast, officer, policy, cell, said):
    from feidi.policies.importers import PolicyItemImporter
    from feidi.projects.importers import ProjectImporter
    from feidi.techmarket.importers import ThesaurusEntryImporter

    cases = [
        (ProjectImporter, cast.invest, "招商项目", ["项目名称", "落地园区", "项目简介", "来源渠道"],
         ["报告项目", "上饶经开区", cell, "以商招商"]),
        (PolicyItemImporter, officer, "政策条款", ["所属政策", "条款名称", "条款内容", "兑现方式", "每步办理时限(工作日)",
                                                "兑现期", "金额规则"], ["重复检查政策", "报告条款", cell, "免申即享", 5, "2026", "非资金类"]),
        (ThesaurusEntryImporter, cast.tech, "领域词表", ["术语", "产业链/领域", "相关词", "扩展权重"],
         ["报告术语", "甲区", cell, 0.5]),
    ]
    for importer, user, sheet, header, row in cases:
        result = importer().run(handmade([header, row], name=sheet), user)
        assert (header[2], said) in _reported(result), (importer, list(result.errors))
        assert not any(REPR.search(e.value + e.message) for e in result.errors), list(result.errors)


def test_a_thesaurus_term_that_exists_is_reported_under_its_columns(cast):
    from feidi.techmarket import actions
    from feidi.techmarket.importers import ThesaurusEntryImporter
    from feidi.techmarket.models import ThesaurusEntry

    actions.do_save_thesaurus_entry(ThesaurusEntry(term="已有术语", chain="甲区稀土", department=cast.dept_a),
                                    acting_user=cast.tech)
    rows = [["术语", "产业链/领域", "扩展权重"], ["已有术语", "甲区稀土", 0.5]]
    result = ThesaurusEntryImporter().run(handmade(rows, name="领域词表"), cast.tech)
    assert _reported(result) == [("产业链/领域、术语", "甲区稀土 · 已有术语")], list(result.errors)


# --- E: booleans in text columns, damaged shared strings, truncated text ---------------------------------

@pytest.mark.parametrize("value", [True, False])
@pytest.mark.parametrize("column", ["名称", "地址", "简介", "类型", "所在园区"])
def test_a_boolean_in_a_text_or_choice_column_is_refused(cast, value, column):
    header = [*HEADER, "所在园区", "地址", "简介"]
    row = ["逻辑值公司", code(4), "企业", "上饶经开区", "某路", "简介"]
    row[header.index(column)] = value
    result = OrganizationImporter().run(handmade([header, row], name="单位"), cast.clerk)
    assert [e.column for e in result.errors] == [column] and "逻辑值" in result.errors[0].message
    assert not Organization.objects.filter(uscc=code(4)).exists() and not Organization.objects.filter(name="是").exists()


def test_a_boolean_is_a_yes_no_columns_value_and_refused_as_a_term(cast):
    from feidi.techmarket.importers import ThesaurusEntryImporter
    from feidi.techmarket.models import ThesaurusEntry

    rows = [["术语", "产业链/领域", "启用", "扩展权重"], [True, "甲区", "是", 0.5], ["布尔启用", "甲区", False, 0.5]]
    result = ThesaurusEntryImporter().run(handmade(rows, name="领域词表"), cast.tech)
    assert [(e.row, e.column) for e in result.errors] == [(2, "术语")] and "逻辑值" in result.errors[0].message
    rows.pop(1)
    assert ThesaurusEntryImporter().run(handmade(rows, name="领域词表"), cast.tech).applied
    assert not ThesaurusEntry.objects.get(term="布尔启用").active and not ThesaurusEntry.objects.filter(term="是").exists()


@pytest.mark.parametrize("index", ["-1", "1.9", "x", " 1 ", "1_0", "٣", "2", ""])
def test_a_damaged_shared_string_reference_is_refused_by_either_reader(index):
    body = f'<row r="1"><c r="A1" t="s"><v>{index}</v></c><c r="B1" t="s"><v>1</v></c></row>'
    got = both_readers(sheet_of(body, ["零", "一"]))
    assert got == ["refused: 工作簿的共享文字表已损坏"] * 2, got


def test_shared_strings_split_across_the_inflating_windows_are_checked_and_read():
    strings = [f"文字{i}" for i in range(3000)]
    body = "".join(f'<row r="{i + 1}"><c r="A{i + 1}" t="s"><v>{i}</v></c></row>' for i in range(3000))
    got = both_readers(sheet_of(body, strings))
    assert got[0] == got[1] == [[s] for s in strings]
    assert open_sheet(sheet_of(body, strings)).extent == (3000, 1)  # calamine's: every window read, the last too
    bad = body.replace("<v>2999</v>", "<v>3000</v>")
    assert both_readers(sheet_of(bad, strings)) == ["refused: 工作簿的共享文字表已损坏"] * 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_a_text_file_cut_inside_its_last_character_is_refused(encoding):
    data = csv_bytes([["名称", "简介"], ["甲公司", "截断的简介文"]], encoding)
    cut = data.rstrip(b"\r\n\x00")[:-1]
    with pytest.raises(SheetError, match="文件末尾的字符不完整"):
        list(open_sheet(cut).rows)


def test_a_csv_with_a_nul_byte_says_it_holds_binary_data():
    for data in (b"a,b\n\x001,2\n", b"a,b\n" + b"1,2\n" * 5000 + b"3,\x004\n"):
        with pytest.raises(SheetError, match="空字符（NUL）"):
            list(open_sheet(data).rows)


# --- F: the holiday calendar's sheet -----------------------------------------------------------------------

def holidays(*rows) -> bytes:
    return handmade([["类型", "节日名称", "开始日期", "结束日期"], *rows], name="节假日安排")


@pytest.mark.parametrize("rows, said", [
    ([["放假", None, "2032-10-01", "2032-10-07"]], "第2行节日名称：放假安排须填写节日名称"),
    ([["放假", Raw('<c r="{ref}"><f>CONCAT("国","庆")</f></c>'), "2032-10-01", "2032-10-07"]],
     "第2行节日名称“=CONCAT(\"国\",\"庆\")”：公式单元格"),
    ([["放假", "国庆节", error("#N/A"), "2032-10-07"]], "第2行开始日期“#N/A”"),
    ([["放假", "国庆节", "2032-10-01", Raw('<c r="{ref}"><f>A1+1</f></c>')]], "第2行结束日期“=A1+1”"),
    ([[True, "国庆节", "2032-10-01", "2032-10-07"]], "第2行类型“TRUE”：单元格是 Excel 的逻辑值"),
    ([["放假", True, "2032-10-01", "2032-10-07"]], "第2行节日名称“TRUE”"),
    ([["放假", "国庆节", True, "2032-10-07"]], "第2行开始日期“TRUE”"),
    ([["放假", "国庆节", "2032-10-01", "2032-10-07"], [None], ["放假", "中秋节", "明天", None]],
     "第4行开始日期：“明天”不是日期"),
    # a make-up working day is one day: a range on a 上班 row was read as its first day alone
    ([["放假", "春节", "2032-02-10", "2032-02-17"], ["上班", "春节", "2032-02-06", "2032-02-20"]],
     "第3行：调休上班日逐日填写"),
])
def test_a_holiday_row_with_a_blank_name_a_formula_an_error_or_a_boolean_is_refused_as_shown(rows, said):
    from feidi.core.holidays import from_xlsx

    draft = from_xlsx(holidays(*rows), 2032)
    assert any(said in p for p in draft.problems), draft.problems
    assert not any(REPR.search(p) or "必填" in p for p in draft.problems), draft.problems
    assert not any(p.name in ("", "None") or "FormulaCell" in p.name for p in draft.periods)


def test_a_make_up_day_without_a_name_is_called_tiaoxiu():
    from feidi.core.holidays import from_xlsx

    draft = from_xlsx(holidays(["放假", "国庆节", "2032-10-01", "2032-10-07"], ["上班", None, "2032-10-09", None]), 2032)
    assert draft.workdays == [("调休", dt.date(2032, 10, 9))] and [p.name for p in draft.periods] == ["国庆节"]


# --- G: the same data imported twice ----------------------------------------------------------------------

PROJECT_HEADER = ["项目名称", "落地园区", "来源渠道", "计划总投资(元)"]


def project_files(rows: list[list]) -> dict[str, bytes]:
    lf = csv_bytes([PROJECT_HEADER, *rows], "utf-8").replace(b"\r\n", b"\n")
    return {"csv-crlf": csv_bytes([PROJECT_HEADER, *rows], "utf-8"), "csv-lf": lf,
            "xlsx": handmade([PROJECT_HEADER, *rows], name="招商项目")}


@pytest.mark.parametrize("again", ["csv-crlf", "csv-lf", "xlsx"])
def test_projects_imported_again_in_another_file_are_refused_row_by_row(cast, again):
    from feidi.projects.importers import ProjectImporter
    from feidi.projects.models import Project

    rows = [["重复导入项目甲", "上饶经开区", "以商招商", "5000"], ["重复导入项目乙", "上饶经开区", "以商招商", "6000"]]
    assert ProjectImporter().run(project_files(rows)["csv-crlf"], cast.invest).applied
    variant = [["重复导入项目甲", "上饶经开区", "以商招商", "5000"], ["重复导入项目ＩＩ", "上饶经开区", "以商招商", "1"],
               ["重复导入项目乙 ", "上饶经开区", "以商招商", "7000"]] if again == "xlsx" else rows
    result = ProjectImporter().run(project_files(variant)[again], cast.invest)
    clashes = [e.row for e in result.errors if "系统中已有" in e.message]
    assert clashes == ([2, 4] if again == "xlsx" else [2, 3]), list(result.errors)
    assert result.errors[0].column == "落地园区、项目名称" and result.errors[0].value == "上饶经开区 · 重复导入项目甲"
    assert Project.objects.filter(name__startswith="重复导入项目").count() == 2


def test_a_project_twice_in_one_file_is_refused_and_another_zones_namesake_is_not_a_duplicate(cast):
    from feidi.projects.importers import ProjectImporter

    rows = [["同名项目", "上饶经开区", "以商招商", "1"], ["同名项目", "上饶经开区", "以商招商", "2"]]
    result = ProjectImporter().run(project_files(rows)["xlsx"], cast.invest)
    assert [(e.row, e.message) for e in result.errors] == [(3, "与第2行重复")]


def test_the_same_file_again_is_refused_without_inviting_a_re_upload(cast):
    from feidi.core import imports

    data = project_files([["整文件重复项目", "上饶经开区", "以商招商", "1"]])["xlsx"]
    assert imports.submit(cast.invest, "projects", data, "p.xlsx").status == "done"
    with pytest.raises(ImportFileError) as refused:
        imports.submit(cast.invest, "projects", data, "p.xlsx")
    assert "未再次导入" in str(refused.value) and "重新上传" not in str(refused.value)


@pytest.fixture
def officer(cast):
    from feidi.testing.cast import _user

    return _user("policy", "甲区政策办", roles=["policy_office"], department=cast.dept_a)


@pytest.fixture
def policy(cast, officer):
    from feidi.policies import actions
    from feidi.policies.models import Policy
    from feidi.policies.models import PolicyItem

    made = actions.do_save_policy(Policy(title="重复检查政策", issuer="管委会", issued_on=dt.date(2026, 1, 5),
                                         department=cast.dept_a), acting_user=officer)
    actions.do_save_item(PolicyItem(policy=made, number="第三条", title="研发奖励", period="2026",
                                    amount_kind=PolicyItem.AmountKind.NONE), acting_user=officer)
    return made


ITEM_HEADER = ["所属政策", "条款编号", "条款名称", "兑现期", "金额规则", "兑现方式", "每步办理时限(工作日)"]


@pytest.mark.parametrize("rows, expected", [
    ([["重复检查政策", "第四条", "人才奖励", "2026", "非资金类"], ["重复检查政策", "第四条", "人才奖励", "2026", "非资金类"]],
     [(3, "与第2行重复")]),
    ([["重复检查政策", "第三条", "研发奖励", "2026", "非资金类"]], [(2, "系统中已有")]),
    # an item number compared as every natural key is (``cells.key_text``): a stray space is the same number
    ([["重复检查政策", "第 三条", "另一个名称", "2026", "非资金类"]], [(2, "系统中已有")]),
    ([["重复检查政策", "第三条", "另一个名称", "2026", "非资金类"]], [(2, "系统中已有")]),
    ([["重复检查政策", "", "无编号条款", "2026", "非资金类"], ["重复检查政策", "", "无编号条款", "2026", "非资金类"]],
     [(3, "与第2行重复")]),
    ([["重复检查政策", "", "无编号条款", "2026", "非资金类"], ["重复检查政策", "", "另一无编号条款", "2026", "非资金类"],
      ["重复检查政策", "第九条", "无编号条款", "2026", "非资金类"]], []),
])
def test_a_policy_item_repeated_in_the_file_or_beside_a_stored_one_is_refused(cast, officer, policy, rows, expected):
    from feidi.policies.importers import PolicyItemImporter
    from feidi.policies.models import PolicyItem

    before = PolicyItem.objects.filter(policy=policy).count()
    rows = [[*row, "依申请兑现", 5] for row in rows]
    result = PolicyItemImporter().run(handmade([ITEM_HEADER, *rows], name="政策条款"), officer)
    got = [(e.row, e.message) for e in result.errors]
    assert len(got) == len(expected) and all(row == r and said in m for (r, m), (row, said) in zip(
        got, expected, strict=True)), got
    assert PolicyItem.objects.filter(policy=policy).count() == before + (0 if expected else len(rows))


# --- H: a cell longer than Excel holds -----------------------------------------------------------------

@pytest.mark.parametrize("length", [cells.CELL_CHARS + 1, 400_000])
def test_a_text_longer_than_an_excel_cell_is_its_rows_error(cast, length):
    rows = [[*HEADER, "简介"], ["长简介公司", code(5), "企业", ("简" * length)], ["正常公司", code(6), "企业", "短"]]
    result = OrganizationImporter().run(csv_bytes(rows, "utf-8"), cast.clerk)
    assert [(e.row, e.column) for e in result.errors] == [(2, "简介")] and "32,767" in result.errors[0].message
    assert len(result.errors[0].value) < 100 and not Organization.objects.filter(uscc__in=[code(5), code(6)]).exists()
    rows[1][3] = "简" * cells.CELL_CHARS
    assert OrganizationImporter().run(csv_bytes(rows, "utf-8"), cast.clerk).applied


def test_a_name_longer_than_its_field_is_refused_as_the_form_would(cast):
    rows = [HEADER, ["名" * 201, code(7), "企业"]]
    result = OrganizationImporter().run(csv_bytes(rows, "utf-8"), cast.clerk)
    assert [e.column for e in result.errors] == ["名称"]


# --- I: rows that only carry formatting -----------------------------------------------------------------

@pytest.mark.parametrize("empty", ['<row r="{n}" s="1" customFormat="1"/>',
                                   '<row r="{n}"><c r="A{n}" s="1"/><c r="B{n}" s="1"/><c r="GS{n}" s="1"/></row>'])
@pytest.mark.parametrize("stream", [False, True], ids=["small", "streamed"])
def test_rows_of_formatting_only_below_the_data_do_not_count_towards_the_row_limit(cast, monkeypatch, empty, stream):
    monkeypatch.setattr(OrganizationImporter, "limits", Limits(rows=3))
    if stream:
        monkeypatch.setattr(spreadsheet, "CALAMINE_BYTES", 0)
    rows = [HEADER] + [[f"格式行公司{i}", code(10 + i), "企业"] for i in range(3)]
    tail = "".join(empty.format(n=n) for n in range(5, 2000))
    result = OrganizationImporter().run(handmade(rows, name="单位", tail=tail), cast.clerk)
    assert result.applied and result.created == 3, list(result.errors)
    tail += '<row r="2000"><c r="A2000" t="inlineStr"><is><t>远处的内容</t></is></c></row>'
    with pytest.raises(ImportFileError, match="行数超过上限"):
        OrganizationImporter().run(handmade(rows, name="单位", tail=tail), cast.clerk)


def test_blank_lines_of_a_csv_do_not_count_towards_the_row_limit(cast, monkeypatch):
    monkeypatch.setattr(OrganizationImporter, "limits", Limits(rows=3))
    rows = [HEADER] + [[f"空行公司{i}", code(20 + i), "企业"] for i in range(3)] + [["", "", ""]] * 2000
    result = OrganizationImporter().run(csv_bytes(rows, "utf-8"), cast.clerk)
    assert result.applied and result.created == 3, list(result.errors)


# --- minor: accounting negatives, Excel's text prefix ------------------------------------------------------

@pytest.mark.parametrize("text, expected", [("(1,234)", "-1234"), ("（1,234）", "-1234"), ("(¥1,234.50)", "-1234.5"),
                                            ("(12万元)", "-120000"), ("(5)", "-5")])
def test_an_accounting_negative_in_brackets_is_read_as_negative(text, expected):
    assert cells.parse_number(text, measure="元") == Decimal(expected)


@pytest.mark.parametrize("text", ["(-5)", "(1,2)", "()", "(abc)", "((5))"])
def test_brackets_around_no_plain_amount_are_refused(text):
    with pytest.raises(ValueError):
        cells.parse_number(text, measure="元")


def test_a_code_with_excels_text_prefix_apostrophe_is_read_without_it(cast):
    rows = [HEADER, ["撇号公司", "'" + code(30), "企业"]]
    result = OrganizationImporter().run(csv_bytes(rows, "utf-8"), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.get(name="撇号公司").uscc == code(30)


def test_the_whole_package_is_read_as_before():
    """The reader still reads an ordinary workbook both ways (a guard on the changes above)."""
    data = handmade([["a", "b"], [1, "x"], [None, 2.5]])
    assert both_readers(data) == [[["a", "b"], [1.0, "x"], [None, 2.5]]] * 2
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "xl/worksheets/sheet1.xml" in archive.namelist()


def test_a_parcel_code_is_one_however_typed_and_an_outline_is_of_map_size(cast):
    """TZ-01, tz-01 and ＴＺ－０１ are one parcel (refused as repeated in a file; imported again, the
    stored one is replaced); an outline of more points than a map needs (300,000: 12 MB on every
    viewer's map) is refused with what to do."""
    from feidi.indicators import geo
    from feidi.indicators.models import Parcel

    count, errors = geo.import_parcels(cast.zone_a, collection(feature({"code": "TZ-01"}), feature({"code": "tz-01"}),
                                                               feature({"code": "ＴＺ－０１"})), acting_user=cast.clerk)
    assert count == 0 and [n for n, _ in errors] == [2, 3] and all("重复" in m for _, m in errors)
    assert geo.import_parcels(cast.zone_a, collection(feature({"code": "TZ-01"})), acting_user=cast.clerk)[0] == 1
    assert geo.import_parcels(cast.zone_a, collection(feature({"code": "ｔｚ－０１", "area_mu": 12})),
                              acting_user=cast.clerk)[0] == 1
    assert list(Parcel.objects.filter(zone=cast.zone_a).values_list("code", "area_mu")) == [("tz-01", 12)]
    ring = [[117.9 + i * 1e-6, 28.4] for i in range(geo.MAX_POINTS)] + [[117.9, 28.41], [117.9, 28.4]]
    count, errors = geo.import_parcels(cast.zone_a, collection(feature({"code": "BIG"}, {"type": "Polygon",
                                                                                        "coordinates": [ring]})),
                                       acting_user=cast.clerk)
    assert count == 0 and "简化边界" in errors[0][1]
