"""What people type into Chinese spreadsheets, read as values: full-width digits and punctuation,
thousands separators, 万/亿 written in the cell, units stated in the header, the date and month
formats offices use. Pure functions, shared by every import and form that reads such text."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from decimal import InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class FormulaCell:
    """A formula without a cached value: its result is unknown here (the readers, ``lib.spreadsheet``,
    give it; defined here, where a cell is judged and shown)."""

    formula: str


@dataclass(frozen=True)
class ErrorCell:
    """A cell holding an Excel error (#DIV/0!, #REF!, #N/A …), typed or the cached result of a
    formula: never a value, whatever the column."""

    code: str


@dataclass(frozen=True)
class TimeCell:
    """A number whose format shows it as a time of day alone or a duration (h:mm, [h]:mm,
    上午/下午h时mm分), whatever its value, or as a time on a day the calendar does not have (0.25
    under yyyy-mm-dd h:mm), as the readers give it (``lib.spreadsheet``): ``serial`` is the number
    held (days), ``shown`` the time as the sheet shows it ("12:00", "30:00"). Never a number, a
    date or a text: a sheet showing 12:00 says nobody typed 0.5 yuan, a day or a name."""

    serial: float = field(compare=False)  # compared as shown: either reader's rounding of it is one time
    shown: str

    @classmethod
    def of(cls, serial: float, *, duration: bool) -> TimeCell:
        """The cell holding ``serial`` under a time-of-day format (the serial's time of its day) or
        a duration format (hours counted past 24: [h]:mm shows 1.25 as 30:00)."""
        seconds = round(serial * 86_400) if serial == serial and abs(serial) < 1e12 else 0
        if not duration:
            seconds %= 86_400
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        minutes, second = divmod(seconds, 60)
        hours, minute = divmod(minutes, 60)
        return cls(serial, f"{sign}{hours}:{minute:02d}" + (f":{second:02d}" if second else ""))


TIME_CELL = gettext_noop("单元格显示为时间“{shown}”（单元格格式是时间或时长），不是本列要填的内容：请把单元格格式改为“常规”或“文本”后按本列要求重新填写")


def as_time_cell(value) -> TimeCell | None:
    """``value`` as a ``TimeCell`` when it is a time of day or a duration, however a reader gave it
    (a ``TimeCell``, or Python's ``time`` and ``timedelta``); else None."""
    if value.__class__ is TimeCell:
        return value
    if isinstance(value, dt.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return TimeCell.of(seconds / 86_400, duration=False)
    if isinstance(value, dt.timedelta):
        return TimeCell.of(value.total_seconds() / 86_400, duration=True)
    return None


def refuse_time(value) -> None:
    """A ValueError in Chinese when ``value`` is a time of day or a duration (``TimeCell``): no
    column here holds one."""
    found = as_time_cell(value)
    if found is not None:
        raise ValueError(gettext(TIME_CELL).format(shown=found.shown))


EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 0 of the 1900 date system (Excel counts a 1900-02-29 that never was)
EPOCH_1904 = dt.date(1904, 1, 1)  # serial 0 of a workbook saved in the 1904 date system (<workbookPr date1904="1"/>)
UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10_000), "百万元": Decimal(1_000_000),
         "亿元": Decimal(100_000_000)}
MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1000), "百万": Decimal(1_000_000)}
# the units a column (its header, an indicator) or a cell may state; 万/亿/千/百万 before one of them
# multiply it (万元, 万人, 万吨), except before % (a rate has no multiple)
MEASURES = ("吨标准煤", "千瓦时", "平方米", "工作日", "元", "亩", "人", "吨", "%", "个", "家", "项", "户", "件", "天")
# \d of the ASCII digits only (re.ASCII): another script's digits (١٢٣, ١٢٣) are no number here
NUMBER = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(百万|万|亿|千)?(" +
                    "|".join(re.escape(m) for m in MEASURES) + r")?$", re.ASCII)
