"""The spreadsheet reader against a hostile corpus (tests/hostile.py), class by class, each on many
generated cases: bombs with honest and lying sizes, hidden sheets, formula cells, DOCTYPE tricks,
namespace prefixes, encrypted, legacy and HTML workbooks, CSV in several encodings."""

from __future__ import annotations

import datetime as dt
import resource
import tracemalloc
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from feidi.lib import spreadsheet
from feidi.lib.spreadsheet import Budget
from feidi.lib.spreadsheet import FormulaCell
from feidi.lib.spreadsheet import SheetError
from feidi.lib.spreadsheet import open_sheet
from feidi.lib.spreadsheet import sniff

from . import hostile
from .hostile import Book
from .hostile import Formula
from .hostile import SheetSpec


def rows_of(data, **kw):
    sheet = open_sheet(data, **kw)
    return sheet, [cells for _, cells in sheet.rows]


@pytest.mark.parametrize("lie", [False, True], ids=["honest-size", "lying-size"])
def test_a_decompression_bomb_is_refused_without_inflating_it(lie):
    data = hostile.bomb(300, lie=lie)
    assert len(data) < 3 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(SheetError, match="压缩|解压|损坏"):
        rows_of(data)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 150, f"reading a bomb grew the process by {grown_mb:.0f} MB"


def test_a_sheet_beyond_the_row_budget_stops_where_the_budget_ends():
    data = hostile.simple([[i] for i in range(2000)])
    with pytest.raises(SheetError, match="行数超过上限"):  # counted before any row is given
        for _ in open_sheet(data, budget=Budget(rows=500)).rows:
            pass
    with pytest.raises(SheetError, match="行数超过上限"):  # and by the row-by-row reading (formulas)
        for _ in open_sheet(hostile.simple([[i, Formula("A1")] for i in range(2000)]), budget=Budget(rows=500)).rows:
            pass


@given(st.lists(st.sampled_from(["hidden", "veryHidden"]), min_size=1, max_size=3), st.booleans())
@settings(max_examples=20, deadline=None)
def test_hidden_sheets_are_never_read(states, named):
    sheets = [SheetSpec(f"隐藏{i}", [["机密"], [i]], state) for i, state in enumerate(states)]
    sheets.append(SheetSpec("指标数据" if named else "Sheet9", [["企业"], ["公开"]]))
    sheet, rows = rows_of(Book(sheets).bytes(), prefer=("指标数据",))
    assert rows == [["企业"], ["公开"]]
    assert len(sheet.skipped) == len(states)


def test_the_templates_sheet_is_chosen_by_name_before_the_first_visible_one():
    book = Book([SheetSpec("说明", [["填写说明"]]), SheetSpec("单位", [["名称"], ["甲"]])])
    assert rows_of(book.bytes(), prefer=("单位",))[0].name == "单位"
    assert rows_of(book.bytes())[0].name == "说明"
    with pytest.raises(SheetError, match="没有可见的工作表"):
        rows_of(Book([SheetSpec("a", [[1]], "hidden")]).bytes())


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8)


@given(st.lists(st.one_of(st.integers(-10**6, 10**6), TEXT), min_size=1, max_size=6))
@settings(max_examples=30, deadline=None)
def test_a_formula_gives_its_cached_value_and_one_without_is_reported(values):
    row = [Formula(f"A{i}*2", cached=v) for i, v in enumerate(values)] + [Formula("SUM(A1:A3)")]
    _, rows = rows_of(hostile.simple([row]))
    got = rows[0]
    for value, cell in zip(values, got[:-1], strict=True):
        assert cell == (float(value) if isinstance(value, int) else value)
    assert isinstance(got[-1], FormulaCell) and got[-1].formula == "SUM(A1:A3)"


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE x SYSTEM "http://example.com/evil.dtd">'])
def test_any_doctype_is_refused(doctype):
    with pytest.raises(SheetError, match="DOCTYPE"):
        rows_of(hostile.simple([["a"]], doctype=doctype))


@given(st.lists(st.lists(st.one_of(st.none(), st.integers(-1000, 1000), st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=6)), min_size=1, max_size=5),
    min_size=1, max_size=8), st.sampled_from(["", "x:"]), st.booleans(), st.booleans())
