"""The evaluation metrics against hand-worked values, and the labelled set's shape."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections import defaultdict

import pytest

from feidi.techmarket.evaluation.metrics import evaluate
from feidi.techmarket.evaluation.metrics import load_labelled
from feidi.techmarket.evaluation.metrics import ndcg_at_k
from feidi.techmarket.evaluation.metrics import recall_at_k

L2 = math.log2


# --- nDCG -----------------------------------------------------------------------------------------

def test_ndcg_perfect_ranking_is_one():
    grades = {"a": 3, "b": 2, "c": 0}
    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(1.0)


def test_ndcg_worked_example():
    grades = {"a": 3, "b": 2, "c": 1, "d": 0}
    # ranking: c, x (unjudged → 0), a, b
    # DCG  = (2^1−1)/log2(2) + 0/log2(3) + (2^3−1)/log2(4) + (2^2−1)/log2(5)
    #      = 1/1 + 0 + 7/2 + 3/2.321928 = 1 + 3.5 + 1.292030 = 5.792030
    # IDCG = 7/log2(2) + 3/log2(3) + 1/log2(4) + 0 = 7 + 1.892789 + 0.5 = 9.392789
    # nDCG = 5.792030 / 9.392789 = 0.616646
    dcg = 1 / L2(2) + 0 + 7 / L2(4) + 3 / L2(5)
    idcg = 7 / L2(2) + 3 / L2(3) + 1 / L2(4)
    assert dcg == pytest.approx(5.792030, abs=1e-6)
    assert idcg == pytest.approx(9.392789, abs=1e-6)
    assert ndcg_at_k(["c", "x", "a", "b"], grades) == pytest.approx(0.616646, abs=1e-6)


def test_ndcg_cut_at_k_and_ideal_from_all_judged():
    grades = {"a": 3, "b": 3, "c": 2}
    # k=2, ranking c, a: DCG = 3/log2(2) + 7/log2(3) = 3 + 4.416508 = 7.416508
    # ideal cut at 2: 7/1 + 7/log2(3) = 7 + 4.416508 = 11.416508 → 0.649630
    assert ndcg_at_k(["c", "a", "b"], grades, k=2) == pytest.approx(7.416508 / 11.416508, abs=1e-6)
    assert ndcg_at_k(["c", "a", "b"], grades, k=2) == pytest.approx(0.649630, abs=1e-6)


def test_ndcg_best_item_outside_top_k_scores_zero_and_repeats_earn_nothing():
    grades = {"a": 3}
    # ten distinct unjudged ids, then a at rank 11: nothing in the top 10 earns gain
    assert ndcg_at_k([f"x{i}" for i in range(10)] + ["a"], grades, k=10) == 0.0
    # "a" twice: the repeat adds nothing, so the score is that of a at rank 1 → 1.0
    assert ndcg_at_k(["a", "a"], grades) == pytest.approx(1.0)
    # ranking a at rank 2 only: 7/log2(3) / 7 = 1/1.584963 = 0.630930
    assert ndcg_at_k(["x", "a"], grades) == pytest.approx(0.630930, abs=1e-6)


def test_ndcg_all_zero_judgments_scores_zero():
    assert ndcg_at_k(["a", "b"], {"a": 0, "b": 0}) == 0.0
    assert ndcg_at_k([], {"a": 2}) == 0.0


# --- recall ---------------------------------------------------------------------------------------

def test_recall_worked_example():
    grades = {"a": 3, "b": 2, "c": 1, "d": 0}
    # relevant (grade ≥ 1) = {a, b, c}; top-3 of [d, a, x, c] = d, a, x → found {a} → 1/3
    assert recall_at_k(["d", "a", "x", "c"], grades, k=3) == pytest.approx(1 / 3)
    # top-50 holds a and c → 2/3
    assert recall_at_k(["d", "a", "x", "c"], grades) == pytest.approx(2 / 3)
    # min_grade=2: relevant = {a, b}; top-50 holds a → 1/2
    assert recall_at_k(["d", "a", "x", "c"], grades, min_grade=2) == pytest.approx(0.5)


def test_recall_no_relevant_scores_zero():
    assert recall_at_k(["a"], {"a": 0}) == 0.0


# --- evaluate -------------------------------------------------------------------------------------

def test_evaluate_means_over_queries():
    data = {
        "demands": [{"id": "D1"}, {"id": "D2"}, {"id": "D3"}],
        "supplies": [{"id": s} for s in "abc"],
        "qrels": [
            {"demand": "D1", "supply": "a", "grade": 3},
            {"demand": "D2", "supply": "b", "grade": 3},
            {"demand": "D2", "supply": "c", "grade": 1},
        ],
    }
    rankings = {"D1": ["a"], "D2": ["c", "b"], "D3": ["a"]}
    out = evaluate(lambda d: rankings[d["id"]], data)
    # D1: 1.0.  D2: DCG = 1/1 + 7/log2(3) = 1 + 4.416508 = 5.416508;
    #     IDCG = 7 + 1/log2(3) = 7 + 0.630930 = 7.630930 → 0.709810.  D3 has no judgments: skipped.
    assert out["queries"] == 2
    assert out["per_query"]["D2"]["ndcg"] == pytest.approx(0.709810, abs=1e-6)
    assert out["ndcg"] == pytest.approx((1.0 + 0.709810) / 2, abs=1e-6)
    assert out["recall"] == pytest.approx(1.0)
    assert "D3" not in out["per_query"]
    # recall@1: D1 finds a; D2 finds c (grade 1) but not b: 1/2 of its related, 0 of its useful ones
    assert evaluate(lambda d: rankings[d["id"]], data, k_recall=1)["recall"] == pytest.approx((1 + 0.5) / 2)
    assert evaluate(lambda d: rankings[d["id"]], data, k_recall=1, min_grade=2)["recall"] == pytest.approx(0.5)


# --- the labelled set -----------------------------------------------------------------------------

CHAINS = {"光伏", "锂电新能源", "新能源汽车", "光学/新光电", "电子信息", "生物医药", "低空经济",
          "有色金属新材料", "数字经济"}
DEMAND_KEYS = {"id", "title", "description", "keywords", "field", "chain", "segment", "kind", "enterprise"}
SUPPLY_KEYS = {"id", "title", "description", "keywords", "field", "chain", "maturity", "transfer_mode",
               "institution"}


@pytest.fixture(scope="module")
def data():
    return load_labelled()


def test_labelled_set_is_well_formed(data):
    assert set(data) == {"about", "demands", "supplies", "qrels"} and data["about"].strip()
    demands, supplies, qrels = data["demands"], data["supplies"], data["qrels"]
    assert len(demands) >= 100 and len(supplies) >= 260 and len(qrels) >= 320

    d_ids = [d["id"] for d in demands]
    s_ids = [s["id"] for s in supplies]
    assert len(set(d_ids)) == len(d_ids) and len(set(s_ids)) == len(s_ids)
    assert all(re.fullmatch(r"D\d{3}", i) for i in d_ids) and all(re.fullmatch(r"S\d{3}", i) for i in s_ids)

    for d in demands:
        assert set(d) == DEMAND_KEYS, d["id"]
        assert d["chain"] in CHAINS and d["segment"] and d["kind"] in {"key_core", "common"}
        assert "有限公司" in d["enterprise"]
        assert 80 <= len(d["description"]) <= 250, d["id"]
        assert d["keywords"] and all(k.strip() for k in d["keywords"])
    for s in supplies:
        assert set(s) == SUPPLY_KEYS, s["id"]
        assert s["chain"] in CHAINS
        assert s["maturity"] in {"实验室", "小试", "中试", "产业化"}
        assert s["transfer_mode"] in {"transfer", "license", "equity", "joint"}
        assert re.search(r"(大学|研究院|实验室|研究所|研究中心)", s["institution"]), s["institution"]
        assert 80 <= len(s["description"]) <= 250, s["id"]
        assert s["keywords"] and all(k.strip() for k in s["keywords"])

    d_set, s_set = set(d_ids), set(s_ids)
    pairs = [(q["demand"], q["supply"]) for q in qrels]
    assert len(set(pairs)) == len(pairs), "a pair is judged twice"
    per_demand = defaultdict(list)
    for q in qrels:
        assert q["demand"] in d_set and q["supply"] in s_set, q
        assert q["grade"] in {0, 1, 2, 3}
        per_demand[q["demand"]].append(q["grade"])
    for d in d_ids:
        assert 3 in per_demand[d], f"{d} has no grade-3 supply"
        assert 3 <= len(per_demand[d]) <= 5, d
    # every grade is used, and most demands have a judged hard negative
    assert set(Counter(q["grade"] for q in qrels)) == {0, 1, 2, 3}
    assert sum(0 in g for g in per_demand.values()) >= 0.8 * len(d_ids)


def test_every_chain_is_covered(data):
    assert {d["chain"] for d in data["demands"]} == CHAINS
    assert {s["chain"] for s in data["supplies"]} == CHAINS


def test_best_supply_does_not_copy_the_demand_title(data):
    supplies = {s["id"]: s for s in data["supplies"]}
    demands = {d["id"]: d for d in data["demands"]}
    for q in data["qrels"]:
        if q["grade"] == 3:
            assert supplies[q["supply"]]["title"] != demands[q["demand"]]["title"]


def test_evaluate_runs_on_the_labelled_set(data):
    from feidi.techmarket.evaluation.metrics import qrels_by_demand

    judged = qrels_by_demand(data)
    # an oracle that ranks the judged supplies by grade scores 1.0 on both measures
    def oracle(d):
        return sorted(judged[d["id"]], key=lambda s: -judged[d["id"]][s])

    out = evaluate(oracle, data)
    assert out["queries"] == len(data["demands"])
    assert out["ndcg"] == pytest.approx(1.0) and out["recall"] == pytest.approx(1.0)


# --- the independent set --------------------------------------------------------------------------

def test_the_independent_set_is_well_formed_and_apart_from_the_labelled_one(data):
    """independent.json (issue 20): written apart from labelled.json, demands first; every demand
    has a supply that solves it and most have a judged hard negative; no text is shared."""
    from feidi.techmarket.evaluation.metrics import INDEPENDENT_PATH

    other = load_labelled(INDEPENDENT_PATH)
    assert set(other) == {"about", "demands", "supplies", "qrels"} and "不用来调" in other["about"]
    demands, supplies = other["demands"], other["supplies"]
    assert len(demands) >= 40 and len(supplies) >= 120
    d_ids, s_ids = {d["id"] for d in demands}, {s["id"] for s in supplies}
    assert len(d_ids) == len(demands) and len(s_ids) == len(supplies)
    per_demand = defaultdict(dict)
    for q in other["qrels"]:
        assert q["demand"] in d_ids and q["supply"] in s_ids and q["grade"] in {0, 1, 2, 3}
        assert q["supply"] not in per_demand[q["demand"]], "a pair is judged twice"
        per_demand[q["demand"]][q["supply"]] = q["grade"]
    assert all(3 in grades.values() for grades in per_demand.values()) and len(per_demand) == len(demands)
    assert sum(0 in grades.values() for grades in per_demand.values()) >= 0.8 * len(demands)
    texts = {x["title"] for x in (*data["demands"], *data["supplies"])}
    assert not texts & {x["title"] for x in (*demands, *supplies)}
    # the solving supply is written in another register: it does not repeat the demand's title
    by_id = {x["id"]: x for x in (*demands, *supplies)}
    for d, grades in per_demand.items():
        for s, g in grades.items():
            if g == 3:
                assert by_id[s]["title"] != by_id[d]["title"]
