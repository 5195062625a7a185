"""Excel in: a file with any bad row is refused whole with a row-by-row report."""

import io

import xlsxwriter
from django.urls import reverse

from feidi.core.models import AuditRecord
from feidi.lib import uscc
from feidi.registry.models import Organization

HEADER = ["名称*", "统一社会信用代码*", "类型*", "行业代码", "所在园区", "成立日期", "用地面积（亩）", "从业人员"]


def xlsx(rows, header=HEADER, numeric_codes=False) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("单位")
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if numeric_codes and c == 1 and str(value).isdigit():
                sheet.write_number(r, c, int(value))
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def upload(client, content, name="单位.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("registry:organization_import"), {"file": SimpleUploadedFile(name, content)})


def code(n):
    return uscc.make(f"91361100MA35{n:04d}")


def test_a_good_file_is_stored_whole_through_the_import_channel(cast, client_for):
    rows = [[f"导入公司{i}", code(i), "企业", "C3825", "上饶经开区", f"2020-01-0{i + 1}", 12.5, 30 + i]
            for i in range(5)]
    rows.insert(2, [None] * 8)  # a blank row in the middle is skipped
    response = upload(client_for("clerk"), xlsx(rows))
    assert response.status_code == 302
    assert Organization.objects.filter(name__startswith="导入公司").count() == 5
    org = Organization.objects.get(name="导入公司0")
    assert org.zone == cast.zone_a and org.department == cast.dept_a and org.employees == 30
    assert AuditRecord.objects.filter(model="registry.organization", action="create", source="import").count() == 5


def test_one_bad_row_stores_nothing_and_is_reported_by_row_and_column(cast, client_for):
    rows = [[f"导入公司{i}", code(i), "企业", "C3825", "上饶经开区", None, None, None] for i in range(4)]
    rows[2][1] = "91361100MA35X0000A"  # wrong check character, Excel row 4
    rows[3][6] = -3  # negative land area, Excel row 5
    response = upload(client_for("clerk"), xlsx(rows))
    assert response.status_code == 200
    assert not Organization.objects.filter(name__startswith="导入公司").exists()
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(4, "统一社会信用代码"), (5, "用地面积（亩）")]  # as the file heads them
    assert "校验位" in errors[0].message
    page = response.content.decode()
    assert "第 4 行" in page and "未导入" in page


def test_duplicates_inside_the_file_and_against_the_database_are_refused(cast, client_for):
    rows = [["甲", code(1), "企业", None, None, None, None, None],
            ["乙", code(1), "企业", None, None, None, None, None],
            ["丙", cast.org_b1.uscc, "企业", None, None, None, None, None]]
    before = Organization.objects.count()
    response = upload(client_for("clerk"), xlsx(rows))
    messages = [(e.row, e.message) for e in response.context["result"].errors]
    assert (3, "与第2行重复") in messages
    # the code is held in another zone: refused without naming the holder (outside the clerk's scope)
    assert any(row == 4 and "不在您的管理范围" in m and "丙汽车零部件有限公司" not in m for row, m in messages)
    assert Organization.objects.count() == before


def test_another_zones_park_is_not_a_valid_choice(cast, client_for):
    response = upload(client_for("clerk"), xlsx([["越界公司", code(7), "企业", None, "另一园区", None, None, None]]))
    errors = response.context["result"].errors
    assert errors and errors[0].column == "所在园区"
    assert not Organization.objects.filter(name="越界公司").exists()


def test_codes_typed_as_numbers_and_labels_or_values_are_understood(cast, client_for):
    digits = next(c for c in (uscc.make(f"9136110000{n:06d}") for n in range(100)) if c.isdigit())
    response = upload(client_for("clerk"), xlsx([["数字代码公司", digits, "enterprise", None, None, None, None, None]],
                                                 numeric_codes=True))
    # An 18-digit number exceeds Excel's precision: the row is refused with advice, never mangled.
    assert response.status_code == 200
    assert "文本" in response.context["result"].errors[0].message


def test_a_file_that_is_not_xlsx_or_lacks_columns_is_a_clear_error(cast, client_for):
    c = client_for("clerk")
    response = upload(c, b"\x00\x01binary", name="单位.xlsx")
    assert "无法识别" in response.context["file_error"] or "格式" in response.context["file_error"]
    response = upload(c, b"name,uscc\n1,2\n", name="单位.csv")  # a CSV is read; its columns are not ours
    assert "模板之外的列：name、uscc" in response.context["file_error"]
    response = upload(c, xlsx([["某公司"]], header=["名称"]))
    assert "缺少必需的列" in response.context["file_error"] and "统一社会信用代码" in response.context["file_error"]


def test_the_template_downloads_with_the_columns(cast, client_for):
    from python_calamine import CalamineWorkbook

    response = client_for("clerk").get(reverse("registry:organization_import"), {"template": 1})
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    header = book.get_sheet_by_index(0).to_python()[0]
    assert header[:3] == ["名称*", "统一社会信用代码*", "类型*"]


def test_outsiders_cannot_import(cast, client_for):
    for name in ("ent_a", "auditor", "leader"):
        assert client_for(name).get(reverse("registry:organization_import")).status_code == 403
