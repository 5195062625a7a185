"""Ranking metrics for the technology-matching engine, and the two evaluation sets they run on:
``labelled.json`` (written with the engine, used to tune it) and ``independent.json`` (written
apart, demands first, and never used for tuning: it decides the segmentation setting).

Pure functions, no Django: a ranking is a list of supply ids, best first; the judgments of one
demand are a ``{supply_id: grade}`` dict with grades 0–3 (see each set's ``about``).
Supplies that were never judged count as grade 0.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from pathlib import Path

LABELLED_PATH = Path(__file__).with_name("labelled.json")
INDEPENDENT_PATH = Path(__file__).with_name("independent.json")


def _dedupe(ranked_ids: Iterable[str]) -> list[str]:
    """The ranking with repeated ids dropped after their first position (a repeat earns nothing)."""
    seen: set[str] = set()
    out: list[str] = []
    for sid in ranked_ids:
        if sid not in seen:
            seen.add(sid)
            out.append(sid)
    return out


def dcg(grades_in_rank_order: Iterable[int]) -> float:
    """Discounted cumulative gain: Σ (2**grade − 1) / log2(rank + 1), ranks counted from 1."""
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades_in_rank_order))


def ndcg_at_k(ranked_ids: Iterable[str], grades: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k of one ranking.

    Gain is ``2**grade − 1`` and the discount ``log2(rank + 1)``. The ideal ranking is all the judged
    grades of the query sorted best first, cut at ``k``. Unjudged ids have grade 0. A query whose
    judgments are all 0 has no ideal gain; it scores 0.0.
    """
    ranked = _dedupe(ranked_ids)[:k]
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg(grades.get(sid, 0) for sid in ranked) / ideal


def recall_at_k(
    ranked_ids: Iterable[str], grades: Mapping[str, int], k: int = 50, min_grade: int = 1
) -> float:
    """Share of the relevant supplies (grade ≥ ``min_grade``) that appear in the first ``k``.

    A query with no relevant supply scores 0.0.
    """
    relevant = {sid for sid, g in grades.items() if g >= min_grade}
    if not relevant:
        return 0.0
    found = relevant.intersection(_dedupe(ranked_ids)[:k])
    return len(found) / len(relevant)


def load_labelled(path: str | Path | None = None) -> dict:
    """The labelled set as parsed JSON: ``about``, ``demands``, ``supplies``, ``qrels``.

    ``path`` defaults to ``labelled.json`` beside this module.
    """
    with open(path or LABELLED_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def qrels_by_demand(data: Mapping) -> dict[str, dict[str, int]]:
    """``{demand_id: {supply_id: grade}}`` from the set's ``qrels`` list."""
    out: dict[str, dict[str, int]] = {}
    for q in data["qrels"]:
        out.setdefault(q["demand"], {})[q["supply"]] = int(q["grade"])
    return out


def evaluate(
    rank_fn: Callable[[dict], list[str]],
    data: Mapping | None = None,
    k_ndcg: int = 10,
    k_recall: int = 50,
    min_grade: int = 1,
) -> dict:
    """Run ``rank_fn`` on every demand of the set and score it.

    ``rank_fn(demand_dict)`` returns supply ids, best first. Returns
    ``{"ndcg": mean nDCG@k_ndcg, "recall": mean recall@k_recall, "queries": n,
    "k_ndcg": …, "k_recall": …, "per_query": {demand_id: {"ndcg": …, "recall": …}}}``; recall counts
    the supplies graded ``min_grade`` or better (1: every related one, 2: the useful ones).
    Demands without judgments are skipped.
    """
    if data is None:
        data = load_labelled()
    judged = qrels_by_demand(data)
    per_query: dict[str, dict[str, float]] = {}
    for demand in data["demands"]:
        grades = judged.get(demand["id"])
        if not grades:
            continue
        ranked = list(rank_fn(demand))
        per_query[demand["id"]] = {
            "ndcg": ndcg_at_k(ranked, grades, k_ndcg),
            "recall": recall_at_k(ranked, grades, k_recall, min_grade),
        }
    n = len(per_query)
    return {
        "ndcg": sum(v["ndcg"] for v in per_query.values()) / n if n else 0.0,
        "recall": sum(v["recall"] for v in per_query.values()) / n if n else 0.0,
        "queries": n,
        "k_ndcg": k_ndcg,
        "k_recall": k_recall,
        "per_query": per_query,
    }
