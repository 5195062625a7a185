"""The imports, the export and the month report against the ninth hostile probe, class by class: a
plain number in a date column of a 1904 workbook, values hidden under a merged range, a project's
name in its zone compared one way on every path, a cell the record discards, a text longer than
an Excel cell, a formula in a CSV, the rules of the indicator import page, two people saving one
month, and an import replacing stored figures."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from feidi.core.importer import ImportFileError
from feidi.indicators.models import IndicatorValue
from feidi.lib import cells
from feidi.lib import spreadsheet
from feidi.lib import uscc
from feidi.projects.importers import ProjectImporter
from feidi.projects.models import Project
from feidi.registry.importers import OrganizationImporter
from feidi.registry.models import Organization

from .hostile import csv_bytes
from .hostile import handmade
from .test_import_hostile import dressed

HEADER = ["名称", "统一社会信用代码", "类型"]
PROJECT_HEADER = ["项目名称", "落地园区", "来源渠道", "计划总投资(元)"]
INDICATOR_HEADER = ["统一社会信用代码", "企业名称", "月份", "主营业务收入(元)", "税收(元)", "从业人员(人)"]


def code(n: int) -> str:
    return uscc.make(f"91361100MA39R{n:03d}")


def serial_1904(day: dt.date) -> int:
    return (day - dt.date(1904, 1, 1)).days


# --- 1: a plain number in a date column is counted in the workbook's own date system ------------------

def test_serials_are_counted_from_the_epoch_given():
    day = dt.date(2017, 6, 18)
    assert cells.parse_date(serial_1904(day), epoch=cells.EPOCH_1904) == day
    assert cells.parse_date((day - cells.EXCEL_EPOCH).days) == day
    assert cells.parse_month(serial_1904(dt.date(2023, 11, 20)), epoch=cells.EPOCH_1904) == dt.date(2023, 11, 1)
    # the floor (1950-01-01) is a day, whichever system counts it
    assert cells.parse_date(serial_1904(dt.date(1950, 1, 1)), epoch=cells.EPOCH_1904) == dt.date(1950, 1, 1)
    with pytest.raises(ValueError, match="不是日期"):
        cells.parse_date(serial_1904(dt.date(1949, 12, 31)), epoch=cells.EPOCH_1904)


def test_a_plain_number_in_a_date_column_of_a_1904_workbook_is_that_day(cast, reader):
    day = dt.date(2017, 6, 18)
    rows = [[*HEADER, "成立日期"], ["一九零四公司", code(1), "企业", serial_1904(day)]]
    result = OrganizationImporter().run(handmade(rows, name="单位", date1904=True), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.get(name="一九零四公司").established_on == day


def test_a_month_given_as_a_plain_number_in_a_1904_workbook_is_that_month(cast, statistician, reader):
    from feidi.indicators import importing

    rows = [INDICATOR_HEADER, [cast.org_a1.uscc, "", serial_1904(dt.date(2026, 3, 20)), 100, 10, 5]]
    outcome = importing.run(handmade(rows, name="指标数据", date1904=True), "指标.xlsx", statistician)
    assert outcome.applied, list(outcome.errors)
    assert set(IndicatorValue.objects.filter(organization=cast.org_a1).values_list("period", flat=True)) == {
        dt.date(2026, 3, 1)}


# --- 2: a value under a merged range is what nobody saw ------------------------------------------------

def test_a_value_hidden_under_a_merge_along_a_data_row_refuses_the_file_naming_it(cast, reader):
    rows = [[*HEADER, "地址", "法定代表人"], ["合并遮挡公司", code(2), "企业", "上饶经开区", "张三"]]
    after = '<mergeCells count="1"><mergeCell ref="D2:E2"/></mergeCells>'
    with pytest.raises(ImportFileError, match=re.escape("第2行E列（法定代表人）的“张三”（被合并区域 D2:E2 遮住）")):
        OrganizationImporter().run(dressed(rows, after=after), cast.clerk)
    assert not Organization.objects.filter(name="合并遮挡公司").exists()


def test_a_header_hidden_under_a_merge_refuses_the_file_naming_it(cast, reader):
    rows = [[*HEADER, "地址", "法定代表人"], ["表头遮挡公司", code(3), "企业", "", "李四"]]
    after = '<mergeCells count="1"><mergeCell ref="D1:E1"/></mergeCells>'
    with pytest.raises(ImportFileError, match=re.escape("第1行E列的“法定代表人”（被合并区域 D1:E1 遮住）")):
        OrganizationImporter().run(dressed(rows, after=after), cast.clerk)
    assert not Organization.objects.filter(name="表头遮挡公司").exists()


def test_a_data_value_under_a_header_merge_reaching_into_the_rows_refuses_the_file(cast, reader):
    rows = [[*HEADER, "地址"], ["表头下遮挡公司", code(4), "企业", "甲地"]]
    after = '<mergeCells count="1"><mergeCell ref="A1:A2"/></mergeCells>'
    with pytest.raises(ImportFileError, match=re.escape("第2行A列（名称）的“表头下遮挡公司”")):
        OrganizationImporter().run(dressed(rows, after=after), cast.clerk)


def test_merges_over_empty_cells_and_a_titles_merge_are_no_obstacle(cast, reader):
    rows = [["2026年单位名录", None, "备注看不见也不导入"], HEADER + ["地址", "法定代表人"],
            ["空遮挡公司", code(5), "企业", "乙地"], ["空遮挡二号", code(6), "企业", "丙地"]]
    after = '<mergeCells count="2"><mergeCell ref="A1:E1"/><mergeCell ref="D3:E3"/></mergeCells>'
    result = OrganizationImporter().run(dressed(rows, after=after), cast.clerk)
    assert result.applied, list(result.errors)
    assert Organization.objects.filter(name__startswith="空遮挡").count() == 2


def test_covered_cells_are_found_by_rows_in_order_and_counted():
    hidden = spreadsheet.Hidden()
    hidden.merge("B2:C3")
    hidden.merge("$A$5:$B$5")
    hidden.cover(2, ["a", "top-left", "x"])
    hidden.cover(3, ["a", "y", None])
    hidden.cover(4, ["a", "b", "c"])  # below the first, above the second: nothing covered
    hidden.cover(5, ["shown", "z"])
    assert [(row, column, said) for row, column, said, _ in hidden.covered] == [
        (2, 2, "B2:C3"), (3, 1, "B2:C3"), (5, 1, "A5:B5")]
    assert hidden.covered_count == 3


def test_overlapping_merges_are_a_damaged_sheet():
    hidden = spreadsheet.Hidden()
    hidden.merge("A1:A5")
    hidden.merge("A3:B3")
    hidden.cover(1, ["a"])
    with pytest.raises(spreadsheet.SheetError, match="A1:A5 与 A3:B3 重叠"):
        hidden.cover(3, [None, "b"])


# --- 3: a project's name in its zone, one rule on every path ---------------------------------------------

@pytest.mark.parametrize("other", ["年产  电池项目", "年产\u3000电池项目", "  年产 电池项目 ", "年产\xa0电池项目", "年产\t\n电池项目",
                                   "年产电池项目"])
def test_a_projects_name_is_compared_with_whitespace_collapsed(other):
    assert cells.key_text(other) == cells.key_text("年产 电池项目")


def test_latin_words_keep_their_break_and_width_and_case_are_folded():
    assert cells.key_text("ＡＢＣ  Battery") == cells.key_text("abc battery")
    assert cells.key_text("ABC Battery") != cells.key_text("ABCBattery")
    assert cells.key_text("10GWh 电池") == cells.key_text("10ＧＷｈ电池")


def test_the_add_page_refuses_a_name_its_zone_already_has(cast, client_for):
    c = client_for("invest")
    first = c.post(reverse("projects:project_add"), {"name": "同园区同名项目", "zone": cast.zone_a.pk, "channel": "other"})
    assert first.status_code == 302
    for name in ("同园区同名项目", "同园区　同名项目", " 同园区  同名项目"):
        again = c.post(reverse("projects:project_add"), {"name": name, "zone": cast.zone_a.pk, "channel": "other"})
        assert again.status_code == 200 and "已有同名项目" in again.content.decode()
    assert Project.objects.filter(name__contains="同名项目").count() == 1
    # another zone's namesake is another project
    Project.objects.filter(name="同园区同名项目").update(zone=cast.zone_b)
    assert c.post(reverse("projects:project_add"), {"name": "同园区同名项目", "zone": cast.zone_a.pk,
                                                      "channel": "other"}).status_code == 302


def test_the_model_refuses_a_namesake_whatever_path_saves_it(cast):
    from django.core.exceptions import ValidationError

    from feidi.projects import actions

    actions.do_save_project(Project(name="模型查重 项目", zone=cast.zone_a), acting_user=cast.invest)
    with pytest.raises(ValidationError, match="已有同名项目"):
        actions.do_save_project(Project(name="模型查重\u3000项目", zone=cast.zone_a), acting_user=cast.invest)
    # an edit keeping its own name is no clash
    project = Project.objects.get(name="模型查重 项目")
    project.investor = "某投资方"
    actions.do_save_project(project, acting_user=cast.invest)


def test_the_api_refuses_a_namesake(cast):
    from .test_import_jobs import api

    c = api(cast.invest)
    body = {"name": "接口查重 项目", "zone_id": cast.zone_a.pk}
    assert c.post("/api/v1/projects/projects", json.dumps(body), content_type="application/json").status_code == 201
    body["name"] = "接口查重  项目"
    response = c.post("/api/v1/projects/projects", json.dumps(body), content_type="application/json")
    assert response.status_code == 422 and "已有同名项目" in json.dumps(response.json(), ensure_ascii=False)
    assert Project.objects.filter(name__startswith="接口查重").count() == 1


@pytest.mark.parametrize("again", ["年产  查重项目", "年产\u3000查重项目"])
def test_an_import_refuses_a_name_stored_with_other_spacing(cast, again):
    ProjectImporter().run(handmade([PROJECT_HEADER, ["年产 查重项目", "上饶经开区", "以商招商", 1]], name="招商项目"),
                          cast.invest)
    result = ProjectImporter().run(handmade([PROJECT_HEADER, [again, "上饶经开区", "以商招商", 2]], name="招商项目"),
                                   cast.invest)
    assert [e.row for e in result.errors] == [2] and "系统中已有" in result.errors[0].message
    assert Project.objects.filter(name__contains="查重项目").count() == 1


def test_two_rows_differing_by_spacing_are_one_project_in_a_file(cast):
    rows = [PROJECT_HEADER, ["文件内 查重", "上饶经开区", "以商招商", 1], ["文件内\u3000\u3000查重", "上饶经开区", "以商招商", 2]]
    result = ProjectImporter().run(handmade(rows, name="招商项目"), cast.invest)
    assert [(e.row, e.message) for e in result.errors] == [(3, "与第2行重复")]


# --- 4: a cell the record would discard is reported, not dropped --------------------------------------

def test_a_key_level_beside_a_project_that_is_not_key_refuses_the_row(cast):
    header = [*PROJECT_HEADER, "重点项目", "重点级别"]
    rows = [header, ["非重点有级别项目", "上饶经开区", "以商招商", 1, "否", "省重点"]]
    result = ProjectImporter().run(handmade(rows, name="招商项目"), cast.invest)
    assert not result.applied
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, "重点级别", "省重点")]
    assert "“重点项目”为“否”" in result.errors[0].message
    assert not Project.objects.filter(name="非重点有级别项目").exists()
    rows = [header, ["重点有级别项目", "上饶经开区", "以商招商", 1, "是", "省重点"], ["非重点无级别项目", "上饶经开区", "以商招商", 1, "否"]]
    result = ProjectImporter().run(handmade(rows, name="招商项目"), cast.invest)
    assert result.applied, list(result.errors)
    assert Project.objects.get(name="重点有级别项目").key_level


# --- 5: a text longer than a cell is cut with the cut said ---------------------------------------------

def _cell_a1(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        strings = archive.read("xl/sharedStrings.xml").decode()
    from xml.etree import ElementTree

    root = ElementTree.fromstring(strings)
    return "".join(t.text or "" for t in root.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}t"))


@pytest.mark.parametrize("text", ["说" * 40_009, "a" * 40_009, "😀" * 20_000])
def test_an_exported_text_longer_than_a_cell_ends_saying_it_was_cut(text):
    from feidi.core.exports import CUT
    from feidi.core.exports import workbook

    buffer = io.BytesIO()
    book = workbook(buffer)
    book.add_worksheet("导出").write_string(0, 0, text)
    book.close()
    written = _cell_a1(buffer.getvalue())
    assert written.endswith(CUT) and text.startswith(written[:-len(CUT)])
    assert len(written.encode("utf-16-le")) // 2 <= 32_767


def test_an_exported_text_that_fits_is_written_whole():
    from feidi.core.exports import fit_cell

    assert fit_cell("说" * 32_767) == "说" * 32_767


# --- 6: a formula in a CSV is refused as in an xlsx ---------------------------------------------------

@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x","y")', "=1+1"])
def test_a_csv_cell_starting_with_equals_is_a_formula_refused_on_its_row(cast, formula):
    rows = [[*HEADER, "地址"], ["公式地址公司", code(7), "企业", formula], ["正常地址公司", code(8), "企业", "a=b"]]
    result = OrganizationImporter().run(csv_bytes(rows, "utf-8"), cast.clerk)
    assert [(e.row, e.column) for e in result.errors] == [(2, "地址")] and "公式" in result.errors[0].message
    assert not Organization.objects.filter(name__endswith="地址公司").exists()


def test_a_csv_formula_in_an_indicator_file_is_refused(cast, statistician):
    from feidi.indicators import importing

    rows = [INDICATOR_HEADER, [cast.org_a1.uscc, "", "2026-03", "=100*2", 10, 5]]
    outcome = importing.run(csv_bytes(rows, "utf-8"), "指标.csv", statistician)
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "主营业务收入(元)")]
    assert not IndicatorValue.objects.exists()


# --- 7: every import page states the sheet it reads ----------------------------------------------------

def test_every_registered_import_states_its_sheet_names():
    from feidi.core import imports

    for key in imports.KINDS:
        names = imports.importer_for(key).shown_sheet_names
        assert names and all(name.strip() for name in names), key


def test_the_indicator_import_page_names_its_sheet(cast, client_for, statistician):
    page = client_for("clerk").get(reverse("indicators:import")).content.decode()
    assert "读取名为“指标数据”的工作表" in page and "名为“”" not in page


# --- 8: two people on one month: a value changed since the page was opened is never overwritten ---------

def _month() -> str:
    from django.utils import timezone

    return f"{(timezone.localdate().replace(day=1) - dt.timedelta(days=1)):%Y-%m}"


def _opened(client, org=None) -> dict:
    """The report form's fields as the page renders them (values and their ``__was``)."""
    params = {"period": _month(), **({"org": org} if org else {})}
    html = client.get(reverse("indicators:report"), params).content.decode()
    data = dict(re.findall(r'<input type="hidden" name="(v_\w+__was)" value="([^"]*)"', html))
    for tag in re.findall(r'<input type="text" name="v_\w+"[^>]*>', html):
        value = re.search(r' value="([^"]*)"', tag)
        data[re.search(r'name="(v_\w+)"', tag).group(1)] = value.group(1) if value else ""
    data["period"] = _month()
    if org:
        data["org"] = org
    return data


