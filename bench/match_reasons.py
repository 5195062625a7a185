"""匹配度's cost: the reasons of each match with the share of the query's weight it holds
(``BM25Index.share``) beside the share alone and the top-10 search itself, on one core.

Builds its own data (``bench/techmarket.py``'s synthetic supplies, the shipped thesaurus), takes
``--queries`` of them as demands, finds each one's top 10 with expansion, then times ``reasons``
for every hit (what a page and a push call), ``share`` alone, and the search; prints µs a match
and the share's part of the reasons.

    .venv/bin/python bench/match_reasons.py [--docs 20000] [--queries 300]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import onecore  # one thread, before numpy / numba load

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    onecore.pin()

    import django

    django.setup()
    from techmarket import chains_vocabulary
    from techmarket import make_docs

    from feidi.techmarket.matching import thesaurus as th
    from feidi.techmarket.matching.index import BM25Index
    from feidi.techmarket.matching.segment import Segmenter

    rng = random.Random(args.seed)
    groups, entries = chains_vocabulary(), th.load_file()
    docs = make_docs(args.docs, rng, groups)
    index = BM25Index(Segmenter([w for ws in groups.values() for w in ws] + th.words(entries))).build(docs)
    words = th.Thesaurus(entries, index.seg)
    queries = [index.query(d, words) for d in rng.sample(docs, min(args.queries, len(docs)))]
    hits = [index.search_terms(q, k=10, expansion=x) for q, x in queries]
    n = sum(len(h) for h in hits)
    held = [[set(index._forward(h.slot)[0].tolist()) for h in hs] for hs in hits]

    t0 = time.perf_counter()
    for (q, x), hs in zip(queries, hits, strict=True):
        for h in hs:
            index.reasons(h.slot, q, x)
    t1 = time.perf_counter()
    for (q, x), terms in zip(queries, held, strict=True):
        for t in terms:
            index.share(t, q, x)
    t2 = time.perf_counter()
    for q, x in queries:
        index.search_terms(q, k=10, expansion=x)
    t3 = time.perf_counter()

    reasons, share = 1e6 * (t1 - t0) / n, 1e6 * (t2 - t1) / n
    search = 1e3 * (t3 - t2) / len(queries)
    print(f"{len(docs):,} supplies, {len(queries)} demands, {n} matches")
    print(f"reasons with the share: {reasons:.1f} µs a match; the share alone {share:.1f} µs "
          f"({share / reasons:.0%} of the reasons); a top-10: {10 * reasons / 1e3:.2f} ms of reasons "
          f"beside {search:.2f} ms of search")


if __name__ == "__main__":
    main()
