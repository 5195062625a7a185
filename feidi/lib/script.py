"""Chinese script: a text in traditional characters read as simplified (OpenCC's t2s), so that
異質結 finds 异质结 in the matching engine and in every list's keyword search. Pure functions."""

from __future__ import annotations

import functools
import re


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


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
