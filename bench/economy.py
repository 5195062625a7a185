"""Issue 6 benchmark: 累计同比 by zone × industry over 10,000,000 monthly rows, ours beside DuckDB
and pandas on the same rows in the same run, with identical results asserted.

Builds on PostgreSQL (database ``feidi_bench_economy``) ~57,000 enterprises in 6 zones and 30
industry divisions, 8 indicators × 24 months of cumulative values (some enterprises only in one of
the two years, so the comparable set differs from the total), with SQL ``generate_series``; reuses
them when the counts match. Then:
  - ours: ``feidi.indicators.engine.yoy(…, "zone_industry")`` on PostgreSQL (server-side SQL),
  - DuckDB (2 threads) over the same rows loaded once into DuckDB; only the query is timed,
  - pandas over the same rows loaded once into a DataFrame; only the computation is timed,
and asserts the three agree on every group's total, comparable sums and growth.
DuckDB and pandas come from the ``bench`` extra: ``pip install -e ".[bench]"`` (``make bench``).

    .venv/bin/python bench/economy.py [--orgs 52084] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foundation import ensure_database, setup_django  # noqa: E402

MONTHS = 24  # January of last year … December of this year (bench data, not the calendar)
START = dt.date(2025, 1, 1)
PERIOD = dt.date(2026, 10, 1)  # the month asked about


def build(n_orgs: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from feidi.indicators.models import Indicator, IndicatorValue
    from feidi.registry.models import Zone

    call_command("migrate", verbosity=0)
    indicators = list(Indicator.objects.order_by("pk").values_list("pk", flat=True))
    expected = n_orgs * len(indicators) * MONTHS - _missing(n_orgs) * len(indicators) * 12
    if IndicatorValue.objects.count() == expected:
        return
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE indicators_indicatorvalue, registry_organization, registry_zone RESTART IDENTITY CASCADE")
    from feidi.core.models import DictItem

    kind = DictItem.objects.get(type__code="zone_kind", code="national_etdz")
    zones = [Zone.objects.create(name=f"测试园区{i}", kind=kind, host_region="江西省上饶市").pk for i in range(6)]
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO registry_organization (name, uscc, kind, industry_code, zone_id, region, address,
                legal_representative, description, created_at, updated_at, version, sample)
            SELECT '企业' || g, '91' || lpad(g::text, 16, '0'), 'enterprise', 'C' || lpad((13 + g %% 30)::text, 2, '0') || '00',
                   (%s::int[])[1 + (g / 30) %% 6], '', '', '', '', now(), now(), 1, true
            FROM generate_series(1, %s) g""", [zones, n_orgs])
        # enterprises with id % 11 = 0 report only this year (new), id % 13 = 0 only last year (left)
        cur.execute("""
            INSERT INTO indicators_indicatorvalue (organization_id, indicator_id, period, value, zone_id, industry,
                source, confirmed_warning, entered_at, sample)
            SELECT o.id, i, (DATE %s + (m || ' month')::interval)::date,
                   round(((o.id %% 997) + 50) * (m %% 12 + 1) * (1 + (m / 12) * ((o.id %% 7) - 2) / 20.0)
                         * (1 + i %% 3), 4),
                   o.zone_id, substr(o.industry_code, 2, 2), 'import', '', now(), true
            FROM registry_organization o
            CROSS JOIN unnest(%s::int[]) AS i
            CROSS JOIN generate_series(0, %s) AS m
            WHERE NOT (o.id %% 11 = 0 AND m < 12) AND NOT (o.id %% 13 = 0 AND m >= 12)""",
                    [START, indicators, MONTHS - 1])
        cur.execute("ANALYZE indicators_indicatorvalue")
        cur.execute("ANALYZE registry_organization")
    print(f"built {IndicatorValue.objects.count():,} rows in {time.perf_counter() - t0:.0f} s")


def _missing(n_orgs: int) -> int:
    """Enterprise-years left out: ids divisible by 11 miss last year, by 13 this year (143: both)."""
    return n_orgs // 11 + n_orgs // 13


def ours(revenue) -> dict:
    from feidi.indicators import engine
    from feidi.indicators.models import IndicatorValue

    rows = engine.yoy(IndicatorValue.objects.all(), revenue, PERIOD, "zone_industry")
    return {r.key: (r.total, r.comparable_now, r.comparable_before, r.count, r.comparable_count) for r in rows}


