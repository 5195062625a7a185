"""What may be a matching term, and the normalisation every indexed text, query and highlighted
text goes through. Pure functions and the word lists beside this module; the segmenter
(``segment.py``) applies them to its cuts, the pages (``views.highlight``) find terms with them.

Normalisation: NFKC (full-width → half-width, ligatures and superscripts unfolded), then case
folding, then traditional characters as simplified ones (OpenCC's t2s, only for a text that holds
one). ``fold_with_offsets`` does the same character cluster by cluster and says which
original characters each folded character came from, so a term found in the folded text is
marked on the original one.

Term rules (whatever the segmentation setting):

- a number (``2025``, ``0.35``, ``40-60``, ``1:3``, ``35%``), a number with a unit (``28nm``,
  ``100kw``, ``90wt%``, ``万吨``, ``三年``, ``百分点``) or a unit alone (``mm``, ``kwh``, ``毫米``,
  ``吨级``) is a measurement: the units are those of ``units.txt`` (GB 3100 symbols, common
  non-SI units, Chinese unit names and measure words). A token the shipped vocabulary knows
  (``5g``, ``3d``) is a name, not a measurement;
- a generic word (``generic.txt``: 工艺, 系统, 成本, 客户 …) is never a term;
- a stop word (``stopwords.txt``) is not a term while the stop-list is on; an English one (the,
  of, with) is none in English prose either (the segmenter's rule: beside another English word),
  where it is grammar, though alone in a Chinese text it is a symbol (As, IN 718, BE);
- an English word stands for its dictionary form (``english_lemma``: cells → cell, batteries →
  battery, analyses → analysis), so that a plural finds the singular a thesaurus entry or another
  record names; a word the English dictionary does not know, a short one (an acronym: mes, bms)
  and a domain name stay as written.

The rules about fragments (single characters and unknown-word guesses glued to other Chinese
words) need the segmenter's cut and are applied there.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from feidi.lib.script import simplified

HERE = Path(__file__).parent
STOPWORDS_PATH = HERE / "stopwords.txt"
GENERIC_PATH = HERE / "generic.txt"
UNITS_PATH = HERE / "units.txt"

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAS_CJK = re.compile(f"[{CJK}]")
# where latin letters or digits meet Chinese characters: "topcon电池" is cut as "topcon 电池"
SCRIPT_EDGE = re.compile(f"(?<=[a-z0-9])(?=[{CJK}])|(?<=[{CJK}])(?=[a-z0-9])")
_SCRIPT_RUNS = re.compile(f"[{CJK}]+|[^{CJK}]+")
_KEYWORD_SPLIT = re.compile(r"[,，;；、\s/|]+")

# Single characters that carry meaning in technology texts (elements, materials, energy carriers).
MEANINGFUL_SINGLES = frozenset(
    "锂钠钾镁钙铝硅磷硫氢氦碳氮氧氟氯铁钴镍铜锌镓锗砷硒锶钇锆铌钼银锡锑碲钡镧铈钕钐铕钆铽镝铪钽钨铂金汞铅铋铀钍"
    "钒铬锰钛铟镉铑钯铱锇钌稀光热电磁声氨醇酯酸碱盐胶漆膜瓷钢铸锻焊模芯屏")
_KEEP_LATIN = re.compile(r"^[a-z0-9][a-z0-9.+\-/%]*$")
_NUMBER = re.compile(r"^[+\-±~]?\d[\d.,:/~+\-×x*^%‰]*$")
_NUMBER_UNIT = re.compile(r"^[+\-±~]?\d[\d.,]*(?:[-~]\d[\d.,]*)?(?P<unit>[a-zμω°%‰/·*][a-z0-9μω°%‰/·*^\-]*)$")
_UNIT_JOIN = re.compile(r"[/·*]")
_EXPONENT = re.compile(r"(?:\^?-?[1-3])?%?$")
_NUMERALS = "零〇一二三四五六七八九十百千万亿兆两半几数"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def normalize_text(text: str) -> str:
    """NFKC, then case folding, then traditional characters as simplified ones: the form of every
    indexed text and query, so 異質結 finds 异质结."""
    return simplified(_fold(text))


def split_keywords(text: str) -> list[str]:
    """The keywords of a ``keywords`` field: separated by commas, 顿号, semicolons or spaces."""
    return [w for w in (p.strip() for p in _KEYWORD_SPLIT.split(normalize_text(text))) if w]


def script_runs(text: str) -> list[str]:
    """``text`` cut where Chinese characters meet anything else: "mes系统" → ["mes", "系统"]."""
    return _SCRIPT_RUNS.findall(text)


def load_words(path: Path) -> list[str]:
    """The normalised words of a word list: whitespace-separated, ``#`` starts a comment."""
    if not path.exists():
        return []
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.lstrip().startswith(("#", "[")):
            words.extend(normalize_text(w) for w in line.split())
    return words


def _load_units(path: Path) -> dict[str, frozenset]:
    sections: dict[str, set] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        elif line and not line.startswith("#"):
            sections.setdefault(current, set()).update(normalize_text(w) for w in line.split())
    return {k: frozenset(v) for k, v in sections.items()}


STOPWORDS = frozenset(load_words(STOPWORDS_PATH))
GENERIC = frozenset(load_words(GENERIC_PATH))
_UNITS = _load_units(UNITS_PATH)
UNITS_ALONE = _UNITS.get("alone", frozenset())
UNITS = (UNITS_ALONE | _UNITS.get("after a number", frozenset())
         | {p + u for p in _UNITS.get("si prefixes", ()) | {""} for u in _UNITS.get("si units", ())})
