"""A generator of hostile and malformed spreadsheets, written from the file formats (ECMA-376 parts
in a zip, the OLE compound-file signature, CSV in several encodings), not from Feidi's own
templates: bombs with honest and with lying sizes, hidden and very-hidden sheets, formula cells with
and without a cached value, DOCTYPE/entity tricks, namespace prefixes, encrypted and legacy
workbooks, HTML saved as .xls, GBK and UTF-16 text."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from dataclasses import dataclass
from dataclasses import field
from xml.sax.saxutils import escape

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{overrides}
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""


def column(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass
class Formula:
    text: str
    cached: object = None  # None: no cached value (a workbook saved by a program that never computed it)


@dataclass
class SheetSpec:
    name: str
    rows: list[list]
    state: str = "visible"  # visible | hidden | veryHidden


@dataclass
class Book:
    sheets: list[SheetSpec]
    doctype: str = ""  # prepended to the sheet XML (XXE / entity expansion attempts)
    prefix: str = ""  # "x:" to write the sheet with a namespace prefix
    shared: bool = True  # strings in the shared-string table (else inline)
    extra_parts: dict = field(default_factory=dict)

    def sheet_xml(self, spec: SheetSpec, strings: list[str]) -> str:
        p = self.prefix
        ns = f'xmlns{":" + p[:-1] if p else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        out = [f"<{p}worksheet {ns}><{p}sheetData>"]
        for r, row in enumerate(spec.rows, start=1):
            out.append(f'<{p}row r="{r}">')
            for c, value in enumerate(row):
                ref = f"{column(c)}{r}"
                if value is None:
                    continue
                if isinstance(value, Formula):
                    cached = "" if value.cached is None else f"<{p}v>{escape(str(value.cached))}</{p}v>"
                    kind = ' t="str"' if isinstance(value.cached, str) else ""
                    out.append(f'<{p}c r="{ref}"{kind}><{p}f>{escape(value.text)}</{p}f>{cached}</{p}c>')
                elif isinstance(value, bool):
                    out.append(f'<{p}c r="{ref}" t="b"><{p}v>{int(value)}</{p}v></{p}c>')
                elif isinstance(value, (int, float)):
                    out.append(f'<{p}c r="{ref}"><{p}v>{value}</{p}v></{p}c>')
                elif self.shared:
                    strings.append(str(value))
                    out.append(f'<{p}c r="{ref}" t="s"><{p}v>{len(strings) - 1}</{p}v></{p}c>')
                else:
                    out.append(f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>{escape(str(value))}</{p}t></{p}is></{p}c>')
            out.append(f"</{p}row>")
        out.append(f"</{p}sheetData></{p}worksheet>")
        return self.doctype + "".join(out)

    def parts(self) -> dict[str, bytes]:
        strings: list[str] = []
        parts = {}
        sheets, rels, overrides = [], [], []
        for i, spec in enumerate(self.sheets, start=1):
            state = "" if spec.state == "visible" else f' state="{spec.state}"'
            sheets.append(f'<sheet name="{escape(spec.name)}" sheetId="{i}"{state} r:id="rId{i}"/>')
            rels.append(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>')
            overrides.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                             f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
            parts[f"xl/worksheets/sheet{i}.xml"] = self.sheet_xml(spec, strings).encode()
        parts["[Content_Types].xml"] = CONTENT_TYPES.format(overrides="".join(overrides)).encode()
        parts["_rels/.rels"] = ROOT_RELS.encode()
        parts["xl/workbook.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(sheets) + "</sheets></workbook>").encode()
        parts["xl/_rels/workbook.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships">' + "".join(rels) + "</Relationships>").encode()
        if strings:
            parts["xl/sharedStrings.xml"] = (
                '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                f'2006/main" count="{len(strings)}">' + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
                + "</sst>").encode()
        parts.update(self.extra_parts)
        return parts

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts().items():
                z.writestr(name, data)
        return buffer.getvalue()


def simple(rows: list[list], **kw) -> bytes:
    return Book([SheetSpec("数据", rows)], **kw).bytes()


def bomb(inflated_mb: int = 300, *, lie: bool = False) -> bytes:
    """A workbook whose one sheet inflates to ``inflated_mb`` MB of repeated rows; with ``lie``, its
    zip headers declare a size a thousand times smaller (the reader must count the real stream)."""
    row = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    body = row * (inflated_mb * 1024 * 1024 // len(row))
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + body
             + b"</sheetData></worksheet>")
    book = Book([SheetSpec("数据", [["a"]])])
    parts = book.parts()
    parts["xl/worksheets/sheet1.xml"] = sheet
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    data = bytearray(buffer.getvalue())
    if lie:
        _shrink_declared(data, "xl/worksheets/sheet1.xml", len(sheet) // 1000)
    return bytes(data)


def _shrink_declared(data: bytearray, name: str, size: int) -> None:
    """Rewrite the uncompressed size of ``name`` in its local header and central directory entry."""
    target = name.encode()
    i = 0
    while (i := data.find(b"PK\x03\x04", i)) >= 0:
        n, m = struct.unpack_from("<HH", data, i + 26)
        if bytes(data[i + 30:i + 30 + n]) == target:
            struct.pack_into("<I", data, i + 22, size)
        i += 4
    i = 0
    while (i := data.find(b"PK\x01\x02", i)) >= 0:
        n, = struct.unpack_from("<H", data, i + 28)
        if bytes(data[i + 46:i + 46 + n]) == target:
            struct.pack_into("<I", data, i + 24, size)
        i += 4


def ole(encrypted: bool) -> bytes:
    """The start of an OLE compound file (an encrypted workbook or a legacy .xls)."""
    names = ["EncryptionInfo", "EncryptedPackage"] if encrypted else ["Workbook", "SummaryInformation"]
    body = b"".join(n.encode("utf-16-le").ljust(64, b"\0") for n in names)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + body + bytes(random.Random(1).randbytes(2048))


def html_xls(rows: list[list]) -> bytes:
    cells = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return ('<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta charset="utf-8"></head>'
            f"<body><table>{cells}</table></body></html>").encode()


def csv_bytes(rows: list[list], encoding: str, delimiter: str = ",") -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    if encoding == "utf-8-sig":
        return text.encode("utf-8-sig")
    if encoding == "utf-16":
        return text.encode("utf-16")  # with its BOM, as Excel's "Unicode text"
    return text.encode(encoding)


def forged_codes(rng) -> list[tuple[str, str]]:
    """Credit codes whose 18th character is right but whose structure is not (GB 32100-2015):
    (code, the part that is wrong). Drawn at random each time, so no fixed list is tuned to."""
    from feidi.lib import uscc

    def body(n=8):
        return "".join(rng.choice(uscc.ALPHABET) for _ in range(n))

    def sealed(first16, org_check=None):
        first17 = first16 + (org_check or uscc.org_check_character(first16[8:]))
        return first17 + uscc.check_character(first17)

    good_division = rng.choice(["361100", "310115", "110108", "440300", "100000"])
    wrong_org = lambda b: rng.choice([c for c in "0123456789X" if c != uscc.org_check_character(b)])  # noqa: E731
    b = body()
    authority = rng.choice([c for c in uscc.ALPHABET if c not in uscc.CATEGORIES])
    category = rng.choice([c for c in uscc.ALPHABET if c not in uscc.CATEGORIES["9"]])
    province = rng.choice([f"{n:02d}" for n in range(100) if f"{n:02d}" not in uscc.PROVINCES and n != 10])
    return [
        ("0" * 17 + uscc.check_character("0" * 17), "authority"),
        (sealed(f"{authority}1{good_division}{b}"), "authority"),
        (sealed(f"9{category}{good_division}{b}"), "category"),
        (sealed(f"91{province}{rng.randrange(10000):04d}{b}"), "division"),
        (sealed(f"91{rng.choice(sorted(uscc.PROVINCES))}00{rng.randrange(1, 100):02d}{b}"), "division"),
        (sealed(f"91{good_division}{b}", wrong_org(b)), "organization code"),
    ]


# --- cells as Excel writes them, one by one ------------------------------------------------------------

@dataclass(frozen=True)
class Raw:
    """A cell given as its XML (``{ref}`` stands for its reference): an error (``t="e"``), a
    date-styled serial (``s="1"``), a formula with an error as its cached value …"""

    xml: str


def error(code: str) -> Raw:
    return Raw(f'<c r="{{ref}}" t="e"><v>{escape(code)}</v></c>')


def dated(serial: float) -> Raw:
    return Raw(f'<c r="{{ref}}" s="1"><v>{serial}</v></c>')


def handmade(rows: list[list], *, name: str = "数据", date1904: bool = False, tail: str = "",
             dimension: str = "") -> bytes:
    """A one-sheet workbook written cell by cell (inline strings, a date style as style 1),
    optionally counting its dates from 1904, with ``tail`` XML after the rows (cells placed far
    away) and a ``dimension`` the writer claims."""
    out = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{column(c)}{r}"
            if value is None:
                continue
            if isinstance(value, Raw):
                cells.append(value.xml.replace("{ref}", ref))
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main">{dim}<sheetData>{"".join(out)}{tail}</sheetData></worksheet>')
    styles = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
              'spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
              '</cellXfs></styleSheet>')
    book = Book([SheetSpec(name, [])], extra_parts={"xl/worksheets/sheet1.xml": sheet.encode(),
                                                    "xl/styles.xml": styles.encode()})
    parts = book.parts()
    if date1904:
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"<sheets>", b'<workbookPr date1904="1"/><sheets>')
    rels = parts["xl/_rels/workbook.xml.rels"]
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(b"</Relationships>", (
        b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        b'Target="styles.xml"/></Relationships>'))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for part, data in parts.items():
            z.writestr(part, data)
    return buffer.getvalue()


def zip_of(parts: dict[str, bytes], *, stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        for part, data in parts.items():
            z.writestr(part, data)
    return buffer.getvalue()
