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


def paired_p(first: Mapping[str, float | None], second: Mapping[str, float | None], *,
             rounds: int = 20000, seed: int = 2026) -> float:
    """How likely a difference of means at least this large, either way, is by chance alone: the
    paired randomisation test (each demand's two scores swapped at random, ``rounds`` times, the
    seed fixed so a report reads the same twice), over the demands both score (not None). 1.0
    when they never differ."""
    import numpy as np

    diffs = np.array([first[k] - second[k] for k in first
                      if first[k] is not None and second.get(k) is not None], dtype=np.float64)
    observed = abs(diffs.sum())
    if not diffs.size or observed < 1e-12:
        return 1.0
    signs = np.random.default_rng(seed).choice((-1.0, 1.0), size=(rounds, diffs.size))
    as_large = np.count_nonzero(np.abs(signs @ diffs) >= observed - 1e-12)
    return float((as_large + 1) / (rounds + 1))


class EvaluationSetError(ValueError):
    """An evaluation set that cannot be read or does not hold together: ``problems`` lists each
    one, where it is and what is wrong, in the reader's words."""

    def __init__(self, path, problems: list[str]):
        self.path, self.problems = str(path), problems
        super().__init__(f"{path}：" + "；".join(problems))


TEXT_FIELDS = ("title", "description", "keywords", "field", "chain", "segment")
GRADES = (0, 1, 2, 3)
_GRADE_DIGITS = {str(g): g for g in GRADES}  # a grade written as its digit
MAX_PROBLEMS = 50  # listed one by one; the rest counted


def _kind(value) -> str:
    """What a JSON value is, in the reader's words."""
    if isinstance(value, list):
        return "数组"
    if isinstance(value, str):
        return "文本"
    if isinstance(value, bool) or value is None:
        return "true/false/null"
    return "数字" if isinstance(value, (int, float)) else "对象"


def _id(value) -> str:
    """An id as compared: its text without the spaces around it (demand 7, "7" and " 7" are one)."""
    return str(value).strip()


def _grade(value) -> int | None:
    """A judgment's grade as an integer 0–3, or None: written as a number (3, 3.0) or as its digit
    ("3", as a spreadsheet exported to JSON leaves it); true/false is no grade."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return _GRADE_DIGITS.get(value.strip())
    if isinstance(value, (int, float)) and value in GRADES:
        return int(value)
    return None


def _qrels_as_list(data) -> list[str]:
    """``qrels`` written as pytrec_eval and ir_datasets write them, ``{demand: {supply: grade}}``,
    turned into this module's list of ``{"demand", "supply", "grade"}`` in place, each judgment
    remembering where it was written (``_where``); what is neither form is left for ``_problems``."""
    qrels = data.get("qrels") if isinstance(data, dict) else None
    if not isinstance(qrels, dict):
        return []
    problems, rows = [], []
    for demand, judged in qrels.items():
        if not isinstance(judged, dict):
            problems.append(f"qrels[{demand!r}]：应是 成果 id → 分级 的对象")
            continue
        rows += [{"demand": demand, "supply": supply, "grade": grade, "_where": f"qrels[{demand!r}][{supply!r}]"}
                 for supply, grade in judged.items()]
    data["qrels"] = rows
    return problems


def _problems(data) -> list[str]:
    """What keeps ``data`` from being an evaluation set, each problem where it is (an empty list:
    none). The ids are compared as text without the spaces around them, so a qrel may name demand
    7 as "7" or " 7"."""
    if not isinstance(data, dict):
        return [f"顶层应是含 demands、supplies、qrels 的 JSON 对象，而不是{_kind(data)}"]
    out = [f"缺少 {key} 列表" if key not in data else f"{key} 应是列表"
           + ("（或 需求 id → {成果 id: 分级} 的对象）" if key == "qrels" else "")
           for key in ("demands", "supplies", "qrels") if not isinstance(data.get(key), list)]
    if out:
        return out
    ids: dict[str, set[str]] = {}
    for key, label in (("demands", "需求"), ("supplies", "成果")):
        seen = ids[key] = set()
        for i, item in enumerate(data[key]):
            where = f"{key}[{i}]"
            if not isinstance(item, dict):
                out.append(f"{where}：应是对象")
                continue
            ident = item.get("id")
            if isinstance(ident, bool) or not isinstance(ident, (str, int)) or not str(ident).strip():
                out.append(f"{where}：缺少 id（文本或整数）")
            elif _id(ident) in seen:
                out.append(f"{where}：{label} id {ident} 重复")
            else:
                seen.add(_id(ident))
            title = item.get("title")
            if not isinstance(title, str) or not title.strip():
                out.append(f"{where}：缺少标题 title")
            for field in TEXT_FIELDS[1:]:
                value = item.get(field)
                if value is not None and not isinstance(value, str) and not (
                        isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    out.append(f"{where}：{field} 应是文本或文本列表")
    if not ids["demands"]:
        out.append("demands 中没有需求")
    if not ids["supplies"]:
        out.append("supplies 中没有成果")
    pairs: set[tuple[str, str]] = set()
    relevant = False
    for i, q in enumerate(data["qrels"]):
        where = q.get("_where", f"qrels[{i}]") if isinstance(q, dict) else f"qrels[{i}]"
        if not isinstance(q, dict):
            out.append(f"{where}：应是含 demand、supply、grade 的对象")
            continue
        demand, supply, grade = q.get("demand"), q.get("supply"), q.get("grade")
        if demand is None or _id(demand) not in ids["demands"]:
            out.append(f"{where}：需求 {demand} 不在 demands 中")
        if supply is None or _id(supply) not in ids["supplies"]:
            out.append(f"{where}：成果 {supply} 不在 supplies 中")
        if _grade(grade) is None:
            out.append(f"{where}：分级 grade 应是 0、1、2、3 之一，而不是 {grade!r}")
        relevant = relevant or bool(_grade(grade))
        pair = (_id(demand), _id(supply))
        if pair in pairs:
            out.append(f"{where}：需求 {demand} 与成果 {supply} 已判过一次")
        pairs.add(pair)
    if not relevant and not out:
        out.append("qrels 中没有分级 ≥ 1 的标注：没有相关成果，无从评测")
    return out


def load_labelled(path: str | Path | None = None) -> dict:
    """An evaluation set as parsed JSON (``about``, ``demands``, ``supplies``, ``qrels``), every id
    as text and every grade an integer. ``path`` defaults to ``labelled.json`` beside this module. A file that cannot be read,
    is not JSON or does not hold together raises ``EvaluationSetError`` naming every problem."""
    path = Path(path or LABELLED_PATH)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise EvaluationSetError(path, ["文件不存在"]) from None
    except IsADirectoryError:
        raise EvaluationSetError(path, ["这是一个目录，不是文件"]) from None
    except PermissionError:
        raise EvaluationSetError(path, ["没有读取这个文件的权限"]) from None
    except OSError as exc:
        raise EvaluationSetError(path, [f"无法读取：{exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise EvaluationSetError(path, [f"不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节）"]) from None
    except json.JSONDecodeError as exc:
        raise EvaluationSetError(path, [f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列（{exc.msg}）"]) from None
    problems = _qrels_as_list(data)
    problems += _problems(data)
    if problems:
        more = len(problems) - MAX_PROBLEMS
        raise EvaluationSetError(path, problems[:MAX_PROBLEMS] + ([f"另有 {more} 处问题"] if more > 0 else []))
    for key in ("demands", "supplies"):
        for item in data[key]:
            item["id"] = _id(item["id"])
    for q in data["qrels"]:
        q.pop("_where", None)
        q["demand"], q["supply"], q["grade"] = _id(q["demand"]), _id(q["supply"]), _grade(q["grade"])
    return data


def qrels_by_demand(data: Mapping) -> dict[str, dict[str, int]]:
    """``{demand_id: {supply_id: grade}}`` from the set's ``qrels`` list."""
    out: dict[str, dict[str, int]] = {}
    for q in data["qrels"]:
        out.setdefault(q["demand"], {})[q["supply"]] = int(q["grade"])
    return out