GROUPED = re.compile(r"\d,\d", re.ASCII)
# the yuan's signs before an amount (￥ is folded to ¥): the cell states 元, as "1,234元" does
YUAN = re.compile(r"^([+-]?)(?:¥|RMB|CNY|人民币)([+-]?)(?=[\d.])", re.I | re.ASCII)
# another currency's sign or name: an amount no column here holds, said as such (not "不是数字")
FOREIGN = re.compile(r"^[+-]?(US\$|HK\$|\$|€|£|USD|EUR|HKD|GBP|JPY)|(美元|港元|港币|欧元|英镑|日元)$", re.I)
# a date (and time) written out: a column of numbers says it is a date, not that its digits are spaced
DATE_LIKE = re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$", re.ASCII)
BRACKETS = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
# a negative amount in brackets, as accounting formats show one: (1,234), (¥1,234.50), （1,234）
ACCOUNTING = re.compile(r"^\(((?:¥|RMB|CNY|人民币)?\d[\d,.]*(?:百万|万|亿|千)?(?:元)?)\)$", re.I | re.ASCII)
# zero-width characters, the BOM and the direction marks (LRM, RLM, ALM: they only set the
# direction of the punctuation next to them): invisible, never meant (a pasted code or name carries them)
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u061c"))
# …except a joiner that is part of what is written: inside an emoji sequence (👨‍👩‍👧 is one family,
# 👍🏽 a thumb of one tone) or between the letters of a script that writes with it (the Persian and
# Indic ZWNJ/ZWJ) — dropped, the family became three people
_EMOJI = "\U0001F000-\U0001FAFF\u2600-\u27BF"
_JOINING_SCRIPTS = "\u0600-\u06FF\u0750-\u077F\u0900-\u0DFF"
_INVISIBLE_OR_KEPT = re.compile(
    f"(?P<kept>(?<=[{_EMOJI}\uFE0F])\u200d(?=[{_EMOJI}])|(?<=[{_JOINING_SCRIPTS}])[\u200c\u200d](?=[{_JOINING_SCRIPTS}]))"
    "|[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u061c]")


def drop_invisible(text: str) -> str:
    """``text`` without its invisible characters (``INVISIBLE``), the joiners that are part of
    what is written kept."""
    if "\u200c" not in text and "\u200d" not in text:
        return text.translate(INVISIBLE)
    return _INVISIBLE_OR_KEPT.sub(lambda m: m.group() if m.group("kept") else "", text)


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# the bidirectional embeddings, overrides and isolates (Unicode TR 9): they reorder what is shown,
# so "探针\u202e司公限有" reads as another name than the one stored (CVE-2021-42574's trick)
BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
DATE_MIN = dt.date(1900, 3, 1)  # Excel's serials are exact from here (it counts a 1900-02-29 that never was)
DATE_HORIZON_YEARS = 30  # a date ahead of today (a deadline, a validity) at most this far
SERIAL_MIN = 18_264  # a plain number is an Excel serial only from 1950-01-01: below, it is a year or a count
SIGNIFICANT = 15  # digits an Excel number holds: a binary float's noise beyond them is not data
# The characters an Excel cell holds: a longer text was written by no spreadsheet (a CSV made by a
# program), and stored it could be edited on no page (a form posts at most a few MB)
CELL_CHARS = 32_767


def fold(text) -> str:
    """Text compared by its meaning (a header, a key looked up): compatibility forms folded
    (NFKC: ＡＢ１２（）→AB12(), ㈱→(株)), the ideographic space and NBSP to none, zero-width
    characters and the BOM dropped. Never what is stored, and never a number's digits
    (``width_fold``)."""
    # the two spaces dropped before NFKC, which would make them an ASCII space that stays
    return unicodedata.normalize("NFKC", str(text).replace("\u3000", "").replace("\xa0", "")).translate(INVISIBLE)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def key_text(text) -> str:
    """A name as a natural key compares it (a project's name in its zone, an item's number in its
    policy), whichever path brought it — a form, the API, an import: NFKC (ＡＢ１２ is AB12),
    invisible characters dropped, every run of whitespace of any kind (two spaces, the ideographic
    space, NBSP, a tab, a line break) collapsed to one space — and to none beside a Chinese
    character, where a space is padding nobody reads as part of the name (“年产  项目”, “年产　项目”
    and “年产项目” are one name, as ``fold`` always dropped the ideographic space and NBSP; “ABC
    Battery” and “ABCBattery” stay two) — trimmed, case-blind. Never what is stored."""
    words = unicodedata.normalize("NFKC", str(text)).translate(INVISIBLE).split()
    if not words:
        return ""
    out = [words[0]]
    for word in words[1:]:
        if not (_wide(out[-1][-1]) or _wide(word[0])):
            out.append(" ")
        out.append(word)
    return "".join(out).casefold()


# the full-width forms of ASCII (U+FF01–FF5E) and of the yen/yuan, pound and cent signs: what an
# input method types for 0–9, A–Z and punctuation
WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0xFFE5: "¥", 0xFFE1: "£", 0xFFE0: "¢"}
WIDTH |= dict.fromkeys(map(ord, "\u3000\xa0")) | INVISIBLE
WIDTH |= dict.fromkeys([*range(0x2000, 0x200B), 0x202F, 0x205F], " ")  # the typographic spaces (a thin space groups digits)


