"""A BM25 index of short documents with per-field term hits, filters, incremental updates and
persistence. No Django here: the engine (``engine.py``) feeds it documents as dicts.

Layout. A *main* segment holds postings in CSR form over term ids (document slot, term
frequency, a bit mask of the fields the term occurred in) and the forward index (each slot's
terms) used for deletions, reasons and compaction. Added or replaced documents go to a *delta*
segment (a dict of postings lists) read at query time beside the main one; a replaced or removed
document's old slot is just marked dead. ``compact()`` folds the delta into a new main segment.
Document frequencies, the live count and the total length are kept current on every change, and
scores are computed at query time from (tf, document length) with those, so the ranking after any
sequence of changes equals that of a fresh build over the same documents.

Scoring (``Scoring``). BM25 as bm25s's "lucene" variant: idf = ln(1 + (N − df + 0.5) / (df + 0.5)),
tf part = tf / (tf + k1 · (1 − b + b · dl / avgdl)), summed over the query's distinct terms, each
weighted by its idf — and by ``inner`` (½) when it lies inside a longer term of the same query
(电池 beside 动力电池: the sub-words of the search mode would count a shared compound two or three
times). The sum is multiplied by the share of the query's weight that the document holds
(``coverage``): a document that shares more of the demand ranks above one that shares a few
terms many times. The engine uses k1 = 0.6, b = 0.3: chosen on labelled.json alone (the tuning set)
as the pair with the best nDCG@10 averaged over the eight segmentation settings, on a grid of k1
0.5–0.9 × b 0.2–0.55 (0.8669 against 0.8636 for the earlier 0.9 / 0.4, Anserini's defaults for
short texts); short technical texts want a term's first occurrences to count most; the
plain BM25 of the evaluation (``PLAIN``) is bm25s's default, k1 = 1.5, b = 0.75, with neither
weighting. Measured in ``evaluate.py`` (docs/architecture.md, "Matching terms").
"""

from __future__ import annotations

import gc
import json
import math
import multiprocessing
import os
import threading
from array import array
from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.utils.translation import gettext
from django.utils.translation import gettext_noop

from .segment import GRAM
from .segment import Segmenter
from .terms import STOPWORDS

FIELDS = ("title", "description", "keywords", "field", "segment")
FIELD_LABELS = {"title": gettext_noop("标题"), "description": gettext_noop("描述"),
                "keywords": gettext_noop("关键词"), "field": gettext_noop("技术领域"),
                "segment": gettext_noop("产业链环节")}
# Filter attributes, stored as small integer codes per document.
ATTRS = ("field_id", "chain_id", "region", "transfer_mode", "maturity")
FORMAT = 4  # 2: the term rules of terms.py and the segmentation setting; 3: the n-gram fallback's terms; 4: English words as their dictionary forms, traditional characters as simplified
EXPANSION_MAX_DF = 1000  # an expansion term's postings, at most (or 1% of the documents)
GRAM_WEIGHT = 0.3  # a gram term of the n-gram fallback, relative to an exact term of the same idf
# Pseudo-relevance feedback (``feedback``, ``search_terms(feedback=True)``): the first hits whose
# terms are read, how many terms are added, their weight relative to an exact term of the same
# idf — the best of a grid on labelled.json only (decision 0011)
FEEDBACK = {"docs": 2, "terms": 50, "weight": 0.3}


def _feedback_options(feedback: bool | Mapping | None) -> dict | None:
    """``FEEDBACK`` with ``feedback``'s options over it (True: as it is), or None: no feedback."""
    if feedback is None or feedback is False:
        return None
    return {**FEEDBACK, **(feedback if isinstance(feedback, Mapping) else {})}


@dataclass(frozen=True)
class Scoring:
    k1: float = 0.6
    b: float = 0.3
    inner: float = 0.5  # weight of a query term inside a longer query term
    coverage: float = 1.0  # exponent of the share of the query's weight a document holds (0: none)


ENGINE = Scoring()
PLAIN = Scoring(k1=1.5, b=0.75, inner=1.0, coverage=0.0)


@dataclass(frozen=True)
class Expansion:
    """A query's expansion terms (never among its exact terms), their weights and the labels of
    the reasons ("SHJ → 异质结")."""

    terms: list[int]
    weights: np.ndarray
    labels: dict[int, str]
    sources: list[tuple[str, ...]]  # each expansion term's source member, as terms


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    slot: int


