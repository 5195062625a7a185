"""Reading items in: the text of an uploaded .txt/.html/.docx/.pdf, a local folder of them, and an
RSS/Atom feed on the intranet (fetched only when its URL is configured or given)."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")
MAX_BYTES = 20 * 1024 * 1024


class _Text(HTMLParser):
    SKIP = {"script", "style", "head", "nav", "footer"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "section", "article"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip, self.title, self._in_title = [], 0, "", False

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        if tag == "title":
            self._in_title = True
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self.skip:
            self.parts.append(data)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(gettext("无法识别文件编码"))


def _tidy(text: str) -> str:
    lines = [re.sub(r"[ \t\u3000]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def text_of(name: str, data: bytes) -> tuple[str, str]:
    """(title, text) of a file by its suffix; a refusal names what is wrong."""
    suffix = Path(name).suffix.lower()
    if len(data) > MAX_BYTES:
        raise ValidationError(gettext("文件超过 20 MB"))
    stem = Path(name).stem
    if suffix == ".txt":
        text = _tidy(_decode(data))
        return stem, text
    if suffix in (".html", ".htm"):
        parser = _Text()
        parser.feed(_decode(data))
        return _tidy(html.unescape(parser.title)) or stem, _tidy("".join(parser.parts))
    if suffix == ".docx":
        import zipfile

        from docx import Document

        from feidi.lib.spreadsheet import Budget
        from feidi.lib.spreadsheet import SheetError
        from feidi.lib.spreadsheet import check_package

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:  # a bomb is refused before python-docx inflates it
                check_package(archive, Budget(sheet_bytes=64 * 1024 * 1024, inflated_bytes=128 * 1024 * 1024),
                              noun=gettext("Word 文件"))
            doc = Document(io.BytesIO(data))
        except SheetError as exc:
            raise ValidationError(str(exc)) from exc
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise ValidationError(gettext("无法读取该 Word 文件")) from exc
        return stem, _tidy("\n".join(p.text for p in doc.paragraphs))
    if suffix == ".pdf":
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise ValidationError(gettext("PDF 已加密，无法读取"))
            text = "\n".join((page.extract_text() or "") for page in reader.pages[:200])
        except PdfReadError as exc:
            raise ValidationError(gettext("无法读取该 PDF 文件")) from exc
        if not text.strip():
            raise ValidationError(gettext("该 PDF 没有文字层（可能是扫描件）"))
        return stem, _tidy(text)
    raise ValidationError(gettext("不支持的文件类型：{suffix}（支持 .txt .html .docx .pdf）").format(suffix=suffix or "—"))


def folder_files(path: str | Path) -> list[Path]:
    root = Path(path)
    if not root.is_dir():
        raise ValidationError(gettext("目录不存在：{path}").format(path=path))
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


_ATOM = "{http://www.w3.org/2005/Atom}"


def feed_entries(data: bytes) -> list[dict]:
    """Entries of an RSS 2.0 or Atom document: title, link, date, text (HTML stripped)."""
    # refused before parsing: a feed has no business declaring a document type or entities
    # (entity expansion bombs, external entities)
    if re.search(rb"<!\s*(DOCTYPE|ENTITY)", data, re.I):
        raise ValidationError(gettext("订阅源含实体声明，已拒绝"))
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ValidationError(gettext("订阅源不是有效的 RSS/Atom")) from exc
    out = []
    for node in root.iter("item"):
        out.append({"title": node.findtext("title") or "", "link": node.findtext("link") or "",
                    "date": _date(node.findtext("pubDate")), "text": node.findtext("description") or ""})
    for node in root.iter(f"{_ATOM}entry"):
        link = node.find(f"{_ATOM}link")
        out.append({"title": node.findtext(f"{_ATOM}title") or "", "link": link.get("href", "") if link is not None else "",
                    "date": _date(node.findtext(f"{_ATOM}updated") or node.findtext(f"{_ATOM}published")),
                    "text": node.findtext(f"{_ATOM}content") or node.findtext(f"{_ATOM}summary") or ""})
    for entry in out:
        parser = _Text()
        parser.feed(entry["text"])
        entry["text"] = _tidy("".join(parser.parts))
    return out


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError):
        pass
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def fetch(url: str, timeout: int = 20) -> bytes:
    if not url.startswith(("http://", "https://", "file://")):
        raise ValidationError(gettext("订阅源地址应以 http:// 或 https:// 开头"))
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 — an address the operator configured
        return response.read(MAX_BYTES)