def defined_mean(values: Iterable[float | None]) -> tuple[float, int]:
    """(the mean, how many) of the values a measure has, leaving out the demands it is not defined
    for (None); 0.0 for none."""
    known = [v for v in values if v is not None]
    return (sum(known) / len(known) if known else 0.0), len(known)


def evaluate(
    rank_fn: Callable[[dict], list[str]],
    data: Mapping | None = None,
    k_ndcg: int = 10,
    k_recall: int = 50,
    min_grade: int = 1,
) -> dict:
    """Run ``rank_fn`` on every judged demand of the set and score it.

    ``rank_fn(demand_dict)`` returns supply ids, best first. Returns
    ``{"ndcg": mean nDCG@k_ndcg, "recall": mean recall@k_recall, "queries": n, "ndcg_queries": …,
    "recall_queries": …, "k_ndcg": …, "k_recall": …, "per_query": {demand_id: {"ndcg": …,
    "recall": …}}}``; recall counts the supplies graded ``min_grade`` or better (1: every related
    one, 2: the useful ones). A measure is averaged over the demands it is defined for: nDCG over
    those with a supply graded 1 or more, recall over those with one graded ``min_grade`` or more
    (a demand judged only "same chain, another problem" has no useful supply to find; it is not a
    miss). Such a demand's per-query value is ``None``; demands without judgments are skipped.
    """
    if data is None:
        data = load_labelled()
    judged = qrels_by_demand(data)
    per_query: dict[str, dict[str, float | None]] = {}
    for demand in data["demands"]:
        grades = judged.get(demand["id"])
        if not grades:
            continue
        ranked = list(rank_fn(demand))
        per_query[demand["id"]] = {
            "ndcg": ndcg_at_k(ranked, grades, k_ndcg) if max(grades.values()) >= 1 else None,
            "recall": recall_at_k(ranked, grades, k_recall, min_grade) if max(grades.values()) >= min_grade else None,
        }
    means = {}
    for measure in ("ndcg", "recall"):
        means[measure], means[f"{measure}_queries"] = defined_mean(v[measure] for v in per_query.values())
    return {
        "ndcg": means["ndcg"],
        "recall": means["recall"],
        "queries": len(per_query),
        "ndcg_queries": means["ndcg_queries"],
        "recall_queries": means["recall_queries"],
        "k_ndcg": k_ndcg,
        "k_recall": k_recall,
        "per_query": per_query,
    }
