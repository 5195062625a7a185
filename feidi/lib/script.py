"""Chinese script: a text in traditional characters read as simplified (OpenCC's t2s), so that
異質結 finds 异质结 in the matching engine and in every list's keyword search; and a simplified text
written the ways Hong Kong and Taiwan write it (``traditional_forms``), so that the market's lists
find a record stored in traditional characters. Pure functions."""

from __future__ import annotations

import functools
import re


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@functools.cache
def _s2(variant: str):
    import opencc

    return opencc.OpenCC(variant)


# Traditional characters as OpenCC writes them (s2t), as Hong Kong does (s2hk: 裏, 着), as Taiwan
# does (s2tw: 裡, 著) and with Taiwan's words too (s2twp: 軟體 for 软件).
TRADITIONAL_VARIANTS = ("s2t", "s2hk", "s2tw", "s2twp")


@functools.cache
def _traditional() -> re.Pattern:
    """The characters OpenCC's t2s turns into others on their own (3,761 of the two main CJK
    blocks: 異, 質, 結 …): a text that holds none is simplified already."""
    convert = _t2s().convert
    found = [chr(c) for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF)) for c in range(lo, hi + 1)
             if convert(chr(c)) != chr(c)]
    return re.compile(f"[{''.join(found)}]")


def simplified(text: str) -> str:
    """``text`` in simplified characters (OpenCC t2s, phrase by phrase: 乾燥 → 干燥 but 乾隆
    stays; a character becomes one character) when it holds a traditional one; as it is
    otherwise (a 9 ns a character check)."""
    return _t2s().convert(text) if _traditional().search(text) else text


def traditional_forms(text: str) -> list[str]:
    """The ways ``text`` (read as simplified first) is written in traditional characters, each
    once and none equal to the simplified text: 钙钛矿 → [鈣鈦礦]; 软件 → [軟件, 軟體]; [] for a
    text no variant changes (ABC, 光伏)."""
    plain = simplified(text)
    return [form for form in dict.fromkeys(_s2(v).convert(plain) for v in TRADITIONAL_VARIANTS) if form != plain]