QUERY = """
SELECT c.zone_id, c.industry, sum(c.value) AS total, count(*) AS n,
       sum(c.value) FILTER (WHERE p.value IS NOT NULL) AS now, sum(p.value) AS was, count(p.value) AS paired
FROM v c LEFT JOIN v p ON p.organization_id = c.organization_id AND p.indicator_id = c.indicator_id
                      AND p.period = DATE '{prev}'
WHERE c.indicator_id = {ind} AND c.period = DATE '{period}'
GROUP BY 1, 2
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=56_900)  # × 8 × 24, less the left-out years ≈ 10,000,000
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default=os.environ.get(
        "FEIDI_BENCH_ECONOMY_URL", "postgres://postgres@127.0.0.1:5432/feidi_bench_economy"))
    args, _ = parser.parse_known_args()
    try:
        import duckdb
        import pandas as pd
    except ImportError:
        sys.exit('DuckDB and pandas are needed: .venv/bin/pip install -e ".[bench]" (make bench does it)')
    ensure_database(args.database)
    setup_django(args.database)
    build(args.orgs)
    from django.db import connection

    from feidi.indicators.models import Indicator, IndicatorValue

    revenue = Indicator.objects.get(code="revenue")
    total_rows = IndicatorValue.objects.count()

    timings = {}
    result = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = ours(revenue)
        timings.setdefault("ours (PostgreSQL)", []).append(time.perf_counter() - t0)

    # the same rows, once, into DuckDB and pandas (not timed)
    buffer = io.BytesIO()
    with connection.cursor() as cur, cur.copy(
            "COPY (SELECT organization_id, indicator_id, period, value, zone_id, industry "
            "FROM indicators_indicatorvalue) TO STDOUT WITH (FORMAT csv)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    frame = pd.read_csv(buffer, names=["organization_id", "indicator_id", "period", "value", "zone_id", "industry"],
                        dtype={"industry": "string"}, parse_dates=["period"])
    db = duckdb.connect()
    db.execute("SET threads = 2")
    db.register("frame", frame)
    db.execute("CREATE TABLE v AS SELECT organization_id, indicator_id, period::DATE AS period, "
               "value::DECIMAL(20,4) AS value, zone_id, industry FROM frame")
    db.unregister("frame")
    query = QUERY.format(prev=PERIOD.replace(year=PERIOD.year - 1), ind=revenue.pk, period=PERIOD)
    duck = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        duck = db.execute(query).fetchall()
        timings.setdefault("DuckDB (2 threads)", []).append(time.perf_counter() - t0)

    panda = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        rev = frame[frame["indicator_id"] == revenue.pk]
        cur = rev[rev["period"] == pd.Timestamp(PERIOD)]
        prev = rev[rev["period"] == pd.Timestamp(PERIOD.replace(year=PERIOD.year - 1))][["organization_id", "value"]]
        joined = cur.merge(prev, on="organization_id", how="left", suffixes=("", "_was"))
        joined["now"] = joined["value"].where(joined["value_was"].notna())
        panda = joined.groupby(["zone_id", "industry"]).agg(
            total=("value", "sum"), n=("value", "size"), now=("now", "sum"), was=("value_was", "sum"),
            paired=("value_was", "count")).reset_index()
        timings.setdefault("pandas", []).append(time.perf_counter() - t0)

    # identical results
    ours_n = {k: v for k, v in result.items()}
    duck_n = {(z, ind): (Decimal(str(t)), Decimal(str(nw or 0)), Decimal(str(w or 0)), n, p)
              for z, ind, t, n, nw, w, p in duck}
    assert set(ours_n) == set(duck_n), "groups differ from DuckDB's"
    for key, (t, nw, w, n, p) in ours_n.items():
        dt_, dnw, dw, dn, dp = duck_n[key]
        assert (t, nw, w, n, p) == (dt_, dnw, dw, dn, dp), (key, (t, nw, w, n, p), duck_n[key])
    for row in panda.itertuples():
        t, nw, w, n, p = ours_n[(row.zone_id, str(row.industry))]
        assert n == row.n and p == row.paired
        assert abs(float(t) - row.total) < 1e-6 * max(1.0, float(t)) and abs(float(w) - row.was) < 1e-6 * max(1.0, float(w))
    print(f"\n10M-row question: 累计同比 of 主营业务收入 by zone × industry, {PERIOD:%Y-%m}; "
          f"{total_rows:,} rows, {len(ours_n)} groups; results identical (ours = DuckDB exactly, pandas to 1e-6)")
    base = statistics.median(timings["DuckDB (2 threads)"])
    print(f"{'engine':<22}{'min s':>8}{'median s':>10}{'× DuckDB':>10}")
    for name, values in timings.items():
        print(f"{name:<22}{min(values):>8.3f}{statistics.median(values):>10.3f}{statistics.median(values) / base:>10.2f}")
    print("target: ours within 1.5× DuckDB")


if __name__ == "__main__":
    main()