@settings(max_examples=60, deadline=None)
def test_cells_come_back_as_written_whatever_the_prefix_or_string_storage_or_reader(rows, prefix, shared, whole):
    # ``whole``: calamine reads the small sheet; else it is streamed, as a large one is
    with mock.patch.object(spreadsheet, "CALAMINE_BYTES", spreadsheet.CALAMINE_BYTES if whole else 0):
        _, got = rows_of(hostile.simple(rows, prefix=prefix, shared=shared))
    expected = []
    for row in rows:
        cells = [float(v) if isinstance(v, int) else v for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        if cells:  # blank rows are left out
            expected.append(cells)
    def text(cells):  # edge whitespace of a string without xml:space="preserve" is the reader's call
        return [c.strip() if isinstance(c, str) else c for c in cells]

    def shown(rows_):  # … and so is a row holding only whitespace: blank to one reader, not to another
        out = [text(r) for r in rows_]
        return [r for r in out if any(c not in (None, "") for c in r)]

    got, expected = shown(got), shown(expected)
    assert [g + [None] * (len(e) - len(g)) for g, e in zip(got, expected, strict=False)] == expected[:len(got)]


@pytest.mark.parametrize("data,message", [
    (hostile.ole(encrypted=True), "密码"), (hostile.ole(encrypted=False), ".xls"),
    (hostile.html_xls([["企业", "月份"], ["甲", "2026-03"]]), "网页"), (b"\x00\x01\x02garbage" * 50, "无法识别"),
    (b"PK\x03\x04not really a zip", "损坏")])
def test_other_kinds_of_file_get_their_own_message(data, message):
    with pytest.raises(SheetError, match=message):
        rows_of(data)


@pytest.mark.parametrize("encoding,delimiter", [("utf-8", ","), ("utf-8-sig", ","), ("gbk", ","),
                                                ("gb18030", ","), ("utf-16", "\t")])
def test_csv_in_the_encodings_chinese_offices_save_is_read(encoding, delimiter):
    rows = [["统一社会信用代码", "企业名称", "月份", "主营业务收入"], ["91361100MA35X00005", "甲光伏科技", "2026年3月", "1,234.5"]]
    data = hostile.csv_bytes(rows, encoding, delimiter)
    assert sniff(data) == "csv"
    sheet, got = rows_of(data)
    assert sheet.kind == "csv" and got == rows


def test_dates_stored_as_numbers_are_read_as_dates():
    parts_book = Book([SheetSpec("数据", [[45000]])])
    parts = parts_book.parts()
    parts["xl/styles.xml"] = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                              b'<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>')
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b'<c r="A1">', b'<c r="A1" s="1">')
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    _, rows = rows_of(buffer.getvalue())
    assert rows == [[dt.date(2023, 3, 15)]]


