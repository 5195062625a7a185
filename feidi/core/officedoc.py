"""Word documents in the official layout (党政机关公文格式 GB/T 9704 as far as a report needs):
A4 with the standard margins, a red masthead with the issue number and a red rule, 黑体 section
headings, 仿宋 body at 三号 with 28-point fixed line spacing, 宋体 tables, — n — page numbers."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext

from feidi.lib.cells import tidy_text

RED = "C00000"
FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONGTI = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"


def set_font(run, name: str, size: float, *, bold=False, color: str | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt
    from docx.shared import RGBColor

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def para(doc, text: str = "", *, font=FANGSONG, size=16.0, bold=False, color=None, align=None, indent=True,
          space_after=0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.line_spacing = Pt(28)  # 固定值28磅, the usual for 三号仿宋 body text
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if text:
        set_font(p.add_run(tidy_text(str(text), multiline=True)), font, size, bold=bold, color=color)
    return p


def _red_rule(paragraph) -> None:
    """A red line under the masthead (版头分隔线), drawn as the paragraph's bottom border."""
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    border = ppr.makeelement(qn("w:pBdr"), {})
    bottom = border.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "18", qn("w:space"): "4",
                                                 qn("w:color"): RED})
    border.append(bottom)
    ppr.append(border)


def table(doc, header: list[str], rows: list[list[str]], widths_cm: list[float] | None = None) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(header):
        cell = table.rows[0].cells[i]
        cell.text = ""
        set_font(cell.paragraphs[0].add_run(tidy_text(str(text), multiline=True)), HEITI, 10.5)
    for row in rows:
        cells = table.add_row().cells
        for i, text in enumerate(row):
            cells[i].text = ""
            set_font(cells[i].paragraphs[0].add_run(tidy_text(str(text), multiline=True)), SONGTI, 10.5)
    if widths_cm:
        for row in table.rows:
            for i, width in enumerate(widths_cm):
                row.cells[i].width = Cm(width)


def _page_number_footer(section) -> None:
    """— 1 — style page numbers (GB/T 9704: 4号半角宋体, a dash on each side)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(p.add_run("— "), SONGTI, 14)
    run = p.add_run()
    set_font(run, SONGTI, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = run._element.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        else:
            el = run._element.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
        run._element.append(el)
    set_font(p.add_run(" —"), SONGTI, 14)




def new_document():
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_number_footer(section)
    return doc


def masthead(doc, title: str, number_text: str, issuer: str, day: dt.date) -> None:
    """Red title, the issue number, the issuer and date over a red rule."""
    para(doc, title, font=XIAOBIAOSONG, size=26, color=RED, align="center", indent=False, space_after=12)
    para(doc, number_text, font=FANGSONG, size=16, align="center", indent=False)
    line = para(doc, "", indent=False)
    set_font(line.add_run(tidy_text(str(issuer), multiline=False)), FANGSONG, 16)
    set_font(line.add_run("\u3000" * 4 + gettext("{year}年{month}月{day}日").format(
        year=day.year, month=day.month, day=day.day)), FANGSONG, 16)
    _red_rule(line)
    para(doc, "", indent=False)


def landscape_section(doc):
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section = doc.add_section()
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(28), Mm(26)
    section.left_margin, section.right_margin = Mm(37), Mm(35)
    return section


def to_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()

