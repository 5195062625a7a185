"""Chinese segmentation for matching: rjieba (jieba-rs) with a domain dictionary, cut into the
terms the index keeps by the rules of ``terms.py`` and the fragment rules below.

Why rjieba: on this machine it segments ~12× faster than jieba 0.42.1's default mode and ~2.5×
faster than jieba-next, with the same cuts, and honours added words (``bench/techmarket.py``
measures it again). The domain dictionary is the vocabulary file shipped beside this module
(``vocabulary.txt``), the chain and segment names of ``feidi.chains`` and the keywords of the
demands and supplies (added by the engine when it loads or indexes them).

A text is normalised (``terms.normalize_text``), latin letters and digits are parted from
Chinese characters (so "TOPCon电池" gives the bare acronym "topcon"; a mixed dictionary word
such as "mes系统" enters the dictionary as its parts), and cut by jieba's default mode. In the
search mode, a word longer than two characters also gives its dictionary sub-words of two and
three characters (jieba's ``cut_for_search``), so 电池 finds 动力电池.

Fragments. A stretch of characters the dictionary does not cover comes out of jieba as single
characters, or, with its guessing of unknown words (the HMM, the *guess* setting), as guessed
pieces. A piece is evidence only when it stands alone, so that a piece shared by two unrelated
compounds never makes them match:

- a single Chinese character is a term only when it is meaningful (锂, 硅, 光 …) and touches no
  other Chinese word on either side (锂 in "锂、钠、钾" or "锂的提纯", not 热 of "热失控");
  glued to a word on one side only, it makes a compound with it, and the compound is the term
  (热|失控 → 热失控; between two words, as 透过|率|封装, it belongs to neither for sure: no term);
- a guessed word (not in the dictionary) is a term when it is the whole unknown stretch;
- a stretch cut into several pieces (膜|层|减薄后, or 钙|钛|矿 without guessing) is one term, the
  unknown compound whole; its pieces are not terms (their dictionary sub-words are).

The options (guessing, the domain dictionary, the stop-list) are a ``Setting``; ``feidi match
eval`` measures all eight on both evaluation sets and ``DEFAULT`` is the one that won on the set
the engine was not tuned on (``evaluate.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .terms import HAS_CJK
from .terms import SCRIPT_EDGE
from .terms import STOPWORDS
from .terms import english_lemma
from .terms import is_measure
from .terms import is_term
from .terms import load_words
from .terms import normalize_text
from .terms import script_runs
from .terms import split_keywords

__all__ = ["Segmenter", "PlainSegmenter", "Setting", "SETTINGS", "DEFAULT", "VOCABULARY_PATH",
           "normalize_text", "split_keywords", "GRAM", "is_gram"]

VOCABULARY_PATH = Path(__file__).parent / "vocabulary.txt"


@dataclass(frozen=True)
class Setting:
    """The segmenter's options: jieba's guessing of unknown words (HMM), the domain dictionary
    (vocabulary file, chain and segment names, keywords), the stop-list (``stopwords.txt``)."""

    guess: bool = True
    dictionary: bool = True
    stoplist: bool = True

    @property
    def label(self) -> str:
        return " ".join(f"{name}{'开' if on else '关'}" for name, on in
                        (("猜词", self.guess), ("词典", self.dictionary), ("停用词", self.stoplist)))

    @property
    def key(self) -> str:
        return f"guess={int(self.guess)},dictionary={int(self.dictionary)},stoplist={int(self.stoplist)}"


SETTINGS = tuple(Setting(g, d, s) for g in (True, False) for d in (True, False) for s in (True, False))
# Measured by `feidi match eval` (docs/architecture.md, "Matching terms"): the best nDCG@10 on
# independent.json, the set the engine was not tuned on.
# On the 62 demands of independent.json (issue 16) the stop-list off leads by 0.0006 (0.8977 against
# 0.8971 with BM25's k1 0.6, b 0.3; on the first 46 the stop-list on led): kept by the rule, a near tie.
DEFAULT = Setting(guess=True, dictionary=True, stoplist=False)

# The character n-gram fallback: the two-character pieces of an out-of-vocabulary stretch (a
# compound the dictionary does not know, ``grams="oov"``), or of every Chinese term of three
# characters or more (``grams="words"``), are indexed as extra terms marked by this prefix. They
# never count in a document's length (the word terms' BM25 is unchanged by them), score at a
# fraction of an exact term's weight (``index.GRAM_WEIGHT``) and are never shown as reasons.
# Measured alone by ``feidi match eval`` (the row "+字二元组回退"): it does not pay on either set
# (labelled nDCG@10 −0.001, independent ±0 under the default setting; "words" loses 0.02–0.04),
# so the engine indexes none (``GRAMS = None``); the evaluation builds it to measure it.
GRAM = "\ue000"
GRAMS: str | None = None


def is_gram(term: str) -> bool:
    return term.startswith(GRAM)


def grams_of(word: str, shortest: int = 3) -> list[str]:
    """The character bigrams of a Chinese word of ``shortest`` characters or more, as gram terms."""
    if len(word) < shortest or not HAS_CJK.search(word):
        return []
    return [GRAM + word[i:i + 2] for i in range(len(word) - 1) if HAS_CJK.search(word[i]) and HAS_CJK.search(word[i + 1])]


# kinds of the tokens of jieba's cut
SEP, STOP, WORD, GUESS, SINGLE, LATIN, BREAK, LATIN_STOP = range(8)
_CJK_CONTENT = (WORD, GUESS, SINGLE)
_PIECES = (GUESS, SINGLE)


class Segmenter:
    """A rjieba tokenizer with its own dictionary (not the module-wide default), so tests and
    the bench can hold several. ``mode`` is ``"search"`` (long words also give their dictionary
    sub-words) or ``"default"``; ``setting`` its options."""

    split_scripts = True  # latin and Chinese parted, in texts and in dictionary words

    def __init__(self, words: Iterable[str] = (), *, mode: str = "search", setting: Setting = DEFAULT,
                 grams: str | None = GRAMS):
        import rjieba

        self._jieba = rjieba.Jieba()
        self.mode = mode
        self.grams = grams  # the n-gram fallback: None, "oov" or "words"
        self.setting = setting
        self.words: set[str] = set()  # the domain words added (normalised, as given)
        self.known: set[str] = set()  # the vocabulary's latin words ("5g", "3d"): names, not measurements
        self._info: dict[str, tuple] = {}  # token → (kind, its terms, its dictionary sub-terms)
        self._short: dict[str, list[str]] = {}  # tokens of short repeated texts (labels, keywords)
        self._longest: dict[str, tuple[str, ...]] = {}  # a dictionary word's longest terms (thesaurus)
        self._lock = threading.Lock()
        self.add_words(load_words(VOCABULARY_PATH), names=True)
        self.add_words(words)

    def add_words(self, words: Iterable[str], *, names: bool = False) -> int:
        """Add domain words (normalised; single characters ignored; a word mixing latin and
        Chinese enters as its parts). With ``names`` (the shipped vocabulary, curated) their
        latin parts are names even where they look like measurements (5G, 3D); the keywords users
        give (12英寸, 800V) are not. Nothing is added with the dictionary off. Returns how many
        were new."""
        if not self.setting.dictionary:
            return 0
        added = 0
        with self._lock:
            for word in words:
                word = normalize_text(word).strip()
                if len(word) < 2 or word in self.words or " " in word:
                    continue
                self.words.add(word)
                added += 1
                for part in script_runs(word) if self.split_scripts else (word,):
                    if not HAS_CJK.search(part):
                        if names:
                            self.known.add(part)
                    elif len(part) > 1:
                        self._jieba.add_word(part, None, None)
            if added:
                self._short.clear()
                self._longest.clear()
                self._info.clear()  # which tokens are words, and their sub-words, may have changed
        return added

    def new_words(self, words: Iterable[str]) -> list[str]:
        """The ``words`` whose adding would change the cut: normalised, not yet added, with a
        Chinese part of two or more characters (a latin word is parted whatever the dictionary).
        None with the dictionary off."""
        if not self.setting.dictionary:
            return []
        found = []
        for word in words:
            word = normalize_text(word).strip()
            if (len(word) >= 2 and word not in self.words and " " not in word
                    and any(len(part) > 1 and HAS_CJK.search(part) for part in script_runs(word))):
                found.append(word)
        return found

    # ------------------------------------------------------------ single tokens
    def is_term(self, token: str) -> bool:
        """Whether a normalised token, taken whole, may be a term (``terms.is_term`` under this
        segmenter's stop-list and dictionary)."""
        return is_term(token, stoplist=self.setting.stoplist, known=self.known)

    def _sub_words(self, word: str) -> list[str]:
        """jieba's search-mode sub-words of a word: its dictionary words of 2 and 3 characters."""
        if self.mode != "search" or len(word) <= 2:
            return []
        has = self._jieba.has_word
        out = [word[i:i + 2] for i in range(len(word) - 1) if has(word[i:i + 2])]
        if len(word) > 3:
            out += [word[i:i + 3] for i in range(len(word) - 2) if has(word[i:i + 3])]
        return out

    def _classify(self, token: str) -> tuple:
        if "\n" in token:
            info = (BREAK, (), ())
        elif not HAS_CJK.search(token):
            stripped = token.strip()
            kind = LATIN if stripped and stripped[0].isalnum() else SEP
            if kind == LATIN and token in STOPWORDS and token not in self.known:
                kind = LATIN_STOP  # grammar in English prose, a symbol alone (``tokens``)
            # an English word as its dictionary form (cells: cell); a hyphenated one stays whole, as
            # a-Si, poly-Si and Li-ion are names whose parts would match every silicon
            whole = english_lemma(token, self.known) if kind != SEP and self.is_term(token) else ""
            info = (kind, (whole,) if whole and self.is_term(whole) else (), ())
        elif token in STOPWORDS:
            info = (STOP, () if self.setting.stoplist else (token,) if self.is_term(token) else (), ())
        elif len(token) == 1:
            info = (SINGLE, (token,) if self.is_term(token) else (), ())
        else:
            whole = (token,) if self.is_term(token) else ()
            # the parts of a measurement (百分|分点 of 百分点) or a generic word are none of the text's
            subs = tuple(w for w in self._sub_words(token) if self.is_term(w)) if whole else ()
            info = (WORD if self._jieba.has_word(token) else GUESS, subs + whole, subs)
        if len(self._info) > 2_000_000:
            self._info.clear()
        self._info[token] = info
        return info

    # ------------------------------------------------------------ texts
    def tokens(self, text: str, *, keep_break: bool = False, grams: bool = False) -> list[str]:
        """The terms of ``text``, in order (repeats kept); with ``keep_break`` the first line
        break is kept as a token (to split a text cut in one call); with ``grams`` (and the
        segmenter's ``grams`` mode) the gram terms of the n-gram fallback follow the terms they
        come from."""
        grams = grams and self.grams is not None
        all_words = grams and self.grams == "words"
        cut = self._jieba.cut(SCRIPT_EDGE.sub(" ", normalize_text(text)), self.setting.guess)
        info, classify = self._info, self._classify
        infos = [info.get(t) or classify(t) for t in cut]
        out: list[str] = []
        last = len(infos) - 1
        run = 0  # pieces of the current unknown stretch so far
        for i, (kind, terms, subs) in enumerate(infos):
            if kind == WORD or kind == LATIN or kind == STOP:
                out.extend(terms)
                if all_words and kind == WORD and terms:
                    out.extend(grams_of(cut[i]))
            elif kind == SINGLE or kind == GUESS:
                before = infos[i - 1][0] if i else SEP
                after = infos[i + 1][0] if i < last else SEP
                run = run + 1 if before in _PIECES else 1
                if before in _PIECES or after in _PIECES:
                    out.extend(subs)  # a fragment: only its dictionary sub-words
                    if after not in _PIECES:  # the stretch ends: the unknown compound, whole
                        stretch = "".join(cut[i - run + 1:i + 1])
                        if self.is_term(stretch):
                            out.append(stretch)
                            if grams:
                                out.extend(grams_of(stretch))
                elif kind == GUESS or not (before in _CJK_CONTENT or after in _CJK_CONTENT):
                    out.extend(terms)  # a whole guessed word, or a single character on its own
                    if grams and kind == GUESS and terms:
                        out.extend(grams_of(cut[i]))
                elif (before == WORD) != (after == WORD) and not is_measure(cut[i]):
                    # a character glued to a word on one side: the compound they make (热|失控);
                    # a numeral or a measure word (年, 个) measures, it makes no compound
                    compound = cut[i - 1] + cut[i] if before == WORD else cut[i] + cut[i + 1]
                    if self.is_term(compound):
                        out.append(compound)
            elif kind == LATIN_STOP:
                if terms and not (self._english(cut, infos, i, -1) or self._english(cut, infos, i, 1)):
                    out.extend(terms)
            elif kind == BREAK and keep_break:
                out.append("\n")
                keep_break = False
        return out

    @staticmethod
    def _english(cut, infos, i: int, step: int) -> bool:
        """Whether the nearest token before (``step`` −1) or after (+1) the ``i``-th, spaces
        skipped, is an English word: then the ``i``-th stands in English prose."""
        j = i + step
        while 0 <= j < len(cut) and infos[j][0] == SEP and cut[j].isspace():
            j += step
        return 0 <= j < len(cut) and infos[j][0] in (LATIN, LATIN_STOP) and cut[j].isascii() and cut[j].isalpha()

    def title_description(self, title: str, description: str) -> list[list[str]]:
        """``[tokens(title), tokens(description)]`` with one call of the segmenter, the gram
        terms of the n-gram fallback included."""
        if not title or not description:
            return [self.tokens(title, grams=True) if title else [],
                    self.tokens(description, grams=True) if description else []]
        tokens = self.tokens(" ".join(title.split()) + "\n" + description, keep_break=True, grams=True)
        cut = tokens.index("\n")
        return [tokens[:cut], tokens[cut + 1:]]

    def short_tokens(self, text: str) -> list[str]:
        """``tokens`` of a short text that recurs (a field label, a segment name), memoised."""
        got = self._short.get(text)
        if got is None:
            got = self.tokens(text)
            if len(self._short) < 200_000:
                self._short[text] = got
        return got

    def longest_terms(self, word: str) -> tuple[str, ...]:
        """The terms of ``word`` that no other of its terms contains (氧化层, not also 氧化: a
        thesaurus member expands to its whole, never to a sub-word that would match far more),
        memoised until the dictionary changes: the thesaurus is compiled again after every edit."""
        got = self._longest.get(word)
        if got is None:
            terms = list(dict.fromkeys(self.tokens(word)))
            got = tuple(t for t in terms if not any(t != o and t in o for o in terms))
            if len(self._longest) < 500_000:
                self._longest[word] = got
        return got

    def keyword_tokens(self, keywords: str) -> list[str]:
        """Tokens of a keywords field: each keyword whole (when it may be a term) plus its own
        tokens."""
        out = []
        for word in split_keywords(keywords):
            parts = self.short_tokens(word)
            if word not in parts and self.is_term(word):
                out.append(word)
            out.extend(parts)
        return out


class PlainSegmenter(Segmenter):
    """The baseline of ``feidi match eval``: jieba's default cut of the normalised text under
    the same setting (guessing, dictionary, stop-list), with only whitespace and punctuation
    dropped — none of the engine's term rules, no sub-words, no whole keywords."""

    split_scripts = False

    def __init__(self, words: Iterable[str] = (), *, setting: Setting = DEFAULT):
        super().__init__(words, mode="default", setting=setting, grams=None)

    def tokens(self, text: str, *, keep_break: bool = False, grams: bool = False) -> list[str]:
        stop = STOPWORDS if self.setting.stoplist else ()
        out = []
        for t in self._jieba.cut(normalize_text(text), self.setting.guess):
            if keep_break and "\n" in t:
                out.append("\n")
                keep_break = False
            elif any(c.isalnum() for c in t) and t not in stop:
                out.append(t)
        return out

    def keyword_tokens(self, keywords: str) -> list[str]:
        return self.tokens(" ".join(split_keywords(keywords)))