def width_fold(text) -> str:
    """Full-width ASCII to half-width (１２３．５ → 123.5, ＡＢ → AB), the ideographic space and NBSP
    to none, invisible characters dropped — and nothing else: a superscript (10²), a circled
    digit (⑫) or another script's digits are not the digits 0–9 (NFKC, ``fold``, would make them
    so: 10² read as 102)."""
    return str(text).translate(WIDTH)


def clean_text(text, *, multiline: bool = False) -> str:
    """A text as stored, typed in a form or read from a file: zero-width characters, the BOM and
    direction marks dropped (a joiner within an emoji or a joining script kept, ``drop_invisible``); a line break or tab in a one-line text (a name wrapped with
    Alt+Enter) a space, kept in long text (``multiline``); any other control character (C0, DEL)
    refused, naming it, and so is a bidirectional override, embedding or isolate (the text would
    show as other than it is). Width is kept (a name's full-width brackets are the name's)."""
    text = drop_invisible(str(text)).replace("\r\n", "\n").replace("\r", "\n")
    bad = CONTROL.search(text)
    if bad is not None:
        raise ValueError(gettext("含有不可见的控制字符（U+{code:04X}），请删除后重新填写").format(code=ord(bad.group())))
    bad = BIDI.search(text)
    if bad is not None:
        raise ValueError(gettext("含有改变文字显示方向的控制字符（U+{code:04X}），显示的内容与实际内容不同，请删除后重新填写").format(
            code=ord(bad.group())))
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


# Word's manual line break (VT), a page break (FF) and Unicode's line and paragraph separators: a
# line break where a text keeps them
LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\u2028": "\n", "\u2029": "\n", "\r": "\n"})
# what XML 1.0 cannot hold (a Word or Excel file refuses it whole), besides CONTROL
_NOT_XML = re.compile(r"[\ufffe\uffff\ud800-\udfff]")


def tidy_text(text: str, *, multiline: bool) -> str:
    """A text as it may be stored and written into any file, whichever path brought it (a form, the
    API, an action): the line breaks pasted from Word kept as line breaks in a long text, and as
    spaces in a one-line one; any other control character, a direction override (the text would
    show as other than it is), and what XML cannot hold, dropped.
    ``clean_text`` refuses them where a person can be told (an import's row); this keeps them out
    where nobody can (a report written at night)."""
    text = text.replace("\r\n", "\n").translate(LINE_BREAKS)
    text = _NOT_XML.sub("", BIDI.sub("", CONTROL.sub("", text)))
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def untidy(text: str) -> bool:
    """Whether ``tidy_text`` would change ``text`` in a long text (a one-line one also loses its breaks)."""
    return bool(CONTROL.search(text) or _NOT_XML.search(text) or BIDI.search(text) or "\r" in text
                or "\u2028" in text or "\u2029" in text)


def normalize_label(text) -> str:
    """A header as its meaning: full-width folded, spaces, required-marks and the unit in brackets
    dropped ("签约金额（万元）*" → "签约金额")."""
    label = fold(text).replace("*", "").replace(" ", "").replace("\t", "").replace("\n", "").strip()
    label = re.sub(r"[:：]$", "", label)
    return BRACKETS.sub("", label).strip()


def unit_of(text) -> Decimal | None:
    """The money unit a header states in brackets or after 单位: — 1 for 元, 10,000 for 万元 …"""
    label = fold(text).replace(" ", "")
    for inside in BRACKETS.findall(label):
        inside = inside.replace("单位:", "").replace("单位", "")
        if inside in UNITS:
            return UNITS[inside]
    for name, factor in sorted(UNITS.items(), key=lambda kv: -len(kv[0])):
        if label.endswith(name) and not label.endswith(f"({name})"):
            return factor
    return None


def read_unit(text: str) -> tuple[str, Decimal] | None:
    """A unit as written (元, 万元, 亿, 万人, %) → (the measure, its multiple); a bare 万/亿 is a
    multiple of the column's own measure, given as ("", multiple). None when it is no unit known."""
    text = fold(text).replace(" ", "").replace("单位:", "").replace("单位", "")
    for prefix in ("", *sorted(MULTIPLIERS, key=len, reverse=True)):
        if not text.startswith(prefix):
            continue
        rest, factor = text[len(prefix):], MULTIPLIERS.get(prefix, Decimal(1))
        if rest == "" and prefix:
            return "", factor
        if rest in MEASURES and not (prefix and rest == "%"):
            return rest, factor
    return None