CJK_UNITS = _UNITS.get("chinese", frozenset())
_CJK_UNIT = "|".join(sorted((re.escape(u) for u in CJK_UNITS), key=len, reverse=True))
_CJK_MEASURE = re.compile(f"^(?:(?:[{_NUMERALS}]|分之)+(?:{_CJK_UNIT})?|(?:{_CJK_UNIT})级?|(?:[{_NUMERALS}]|分之)+(?:{_CJK_UNIT})级)$")


def _is_unit(expr: str, units: frozenset) -> bool:
    """A unit expression: units joined by / · * with exponents (``kwh/m2``, ``w/kg``, ``s^-1``)."""
    parts = [p for p in _UNIT_JOIN.split(expr.strip("%‰")) if p]
    return bool(parts) and all(p in units or _EXPONENT.sub("", p) in units for p in parts)


def _is_measure_run(run: str) -> bool:
    if HAS_CJK.search(run):
        return bool(_CJK_MEASURE.match(run))
    run = run.strip()
    if not run or run in UNITS_ALONE or _NUMBER.match(run):
        return True
    if not run[0].isdigit() and run[0] not in "+-±~":
        # a unit alone: one that is never an acronym, or a quotient of units (m/s, mah/g)
        return _is_unit(run, UNITS if _UNIT_JOIN.search(run) else UNITS_ALONE)
    m = _NUMBER_UNIT.match(run)
    return bool(m) and _is_unit(m.group("unit"), UNITS)


def is_measure(token: str, known: frozenset | set = frozenset()) -> bool:
    """Whether a normalised token is a number, a measurement or a unit (every script run of it
    is: "2025年", "100kw级"). Words in ``known`` (the domain dictionary) are names."""
    if token in known:
        return False
    return all(_is_measure_run(r) for r in script_runs(token))


def is_term(token: str, *, stoplist: bool = True, known: frozenset | set = frozenset()) -> bool:
    """Whether a normalised token, taken whole, may be a matching term (the fragment rules
    aside): not a stop word (with the stop-list on), not generic, not a measurement, and either
    two characters or more or a meaningful single character."""
    if not token or (stoplist and token in STOPWORDS) or token in GENERIC:
        return False
    if HAS_CJK.search(token):
        if len(token) == 1:
            return token in MEANINGFUL_SINGLES
        return not is_measure(token, known)
    return len(token) > 1 and bool(_KEEP_LATIN.match(token)) and not is_measure(token, known)


_LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9.+\-/%]*")


@functools.lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    import simplemma

    return simplemma.lemmatize(word, lang="en")


def english_lemma(token: str, known: frozenset | set = frozenset()) -> str:
    """The dictionary form of a normalised English word by simplemma's English dictionary
    (cells → cell, wafers → wafer, analyses → analysis, dies → die); a word of fewer than four
    letters (an acronym: mes, bms, ics), one in ``known`` (the domain vocabulary's names: topcon),
    one the dictionary does not know (leds, mosfets) stays as it is."""
    if len(token) < 4 or not token.isascii() or not token.isalpha() or token in known:
        return token
    return _lemma(token)


# ---------------------------------------------------------------- normalisation with offsets

def _safe_start(ch: str) -> bool:
    """Characters that never combine with what precedes them under NFKC (ASCII and Latin-1
    below the combining marks, CJK ideographs and punctuation, full-width forms): a cluster
    may start there without asking ``unicodedata``."""
    o = ord(ch)
    return o < 0x300 or 0x3000 <= o <= 0x303F or 0x3400 <= o <= 0x9FFF or 0xFF01 <= o <= 0xFF5E


def _clusters(text: str, *, careful: bool) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text):
            spans.append((start, i))
            break
        ch = text[i]
        if _safe_start(ch):
            split = True
        elif careful or unicodedata.combining(ch):
            split = False
        else:
            # a starter that may still compose with the cluster before it (Hangul jamo …)
            head = text[start:i]
            split = _fold(head + ch) == _fold(head) + _fold(ch)
        if split:
            spans.append((start, i))
            start = i
    return spans


def fold_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """``(normalize_text(text), starts, ends)``: folded character ``j`` comes from
    ``text[starts[j]:ends[j]]``. Folded cluster by cluster (a character and the marks that
    combine with it), which gives the same string as folding the whole text; then simplified,
    which maps a character to one character (異 → 异), so the offsets hold."""
    folded = _fold(text)
    whole = simplified(folded)
    for careful in (False, True):
        pieces, starts, ends = [], [], []
        for a, b in _clusters(text, careful=careful):
            piece = _fold(text[a:b])
            pieces.append(piece)
            starts.extend([a] * len(piece))
            ends.extend([b] * len(piece))
        if "".join(pieces) == folded and len(whole) == len(folded):
            return whole, starts, ends
    return whole, [0] * len(whole), [len(text)] * len(whole)  # one cluster: never reached in practice


def term_spans(text: str, terms) -> list[tuple[int, int]]:
    """The spans of ``text`` (original offsets, merged where they overlap) that hold an
    occurrence of any of ``terms`` on the index's normalisation. Every occurrence of every term
    lies inside one span."""
    wanted = {normalize_text(str(t)) for t in terms or ()}
    wanted.discard("")
    if not text or not wanted:
        return []
    folded, starts, ends = fold_with_offsets(text)
    raw = []
    for term in wanted:
        at = folded.find(term)
        while at >= 0:
            raw.append((starts[at], ends[at + len(term) - 1]))
            at = folded.find(term, at + 1)
    english = {t for t in wanted if t.isascii() and t.isalpha()}
    for word in _LATIN_WORD.finditer(folded) if english else ():  # an English word as its dictionary form
        if word.group() not in english and english_lemma(word.group()) in english:  # batteries: battery
            raw.append((starts[word.start()], ends[word.end() - 1]))
    raw.sort()
    merged: list[list[int]] = []
    for a, b in raw:
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]