def test_a_stale_month_form_is_refused_as_a_conflict_and_writes_nothing(cast, client_for, statistician):
    from feidi.indicators import actions
    from feidi.indicators.models import Indicator

    period = dt.date.fromisoformat(_month() + "-01")
    ind = {i.code: i for i in Indicator.objects.all()}
    actions.report_month(cast.org_a1, period, {ind["revenue"]: Decimal(1000), ind["tax"]: Decimal(100),
                                               ind["employees"]: Decimal(50)}, acting_user=None, confirm=True)
    enterprise, officer = client_for("ent_a"), client_for("clerk")
    mine, theirs = _opened(enterprise), _opened(officer, org=cast.org_a1.pk)
    assert mine["v_revenue__was"] == "1000" and theirs["v_revenue"] == "1000"
    url = reverse("indicators:report") + f"?period={_month()}"
    assert enterprise.post(url, {**mine, "v_revenue": "1100", "confirm": "on"}).status_code == 302
    response = officer.post(url + f"&org={cast.org_a1.pk}", {**theirs, "v_tax": "120", "confirm": "on"})
    page = response.content.decode()
    assert response.status_code == 200 and "该记录已被他人修改" in page and "主营业务收入" in page
    stored = dict(IndicatorValue.objects.filter(organization=cast.org_a1, period=period)
                  .values_list("indicator__code", "value"))
    assert stored["revenue"] == 1100 and stored["tax"] == 100  # nothing of the stale form written
    # the page shown again holds the value stored now: saved again, the officer's tax is kept
    again = _opened(officer, org=cast.org_a1.pk)
    assert officer.post(url + f"&org={cast.org_a1.pk}", {**again, "v_tax": "120", "confirm": "on"}).status_code == 302
    stored = dict(IndicatorValue.objects.filter(organization=cast.org_a1, period=period)
                  .values_list("indicator__code", "value"))
    assert stored["revenue"] == 1100 and stored["tax"] == 120


