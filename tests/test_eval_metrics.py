"""The evaluation metrics against hand-worked values, and the labelled set's shape."""

from __future__ import annotations

import json
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


def test_the_paired_randomisation_test_tells_a_steady_difference_from_chance():
    from feidi.techmarket.evaluation.metrics import paired_p

    same = {str(i): 0.5 for i in range(20)}
    assert paired_p(same, dict(same)) == 1.0  # no difference at all
    steady = {k: v + 0.1 for k, v in same.items()}
    assert paired_p(steady, same) < 0.001 and paired_p(same, steady) < 0.001  # either way
    one = {**same, "0": 1.0}  # one demand's worth: any sign of it is as large
    assert paired_p(one, same) == 1.0
    mixed = {k: v + (0.1 if int(k) % 2 else -0.1) for k, v in same.items()}  # better on half, worse on half
    assert paired_p(mixed, same) == 1.0
    # ten of twenty better by 0.1: p = 2 × P(the sum of 10 fair ±1 ≥ 10) = 2 / 1024
    ten = {k: v + (0.1 if int(k) < 10 else 0.0) for k, v in same.items()}
    assert paired_p(ten, same) == pytest.approx(2 / 1024, abs=0.001)
    # demands one side does not score (None) are left out; a demand only one side has too
    assert paired_p({**steady, "x": None}, {**same, "x": 0.9, "y": 0.1}) == paired_p(steady, same)
    assert paired_p(steady, same) == paired_p(steady, same)  # the seed is fixed: the same report twice


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


def test_a_measure_is_averaged_over_the_demands_it_is_defined_for():
    """A demand judged only "same chain, another problem" has no useful supply: its recall of the
    useful ones is undefined, not 0 (it would count as a miss no ranking could avoid); a demand
    judged only irrelevant has neither nDCG nor recall."""
    data = {
        "demands": [{"id": "D1"}, {"id": "D2"}, {"id": "D3"}],
        "supplies": [{"id": s} for s in "abcd"],
        "qrels": [
            {"demand": "D1", "supply": "a", "grade": 3},
            {"demand": "D1", "supply": "b", "grade": 2},
            {"demand": "D2", "supply": "c", "grade": 1},
            {"demand": "D3", "supply": "d", "grade": 0},
        ],
    }
    rankings = {"D1": ["a", "x"], "D2": ["c"], "D3": ["d"]}
    useful = evaluate(lambda d: rankings[d["id"]], data, k_recall=1, min_grade=2)
    assert useful["recall"] == pytest.approx(0.5) and useful["recall_queries"] == 1  # D1 alone: a of a, b
    assert useful["per_query"]["D2"]["recall"] is None and useful["per_query"]["D3"]["recall"] is None
    related = evaluate(lambda d: rankings[d["id"]], data, k_recall=1)
    assert related["recall"] == pytest.approx((0.5 + 1.0) / 2) and related["recall_queries"] == 2
    assert related["ndcg_queries"] == 2 and related["per_query"]["D3"]["ndcg"] is None
    assert related["queries"] == 3  # every judged demand was run


def _write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False),
                        encoding="utf-8")
    return path


def _small_set(**changes):
    data = {"about": "示例", "demands": [{"id": 1, "title": "背板发黄", "keywords": ["背板", "发黄"]}],
            "supplies": [{"id": "P1", "title": "共挤背板", "description": "耐紫外"},
                         {"id": "P2", "title": "光伏支架", "description": None}],
            "qrels": [{"demand": "1", "supply": "P1", "grade": 3}, {"demand": 1, "supply": "P2", "grade": 0}]}
    data.update(changes)
    return data


