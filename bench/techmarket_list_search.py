"""The market's keyword search (2026-12-06): the supplies list searched as a staff user on
PostgreSQL, as the commit before searched it and as today's does, alternated in one process over
the same rows. Before: the text as typed and folded and the thesaurus's equivalents, in one OR
over the list's columns and the organization's name across the join (PostgreSQL tests each joined
row). Today: also the text as Hong Kong and Taiwan write it (``script.traditional_forms``), and
each table searched apart as a subquery of ids (``ScopedFilterSet.filter_search``), which reads the
trigram indexes of migration techmarket 0011.

Builds on database ``feidi_bench_market``: the demo (``feidi demo``), then synthetic published
supplies up to ``--supplies`` (one in fifty with a title in traditional characters). Prints, for a
query with no traditional form, one with one and one with two, the p50 of the list's two queries
(the count and the first page, ranked by relevance) before and after, and the ratio.

    .venv/bin/python bench/techmarket_list_search.py [--supplies 5000] [--rounds 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foundation import ensure_database  # noqa: E402
from foundation import setup_django  # noqa: E402

URL = "postgres://postgres@127.0.0.1:5432/feidi_bench_market"
WORDS = ["钙钛矿", "异质结", "封装", "胶膜", "银浆", "锂电", "隔膜", "电解液", "无人机", "激光", "光学镜头", "传感器", "芯片",
         "涂层", "焊接", "软件", "视觉检测", "储能", "氢能", "电机"]
QUERIES = ("ABC", "钙钛矿", "视觉检测软件")  # no traditional form, one (鈣鈦礦), two (…軟件, …軟體)


def build(n: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from feidi.core.models import DictItem
    from feidi.registry.models import Organization
    from feidi.techmarket.models import Supply

    call_command("migrate", verbosity=0)
    if not Organization.objects.exists():
        call_command("demo", verbosity=0)
    missing = n - Supply.objects.count()
    if missing <= 0:
        return
    orgs, field, rng = list(Organization.objects.all()[:50]), DictItem.objects.first(), random.Random(1)
    rows = []
    for i in range(missing):
        title = "".join(rng.sample(WORDS, 3)) + str(i)
        rows.append(Supply(organization=rng.choice(orgs), field=field, status="published",
                           title=("鈣鈦礦" + title) if i % 50 == 0 else title,
                           description="、".join(rng.sample(WORDS, 8)) * 3, keywords=" ".join(rng.sample(WORDS, 4))))
    Supply.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--supplies", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--database", default=URL)
    args = parser.parse_args()
    ensure_database(args.database)
    setup_django(args.database)
    build(args.supplies)

    from feidi.accounts.models import User
    from feidi.core.filters import ScopedFilterSet
    from feidi.lib.script import traditional_forms
    from feidi.techmarket import filtersets
    from feidi.techmarket.models import Supply

    user = User.objects.filter(username="tech").first()
    today = filtersets.MarketFilterSet.search_words

    today_search = ScopedFilterSet.filter_search

    def before(self, value):  # the commit before: no traditional forms
        return list(dict.fromkeys([*ScopedFilterSet.search_words(self, value), *filtersets.thesaurus_equivalents(value)]))

    def before_search(self, queryset, name, value):  # the commit before: one OR across the join
        from django.db.models import Q

        words = self.search_words(value.strip())
        ranked = today_search(self, queryset, name, value)  # the same rank annotation
        found = Q()
        for field in self.search_fields:
            for word in words:
                found |= Q(**{f"{field}__icontains": word})
        return queryset.filter(found).annotate(search_rank=ranked.query.annotations["search_rank"])

    def run(words, q) -> tuple[float, int]:
        filtersets.MarketFilterSet.search_words = words
        ScopedFilterSet.filter_search = today_search if words is today else before_search
        t0 = time.perf_counter()
        qs = filtersets.SupplyFilterSet({"q": q}, queryset=Supply.objects.all(), user=user).qs
        found = qs.count()
        list(qs.order_by("-search_rank", "-created_at").values_list("pk", flat=True)[:25])
        return time.perf_counter() - t0, found

    print(f"{Supply.objects.count():,} supplies on PostgreSQL; the list's count and first page, p50 of {args.rounds}")
    for q in QUERIES:
        times: dict[str, list[float]] = {"before": [], "today": []}
        found = {}
        for _ in range(args.rounds):
            for name, words in (("before", before), ("today", today)):
                seconds, found[name] = run(words, q)
                times[name].append(seconds)
        a, b = (statistics.median(times[k]) * 1000 for k in ("before", "today"))
        print(f"  {q}: before {a:.1f} ms ({found['before']} rows), today {b:.1f} ms ({found['today']} rows, "
              f"{len(traditional_forms(q))} more words), ratio {b / a:.2f}")
    filtersets.MarketFilterSet.search_words = today
    ScopedFilterSet.filter_search = today_search


if __name__ == "__main__":
    main()