def test_unchanged_month_values_are_not_written_again(cast, client_for):
    from feidi.indicators import actions
    from feidi.indicators.models import Indicator

    period = dt.date.fromisoformat(_month() + "-01")
    ind = {i.code: i for i in Indicator.objects.all()}
    actions.report_month(cast.org_a1, period, {ind["revenue"]: Decimal(1000), ind["tax"]: Decimal(100),
                                               ind["employees"]: Decimal(50)}, acting_user=None, confirm=True)
    enterprise = client_for("ent_a")
    form = _opened(enterprise)
    url = reverse("indicators:report") + f"?period={_month()}"
    assert enterprise.post(url, {**form, "v_tax": "110", "confirm": "on"}).status_code == 302
    by = dict(IndicatorValue.objects.filter(organization=cast.org_a1, period=period)
              .values_list("indicator__code", "entered_by_id"))
    assert by["tax"] == cast.ent_a.pk and by["revenue"] is None  # the untouched value keeps who entered it


# --- 9: an import replacing stored figures says so, and the audit keeps what they were -----------------

def test_an_import_replacing_stored_values_asks_to_confirm_and_audits_the_before(cast, statistician):
    from feidi.core.audit import AuditRecord
    from feidi.indicators import actions
    from feidi.indicators import importing
    from feidi.indicators.models import Indicator

    period = dt.date(2026, 3, 1)
    ind = {i.code: i for i in Indicator.objects.all()}
    actions.report_month(cast.org_a1, period, {ind["revenue"]: Decimal(1000), ind["tax"]: Decimal(100),
                                               ind["employees"]: Decimal(50)}, acting_user=None, confirm=True)
    data = handmade([INDICATOR_HEADER, [cast.org_a1.uscc, "", "2026-03", 1050, 100, 50]], name="指标数据")
    outcome = importing.run(data, "指标.xlsx", statistician)
    assert outcome.needs_confirmation, list(outcome.errors)
    assert [(e.row, e.column) for e in outcome.warnings] == [(2, "主营业务收入(元)")]
    assert "1000" in outcome.warnings[0].message and "1050" in outcome.warnings[0].message
    assert IndicatorValue.objects.get(organization=cast.org_a1, indicator=ind["revenue"], period=period).value == 1000
    outcome = importing.run(data, "指标.xlsx", statistician, confirmed=True)
    assert outcome.applied
    assert IndicatorValue.objects.get(organization=cast.org_a1, indicator=ind["revenue"], period=period).value == 1050
    record = AuditRecord.objects.filter(model="indicators.indicatorvalue", object_repr__contains="替换").get()
    key = f"{cast.org_a1.pk}:revenue@2026-03"
    assert json.loads(record.before) == {key: "1000.00"} or json.loads(record.before)[key].startswith("1000")
    assert json.loads(record.after)[key].startswith("1050")