def header_unit(text) -> tuple[str, Decimal] | None:
    """The unit a header states, in brackets ("产值（万元）") or as its end ("产值万元"): (measure,
    multiple) — ("", multiple) for a bare 万/亿 — or None when it states none. A bracket that is no
    known unit raises ValueError naming it (美元, 万美元 …: read as the column's unit it would be
    silently wrong), and so does a header stating two units ("注册资本（元）（万元）": which one
    the figures are in is anybody's guess)."""
    label = fold(text).replace(" ", "").replace("*", "")
    stated: list[tuple[str, tuple[str, Decimal]]] = []
    for inside in BRACKETS.findall(label):
        found = read_unit(inside)
        if found is None:
            raise ValueError(gettext("单位“{unit}”无法识别").format(unit=inside))
        stated.append((inside, found))
    for name, factor in sorted(UNITS.items(), key=lambda kv: -len(kv[0])):
        if label.endswith(name):  # after any bracket: "产值（元）万元" states two
            stated.append((name, ("元", factor)))
            break
    units = dict.fromkeys(found for _, found in stated)
    if len(units) > 1:
        raise ValueError(gettext("同时注明了多个单位（{units}），不知数字按哪个单位填写").format(
            units="、".join(f"“{said}”" for said in dict.fromkeys(said for said, _ in stated))))
    return stated[0][1] if stated else None


# A unit stated in a title or a note above a table: "（金额单位：万元）", "单位：人民币万元；填报日期：…",
# "金额单位（万元）", "单位：亿元）", a title ending "（万元）", a cell "万元" alone. Read on the text
# with its widths folded and every kind of bracket made ( ) (``_said_units``); what follows the
# mark up to a punctuation mark or a space must be a unit (``read_unit``): "单位名录" or "××单位服务
# 有限公司" state none, and neither does "填报单位：经开区" (who fills the sheet in).
_UNIT_END = r"[^\s,;:。、.．()\[\]{}<>|/\\]+"
UNIT_MARK = re.compile(r"(?:金额|计量|货币|数量|价值)?单位(?:为|是)?\s*[:]?\s*\(?\s*(?:人民币)?\s*(" + _UNIT_END + ")")
UNIT_BRACKETED = re.compile(r"\(\s*(?:人民币)?\s*([^()]+?)\s*\)")
BRACKET_FORMS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "〈": "(", "〉": ")",
                               "《": "(", "》": ")", "「": "(", "」": ")", "『": "(", "』": ")", "〖": "(", "〗": ")",
                               "[": "(", "]": ")", "{": "(", "}": ")"})


def _said_units(text) -> str:
    """A note's text as read for a unit: NFKC (full-width letters, digits, colons and round
    brackets half-width; the ideographic space a space, which still ends a unit), invisible
    characters dropped, the other brackets round."""
    return unicodedata.normalize("NFKC", str(text)).translate(INVISIBLE).translate(BRACKET_FORMS)


def stated_units(text) -> list[tuple[str, tuple[str, Decimal]]]:
    """The units a title or note states for the figures of the table below it — each (as written,
    (measure, multiple)) — after 单位/金额单位/计量单位 (with or without a colon, full-width or not,
    in brackets or not, with or without 人民币 before or after, run on into the next words: "单位：
    万元填报日期…"), in brackets of their own ("2026年新签约项目表（万元）"), or as the whole note
    ("万元"). Empty when it states none ("单位名录", "填报单位：经开区")."""
    said = _said_units(text)
    out = []
    for m in UNIT_MARK.finditer(said):
        unit = m.group(1).removeprefix("人民币").removesuffix("人民币")
        read = read_unit(unit) if unit else None
        if read is None:  # a money unit the next words follow without a break
            unit = next((name for name in sorted(UNITS, key=len, reverse=True) if unit.startswith(name)), "")
            read = read_unit(unit) if unit else None
        if read is not None:
            out.append((unit, read))
    for candidate in [m.group(1) for m in UNIT_BRACKETED.finditer(said)] + [said.strip()]:
        unit = candidate.strip().removeprefix("人民币").removesuffix("人民币").strip()
        read = read_unit(unit) if unit else None
        if read is not None:
            out.append((unit, read))
    return out