def test_an_evaluation_set_is_read_with_every_id_as_text(tmp_path):
    from feidi.techmarket.evaluation.metrics import qrels_by_demand

    data = load_labelled(_write(tmp_path, "ok.json", _small_set()))
    assert [d["id"] for d in data["demands"]] == ["1"]  # demand 1 and "1" are the same demand
    assert qrels_by_demand(data) == {"1": {"P1": 3, "P2": 0}}
    spaced = load_labelled(_write(tmp_path, "spaced.json", _small_set(
        qrels=[{"demand": " 1", "supply": "P1 ", "grade": 3}, {"demand": 1, "supply": " P2", "grade": 0}])))
    assert qrels_by_demand(spaced) == {"1": {"P1": 3, "P2": 0}}  # a spreadsheet's stray spaces


def test_judgments_written_as_pytrec_eval_writes_them_are_the_same_judgments(tmp_path):
    """qrels as ``{demand: {supply: grade}}`` (pytrec_eval's and ir_datasets' form) read as the
    list; a problem in them is named by where it is written."""
    from feidi.techmarket.evaluation.metrics import EvaluationSetError
    from feidi.techmarket.evaluation.metrics import qrels_by_demand

    as_list = load_labelled(_write(tmp_path, "list.json", _small_set()))
    as_map = load_labelled(_write(tmp_path, "map.json", _small_set(qrels={"1": {"P1": 3, "P2": 0}})))
    assert as_map["qrels"] == as_list["qrels"] and qrels_by_demand(as_map) == {"1": {"P1": 3, "P2": 0}}
    with pytest.raises(EvaluationSetError) as caught:
        load_labelled(_write(tmp_path, "bad.json", _small_set(qrels={"1": {"P1": 3, "P9": 5}, "Q7": 2})))
    assert caught.value.problems == ["qrels['Q7']：应是 成果 id → 分级 的对象",
                                     "qrels['1']['P9']：成果 P9 不在 supplies 中",
                                     "qrels['1']['P9']：分级 grade 应是 0、1、2、3 之一，而不是 5"]
    with pytest.raises(EvaluationSetError) as caught:
        load_labelled(_write(tmp_path, "text.json", _small_set(qrels="Q1 0 P1 3")))
    assert caught.value.problems == ["qrels 应是列表（或 需求 id → {成果 id: 分级} 的对象）"]


def test_a_grade_written_as_its_digit_or_as_a_whole_float_is_that_grade(tmp_path):
    """A set exported from a spreadsheet writes grades as text ("3") or as floats (2.0): the same
    judgments; 2.5, "三" and true are no grade."""
    from feidi.techmarket.evaluation.metrics import EvaluationSetError

    data = load_labelled(_write(tmp_path, "text.json", _small_set(
        qrels=[{"demand": 1, "supply": "P1", "grade": " 3"}, {"demand": 1, "supply": "P2", "grade": 2.0}])))
    assert [(q["supply"], q["grade"]) for q in data["qrels"]] == [("P1", 3), ("P2", 2)]
    assert all(type(q["grade"]) is int for q in data["qrels"])
    with pytest.raises(EvaluationSetError) as caught:
        load_labelled(_write(tmp_path, "bad.json", _small_set(
            qrels=[{"demand": 1, "supply": "P1", "grade": 2.5}, {"demand": 1, "supply": "P2", "grade": "三"}])))
    assert [p.split("而不是")[1].strip() for p in caught.value.problems] == ["2.5", "'三'"]