@pytest.mark.parametrize("cut", [0, 1, 2])
def test_a_csv_whose_sample_ends_inside_a_character_is_read(cut):
    # the kind is told from the first 64 KB: a three-byte character cut there is not an error
    head = "统一社会信用代码,企业名称\n".encode()
    size = 65536 - len(head) - 3 * 100 - cut
    pad = (b"x" * 999 + b"\n") * (size // 1000) + b"x" * (size % 1000 - 1) + b"\n"  # lines an Excel cell holds
    data = head + pad + "甲光伏科技有限公司,乙\n".encode() * 2000
    assert sniff(data) == "csv"
    sheet, rows = rows_of(data)
    assert rows[0] == ["统一社会信用代码", "企业名称"] and rows[-1] == ["甲光伏科技有限公司", "乙"]
    assert len(rows) == 2002 + size // 1000


def test_a_sheet_too_large_for_calamine_is_streamed_in_bounded_memory():
    def peak_reading(n: int) -> tuple[int, float]:
        data = hostile.simple([["代码", "月份", "数值"]] + [[f"91361100MA{i:08d}", "2026-03", i * 1.5] for i in range(n)],
                              shared=False)
        tracemalloc.start()
        sheet = open_sheet(data)
        count = sum(1 for _ in sheet.rows)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return count, peak

    with mock.patch.object(spreadsheet, "CALAMINE_BYTES", 64 * 1024):
        small, large = peak_reading(2_000), peak_reading(8_000)
    assert (small[0], large[0]) == (2_001, 8_001)
    assert large[1] < 1.3 * small[1], (small, large)  # four times the rows, the same memory


def test_the_estimate_of_the_share_read_follows_the_rows():
    for limit in (spreadsheet.CALAMINE_BYTES, 0):
        with mock.patch.object(spreadsheet, "CALAMINE_BYTES", limit):
            sheet = open_sheet(hostile.simple([[i, "甲"] for i in range(3000)]))
            seen = [sheet.fraction() for n, _ in sheet.rows if n in (1500, 3000)]
        assert 0.3 < seen[0] < 0.7 and seen[-1] > 0.95, (limit, seen)


@pytest.mark.parametrize("size", [200_000, 2_000_000])
def test_a_csv_cell_longer_than_the_csv_modules_default_limit_is_read_whole(size):
    long = "光伏组件" * (size // 4)
    rows = [["企业名称", "简介"], ["甲光伏科技", long], ["乙锂电材料", "正极材料"]]
    sheet, got = rows_of(hostile.csv_bytes(rows, "utf-8", ","))
    assert got == rows



def test_a_number_shown_as_a_percentage_is_read_as_the_percentage_it_shows():
    """Excel keeps 5% as 0.05 with a percent format: read as the text "5%", a % column takes 5
    and a column of another unit refuses it — never 0.05 taken for 0.05 %, a hundredth of what the
    sheet shows. A workbook without a percentage is still read whole by calamine."""
    import io

    import xlsxwriter

    from feidi.lib.cells import parse_number

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("比例")
    pct, pct2 = book.add_format({"num_format": "0%"}), book.add_format({"num_format": "0.0%"})
    sheet.write_row(0, 0, ["名称", "比例(%)", "金额(元)"])
    sheet.write(1, 0, "甲")
    sheet.write(1, 1, 0.05, pct)
    sheet.write(1, 2, 0.5, pct2)
    sheet.write(2, 0, "乙")
    sheet.write(2, 1, 0.125, pct2)
    sheet.write(2, 2, 300)
    book.close()
    rows = list(open_sheet(buffer.getvalue()).rows)
    assert rows[1][1][1:] == ["5%", "50.0%"] and rows[2][1][1:] == ["12.5%", 300.0]  # as shown: 0.0% keeps a place
    assert parse_number(rows[1][1][1], measure="%") == 5 and parse_number(rows[2][1][1], measure="%") == 12.5
    with pytest.raises(ValueError, match="单位"):
        parse_number(rows[1][1][2], measure="元")
    plain = io.BytesIO()
    book = xlsxwriter.Workbook(plain)
    book.add_worksheet("比例").write_row(0, 0, ["名称", 0.05])
    book.close()
    assert open_sheet(plain.getvalue()).extent is not None  # calamine's path: no percentage shown


def test_a_formula_without_a_computed_value_is_reported_however_the_writer_left_it():
    """An empty <v> where a number belongs, and every formula of a workbook saying its formulas were
    never computed (fullCalcOnLoad: what Excel will show is unknown), are reported as formulas —
    never read as a blank or as the writer's placeholder."""
    empty_number = hostile.Raw('<c r="{ref}"><f>10*3</f><v></v></c>')
    _, rows = rows_of(hostile.handmade([["名称", "人数"], ["甲", empty_number]]))
    assert isinstance(rows[1][1], FormulaCell)
    parts = hostile.Book([SheetSpec("数据", [["名称", "简介"], ["甲", Formula('"简介"&"文字"', cached="")],
                                             ["乙", Formula("10*3", cached=0)]])]).parts()
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"</sheets>", b'</sheets><calcPr fullCalcOnLoad="1"/>')
    _, rows = rows_of(hostile.zip_of(parts))
    assert isinstance(rows[1][1], FormulaCell) and isinstance(rows[2][1], FormulaCell)


def test_rows_of_spaces_after_the_data_are_blank_to_the_row_budget_and_the_other_sheets_are_named():
    rows = [["名称"], ["甲"], ["乙", Formula("A1", cached="x")]] + [[None, " "] for _ in range(40)]
    for data in (hostile.simple(rows), hostile.simple([r[:1] for r in rows[:3]] + rows[3:])):  # streamed, calamine
        _, got = rows_of(data, budget=Budget(rows=10))
        assert [r[0] for r in got] == ["名称", "甲", "乙"]
    book = hostile.Book([SheetSpec("封面", [["2026年统计表"]]), SheetSpec("数据表", [["名称"], ["甲"]])]).bytes()
    assert open_sheet(book).others == ["数据表"]


def test_a_date_cell_holds_a_date_and_at_most_a_real_time_of_day():
    from feidi.lib.cells import parse_date

    for text in ("2020-01-02", "2020/1/2", "2020.1.2", "2020年1月2日", "2020年1月2日 10:30", "2020-01-02T10:30:00",
                 "2020-01-02 10:30:00.123", "20200102", "２０２０－０１－０２"):
        assert parse_date(text) == dt.date(2020, 1, 2), text
    for text, said in (("2020-01-02 25:61", "不是存在的时间"), ("2020-01-02 garbage", "不是日期"),
                       ("2020-01-02 下午", "不是日期"), ("2020/01/02 CST", "不是日期"), ("2020-01/02", "不是日期")):
        with pytest.raises(ValueError, match=said):
            parse_date(text)


def test_html_from_its_body_and_utf16_without_its_mark_get_their_own_message():
    assert sniff(b"<body><table><tr><td>1</td></tr></table></body>") == "html"
    for encoding in ("utf-16-le", "utf-16-be"):
        assert sniff("名称,代码\r\n甲公司,123\r\n".encode(encoding)) == "nul"  # its message names UTF-16 without a BOM
    assert sniff(bytes(range(1, 200))) == "unknown"


def test_a_time_or_a_duration_is_reported_as_excel_shows_it():
    from feidi.lib.cells import cell_shown

    assert cell_shown(dt.time(13, 45)) == "13:45" and cell_shown(dt.time(13, 45, 30)) == "13:45:30"
    assert cell_shown(dt.timedelta(days=1, hours=6)) == "30:00" and cell_shown(dt.timedelta(minutes=90, seconds=5)) == "1:30:05"