def exact(value: float) -> Decimal:
    """A float cell as the number Excel holds: integral ones exactly, others to ``SIGNIFICANT``
    digits (0.1+0.2 is 0.3 in Excel, 0.30000000000000004 in binary)."""
    if value.is_integer() and abs(value) < 2**53:
        return Decimal(int(value))
    return Decimal(format(value, f".{SIGNIFICANT}g"))


LOST_DIGITS = gettext_noop("数字位数过多，Excel 已丢失精度：请把该列设置为“文本”格式后重新填写")


def check_digits(value: float, *, as_text: bool = False) -> float:
    """``value`` when the whole number a float cell gives is the one written, else ValueError:
    from 2**53 on a float no longer holds every whole number, and one of more significant digits
    than Excel keeps (``SIGNIFICANT``) has lost some (12345678901234567 is read as
    12345678901234568, Excel holds it as 12345678901234600): ``exact`` would take its first 15
    digits for the number. Counted on the shortest decimal that gives the float back, as the
    cell wrote it (1E+20 has one digit, and is what it says). Below 2**53 every digit is read
    exactly, for the column to judge (``fit``); a fraction's 16th and 17th digits are a formula's
    binary noise (0.30000000000000004), which ``exact`` drops. Read ``as_text`` (a code in a text
    column), any whole number from 2**53 on is refused, whatever its digits: a code that long has
    lost some (Excel keeps 913611001234567890 as 913611001234567000)."""
    if value.__class__ is not float or not value.is_integer() or abs(value) < 2**53:
        return value
    if as_text:
        raise ValueError(gettext(LOST_DIGITS))
    if len(Decimal(repr(value)).normalize().as_tuple().digits) > SIGNIFICANT:
        raise ValueError(gettext("数字位数过多（超过{digits}位有效数字），Excel 已丢失精度：请核对原始数据后重新填写").format(
            digits=SIGNIFICANT))
    return value


def _multiple_name(unit: Decimal) -> str:
    """万 for 10,000 … as a unit is said before 元 (a multiple without a name: its digits)."""
    names = {factor: name.removesuffix("元") for name, factor in UNITS.items()}
    return names.get(unit, format(unit.normalize(), "f") + " ")


def number_text(value: float) -> str:
    """A float cell as text, as Excel shows it in General: its ``SIGNIFICANT`` digits, no binary
    noise (0.1+0.2 → "0.3"), no exponent, no trailing zeros."""
    return format(exact(value).normalize(), "f")