@pytest.mark.parametrize(("content", "expected"), [
    ('{"demands": [', ["不是有效的 JSON：第 1 行第 14 列"]),
    (b'{"demands": "\xb1\xb3"}', ["不是 UTF-8 编码的文本（第 14 个字节）"]),
    ([], ["顶层应是含 demands、supplies、qrels 的 JSON 对象，而不是数组"]),
    ({"demands": [], "supplies": "P1"}, ["supplies 应是列表", "缺少 qrels 列表"]),
    (_small_set(demands=[{"id": 1, "title": "背板发黄"}, {"id": "1", "title": "又一条"}, {"title": "无 id"},
                         {"id": True, "title": " "}, "D9", {"id": "D8", "title": "x", "keywords": 3}]),
     ["demands[1]：需求 id 1 重复", "demands[2]：缺少 id（文本或整数）", "demands[3]：缺少 id（文本或整数）",
      "demands[3]：缺少标题 title", "demands[4]：应是对象", "demands[5]：keywords 应是文本或文本列表"]),
    (_small_set(qrels=[{"demand": "1", "supply": "P1", "grade": 3}, {"demand": "Q7", "supply": "P9", "grade": 2},
                       {"demand": "1", "supply": "P2", "grade": "high"}, {"demand": "1", "supply": "P2", "grade": 4},
                       {"demand": "1", "supply": "P1", "grade": True}, ["1", "P1", 3]]),
     ["qrels[1]：需求 Q7 不在 demands 中", "qrels[1]：成果 P9 不在 supplies 中",
      "qrels[2]：分级 grade 应是 0、1、2、3 之一，而不是 'high'", "qrels[3]：分级 grade 应是 0、1、2、3 之一，而不是 4",
      "qrels[3]：需求 1 与成果 P2 已判过一次", "qrels[4]：分级 grade 应是 0、1、2、3 之一，而不是 True",
      "qrels[4]：需求 1 与成果 P1 已判过一次", "qrels[5]：应是含 demand、supply、grade 的对象"]),
    (_small_set(qrels=[{"demand": "1", "supply": "P2", "grade": 0}]),
     ["qrels 中没有分级 ≥ 1 的标注：没有相关成果，无从评测"]),
])
def test_an_evaluation_set_that_does_not_hold_together_is_refused_naming_each_problem(tmp_path, content, expected):
    from feidi.techmarket.evaluation.metrics import EvaluationSetError

    with pytest.raises(EvaluationSetError) as caught:
        load_labelled(_write(tmp_path, "set.json", content))
    assert len(caught.value.problems) == len(expected)
    for problem, wanted in zip(caught.value.problems, expected, strict=True):
        assert problem.startswith(wanted), problem


def test_a_missing_file_and_a_long_list_of_problems_are_said_plainly(tmp_path):
    from feidi.techmarket.evaluation.metrics import MAX_PROBLEMS
    from feidi.techmarket.evaluation.metrics import EvaluationSetError

    with pytest.raises(EvaluationSetError) as caught:
        load_labelled(tmp_path / "nope.json")
    assert caught.value.problems == ["文件不存在"] and "nope.json" in str(caught.value)
    many = _small_set(qrels=[{"demand": "1", "supply": f"X{i}", "grade": 3} for i in range(MAX_PROBLEMS + 7)])
    with pytest.raises(EvaluationSetError) as caught:
        load_labelled(_write(tmp_path, "many.json", many))
    assert len(caught.value.problems) == MAX_PROBLEMS + 1 and caught.value.problems[-1] == "另有 7 处问题"


def test_feidi_match_eval_refuses_a_bad_set_before_measuring_anything(tmp_path):
    from django.core.management import CommandError
    from django.core.management import call_command

    bad = _write(tmp_path, "bad.json", _small_set(qrels=[{"demand": "Q7", "supply": "P1", "grade": 3}]))
    with pytest.raises(CommandError) as caught:
        call_command("match", "eval", "--no-semantic", "--labelled", str(tmp_path / "nope.json"),
                     "--independent", str(bad))
    message = str(caught.value)  # both files' problems, each named
    assert "评测集 labelled" in message and "文件不存在" in message
    assert "评测集 independent" in message and "qrels[0]：需求 Q7 不在 demands 中" in message


