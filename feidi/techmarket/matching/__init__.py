"""Matching of technology demands and supplies (技术供需匹配).

Chinese segmentation with a domain dictionary (``segment.py``: rjieba, the shipped
``vocabulary.txt``, chain and segment names, the documents' keywords) into the terms that may be
evidence (``terms.py``: no numbers, units, generic words or segmenter fragments), BM25 over the
title, description, keywords, technology field and chain segment of each document, scaled by the
share of the query a document covers (``index.py``, scored by a numba kernel in ``kernels.py``),
with filters and the reasons of every match, kept incrementally up to date from the
``IndexChange`` rows (``engine.py``). Queries are expanded by the domain thesaurus
(``thesaurus.py``, the ``ThesaurusEntry`` rows): an equivalent at half an exact term's weight, a
broader term at a quarter, a related term (a problem's mechanism or remedy, both ways) at half,
shown in the reasons as "SHJ → 异质结", "发黄 → 耐紫外"; read at query time, so an edit needs no
rebuild. A demand's (or supply's) counterparts are ranked with pseudo-relevance feedback
(``BM25Index.feedback``, ``FEIDI_MATCH_FEEDBACK``): the two best hits are read, the terms weighing
most in them are added at 0.3 of an exact term's weight to the same accumulation, and the ranking
keeps only documents that hold a term of the document itself or of its thesaurus expansion; the
reasons and the share (匹配度) read only those. Free-text search has no feedback.

Public API (used by the market's actions and pages):

- ``record_change(kind, doc_id)``: call inside the transaction that creates, changes or deletes
  a Demand (``"demand"``) or Supply (``"supply"``);
- ``supplies_for_demand(demand, *, k=10, filters=None)`` and ``demands_for_supply(supply, …)``:
  the best published counterparts, as ``Match(id, score, reasons)`` with
  ``reasons = {"terms": [...], "fields": ["标题", "关键词", ...], "share": 0.68}``;
- ``search(kind, text, *, k=50, filters=None)``: free-text search of published documents;
- ``try_thesaurus(kind, text, *, k=10)``: what the thesaurus does to a query (its expansion
  terms, used or left out, and the search with and without them), for the operator's 试查 page.

Filters: ``field_id``, ``chain_id``, ``region`` (a part of the organisation's 所在地区, e.g.
"上海"), ``transfer_mode`` and ``maturity`` (supplies); a value may be a list.

Feedback rule (the marks of ``Push.demand_feedback`` / ``Push.supply_feedback``). When ranking
counterparts for a document of organisation O (the *side*), O's own earlier marks count:

1. a pair O marked 不感兴趣 is never proposed to O again (it is dropped from the results, and so
   from later pushes); the other side's ranking is not affected by O's mark;
2. counterpart organisations: each 感兴趣 O gave to pushes involving organisation C multiplies
   the score of C's candidates by 1 + 0.2, each 不感兴趣 by 1 − 0.2 (added up, the factor is kept
   within 0.5–1.6);
3. counterpart terms: with L the terms of the counterpart documents O marked 感兴趣 and H those of
   the ones marked 不感兴趣, a candidate with terms T is multiplied by
   1 + 0.3·|T∩L|/|T| − 0.3·|T∩H|/|T|.

The BM25 candidates (the best ``max(50, 3k)``) are re-scored with these factors and re-sorted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from dataclasses import field

from django.conf import settings

from .engine import KINDS
from .engine import PUBLISHED
from .engine import doc_of
from .engine import get_engine
from .engine import model_of
from .engine import other
from .engine import reset_engine

__all__ = ["Match", "record_change", "supplies_for_demand", "demands_for_supply", "search", "rebuild",
           "get_engine", "reset_engine", "matches_for_many", "try_thesaurus", "Trial"]

ORG_STEP, ORG_MIN, ORG_MAX = 0.2, 0.5, 1.6
TERM_WEIGHT = 0.3


@dataclass(frozen=True)
class Match:
    id: int
    score: float
    reasons: dict = field(default_factory=dict)


def record_change(kind: str, doc_id: int) -> None:
    """Append an IndexChange for a demand or supply written in the current transaction."""
    from feidi.techmarket.models import IndexChange

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    IndexChange.objects.create(kind=kind, doc_id=doc_id)


def rebuild(workers: int = 1) -> dict[str, int]:
    """Rebuild both indexes from the database and save them (``feidi match rebuild``), a large
    one analysed in ``workers`` processes."""
    return get_engine().rebuild(workers=workers)


@dataclass
class Feedback:
    """One side's earlier marks: the pairs it declined (by its own document), its tallies of the
    counterpart organisations, the terms of the counterpart documents it liked and disliked."""

    declined: dict = field(default_factory=dict)
    orgs: Counter = field(default_factory=Counter)
    liked: set = field(default_factory=set)
    disliked: set = field(default_factory=set)

    def factor(self, org_id: int, terms: set[str]) -> float:
        f = min(ORG_MAX, max(ORG_MIN, 1.0 + ORG_STEP * self.orgs.get(org_id, 0)))
        if terms and (self.liked or self.disliked):
            f *= 1.0 + TERM_WEIGHT * (len(terms & self.liked) - len(terms & self.disliked)) / len(terms)
        return f

    @property
    def scoring(self) -> bool:
        return bool(self.orgs or self.liked or self.disliked)


def feedback_of(kind: str, organization_id: int | None, target_index=None) -> Feedback:
    """The marks given by an organisation as the ``kind`` side ("demand": an enterprise's marks on
    the supplies pushed to it; "supply": an institution's marks on demands)."""
    from feidi.techmarket.models import Push

    fb = Feedback()
    if not organization_id:
        return fb
    mark, me, them = ("demand_feedback", "demand", "supply") if kind == "demand" else \
        ("supply_feedback", "supply", "demand")
    rows = (Push.objects.filter(**{f"{me}__organization_id": organization_id}).exclude(**{mark: ""})
            .values_list(f"{me}_id", f"{them}_id", f"{them}__organization_id", mark))
    for my_id, their_id, their_org, value in rows:
        good = value == "interested"
        if not good:
            fb.declined.setdefault(my_id, set()).add(their_id)
        fb.orgs[their_org] += 1 if good else -1
        if target_index is not None:
            slot = target_index.slot_of(their_id)
            if slot is not None:
                (fb.liked if good else fb.disliked).update(target_index.doc_terms(slot))
    return fb


def _published_ids(kind: str, ids) -> set[int]:
    return set(model_of(kind)._base_manager.filter(pk__in=list(ids), status__in=PUBLISHED[kind])
               .values_list("pk", flat=True))


def _rank(index, qterms: list[int], hits, live: set[int], fb: Feedback | None, declined: set, k: int,
          expansion=None) -> list[Match]:
    """Drop the unpublished and declined candidates, apply the feedback factors, keep ``k``."""
    scored = []
    for h in hits:
        if h.id not in live or h.id in declined:
            continue
        score = h.score
        if fb is not None and fb.scoring:
            score *= fb.factor(int(index.org.a[h.slot]), index.doc_terms(h.slot))
        scored.append((-score, h.id, h))
    scored.sort(key=lambda x: (x[0], x[1]))
    return [Match(h.id, round(-s, 6), index.reasons(h.slot, qterms, expansion)) for s, _, h in scored[:k]]


def _window(k: int) -> int:
    return max(50, 3 * k)


def _counterparts(kind: str, obj, *, k: int, filters: dict | None) -> list[Match]:
    target = other(kind)
    engine = get_engine()
    index = engine.index(target)
    qterms, expansion = index.query(doc_of(kind, obj), engine.thesaurus(index))
    fb = feedback_of(kind, obj.organization_id, index)
    declined = fb.declined.get(obj.pk, set())
    hits = index.search_terms(qterms, k=_window(k) + len(declined), filters=filters, expansion=expansion,
                              feedback=settings.MATCH_FEEDBACK)
    return _rank(index, qterms, hits, _published_ids(target, [h.id for h in hits]), fb, declined, k, expansion)


def supplies_for_demand(demand, *, k: int = 10, filters: dict | None = None) -> list[Match]:
    """The best published supplies for ``demand`` (its enterprise's feedback applied)."""
    return _counterparts("demand", demand, k=k, filters=filters)


def demands_for_supply(supply, *, k: int = 10, filters: dict | None = None) -> list[Match]:
    """The best published demands for ``supply`` (its institution's feedback applied)."""
    return _counterparts("supply", supply, k=k, filters=filters)


def matches_for_many(kind: str, objs: list, *, k: int = 10, filters: dict | None = None) -> list[list[Match]]:
    """``supplies_for_demand`` (kind "demand") or ``demands_for_supply`` of many documents in one
    pass: one compiled call for all the BM25 queries, one database query for the published
    candidates, the feedback read once per organisation."""
    target = other(kind)
    engine = get_engine()
    index = engine.index(target)
    words = engine.thesaurus(index)
    found = [index.query(doc_of(kind, obj), words) for obj in objs]
    queries = [q for q, _ in found]
    expansions = [x for _, x in found]
    by_org: dict = {}
    for obj in objs:
        if obj.organization_id not in by_org:
            by_org[obj.organization_id] = feedback_of(kind, obj.organization_id, index)
    widest = max([len(fb.declined.get(o.pk, ())) for o, fb in ((o, by_org[o.organization_id]) for o in objs)] or [0])
    results = index.search_many(queries, k=_window(k) + widest, filters=filters, expansions=expansions,
                                feedback=settings.MATCH_FEEDBACK)
    live = _published_ids(target, {h.id for hits in results for h in hits})
    out = []
    for obj, q, x, hits in zip(objs, queries, expansions, results, strict=True):
        fb = by_org[obj.organization_id]
        out.append(_rank(index, q, hits, live, fb, fb.declined.get(obj.pk, set()), k, x))
    return out


def search(kind: str, text: str, *, k: int = 50, filters: dict | None = None, thesaurus: bool = True) -> list[Match]:
    """Free-text search of the published demands or supplies (without ``thesaurus``: the
    query's own words only, no expansion)."""
    engine = get_engine()
    index = engine.index(kind)
    qterms, expansion = index.query(text, engine.thesaurus(index) if thesaurus else None)
    hits = index.search_terms(qterms, k=k, filters=filters, expansion=expansion)
    return _rank(index, qterms, hits, _published_ids(kind, [h.id for h in hits]), None, set(), k, expansion)


@dataclass(frozen=True)
class Trial:
    """What the thesaurus does to one query (``try_thesaurus``): the query's terms the index
    knows, every expansion term the thesaurus gives it, and the search with and without them."""

    terms: list[str]
    expansions: list[dict]
    with_thesaurus: list[Match]
    without: list[Match]


def try_thesaurus(kind: str, text: str, *, k: int = 10) -> Trial:
    """The thesaurus tried on ``text`` against the published ``kind`` ("supply" or "demand"), as
    the operator checks an edit (it applies at the next query): each expansion term with its
    source ("发黄 → 耐紫外"), relation, weight relative to an exact term, the weight it scores
    with (× idf), the documents holding it and whether it is used (``""``) or left out
    (``"absent"``: no document holds it; ``"common"``: too common to pay); then the top ``k``
    with and without expansion."""
    engine = get_engine()
    index = engine.index(kind)
    words = engine.thesaurus(index)
    tokens, _ = index.query_tokens(text)
    terms = [index.terms[t] for t in index.query(text)[0]]
    rows = []
    for term, x, tid, status, weight in index.expansion_candidates(tokens, words):
        rows.append({"term": term, "label": x.label, "relation": x.relation, "factor": x.factor, "weight": weight,
                     "df": int(index.df.a[tid]) if tid is not None else 0, "status": status})
    rows.sort(key=lambda r: (bool(r["status"]), -r["weight"], -r["factor"], r["term"]))
    return Trial(terms, rows, search(kind, text, k=k), search(kind, text, k=k, thesaurus=False))