def parse_number(value, *, unit: Decimal | None = None, measure: str | None = None) -> Decimal | None:
    """A cell as an exact number; ``unit`` multiplies it (the header's 万元). ``measure`` is what
    the column counts (元, 亩, 人, %; None: nothing stated). A unit written in the cell must be the
    column's ("12亩" is no amount of 元; a column stating none takes none), and then stands alone:
    "1.5亿" or "5000元" in a 万元 column is that many yuan. 万/亿 may precede the column's own unit
    ("3.5万元", "1.2万人"), never a rate. Thousands separators only where they group by three
    (1,234 / 1,234,567.5; "1,5" is no number). Empty → None; anything else → ValueError in
    Chinese; the result is always finite."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(gettext("应为数字，不是“是/否”"))
    refuse_time(value)
    if isinstance(value, (dt.date, dt.datetime)):
        raise ValueError(gettext("“{shown}”是日期，本列应填写数字").format(shown=shown(value)))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise ValueError(gettext("不是有限的数字"))
        number = exact(check_digits(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = width_fold(value).strip().replace("\u2212", "-")
        if not text or text in ("-", "—", "/"):
            return None
        if DATE_LIKE.match(text):
            raise ValueError(gettext("“{shown}”是日期，本列应填写数字").format(shown=shown(value)))
        text = re.sub(r"(?<=\d)\s(?=\d{3}(?!\d))", ",", text, flags=re.ASCII)  # 1 234: a space grouping, checked as commas are
        if re.search(r"\d\s+\d", text, flags=re.ASCII):  # digits apart that no grouping by three explains: 1 5
            raise ValueError(gettext("“{shown}”的数字中间有空格（千分位应为 1,234 或 1 234）").format(shown=shown(value)))
        text = re.sub(r"\s+", "", text)
        bracketed = ACCOUNTING.match(text)
        if bracketed is not None:  # (1,234): the accountant's negative, as Excel's accounting format shows one
            text = "-" + bracketed.group(1)
        yuan = YUAN.match(text)
        if yuan is not None and yuan.group(1) and yuan.group(2):
            yuan = None  # a sign on both sides of ¥: no number
        if yuan is not None:
            text = yuan.group(1) + yuan.group(2) + text[yuan.end():]
        m = NUMBER.match(text)
        if not m:
            foreign = FOREIGN.search(text)
            if foreign is not None:
                raise ValueError(gettext("“{shown}”是外币金额（{currency}），本列只收人民币金额（元）").format(
                    shown=shown(value), currency=foreign.group(1) or foreign.group(2)))
            if GROUPED.search(text):
                raise ValueError(gettext("“{shown}”的千分位逗号位置不对（应为 1,234 或 1,234,567.5）").format(
                    shown=shown(value)))
            raise ValueError(gettext("“{shown}”不是数字").format(shown=shown(value)))
        try:
            number = Decimal(m.group(1).replace(",", ""))
        except InvalidOperation:
            raise ValueError(gettext("“{shown}”不是数字").format(shown=shown(value))) from None
        multiple, stated = m.group(2), m.group(3)
        if yuan is not None:  # ¥ says the currency, 元; with another unit besides, the cell contradicts itself
            if stated not in (None, "元"):
                raise ValueError(gettext("“{shown}”既有人民币符号又有单位“{stated}”").format(
                    shown=shown(value), stated=stated))
            if stated is None and multiple is None and unit is not None and unit != 1:
                # "¥1,234" under （万元）: an invoice's yuan or the header's 万元? Neither is read unasked
                raise ValueError(gettext("“{shown}”带人民币符号，本列的单位是{unit}元：请去掉符号只填数字，或写明单位（如 1234元、12万元）").format(
                    shown=shown(value), unit=_multiple_name(unit)))
            stated = "元"
        if stated is not None and stated != measure:
            if measure:
                raise ValueError(gettext("“{shown}”的单位“{stated}”与本列的单位（{measure}）不符").format(
                    shown=shown(value), stated=stated, measure=measure))
            raise ValueError(gettext("“{shown}”带有单位“{stated}”，本列只填数字").format(shown=shown(value), stated=stated))
        if multiple and (measure == "%" or stated == "%"):
            raise ValueError(gettext("“{shown}”：比例不能用“{multiple}”").format(shown=shown(value), multiple=multiple))
        if multiple:
            number *= MULTIPLIERS[multiple]
        if multiple or stated:  # the cell says its own unit: the header's multiple is not applied again
            unit = None
    if not number.is_finite():
        raise ValueError(gettext("不是有限的数字"))
    number = number * unit if unit is not None else number
    return number.copy_abs() if number.is_zero() else number  # "-0" is 0: never shown as −0 in a report


# The significant digits a stored number keeps exactly on every database Feidi runs on: SQLite
# holds a decimal as a double (read back to 15 digits), as Excel does a cell — a 16th digit would be
# stored as another number (9999999999999999.99 as 1E+16, too large for its column to read back).
EXACT_DIGITS = 15


def fit(number: Decimal | None, max_digits: int | None, decimal_places: int | None) -> Decimal | None:
    """``number`` when a column of ``max_digits`` digits, ``decimal_places`` of them after the
    point, holds it exactly; else ValueError saying which limit it passes (a value beyond the
    column would fail its page, a finer one be rounded unseen, one of more than ``EXACT_DIGITS``
    significant digits be stored as another: all are refused)."""
    if number is None:
        return None
    if not number.is_finite():
        raise ValueError(gettext("不是有限的数字"))
    if number and len(number.normalize().as_tuple().digits) > EXACT_DIGITS:
        raise ValueError(gettext("数字的有效位数不能超过{digits}位（更多的位数无法精确保存）").format(digits=EXACT_DIGITS))
    if decimal_places is not None:
        places = max(0, -number.normalize().as_tuple().exponent) if number else 0
        if places > decimal_places:
            if decimal_places == 0:
                raise ValueError(gettext("应为整数"))
            raise ValueError(gettext("小数位数过多：本列最多{places}位小数（可在 Excel 中用 ROUND 取舍后再导入）").format(
                places=decimal_places))
    if max_digits is not None:
        whole = max_digits - (decimal_places or 0)
        if abs(number) >= Decimal(10) ** whole:
            raise ValueError(gettext("数值过大：本列最多{whole}位整数").format(whole=whole))
    return number


# a date may carry a time of day, which is dropped once it is read as a real time (never a word, a
# zone's name or 25:61 after the date: the cell would say something the stored date does not)
_TIME = r"(?:(?:T|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d{1,6})?)?)?"
DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _TIME + "$", re.ASCII),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?" + _TIME + "$", re.ASCII),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$", re.ASCII),
)
# a moment with its offset from UTC, as a system exports one (2026-03-05T20:00:00Z, …+00:00): its
# date is the day it was here, in the installation's time zone (20:00 UTC is 04:00 the next day)
ZONED = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})$", re.ASCII | re.I)


def latest_date(today: dt.date | None = None) -> dt.date:
    """The latest date a cell may hold unless its column says otherwise."""
    today = today or timezone.localdate()
    return dt.date(today.year + DATE_HORIZON_YEARS, 12, 31)


def _in_range(day: dt.date, value, earliest: dt.date, latest: dt.date | None) -> dt.date:
    latest = latest_date() if latest is None else latest
    if day < earliest:
        raise ValueError(gettext("“{shown}”早于{earliest}，不是有效的日期").format(
            shown=shown(value), earliest=earliest.isoformat()))
    if day > latest:
        if latest <= timezone.localdate():
            raise ValueError(gettext("“{shown}”是将来的日期，本列不能晚于今天").format(shown=shown(value)))
        raise ValueError(gettext("“{shown}”晚于{latest}，不是有效的日期").format(
            shown=shown(value), latest=latest.isoformat()))
    return day


# date fields that record what has happened: never in the future (a record's, whichever path wrote
# it, and an import's cell)
PAST_DATES = frozenset({"established_on", "registered_on", "founded_on", "signed_on", "issued_on", "paid_on",
                        "introduced_on", "born_on", "visited_on", "published_on", "negotiating_since",
                        "confirmed_on", "entered_on", "exited_on", "started_on", "produced_on", "actual_on"})


def plausible_date(day: dt.date) -> dt.date:
    """``day`` when a record may hold it (``DATE_MIN`` to ``DATE_HORIZON_YEARS`` ahead), else a
    ValueError in Chinese: a date of year 1 or 9999 is a typing slip, and the months counted from
    it would leave the calendar."""
    return _in_range(day, day.isoformat(), DATE_MIN, None)


def _serial(value, earliest: dt.date, latest: dt.date | None, epoch: dt.date = EXCEL_EPOCH) -> dt.date:
    """A plain number as an Excel serial counted from the workbook's ``epoch`` (``EXCEL_EPOCH``, or
    ``EPOCH_1904`` for a workbook saved in the 1904 date system): only from the serial of
    1950-01-01 in that system (``SERIAL_MIN`` in 1900's), below which a number in a date column is
    far likelier a year (2021) or a mistake than a date of 1905."""
    first = SERIAL_MIN - (epoch - EXCEL_EPOCH).days
    if not first <= value < (dt.date(9999, 12, 31) - epoch).days + 1:
        said = int(value) if isinstance(value, float) and value.is_integer() else value
        raise ValueError(gettext("数字“{shown}”不是日期：请填写如 2026-03-05 的日期").format(shown=shown(said)))
    return _in_range(epoch + dt.timedelta(days=int(value)), value, earliest, latest)  # a time of day is dropped


def parse_date(value, *, earliest: dt.date = DATE_MIN, latest: dt.date | None = None,
               epoch: dt.date = EXCEL_EPOCH) -> dt.date | None:
    """A date cell: a real date, an Excel serial number (from 1950, counted from the workbook's
    ``epoch``: ``Sheet.epoch``), or 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305 — between
    ``earliest`` (1900-03-01) and ``latest`` (by default ``DATE_HORIZON_YEARS`` ahead; today for a
    date that records what has happened)."""
    if value in (None, ""):
        return None
    refuse_time(value)
    if isinstance(value, dt.datetime):
        return _in_range(value.date(), value, earliest, latest)
    if isinstance(value, dt.date):
        return _in_range(value, value, earliest, latest)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(gettext("不是有效的日期"))
        if 10_000_101 <= value <= 99_991_231 and float(value).is_integer():
            value = str(int(value))
        else:
            return _serial(value, earliest, latest, epoch)
    text = width_fold(value).strip()
    if ZONED.match(text):
        from django.utils import timezone

        try:
            moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1).replace(" ", "").replace("z", "Z"))
        except ValueError:
            raise ValueError(gettext("“{shown}”不是存在的时间").format(shown=shown(value))) from None
        return _in_range(timezone.localtime(moment).date(), value, earliest, latest)
    for pattern in DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                raise ValueError(gettext("“{shown}”不是存在的日期").format(shown=shown(value))) from None
            if "H" in m.groupdict() and m["H"] is not None and not (
                    int(m["H"]) < 24 and int(m["M"]) < 60 and int(m["S"] or 0) < 60):
                raise ValueError(gettext("“{shown}”不是存在的时间").format(shown=shown(value)))
            return _in_range(day, value, earliest, latest)
    raise ValueError(gettext("“{shown}”不是日期（应为 2026-03-05 或 2026年3月5日）").format(shown=shown(value)))


# a month as offices write one; each pattern names its year (y), month (m) and, for a date, day (d)
MONTH_PATTERNS = (
    # the first release of a year is cumulative, 1–2月 (read as February): 月 is required, since
    # 2026-1-5 is a date, 5 January, not January to May
    re.compile(r"^(?P<y>\d{4})\s*[-/.年]\s*1\s*[-–—~至]\s*(?P<m>\d{1,2})\s*月份?$", re.ASCII),
    re.compile(r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月份?(?:\s*(?P<d>\d{1,2})\s*[日号])?$", re.ASCII),
    # 2026-03, 2026/3, 2026.3 — and a date, its separators alike (2026-3-5, 2026/03/05)
    re.compile(r"^(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})(?:\s*(?P=sep)\s*(?P<d>\d{1,2}))?$", re.ASCII),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$", re.ASCII),
)


def parse_month(value, *, latest: dt.date | None = None, epoch: dt.date = EXCEL_EPOCH) -> dt.date:
    """A month: 2026-03, 2026年3月, 2026年1-2月 (the first release: February), 202603, a date, an
    Excel serial (from 1950, counted from the workbook's ``epoch``, as ``parse_date`` counts it) —
    as the month's first day, from 1900-03 to ``latest``'s month (by
    default ``DATE_HORIZON_YEARS`` ahead). Anything else is a ValueError in Chinese, never another
    exception."""
    refuse_time(value)
    if isinstance(value, (dt.date, dt.datetime)):
        day = value.date() if isinstance(value, dt.datetime) else value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(gettext("月份格式应为 2026-03、2026年3月或2026年1-2月"))
        if 100_001 <= value <= 999_912 and float(value).is_integer():
            year, month = divmod(int(value), 100)
            if not 1 <= month <= 12:
                raise ValueError(gettext("月份应在1–12之间"))
            day = dt.date(year, month, 1)
        else:
            try:
                day = _serial(value, DATE_MIN, None, epoch)
            except ValueError:
                said = int(value) if isinstance(value, float) and value.is_integer() else value
                raise ValueError(gettext("数字“{shown}”不是月份：请填写如 2026-03 或 2026年3月").format(
                    shown=shown(said))) from None
    else:
        text = width_fold(value or "").strip()
        m = next((p.match(text) for p in MONTH_PATTERNS if p.match(text)), None)
        if not m:
            raise ValueError(gettext("月份格式应为 2026-03、2026年3月或2026年1-2月"))
        year, month = int(m.group("y")), int(m.group("m"))
        if not 1 <= month <= 12:
            raise ValueError(gettext("月份应在1–12之间"))
        try:  # a date names its month only if it is a day that exists
            day = dt.date(year, month, int(m.groupdict().get("d") or 1))
        except ValueError:
            raise ValueError(gettext("“{shown}”不是存在的日期").format(shown=shown(value))) from None
    first = day.replace(day=1)
    last = (latest_date() if latest is None else latest).replace(day=1)
    if first < DATE_MIN.replace(day=1) or first > last:
        raise ValueError(gettext("“{shown}”不在有效的月份范围内（{earliest:%Y-%m}至{last:%Y-%m}）").format(
            shown=shown(value), earliest=DATE_MIN, last=last))
    return first


def cell_shown(value) -> str:
    """A cell as Excel shows it, whatever the reader gave: a formula as "=SUM(A1:A2)", an error by
    its code ("#DIV/0!"), a boolean as TRUE/FALSE, a number without binary noise or ".0", a date
    as ISO (its time when it has one); empty as "". Never a Python repr."""
    if value is None:
        return ""
    if isinstance(value, FormulaCell):
        return f"={value.formula}"
    if isinstance(value, ErrorCell):
        return value.code
    if isinstance(value, TimeCell):
        return value.shown
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return number_text(value) if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (dt.time, dt.timedelta)):  # 13:45, 13:45:30; a duration as [h]:mm shows it: 30:00, not "1 day, 6:00:00"
        return as_time_cell(value).shown
    return str(value)


def shown(value, limit: int = 50) -> str:
    """A value as an error report shows it (``cell_shown``: one rendering for every import): the
    first ``limit`` characters and the length."""
    text = cell_shown(value)
    return text if len(text) <= limit else gettext("{value}…（共{len}字）").format(
        value=text[:limit], len=len(text))