class _Grow:
    """A numpy array that grows by doubling (the per-slot columns)."""

    def __init__(self, dtype, width: int = 0, data=None):
        if data is None:
            self.a = np.zeros((16, width) if width else (16,), dtype)
            self.n = 0
            return
        # room for the updates until the next compaction: no copy of the whole column on the way
        self.n = len(data)
        self.a = np.zeros((self.n + max(1024, self.n // 16),) + data.shape[1:], data.dtype)
        self.a[: self.n] = data

    def append(self, value) -> None:
        if self.n == len(self.a):
            new = np.zeros((max(16, 2 * len(self.a)),) + self.a.shape[1:], self.a.dtype)
            new[: self.n] = self.a[: self.n]
            self.a = new
        self.a[self.n] = value
        self.n += 1

    @property
    def view(self):
        return self.a[: self.n]


_local = threading.local()


def _buffers(n: int):
    """(acc, touched, hits) of this thread, zero, with room for ``n`` slots: ``acc[slot]`` holds
    the slot's score and its coverage side by side (one cache line a posting)."""
    buf = getattr(_local, "buf", None)
    if buf is None or len(buf[0]) < n:
        size = max(1024, int(n * 1.25))
        buf = (np.zeros((size, 2), np.float32), np.zeros(size, np.int64), np.zeros(size, np.uint64))
        _local.buf = buf
    return buf


class BM25Index:
    def __init__(self, segmenter: Segmenter | None = None, scoring: Scoring = ENGINE):
        self.seg = segmenter or Segmenter()
        self.scoring = scoring
        self.lock = threading.RLock()
        self.vocab: dict[str, int] = {}
        self.terms: list[str] = []
        self.df = _Grow(np.int64)
        self.codes_of: list[dict] = [{None: 0} for _ in ATTRS]  # value → code; code 0 = none
        self.watermark = 0
        self.extra: dict = {}  # persisted with the index (the engine's watermark stamp)
        self.extra_cache: dict = {}  # not persisted (the engine's compiled thesaurus)
        self._reset_main(0)

    # ---------------------------------------------------------------- building
    def _reset_main(self, n_terms: int) -> None:
        self.m_indptr = np.zeros(n_terms + 1, np.int64)
        self.m_docs = np.zeros(0, np.int32)
        self.m_tf = np.zeros(0, np.float32)
        self.m_dl = np.zeros(0, np.float32)  # each posting's document length (read in sequence)
        self.m_code = np.zeros(0, np.uint16)  # (tf, length) packed for the kernel's table
        self.f_indptr = np.zeros(1, np.int64)
        self.f_terms = np.zeros(0, np.int32)
        self.f_tf = np.zeros(0, np.float32)
        self.f_mask = np.zeros(0, np.uint8)
        self.n_main = 0
        self.main_ids = np.zeros(0, np.int64)
        self.ids = _Grow(np.int64)
        self.dl = _Grow(np.float32)
        self.alive = _Grow(np.bool_)
        self.ok_pub = _Grow(np.bool_)
        self.org = _Grow(np.int64)
        self.codes = _Grow(np.int32, width=len(ATTRS))
        self.d_post: dict[int, list] = {}
        self.d_fwd: dict[int, tuple] = {}
        self.d_slot: dict[int, int] = {}
        self.n_live = 0
        self.total_len = 0

    def _term_id(self, term: str) -> int:
        tid = self.vocab.get(term)
        if tid is None:
            tid = self.vocab[term] = len(self.terms)
            self.terms.append(term)
            self.df.append(0)
        return tid

    def _field_tokens(self, doc: Mapping) -> list[list[str]]:
        seg = self.seg
        per_field = seg.title_description(doc.get("title") or "", doc.get("description") or "")
        per_field.append(seg.keyword_tokens(doc.get("keywords") or ""))
        # a technology field or a chain segment is a label: matched whole like a keyword, whatever
        # the dictionary (without it, 装备制造 is cut into two generic words and would be no term)
        per_field.append(seg.keyword_tokens(doc.get("field") or ""))
        per_field.append(seg.keyword_tokens(doc.get("segment") or ""))
        return per_field

    def analyse(self, doc: Mapping, *, add_terms: bool = True):
        """(term ids, tfs, field masks, length) of a document dict with the ``FIELDS`` texts.
        With ``add_terms`` false, unknown terms are skipped (queries)."""
        per_field = self._field_tokens(doc)
        counts = Counter()
        mask: dict[str, int] = {}
        for bit, tokens in enumerate(per_field):
            if not tokens:
                continue
            counts.update(tokens)
            flag = 1 << bit
            for tok in set(tokens):
                mask[tok] = mask.get(tok, 0) | flag
        # the gram terms of the n-gram fallback are not the document's words: its length, and so
        # the BM25 of its word terms, is what it would be without them
        length = sum(n for tok, n in counts.items() if not tok.startswith(GRAM))
        vocab_get = self.vocab.get
        terms, tfs, masks = [], [], []
        for tok, n in counts.items():
            tid = vocab_get(tok)
            if tid is None:
                if not add_terms:
                    continue
                tid = self._term_id(tok)
            terms.append(tid)
            tfs.append(n)
            masks.append(mask[tok])
        return terms, tfs, masks, length

    def _code(self, a: int, value) -> int:
        table = self.codes_of[a]
        code = table.get(value)
        if code is None:
            code = table[value] = len(table)
        return code

    def _doc_codes(self, doc: Mapping) -> list[int]:
        return [self._code(a, doc.get(name) or None) for a, name in enumerate(ATTRS)]

    def _add_slot(self, doc: Mapping, length: int) -> int:
        slot = self.ids.n
        self.ids.append(int(doc["id"]))
        self.dl.append(length)
        self.alive.append(True)
        self.ok_pub.append(bool(doc.get("published", True)))
        self.org.append(int(doc.get("org_id") or 0))
        self.codes.append(self._doc_codes(doc))
        self.n_live += 1
        self.total_len += length
        return slot

    def build(self, docs: Iterable[Mapping], *, workers: int = 1) -> BM25Index:
        """Replace the contents by ``docs`` (each with ``id``, the ``FIELDS`` texts, the
        ``ATTRS`` filter values, ``published`` and ``org_id``). With ``workers`` > 1 and at least
        ``PARALLEL_MIN`` documents per worker, the documents are analysed in that many forked
        processes (``_analysed``); the index is the same, array for array, as one process builds."""
        docs = sorted(docs, key=lambda d: int(d["id"]))
        gc_was = gc.isenabled()
        gc.disable()  # millions of small objects, none cyclic: the collector would only rescan them
        try:
            with self.lock:
                self.seg.add_words(w for d in docs for w in _keywords(d))
                self.vocab, self.terms = {}, []
                self.df = _Grow(np.int64)
                self._reset_main(0)
                f_terms, f_tf, f_mask, n_terms, dls = self._analysed(docs, workers)
                ids, pubs, orgs, codes = array("q"), array("b"), array("q"), array("i")
                doc_codes = self._doc_codes
                for doc in docs:
                    ids.append(int(doc["id"]))
                    pubs.append(bool(doc.get("published", True)))
                    orgs.append(int(doc.get("org_id") or 0))
                    codes.extend(doc_codes(doc))
                n = len(ids)
                self.ids = _Grow(np.int64, data=np.frombuffer(ids, np.int64).copy())
                self.dl = _Grow(np.float32, data=dls.copy())
                self.alive = _Grow(np.bool_, data=np.ones(n, np.bool_))
                self.ok_pub = _Grow(np.bool_, data=np.frombuffer(pubs, np.int8).astype(np.bool_))
                self.org = _Grow(np.int64, data=np.frombuffer(orgs, np.int64).copy())
                self.codes = _Grow(np.int32, width=len(ATTRS),
                                   data=np.frombuffer(codes, np.int32).reshape(n, len(ATTRS)).copy())
                self.n_live = n
                self.total_len = int(dls.astype(np.int64).sum())
                self._install_main(f_terms, f_tf, f_mask, n_terms)
        finally:
            if gc_was:
                gc.enable()
        return self

    def _analyse_all(self, docs) -> tuple:
        """(term ids, tfs, field masks, terms per document, lengths) of ``docs`` as arrays, the
        terms numbered in the order they are first met."""
        f_terms, f_tf, f_mask, n_terms, dls = array("i"), array("f"), array("B"), array("q"), array("f")
        analyse = self.analyse
        for doc in docs:
            terms, tfs, masks, length = analyse(doc)
            f_terms.extend(terms)
            f_tf.extend(tfs)
            f_mask.extend(masks)
            n_terms.append(len(terms))
            dls.append(length)
        return (np.frombuffer(f_terms, np.int32), np.frombuffer(f_tf, np.float32), np.frombuffer(f_mask, np.uint8),
                np.frombuffer(n_terms, np.int64), np.frombuffer(dls, np.float32))

    def _analysed(self, docs: list, workers: int) -> tuple:
        """``_analyse_all`` of ``docs``, in ``workers`` forked processes when they are many: each
        analyses a run of consecutive documents with its own vocabulary, numbered as first met in
        its run; the runs' terms are then numbered here, run after run, in their order there, which
        is the order one process meets them in, so the arrays are the same."""
        workers = min(workers, len(docs) // PARALLEL_MIN)
        if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return self._analyse_all(docs)
        global _BUILDING
        _BUILDING = (self, docs)
        bounds = np.linspace(0, len(docs), workers * 4 + 1).astype(int)  # a few runs a worker
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                runs = pool.map(_analyse_run, list(zip(bounds[:-1], bounds[1:], strict=True)), chunksize=1)
        finally:
            _BUILDING = None
        parts = []
        term_id = self._term_id
        for words, (f_terms, f_tf, f_mask, n_terms, dls) in runs:
            ids = np.fromiter((term_id(w) for w in words), np.int32, len(words))
            parts.append((ids[f_terms] if len(f_terms) else f_terms, f_tf, f_mask, n_terms, dls))
        return tuple(np.concatenate([part[i] for part in parts]) for i in range(5))

    def _install_main(self, f_terms, f_tf, f_mask, n_terms_per_doc) -> None:
        """Make (forward arrays of slots 0..n-1, all alive) the main segment."""
        n_vocab = len(self.terms)
        self.f_terms, self.f_tf, self.f_mask = f_terms.copy(), f_tf.copy(), f_mask.copy()
        self.f_indptr = np.zeros(len(n_terms_per_doc) + 1, np.int64)
        np.cumsum(n_terms_per_doc, out=self.f_indptr[1:])
        order = np.argsort(self.f_terms, kind="stable")
        slot_of = np.repeat(np.arange(len(n_terms_per_doc), dtype=np.int64), n_terms_per_doc)
        self.m_docs = slot_of[order].astype(np.int32)
        self.m_tf = self.f_tf[order]
        self.m_dl = self.dl.view[self.m_docs]
        self.m_code = _codes(self.m_tf, self.m_dl)
        counts = np.bincount(self.f_terms, minlength=n_vocab).astype(np.int64)
        self.m_indptr = np.zeros(n_vocab + 1, np.int64)
        np.cumsum(counts, out=self.m_indptr[1:])
        self.df.a = counts.copy() if len(counts) else np.zeros(16, np.int64)
        self.df.n = n_vocab
        self.n_main = len(n_terms_per_doc)
        self.main_ids = self.ids.view.copy()

    # ---------------------------------------------------------------- changes
    def slot_of(self, doc_id: int) -> int | None:
        slot = self.d_slot.get(doc_id)
        if slot is not None:
            return slot
        i = int(np.searchsorted(self.main_ids, doc_id))
        if i < self.n_main and self.main_ids[i] == doc_id and self.alive.a[i]:
            return i
        return None

    def _forward(self, slot: int):
        if slot < self.n_main:
            lo, hi = self.f_indptr[slot], self.f_indptr[slot + 1]
            return self.f_terms[lo:hi], self.f_tf[lo:hi], self.f_mask[lo:hi]
        return self.d_fwd[slot]

    def remove(self, doc_id: int) -> bool:
        with self.lock:
            slot = self.slot_of(doc_id)
            if slot is None:
                return False
            self.alive.a[slot] = False
            self.ok_pub.a[slot] = False
            terms = self._forward(slot)[0]
            self.df.a[terms] -= 1
            self.n_live -= 1
            self.total_len -= int(self.dl.a[slot])
            self.d_slot.pop(doc_id, None)
            self.d_fwd.pop(slot, None)
            return True

    def upsert(self, doc: Mapping) -> int:
        """Add or replace one document (its old version, if any, is removed)."""
        with self.lock:
            self.seg.add_words(_keywords(doc))
            self.remove(int(doc["id"]))
            terms, tfs, masks, length = self.analyse(doc)
            slot = self._add_slot(doc, length)
            t = np.asarray(terms, np.int32)
            self.df.a[t] += 1
            self.d_fwd[slot] = (t, np.asarray(tfs, np.float32), np.asarray(masks, np.uint8))
            self.d_slot[int(doc["id"])] = slot
            post = self.d_post
            for tid, tf in zip(terms, tfs, strict=True):
                lst = post.get(tid)
                if lst is None:
                    post[tid] = [slot, tf]
                else:
                    lst.append(slot)
                    lst.append(tf)
            return slot

    @property
    def delta_size(self) -> int:
        return self.ids.n - self.n_main

    def compact(self) -> None:
        """Fold the delta and drop dead slots: a new main segment of the live documents, in
        id order, from their forward postings (no re-segmentation)."""
        with self.lock:
            if self.delta_size == 0 and self.n_live == self.n_main:
                return
            live = np.flatnonzero(self.alive.view)
            live = live[np.argsort(self.ids.view[live], kind="stable")]
            parts_t, parts_f, parts_m, lens = [], [], [], np.zeros(len(live), np.int64)
            for i, slot in enumerate(live):
                t, f, m = self._forward(int(slot))
                parts_t.append(t)
                parts_f.append(f)
                parts_m.append(m)
                lens[i] = len(t)
            cols = (self.ids.view[live].copy(), self.dl.view[live].copy(), self.ok_pub.view[live].copy(),
                    self.org.view[live].copy(), self.codes.view[live].copy())
            df, n_live, total = self.df, self.n_live, self.total_len
            f_t, f_f, f_m = _cat(parts_t, np.int32), _cat(parts_f, np.float32), _cat(parts_m, np.uint8)
            self._reset_main(0)
            self.ids = _Grow(np.int64, data=cols[0])
            self.dl = _Grow(np.float32, data=cols[1])
            self.alive = _Grow(np.bool_, data=np.ones(len(live), np.bool_))
            self.ok_pub = _Grow(np.bool_, data=cols[2])
            self.org = _Grow(np.int64, data=cols[3])
            self.codes = _Grow(np.int32, width=len(ATTRS), data=cols[4])
            self._install_main(f_t, f_f, f_m, lens)
            self.df, self.n_live, self.total_len = df, n_live, total
            self.df.a[: self.df.n] = np.bincount(f_t, minlength=self.df.n)[: self.df.n]

    # ---------------------------------------------------------------- queries
    def query_terms(self, doc_or_text) -> list[int]:
        """The distinct known term ids of a query (a text or a document dict), first seen first."""
        if isinstance(doc_or_text, str):
            seen, out = set(), []
            for tok in self.seg.tokens(doc_or_text):
                tid = self.vocab.get(tok)
                if tid is not None and tid not in seen:
                    seen.add(tid)
                    out.append(tid)
            return out
        return [t for t in self.analyse(doc_or_text, add_terms=False)[0] if not self.terms[t].startswith(GRAM)]

    def query_tokens(self, doc_or_text) -> tuple[list[str], list[str]]:
        """The word tokens of a query text or document, and its gram tokens (the n-gram fallback's)."""
        if isinstance(doc_or_text, str):
            tokens = self.seg.tokens(doc_or_text, grams=True)
        else:
            tokens = [t for field in self._field_tokens(doc_or_text) for t in field]
        grams = [t for t in tokens if t.startswith(GRAM)]
        if grams:
            tokens = [t for t in tokens if not t.startswith(GRAM)]
        return tokens, grams

    def query(self, doc_or_text, thesaurus=None) -> tuple[list[int], Expansion | None]:
        """``query_terms`` of a text or document and, with a ``thesaurus``, its expansion."""
        tokens, grams = self.query_tokens(doc_or_text)
        vocab_get = self.vocab.get
        qterms = list(dict.fromkeys(t for t in (vocab_get(tok) for tok in tokens) if t is not None))
        expansion = self.expansion(tokens, thesaurus) if thesaurus is not None and len(thesaurus) else None
        return qterms, self.gram_expansion(grams, expansion)

    def gram_expansion(self, grams: list[str], expansion: Expansion | None) -> Expansion | None:
        """``expansion`` with the query's gram terms (the n-gram fallback) the index knows, each
        at ``GRAM_WEIGHT`` × its idf; none as common as an expansion term may be."""
        if not grams or GRAM_WEIGHT <= 0:
            return expansion
        most = self._most_df()
        have = set(expansion.terms) if expansion is not None else set()
        found = []
        for g in dict.fromkeys(grams):
            tid = self.vocab.get(g)
            if tid is not None and tid not in have and 0 < self.df.a[tid] <= most:
                found.append(tid)
        if not found:
            return expansion
        weights = GRAM_WEIGHT * self._idf(np.asarray(found, np.int64))
        base = expansion or Expansion([], np.zeros(0), {}, [])
        return Expansion([*base.terms, *found], np.concatenate([base.weights, weights]), base.labels,
                         [*base.sources, *[() for _ in found]])

    def expansion_candidates(self, tokens: Iterable[str], thesaurus) -> list[tuple[str, object, int | None, str, float]]:
        """Every expansion term the thesaurus gives a query's tokens, as ``(term, Expanded, term id,
        status, weight)``: status ``""`` (used, at ``weight`` = ``factor × min(idf(term),
        idf(source))``, a source term the index lacks having the idf of df 0, so that a document
        holding only the expansion counts less than one holding the source), ``"absent"`` (no
        document holds it) or ``"common"`` (in more than ``_most_df`` documents: 1% of a large
        index, idf < 4.6, so at most 0.5 × 4.6 — it would cost the postings of a common word for
        little)."""
        most = self._most_df()
        out = []
        for tok, x in thesaurus.expand(tokens).items():
            tid = self.vocab.get(tok)
            df = int(self.df.a[tid]) if tid is not None else 0
            if not df or df > most:
                out.append((tok, x, tid, "common" if df else "absent", 0.0))
                continue
            src_df = max((int(self.df.a[s]) for s in (self.vocab.get(t) for t in x.source) if s is not None),
                         default=0)
            weight = x.factor * min(float(self._idf(np.asarray([tid]))[0]), idf_value(src_df, self.n_live))
            out.append((tok, x, tid, "", weight))
        return out

    def expansion(self, tokens: Iterable[str], thesaurus) -> Expansion | None:
        """The thesaurus's expansion terms of a query's tokens that the index uses
        (``expansion_candidates``), heaviest first, with their weights and reasons' labels."""
        found = [(-weight, tid, x) for _, x, tid, status, weight in self.expansion_candidates(tokens, thesaurus)
                 if not status]
        if not found:
            return None
        found.sort(key=lambda f: (f[0], f[1]))  # the heaviest first: it scores a synonym group
        return Expansion([t for _, t, _ in found], np.asarray([-w for w, _, _ in found], np.float64),
                         {t: x.label for _, t, x in found}, [x.source for _, _, x in found])

    def _most_df(self) -> int:
        """The document frequency an added term (expansion, gram, feedback) may have at most: 1%
        of a large index (``EXPANSION_MAX_DF`` in a small one)."""
        return max(EXPANSION_MAX_DF, self.n_live // 100)

    def feedback(self, qterms: list[int], hits: list[Hit], expansion: Expansion | None = None, *,
                 docs: int = FEEDBACK["docs"], terms: int = FEEDBACK["terms"],
                 weight: float = FEEDBACK["weight"]) -> Expansion | None:
        """Pseudo-relevance feedback (RM3-like): the ``terms`` terms weighing most in the first
        ``docs`` hits (Σ share of the hit's score × tf / length × idf), not already in the query,
        neither a gram nor a stop word (grammar, not content) nor in more documents than an
        expansion term may be, added at ``weight`` × idf to ``expansion``."""
        if not hits:
            return expansion
        have = set(qterms) | set(expansion.terms if expansion is not None else ())
        most = self._most_df()
        total = sum(h.score for h in hits[:docs]) or 1.0
        mass: dict[int, float] = {}
        for h in hits[:docs]:
            t, tf, _ = self._forward(h.slot)
            dl = float(self.dl.a[h.slot]) or 1.0
            for term, f in zip(t.tolist(), tf.tolist(), strict=True):
                name = self.terms[term]
                if term not in have and 1 < self.df.a[term] <= most and not name.startswith(GRAM) \
                        and name not in STOPWORDS:
                    mass[term] = mass.get(term, 0.0) + h.score / total * f / dl
        if not mass:
            return expansion
        idf = {t: float(v) for t, v in zip(mass, self._idf(np.asarray(list(mass), np.int64)).tolist(), strict=True)}
        best = sorted(mass, key=lambda t: (-mass[t] * idf[t], t))[:terms]
        base = expansion or Expansion([], np.zeros(0), {}, [])
        return Expansion([*base.terms, *best], np.concatenate([base.weights, [weight * idf[t] for t in best]]),
                         base.labels, [*base.sources, *[() for _ in best]])

    def _with_reason(self, hits: list[Hit], qterms: list[int], expansion: Expansion | None, k: int) -> list[Hit]:
        """The first ``k`` hits holding a term that can be a reason: one of the query's own or of
        its thesaurus expansion, neither a gram nor a stop word. A feedback term may lift a
        document, never bring in one that holds none of them (so every match has a reason and a
        share above 0)."""
        evidence = {t for t in (*qterms, *(expansion.terms if expansion is not None else ()))
                    if not self.terms[t].startswith(GRAM) and self.terms[t] not in STOPWORDS}
        return [h for h in hits if not evidence.isdisjoint(self._forward(h.slot)[0].tolist())][:k]

    def _masks(self, qterms: list[int], expansion: Expansion | None) -> np.ndarray:
        """Each query term's synonym-group bits (``kernels._add_expansion``): a source term of an
        expansion has its own bit, an expansion the bits of its source terms in the query (or of
        its source member, when the index lacks it); 64 groups at most, the others summed."""
        n = len(qterms) + (len(expansion.terms) if expansion is not None else 0)
        masks = np.zeros(n, np.uint64)
        if expansion is None:
            return masks
        pos = {t: i for i, t in enumerate(qterms)}
        bits: dict = {}

        def bit(key) -> int:
            if key not in bits and len(bits) < 64:
                bits[key] = 1 << len(bits)
            return bits.get(key, 0)

        for j, source in enumerate(expansion.sources):
            inside = [pos[t] for t in (self.vocab.get(s) for s in source) if t is not None and t in pos]
            m = 0
            for i in inside:
                b = bit(("term", i))
                masks[i] |= np.uint64(b)
                m |= b
            if not inside and source:
                m = bit(("member", source))
            masks[len(qterms) + j] = np.uint64(m)
        return masks

    def _idf(self, qterms) -> np.ndarray:
        df = self.df.a[qterms].astype(np.float64)
        n = float(self.n_live)
        return np.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _weights(self, qterms) -> np.ndarray:
        """The query terms' weights: idf, times ``inner`` for a term inside a longer one."""
        weights = self._idf(np.asarray(qterms, np.int64))
        if self.scoring.inner == 1.0 or len(qterms) < 2:
            return weights
        names = [self.terms[t] for t in qterms]
        longest = max(len(t) for t in names)
        longer = {n: "\0".join(t for t in names if len(t) > n) for n in range(1, longest)}
        for i, name in enumerate(names):
            if len(name) < longest and name in longer[len(name)]:
                weights[i] *= self.scoring.inner
        return weights

    def _args(self) -> tuple:
        sc = self.scoring
        return self.total_len / self.n_live, sc.k1, sc.b, sc.coverage

    def _delta_csr(self, qterms) -> tuple:
        indptr = [0]
        docs: list = []
        for t in qterms:
            lst = self.d_post.get(t)
            if lst:
                docs.extend(lst)
            indptr.append(len(docs) // 2)
        flat = np.asarray(docs, np.float64).reshape(-1, 2) if docs else np.zeros((0, 2))
        slots = flat[:, 0].astype(np.int64)
        return np.asarray(indptr, np.int64), slots, flat[:, 1].astype(np.float32), self.dl.a[slots]

    _NO_FILTER = (np.zeros(len(ATTRS), np.bool_), np.ones((len(ATTRS), 1), np.bool_))

    def _filter_arrays(self, filters: Mapping | None):
        if not filters or all(v in (None, "", [], ()) for v in filters.values()):
            return self._NO_FILTER
        active = np.zeros(len(ATTRS), np.bool_)
        width = max(len(t) for t in self.codes_of)
        allowed = np.ones((len(ATTRS), width), np.bool_)
        for a, name in enumerate(ATTRS):
            if not filters or filters.get(name) in (None, "", [], ()):
                continue
            value = filters[name]
            values = {str(v) for v in value} if isinstance(value, (list, tuple, set)) else {str(value)}
            table = self.codes_of[a]
            if name == "region":
                codes = [c for v, c in table.items() if v is not None and any(x in str(v) for x in values)]
            else:
                codes = [c for v, c in table.items() if v is not None and str(v) in values]
            active[a] = True
            allowed[a, :] = False
            allowed[a, codes] = True
        return active, allowed

    def _ok(self, published_only: bool):
        return self.ok_pub.view if published_only else self.alive.view

    def _with(self, qterms: list[int], expansion: Expansion | None) -> tuple[list[int], np.ndarray]:
        """The exact terms then the expansion terms, and their weights."""
        weights = self._weights(qterms) if qterms else np.zeros(0)
        if expansion is None:
            return qterms, weights
        return [*qterms, *expansion.terms], np.concatenate([weights, expansion.weights])

    def search_terms(self, qterms: list[int], *, k: int = 10, filters: Mapping | None = None,
                     published_only: bool = True, expansion: Expansion | None = None,
                     feedback: bool | Mapping | None = False) -> list[Hit]:
        """The top ``k`` for a query's term ids and expansion; with ``feedback`` (True, or options
        of ``feedback`` over ``FEEDBACK``), a first pass finds the hits whose terms expand the
        query and the second ranks with them."""
        from .kernels import topk_one

        with self.lock:
            if not (qterms or expansion) or not self.n_live or k <= 0:
                return []
            options = _feedback_options(feedback)
            if options is not None:
                return self._search_feedback(qterms, k, filters, published_only, expansion, options)
            n_exact = len(qterms)
            masks = self._masks(qterms, expansion)
            qterms, weights = self._with(qterms, expansion)
            q = np.asarray(qterms, np.int64)
            d_indptr, d_docs, d_tf, d_dl = self._delta_csr(qterms)
            active, allowed = self._filter_arrays(filters)
            acc, touched, hits = _buffers(self.ids.n)
            out_slots = np.empty(k, np.int64)
            out_scores = np.empty(k, np.float64)
            n = topk_one(q, weights, n_exact, masks, self.m_indptr, self.m_docs, self.m_code, self.m_tf, self.m_dl,
                         d_indptr, d_docs, d_tf, d_dl, *self._args(), self._ok(published_only), self.codes.a,
                         allowed, active, self.ids.a, acc, touched, hits, k, out_slots, out_scores)
            return [Hit(int(self.ids.a[s]), float(sc), int(s)) for s, sc in zip(out_slots[:n], out_scores[:n],
                                                                               strict=True)]

    def _search_feedback(self, qterms: list[int], k: int, filters: Mapping | None, published_only: bool,
                         expansion: Expansion | None, options: dict) -> list[Hit]:
        """``search_terms`` with feedback in one accumulation: the query's postings are added once,
        the best ``docs`` read from the buffers without clearing them, the feedback terms' postings
        added to the same buffers, then the best ``k`` with a reason selected (the same hits as a
        second full pass with the feedback terms, for the postings of the query once)."""
        from . import kernels

        n_exact = len(qterms)
        first_terms, first_weights = self._with(qterms, expansion)
        active, allowed = self._filter_arrays(filters)
        acc, touched, hits = _buffers(self.ids.n)
        ok = self._ok(published_only)
        avgdl, k1, b, cov_exp = self._args()
        cover = cov_exp != 0.0
        n_slots = ok.shape[0]
        q = np.asarray(first_terms, np.int64)
        d_indptr, d_docs, d_tf, d_dl = self._delta_csr(first_terms)
        dense, inv_total = kernels.plan(q, first_weights, n_exact, self.m_indptr, d_indptr, n_slots)
        selected = False
        try:
            n_touched = kernels.accumulate(q, first_weights, n_exact, self._masks(qterms, expansion), 0, self.m_indptr,
                                           self.m_docs, self.m_code, self.m_tf, self.m_dl, d_indptr, d_docs, d_tf,
                                           d_dl, avgdl, k1, b, cover, dense, acc, touched, 0, hits)
            docs = max(int(options["docs"]), 1)
            out_slots, out_scores = np.empty(max(docs, 2 * k), np.int64), np.empty(max(docs, 2 * k), np.float64)
            n = kernels.select(n_slots, dense, cover, inv_total, cov_exp, acc, touched, n_touched, ok,
                               self.codes.a, allowed, active, self.ids.a, docs, out_slots, out_scores, True)
            best = [Hit(int(self.ids.a[s]), float(sc), int(s)) for s, sc in zip(out_slots[:n], out_scores[:n],
                                                                               strict=True)]
            added = self.feedback(qterms, best, expansion, **options)
            if added is not None and len(added.terms) > len(expansion.terms if expansion is not None else ()):
                all_terms, all_weights = self._with(qterms, added)
                q = np.asarray(all_terms, np.int64)
                d_indptr, d_docs, d_tf, d_dl = self._delta_csr(all_terms)
                n_touched = kernels.accumulate(q, all_weights, n_exact, self._masks(qterms, added), len(first_terms),
                                               self.m_indptr, self.m_docs, self.m_code, self.m_tf, self.m_dl, d_indptr,
                                               d_docs, d_tf, d_dl, avgdl, k1, b, cover, dense, acc, touched,
                                               n_touched, hits)
            n = kernels.select(n_slots, dense, cover, inv_total, cov_exp, acc, touched, n_touched, ok,
                               self.codes.a, allowed, active, self.ids.a, 2 * k, out_slots, out_scores, False)
            selected = True
        finally:
            if not selected:  # the buffers must be zero for the next query, whatever happened
                acc[:] = 0.0
                hits[:] = 0
        found = [Hit(int(self.ids.a[s]), float(sc), int(s)) for s, sc in zip(out_slots[:n], out_scores[:n],
                                                                            strict=True)]
        return self._with_reason(found, qterms, expansion, k)

    def search(self, query, *, k: int = 10, filters: Mapping | None = None, published_only: bool = True,
               thesaurus=None, feedback: bool | Mapping = False):
        qterms, expansion = self.query(query, thesaurus)
        return self.search_terms(qterms, k=k, filters=filters, published_only=published_only, expansion=expansion,
                                 feedback=feedback)

    def search_many(self, queries: list[list[int]], *, k: int = 10, filters: Mapping | None = None,
                    published_only: bool = True, expansions: list[Expansion | None] | None = None,
                    feedback: bool | Mapping = False) -> list[list[Hit]]:
        """Top-``k`` of many term-id queries (each with its expansion) in one compiled call (with
        ``feedback``, each as ``search_terms``)."""
        from .kernels import topk_many

        with self.lock:
            if not queries or not self.n_live:
                return [[] for _ in queries]
            n_exact = np.asarray([len(q) for q in queries], np.int64)
            expansions = expansions or [None] * len(queries)
            options = _feedback_options(feedback)
            if options is not None:  # one query at a time, as search_terms: the same hits
                return [self.search_terms(q, k=k, filters=filters, published_only=published_only, expansion=x,
                                          feedback=options) for q, x in zip(queries, expansions, strict=True)]
            masks = np.concatenate([self._masks(q, x) for q, x in zip(queries, expansions, strict=True)] or
                                   [np.zeros(0, np.uint64)])
            both = [self._with(q, x) for q, x in zip(queries, expansions, strict=True)]
            queries = [q for q, _ in both]
            q_indptr = np.zeros(len(queries) + 1, np.int64)
            np.cumsum([len(q) for q in queries], out=q_indptr[1:])
            flat = np.asarray([t for q in queries for t in q], np.int64)
            idf = np.concatenate([w for _, w in both]) if len(flat) else np.zeros(0)
            dq, d_ind, d_docs, d_tf, d_dl = np.zeros(len(queries), np.int64), [], [], [], []
            base = at = 0
            for i, q in enumerate(queries):
                ind, docs, tfs, dls = self._delta_csr(q)
                dq[i] = at
                at += len(ind)
                d_ind.append(ind + base)
                d_docs.append(docs)
                d_tf.append(tfs)
                d_dl.append(dls)
                base += len(docs)
            active, allowed = self._filter_arrays(filters)
            acc, touched, hits = _buffers(self.ids.n)
            out_slots = np.empty((len(queries), k), np.int64)
            out_scores = np.empty((len(queries), k), np.float64)
            out_n = np.zeros(len(queries), np.int64)
            topk_many(q_indptr, flat, idf, n_exact, masks, self.m_indptr, self.m_docs, self.m_code, self.m_tf,
                      self.m_dl, dq, np.concatenate(d_ind), np.concatenate(d_docs), np.concatenate(d_tf),
                      np.concatenate(d_dl), *self._args(), self._ok(published_only), self.codes.a, allowed, active,
                      self.ids.a, acc, touched, hits, k, out_slots, out_scores, out_n)
            ids = self.ids.a
            return [[Hit(int(ids[s]), float(sc), int(s)) for s, sc in zip(out_slots[i, :n], out_scores[i, :n],
                                                                           strict=True)]
                    for i, n in enumerate(out_n)]

    def share(self, held: set[int], qterms: list[int], expansion: Expansion | None = None) -> float:
        """The share of the query's weight a document holding the terms ``held`` covers, 0–1: the
        coverage factor's share (``kernels._covered``), as the reader's 匹配度. An expansion term
        counts at its weight only where the document holds none of its group's exact terms, and a
        group once. A query none of whose own words the index holds ("SHJ" where every record says
        异质结) is measured against its expansion's weight, as the kernel's denominator is
        (``kernels.plan``), so a record found through the thesaurus alone does not read 0%."""
        with self.lock:  # the idf moves with every change to the index
            weights = self._weights(qterms) if qterms else np.zeros(0)
            masks = self._masks(qterms, expansion).tolist() if expansion is not None else []
        total = float(weights.sum())
        if total <= 0.0 and expansion is not None:
            total = float(expansion.weights.sum())
        if total <= 0.0:
            return 0.0
        covered = sum(w for t, w in zip(qterms, weights.tolist(), strict=True) if t in held)
        if expansion is not None:
            taken = 0
            for i in range(len(qterms)):
                if qterms[i] in held:
                    taken |= masks[i]
            for j, (t, w) in enumerate(zip(expansion.terms, expansion.weights.tolist(), strict=True)):
                m = masks[len(qterms) + j]
                if t in held and not (m & taken):
                    covered += w
                    taken |= m
        return round(min(covered / total, 1.0), 3)

    def reasons(self, slot: int, qterms: list[int], expansion: Expansion | None = None) -> dict:
        """The query terms the document at ``slot`` contains, most weighty first, the labels of
        the fields they occurred in (an expansion term shows as its label, "SHJ → 异质结"), and the
        share of the query's weight it covers (``share``)."""
        with self.lock:
            terms, tfs, masks = self._forward(slot)
            share = self.share(set(terms.tolist()), list(qterms), expansion)
            qterms = list(qterms)
            weight = dict(zip(qterms, self._idf(np.asarray(qterms, np.int64)).tolist(), strict=True)) if qterms else {}
            if expansion is not None:
                weight.update(zip(expansion.terms, expansion.weights.tolist(), strict=True))
            hits, fields = [], 0
            for t, tf, m in zip(terms.tolist(), tfs.tolist(), masks.tolist(), strict=True):
                # a gram is no reason, nor a stop word (which scores while the stop-list is off,
                # the measured setting, but is grammar, never evidence to show a user)
                if t in weight and not self.terms[t].startswith(GRAM) and self.terms[t] not in STOPWORDS:
                    hits.append((-weight[t] * tf / (tf + self.scoring.k1), self.terms[t], t))
                    fields |= m
            hits.sort()
            names = [name for _, name, _ in hits]
            # a sub-word of a longer matched word (电池 of 动力电池) says nothing more
            labels = expansion.labels if expansion is not None else {}
            names = [labels.get(t, name) for _, name, t in hits
                     if not any(name != o and name in o for o in names)]
            return {"terms": names,
                    "fields": [gettext(FIELD_LABELS[f]) for bit,
                               f in enumerate(FIELDS) if fields & (1 << bit)],
                    "share": share}

    def doc_terms(self, slot: int) -> set[str]:
        return {name for name in (self.terms[t] for t in self._forward(slot)[0].tolist()) if not name.startswith(GRAM)}

    def __len__(self) -> int:
        return self.n_live

    # ---------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> None:
        """Write the index (compacted) to ``path`` atomically."""
        with self.lock:
            self.compact()
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            meta = {"format": FORMAT, "watermark": self.watermark, "n_live": self.n_live,
                    "total_len": self.total_len, "codes_of": [[[k, v] for k, v in t.items()] for t in self.codes_of],
                    "words": sorted(self.seg.words), "mode": self.seg.mode, "setting": self.seg.setting.key,
                    "grams": self.seg.grams,
                    "extra": self.extra}
            tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                np.savez(fh, meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), np.uint8),
                         terms=np.frombuffer("\n".join(self.terms).encode(), np.uint8),
                         df=self.df.view, m_indptr=self.m_indptr, m_docs=self.m_docs, m_tf=self.m_tf,
                         f_indptr=self.f_indptr, f_terms=self.f_terms, f_tf=self.f_tf,
                         f_mask=self.f_mask, ids=self.ids.view, dl=self.dl.view, ok_pub=self.ok_pub.view,
                         org=self.org.view, codes=self.codes.view)
            os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | Path, segmenter: Segmenter | None = None) -> BM25Index:
        with np.load(path) as z:
            meta = json.loads(z["meta"].tobytes().decode())
            if meta.get("format") != FORMAT:
                raise ValueError("match index format changed; rebuild it")
            index = cls(segmenter or Segmenter(mode=meta["mode"]))
            if (meta.get("setting") != index.seg.setting.key or meta["mode"] != index.seg.mode
                    or meta.get("grams") != index.seg.grams):
                raise ValueError("match index segmented under another setting; rebuild it")
            index.seg.add_words(meta["words"])
            text = z["terms"].tobytes().decode()
            index.terms = text.split("\n") if text else []
            index.vocab = {t: i for i, t in enumerate(index.terms)}
            index.codes_of = [{(None if k is None else k): v for k, v in t} for t in meta["codes_of"]]
            index.ids = _Grow(np.int64, data=z["ids"].copy())
            index.dl = _Grow(np.float32, data=z["dl"].copy())
            index.alive = _Grow(np.bool_, data=np.ones(len(z["ids"]), np.bool_))
            index.ok_pub = _Grow(np.bool_, data=z["ok_pub"].copy())
            index.org = _Grow(np.int64, data=z["org"].copy())
            index.codes = _Grow(np.int32, width=len(ATTRS), data=z["codes"].copy())
            for name in ("m_indptr", "m_docs", "m_tf", "f_indptr", "f_terms", "f_tf", "f_mask"):
                setattr(index, name, z[name].copy())
            index.df = _Grow(np.int64, data=z["df"].copy())
            index.m_dl = index.dl.view[index.m_docs]
            index.m_code = _codes(index.m_tf, index.m_dl)
            index.n_main = len(index.ids.view)
            index.main_ids = index.ids.view.copy()
            index.n_live, index.total_len, index.watermark = meta["n_live"], meta["total_len"], meta["watermark"]
            index.extra = meta.get("extra", {})
        return index


PARALLEL_MIN = 25_000  # documents a build process analyses at the least (fewer: one process)
_BUILDING = None  # (index, documents) of the build in progress, read by its forked workers


def _analyse_run(bounds: tuple[int, int]) -> tuple[list[str], tuple]:
    """In a forked build worker: the terms and the ``_analyse_all`` arrays of the documents in
    ``bounds``, with a vocabulary of the run's own."""
    index, docs = _BUILDING
    index.vocab, index.terms, index.df = {}, [], _Grow(np.int64)
    arrays = index._analyse_all(docs[bounds[0]:bounds[1]])
    return index.terms, tuple(a.copy() for a in arrays)


def _codes(tf: np.ndarray, dl: np.ndarray) -> np.ndarray:
    """tf << 8 | length for the postings the kernel's table covers, 0xFFFF for the others."""
    from .kernels import LUT_DL
    from .kernels import LUT_TF

    small = (tf < LUT_TF) & (dl < LUT_DL)
    code = (tf.astype(np.uint16) << 8) | dl.astype(np.uint16)
    return np.where(small, code, np.uint16(0xFFFF)).astype(np.uint16)


def _cat(parts, dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


def _keywords(doc: Mapping) -> list[str]:
    from .segment import split_keywords

    return split_keywords(doc.get("keywords") or "")


def idf_value(df: int, n: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))
