"""Issue 16 benchmark: the vocabulary-gap measures at scale, on one core.

- the evaluation sets' supplies (labelled.json and independent.json; with ``--blind`` the blind sets too) mixed into ``--docs`` synthetic supplies (``bench/techmarket.py``'s
  generator): nDCG@10, recall@10 and recall@50 of each set's demands, the engine with the shipped
  thesaurus's expansion, and with pseudo-relevance feedback too, beside plain BM25 with jieba over
  the same mixed corpus;
- top-10 for one demand with the thesaurus's expansion (segmentation and expansion included),
  p50 and p95 over ``--queries`` synthetic demands that each name a thesaurus member, beside the
  same demands without expansion, and with feedback: the engine's one accumulation beside feedback
  by its definition (two full passes), with the ratio; the index build time (CPU).

    .venv/bin/python bench/techmarket_vocabulary.py --docs 100000          # the 100k mix
    .venv/bin/python bench/techmarket_vocabulary.py --docs 100000 --without-related  # … without 相关词
    .venv/bin/python bench/techmarket_vocabulary.py --docs 100000 --blind  # … and the blind sets
    .venv/bin/python bench/techmarket_vocabulary.py --docs 1000000 --no-mix  # latency at 1M
    .venv/bin/python bench/techmarket_vocabulary.py --docs 1000000 --no-mix --build-workers 2  # and the build
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import onecore  # one thread, before numpy / numba load

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-mix", action="store_true", help="latency only")
    parser.add_argument("--blind", action="store_true", help="mix the blind held-out sets' supplies in too, and "
                        "measure their demands (each set's supplies are then distractors for the others')")
    parser.add_argument("--build-workers", type=int, default=0, help="build the index again in this many "
                        "processes on every core, to compare with the one-process build (0: not)")
    parser.add_argument("--without-related", action="store_true", help="the thesaurus without its associative "
                        "relation (the entries with related terms left out), to measure that relation on its own")
    parser.add_argument("--stoplist", choices=["on", "off"], help="the segmentation setting's stop-list "
                        "(default: the kept setting's)")
    args = parser.parse_args()
    onecore.pin()

    import django

    django.setup()
    import numpy as np
    from techmarket import chains_vocabulary
    from techmarket import make_docs

    from feidi.techmarket.evaluation.metrics import INDEPENDENT_PATH
    from feidi.techmarket.evaluation.metrics import evaluate
    from feidi.techmarket.evaluation.metrics import load_labelled
    from feidi.techmarket.matching import thesaurus as th
    from feidi.techmarket.matching.evaluate import to_doc
    from feidi.techmarket.matching.evaluate import without_related
    from feidi.techmarket.matching.index import FEEDBACK
    from feidi.techmarket.matching.index import PLAIN
    from feidi.techmarket.matching.index import BM25Index
    from feidi.techmarket.matching.segment import DEFAULT
    from feidi.techmarket.matching.segment import PlainSegmenter
    from feidi.techmarket.matching.segment import Segmenter
    from feidi.techmarket.matching.segment import split_keywords

    rng = random.Random(args.seed)
    groups = chains_vocabulary()
    entries = th.load_file()
    if args.without_related:
        entries = without_related(entries)
    docs = make_docs(args.docs, rng, groups)
    sets = {} if args.no_mix else {"labelled": load_labelled(), "independent": load_labelled(INDEPENDENT_PATH)}
    if args.blind and sets:
        sets.update((blind, load_labelled(INDEPENDENT_PATH.with_name(f"{blind}.json"))) for blind in ("blind_a", "blind_b"))
    base = 10**9
    names: dict[int, str] = {}
    for k, data in enumerate(sets.values()):
        for i, s in enumerate(data["supplies"]):
            doc = to_doc(s, base * (k + 1) + i)
            names[doc["id"]] = s["id"]
            docs.append(doc)
    words = [w for ws in groups.values() for w in ws] + th.words(entries)
    words += [w for data in sets.values() for item in (*data["demands"], *data["supplies"]) for key in
              ("keywords", "chain", "segment") for w in split_keywords(str(item.get(key) or ""))]
    setting = DEFAULT if args.stoplist is None else replace(DEFAULT, stoplist=args.stoplist == "on")
    index = BM25Index(Segmenter(words, setting=setting))
    c0, t0 = time.thread_time(), time.perf_counter()
    index.build(docs)
    build, wall = time.thread_time() - c0, time.perf_counter() - t0
    thesaurus = th.Thesaurus(entries, index.seg)
    print(onecore.calibrate())
    print(f"{setting.label}; {len(docs):,} supplies ({len(docs) - args.docs:,} from the evaluation sets); build {build:.1f} s CPU, "
          f"{wall:.1f} s wall")
    if args.build_workers > 1:
        with onecore.all_cores() as cores:
            again = BM25Index(Segmenter(words, setting=setting))
            t1 = time.perf_counter()
            again.build(docs, workers=args.build_workers)
            parallel = time.perf_counter() - t1
        same = all(np.array_equal(getattr(again, a), getattr(index, a)) for a in ("m_indptr", "m_docs", "m_tf"))
        print(f"build in {args.build_workers} processes on {cores} cores: {parallel:.1f} s wall, "
              f"{wall / parallel:.2f}× faster than one process; the same index: {same}")
        del again

    if sets:
        plain = BM25Index(PlainSegmenter(words, setting=setting), PLAIN).build(docs)

        print(f"\n{'set':<14}{'method':<26}{'nDCG@10':>9}{'R@10':>8}{'R@50':>8}{'R@10≥2':>9}{'R@10=3':>9}"
              "   (R: share of the supplies graded ≥ 1 found; ≥2 the useful ones; =3 the solving ones)")
        for name, data in sets.items():
            def ours(demand):
                return [names.get(h.id, "") for h in index.search(to_doc(demand, -1), k=50, thesaurus=thesaurus)]

            def bm25(demand):
                return [names.get(h.id, "") for h in plain.search(to_doc(demand, -1), k=50)]

            def prf(demand):
                hits = index.search(to_doc(demand, -1), k=50, thesaurus=thesaurus, feedback=True)
                return [names.get(h.id, "") for h in hits]

            for label, fn in (("plain BM25 (jieba)", bm25), ("engine + thesaurus", ours), ("+ feedback (PRF)", prf)):
                r50, r10 = evaluate(fn, data), evaluate(fn, data, k_recall=10)
                useful = {g: evaluate(fn, data, k_recall=10, min_grade=g)["recall"] for g in (2, 3)}
                print(f"{name:<14}{label:<26}{r50['ndcg']:>9.4f}{r10['recall']:>8.4f}{r50['recall']:>8.4f}"
                      f"{useful[2]:>9.4f}{useful[3]:>9.4f}")

    demands = make_docs(args.queries, rng, groups, start=10**8, long=True)
    # each names a member of a synonym entry (the related entries' workshop words are not in the
    # synthetic corpus): the same demands with or without the associative relation
    named = without_related(entries)
    for d in demands:
        d["description"] += "，采用" + rng.choice(rng.choice(named).members)
    clock = time.thread_time
    index.search(demands[0], k=10, thesaurus=thesaurus)
    rows = {}
    def two_passes(d):
        """Feedback by its definition, the baseline of the one accumulation: a search, then a
        second one with the feedback terms."""
        q, x = index.query(d, thesaurus)
        first = index.search_terms(q, k=FEEDBACK["docs"], expansion=x)
        return index._with_reason(index.search_terms(q, k=20, expansion=index.feedback(q, first, x)), q, x, 10)

    for label, fn in (("without expansion", lambda d: index.search(d, k=10)),
                      ("with expansion", lambda d: index.search(d, k=10, thesaurus=thesaurus)),
                      ("+ feedback (PRF)", lambda d: index.search(d, k=10, thesaurus=thesaurus, feedback=True)),
                      ("  as two full passes", two_passes)):
        times = []
        for d in demands:
            c0 = clock()
            fn(d)
            times.append(clock() - c0)
        rows[label] = times
    n_exp = [len(x.terms) if x else 0 for _, x in (index.query(d, thesaurus) for d in demands)]
    print(f"\ntop-10 for one demand over {len(docs):,} supplies, one core, {len(demands)} demands "
          f"({statistics.mean(n_exp):.1f} expansion terms each on average)")
    for label, times in rows.items():
        print(f"  {label:<20} p50 {statistics.median(times) * 1000:.2f} ms, p95 {np.percentile(times, 95) * 1000:.2f} ms")
    ratio = statistics.median(rows["  as two full passes"]) / statistics.median(rows["+ feedback (PRF)"])
    print(f"  feedback in one accumulation: {ratio:.2f}× faster than two full passes")


if __name__ == "__main__":
    main()