def test_feidi_match_eval_says_which_demands_a_measure_leaves_out(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    good = _write(tmp_path, "good.json", _small_set())
    odd = _small_set(demands=[{"id": 1, "title": "背板发黄"}, {"id": 2, "title": "支架生锈"}, {"id": 3, "title": "逆变器"},
                              {"id": 4, "title": "未判"}],
                     qrels=[{"demand": 1, "supply": "P1", "grade": 3}, {"demand": 2, "supply": "P2", "grade": 1},
                            {"demand": 3, "supply": "P2", "grade": 0}])
    out = StringIO()
    call_command("match", "eval", "--no-semantic", "--labelled", str(good),
                 "--independent", str(_write(tmp_path, "odd.json", odd)),
                 "--held-out", str(good), stdout=out)  # not the shipped blind sets: the header is the claim
    lines = out.getvalue().splitlines()
    assert lines[0] == "labelled：1 条需求，2 条成果，2 条标注（调参用）"
    assert lines[1] == ("independent：4 条需求，2 条成果，3 条标注（不用于调参，决定分词设置）；其中 1 条没有标注，"
                        "不计入任何指标；1 条没有分级 ≥ 1 的成果，不计入 nDCG@10、R@10、R@50；"
                        "1 条没有分级 ≥ 2 的成果，不计入 R@10≥2")


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


def _graded_as_written(data):
    """Every demand of a set written demands first is judged, with one supply of each grade 3, 2
    and 1 and at least one hard negative (grade 0)."""
    per_demand = defaultdict(list)
    for q in data["qrels"]:
        per_demand[q["demand"]].append(q["grade"])
    assert len(per_demand) == len(data["demands"])
    for grades in per_demand.values():
        assert sorted(g for g in grades if g) == [1, 2, 3] and 0 in grades


@pytest.mark.parametrize("name", ["blind_a", "blind_b"])
def test_the_blind_sets_are_well_formed_and_apart_from_the_others(data, name):
    """blind_a.json and blind_b.json: written by writers who saw neither the engine, nor its
    vocabulary, nor the other sets (30 demands each over other chains); every demand has one
    supply of each grade 3, 2 and 1 and at least one judged hard negative; never used for tuning."""
    from feidi.techmarket.evaluation.metrics import INDEPENDENT_PATH

    blind = load_labelled(INDEPENDENT_PATH.with_name(f"{name}.json"))
    assert "盲写" in blind["about"] and "从不用来调" in blind["about"]
    assert len(blind["demands"]) == 30 and len(blind["supplies"]) >= 140
    _graded_as_written(blind)
    others = {x["title"] for path in (None, INDEPENDENT_PATH) for key in ("demands", "supplies")
              for x in load_labelled(path)[key]}
    assert not others & {x["title"] for x in (*blind["demands"], *blind["supplies"])}


def test_the_english_set_is_the_independent_one_in_english():
    """independent_en.json (bench/techmarket_scripts.py): the same demands, supplies and judgments
    as independent.json, every title, description and keyword written in English."""
    from feidi.techmarket.evaluation.metrics import INDEPENDENT_PATH

    chinese = load_labelled(INDEPENDENT_PATH)
    english = load_labelled(INDEPENDENT_PATH.with_name("independent_en.json"))
    assert english["qrels"] == chinese["qrels"]
    for key in ("demands", "supplies"):
        assert [x["id"] for x in english[key]] == [x["id"] for x in chinese[key]]
        for item, original in zip(english[key], chinese[key], strict=True):
            assert item["chain"] == original["chain"] and len(item["keywords"]) == len(original["keywords"])
            text = " ".join([item["title"], item["description"], *item["keywords"]])
            assert not re.search(r"[\u4e00-\u9fff]", text), item["id"]


def test_the_workshop_tuning_set_of_the_weights_bench_is_well_formed():
    """bench/workshop.json (bench/techmarket_weights.py): a tuning set written as the held-out sets
    were, every demand with one supply of each grade 3, 2 and 1 and a judged hard negative."""
    from pathlib import Path

    workshop = load_labelled(Path(__file__).resolve().parent.parent / "bench" / "workshop.json")
    assert len(workshop["demands"]) == 60 and "调参" in workshop["about"]
    _graded_as_written(workshop)
