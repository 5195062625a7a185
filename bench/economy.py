"""Issue 6 benchmark: 累计同比 by zone × industry over 10,000,000 monthly rows, ours beside DuckDB
and pandas on the same rows in the same run, with identical results asserted; then the zone
dashboard page and a 100,000-row .xlsx import.

Builds on PostgreSQL (database ``feidi_bench_economy``) ~57,000 enterprises in 6 zones (each with
its administration, under one city) and 30 industry divisions, a third of them labelled 规上,
8 indicators × 24 months of cumulative values (some enterprises only in one of the two years, so
the comparable set differs from the total), with SQL ``generate_series``; reuses them when the
counts match. The rows are written behind the application's back, so the maintained cells are
then filled from them (``cells.rebuild``, timed). Then:
  - ours: ``feidi.indicators.engine.yoy(…, "zone_industry")`` over the rows a city leader sees
    (``IndicatorValue.objects.visible_to(user)``), as the analysis page and the API ask it,
  - DuckDB (2 threads) over the same rows loaded once into DuckDB; only the query is timed,
  - pandas over the same rows loaded once into a DataFrame; only the computation is timed,
and asserts the three agree on every group's total, comparable sums and growth.
  - the zone dashboard (经济运行看板) as a zone leader, in-process through Django's test client:
    p50/p95 over ``--requests`` requests — target ≤ 300 ms,
  - a 100,000-row import: two months of 50,000 enterprises in the import page's template (all
    eight indicator columns), their stored rows removed first, then ``importing.run`` end to end
    (read, check, write, cells) — target ≤ 30 s; afterwards the rows are as before and the cells
    agree with them. Baseline in the same run: the same values by one plain COPY into the same
    table (the floor any import pays for the rows and indexes alone), rolled back.
DuckDB and pandas come from the ``bench`` extra: ``pip install -e ".[bench]"`` (``make bench``).

    .venv/bin/python bench/economy.py [--orgs 56900] [--runs 5] [--requests 30] [--import-rows 100000]
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

from foundation import ensure_database  # noqa: E402
from foundation import measure  # noqa: E402
from foundation import p95  # noqa: E402
from foundation import setup_django  # noqa: E402

MONTHS = 24  # January of last year … December of this year (bench data, not the calendar)
START = dt.date(2025, 1, 1)
PERIOD = dt.date(2026, 10, 1)  # the month asked about


def build(n_orgs: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from feidi.accounts import actions as acc
    from feidi.accounts.models import Department
    from feidi.core.context import acting
    from feidi.indicators.models import Indicator
    from feidi.indicators.models import IndicatorValue
    from feidi.registry.models import Zone

    call_command("migrate", verbosity=0)
    indicators = list(Indicator.objects.order_by("pk").values_list("pk", flat=True))
    expected = n_orgs * len(indicators) * MONTHS - _missing(n_orgs) * len(indicators) * 12
    if IndicatorValue.objects.count() == expected and not IndicatorValue.objects.filter(department=None).exists():
        return
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE indicators_indicatorvalue, indicators_indicatorcell, registry_organizationlabel, "
                    "registry_organization, registry_zone RESTART IDENTITY CASCADE")
    from feidi.core.models import DictItem

    kind = DictItem.objects.get(type__code="zone_kind", code="national_etdz")
    with acting("cli"):  # each zone under its administration, all under one city, as installations are
        city = Department.objects.filter(name="测试市", kind="city").first() or acc.do_save_department(
            Department(name="测试市", kind="city"), acting_user=None)
        depts = [Department.objects.filter(name=f"测试园区{i}管委会", parent=city).first() or acc.do_save_department(
            Department(name=f"测试园区{i}管委会", kind="zone", parent=city), acting_user=None) for i in range(6)]
    zones = [Zone.objects.create(name=f"测试园区{i}", kind=kind, host_region="江西省上饶市", department=depts[i]).pk
             for i in range(6)]
    above = DictItem.objects.get(type__code="org_label", code="above_scale").pk
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO registry_organization (name, uscc, kind, industry_code, zone_id, department_id, region, address,
                legal_representative, description, created_at, updated_at, version, sample)
            SELECT '企业' || g, '91' || lpad(g::text, 16, '0'), 'enterprise', 'C' || lpad((13 + g %% 30)::text, 2, '0') || '00',
                   (%s::int[])[1 + (g / 30) %% 6], (%s::int[])[1 + (g / 30) %% 6], '', '', '', '', now(), now(), 1, true
            FROM generate_series(1, %s) g""", [zones, [d.pk for d in depts], n_orgs])
        # a third labelled 规上: since 2020, or (every ninth of those) only from the second year
        cur.execute("""
            INSERT INTO registry_organizationlabel (organization_id, label_id, since, note, department_id, created_at,
                updated_at, version, sample)
            SELECT id, %s, CASE WHEN id %% 9 = 0 THEN DATE %s ELSE DATE '2020-01-01' END, '', department_id, now(),
                   now(), 1, true
            FROM registry_organization WHERE id %% 3 = 0""", [above, dt.date(START.year + 1, 1, 1)])
        # enterprises with id % 11 = 0 report only this year (new), id % 13 = 0 only last year (left)
        cur.execute("""
            INSERT INTO indicators_indicatorvalue (organization_id, indicator_id, period, value, zone_id, department_id,
                industry, source, confirmed_warning, entered_at, sample)
            SELECT o.id, i, (DATE %s + (m || ' month')::interval)::date,
                   round(((o.id %% 997) + 50) * (m %% 12 + 1) * (1 + (m / 12) * ((o.id %% 7) - 2) / 20.0)
                         * (1 + i %% 3), 4),
                   o.zone_id, o.department_id, substr(o.industry_code, 2, 2), 'import', '', now(), true
            FROM registry_organization o
            CROSS JOIN unnest(%s::int[]) AS i
            CROSS JOIN generate_series(0, %s) AS m
            WHERE NOT (o.id %% 11 = 0 AND m < 12) AND NOT (o.id %% 13 = 0 AND m >= 12)""",
                    [START, indicators, MONTHS - 1])
        cur.execute("VACUUM ANALYZE indicators_indicatorvalue")  # index-only scans need the visibility map
        cur.execute("ANALYZE registry_organization")
        cur.execute("ANALYZE registry_organizationlabel")
    print(f"built {IndicatorValue.objects.count():,} rows in {time.perf_counter() - t0:.0f} s")


def fill_cells() -> float:
    """The rows were written by SQL, not through the actions: fill the cells from them."""
    from django.db import connection

    from feidi.indicators import cells

    t0 = time.perf_counter()
    written = cells.rebuild()
    seconds = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE indicators_indicatorcell")
    print(f"cells filled from the rows: {written:,} cells in {seconds:.1f} s (cells.rebuild: one GROUP BY per indicator × month)")
    return seconds


def bench_users() -> dict:
    from django.utils import timezone

    from feidi.accounts import actions as acc
    from feidi.accounts.models import Department
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.core.context import acting

    city = Department.objects.get(name="测试市", kind="city")
    zone = Department.objects.get(name="测试园区0管委会", parent=city)
    with acting("cli"):
        for username, name, role, dept in (("bench_city", "市领导", "city_leader", city),
                                           ("bench_zone", "园区主要领导", "zone_leader", zone),
                                           ("bench_stats", "市统计局", "statistics", city)):
            user = User.objects.filter(username=username).first()
            if user is None or user.department_id != dept.pk:
                User.objects.filter(username=username).delete()
                acc.do_create_user(User(username=username, full_name=name, department=dept), password=None,
                                   roles=[Role.objects.get(code=role)], acting_user=None)
    # fresh passwords, so the policy's forced change does not redirect the measured page
    User.objects.filter(username__startswith="bench_").update(password_changed_at=timezone.now())
    return {u.username: u for u in User.objects.filter(username__startswith="bench_")}


def _missing(n_orgs: int) -> int:
    """Enterprise-years left out: ids divisible by 11 miss last year, by 13 this year (143: both)."""
    return n_orgs // 11 + n_orgs // 13


def ours(user, revenue) -> dict:
    from feidi.indicators import engine
    from feidi.indicators.models import IndicatorValue

    rows = engine.yoy(IndicatorValue.objects.visible_to(user), revenue, PERIOD, "zone_industry")
    return {r.key: (r.total, r.comparable_now, r.comparable_before, r.count, r.comparable_count) for r in rows}


# 同口径 over this month's set S: Σ_S now against Σ_S a year earlier, where an enterprise without a
# row a year earlier (a new entrant) counts 0 there — so "now" is the whole of S, as the engine's
# comparable_now (feidi/indicators/engine.py, Row; since 148d86e)
QUERY = """
SELECT c.zone_id, c.industry, sum(c.value) AS total, count(*) AS n,
       sum(c.value) AS now, sum(p.value) AS was, count(p.value) AS paired
FROM v c LEFT JOIN v p ON p.organization_id = c.organization_id AND p.indicator_id = c.indicator_id
                      AND p.period = DATE '{prev}'
WHERE c.indicator_id = {ind} AND c.period = DATE '{period}'
GROUP BY 1, 2
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=56_900)  # × 8 × 24, less the left-out years ≈ 10,000,000
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--only", choices=["yoy", "dashboard", "import"], help="run one part (after the build)")
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
    users = bench_users()
    if args.only == "dashboard":
        return dashboard(users["bench_zone"], args.requests)
    if args.only == "import":
        return import_rows(users["bench_stats"], args.import_rows)
    fill_seconds = fill_cells()
    from django.db import connection

    from feidi.indicators import cells
    from feidi.indicators.models import Indicator
    from feidi.indicators.models import IndicatorValue

    revenue = Indicator.objects.get(code="revenue")
    total_rows = IndicatorValue.objects.count()
    assert cells.cell_filter(IndicatorValue.objects.visible_to(users["bench_city"])) is not None, "not from cells"

    timings = {}
    result = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = ours(users["bench_city"], revenue)
        timings.setdefault("ours (cells, PostgreSQL)", []).append(time.perf_counter() - t0)

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
        joined["now"] = joined["value"]  # Σ_S, as the QUERY's
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
        for mine, theirs in ((t, row.total), (nw, row.now), (w, row.was)):
            assert abs(float(mine) - theirs) < 1e-6 * max(1.0, float(mine)), (row, mine, theirs)
    print(f"\n10M-row question: 累计同比 of 主营业务收入 by zone × industry, {PERIOD:%Y-%m}; "
          f"{total_rows:,} rows, {len(ours_n)} groups; results identical (ours = DuckDB exactly, pandas to 1e-6)")
    base = statistics.median(timings["DuckDB (2 threads)"])
    print(f"{'engine':<22}{'min s':>8}{'median s':>10}{'× DuckDB':>10}")
    for name, values in timings.items():
        print(f"{name:<22}{min(values):>8.3f}{statistics.median(values):>10.3f}{statistics.median(values) / base:>10.2f}")
    print("target: ours within 1.5× DuckDB")
    print(f"cells filled from {total_rows:,} rows in {fill_seconds:.1f} s (once, after the SQL build)")
    db.close()
    del frame

    if args.only is None:
        dashboard(users["bench_zone"], args.requests)
        import_rows(users["bench_stats"], args.import_rows)


def dashboard(user, n: int) -> None:
    """The zone dashboard as the zone's leader sees it, in-process (no network): p50/p95."""
    from django.test import Client
    from django.test import override_settings
    from django.urls import reverse

    with override_settings(ALLOWED_HOSTS=["*"], STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        client = Client()
        client.force_login(user)
        url = reverse("indicators:dashboard")
        page = client.get(url).content.decode()
        assert "测试园区0" in page, "the dashboard does not show the leader's zone"
        times = measure(client, url, n)
    verdict = "ok" if p95(times) <= 300 else "SLOW"
    print(f"\nzone dashboard (经济运行看板) as {user.full_name}, {n} requests: p50 {statistics.median(times):.0f} ms, "
          f"p95 {p95(times):.0f} ms — target ≤ 300 ms: {verdict}")


def import_rows(user, n_rows: int) -> None:
    """``n_rows`` rows (two months of n_rows/2 enterprises, every indicator column) in the import
    page's template: the stored rows of those months are removed, then imported back through
    ``importing.run`` (read, check, write, cells), timed end to end."""
    import xlsxwriter
    from django.db.models import Sum
    from python_calamine import CalamineWorkbook

    from feidi.indicators import cells
    from feidi.indicators import importing
    from feidi.indicators.models import Indicator
    from feidi.indicators.models import IndicatorCell
    from feidi.indicators.models import IndicatorValue
    from feidi.registry.models import Organization

    months = [dt.date(PERIOD.year, 11, 1), dt.date(PERIOD.year, 12, 1)]
    indicators = list(Indicator.objects.filter(active=True))
    orgs = list(Organization.objects.filter(indicator_values__period=months[-1], indicator_values__indicator=indicators[0])
                .order_by("pk").values_list("pk", "uscc", "name")[:n_rows // len(months)])
    ids = [pk for pk, _, _ in orgs]
    stored = IndicatorValue.objects.filter(organization_id__in=ids, period__in=months)
    values = {(o, i, p): v for o, i, p, v in stored.values_list("organization_id", "indicator_id", "period", "value")}
    header = CalamineWorkbook.from_filelike(io.BytesIO(importing.template_bytes())).get_sheet_by_index(0).to_python()[0]
    columns = {c: next(i for i in indicators if str(h).startswith(i.name)) for c, h in enumerate(header) if c >= 3}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("指标数据")
    sheet.write_row(0, 0, header)
    r = 0
    for month in months:
        for pk, code, name in orgs:
            r += 1
            sheet.write_string(r, 0, code)
            sheet.write_string(r, 1, name)
            sheet.write_string(r, 2, f"{month:%Y-%m}")
            for c, indicator in columns.items():
                value = values.get((pk, indicator.pk, month))
                if value is not None:
                    sheet.write_number(r, c, float(value))
    book.close()
    data = buffer.getvalue()
    before = stored.count(), sum(values.values())
    from django.db import connection
    from django.db import transaction

    with transaction.atomic():  # make room for the file, keeping the cells right (not timed)
        slices = {(i.pk, m) for i in indicators for m in months}
        cells.lock(i.pk for i in indicators)
        stored.delete()
        cells.refresh(cells.with_pairs(slices))
    # The deleted rows must not weigh on the timed import as dead tuples that a live table's
    # autovacuum would have cleared long before (autovacuum is off on the bench's server, and
    # without this every run of the bench leaves 800,000 more and clears the visibility map).
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE indicators_indicatorvalue")
    # Baseline: the same values written the plainest way PostgreSQL takes them — one COPY into the
    # same table and indexes, no file, no checks, no cells — then rolled back (not kept).
    plain = sorted((o, i, p, v) for (o, i, p), v in values.items())
    entered = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        with cur.copy(f"COPY {IndicatorValue._meta.db_table} (organization_id, indicator_id, period, value, "
                      "industry, source, confirmed_warning, sample, entered_at) FROM STDIN") as copy:
            for o, i, p, v in plain:
                copy.write_row((o, i, p, v, "", "import", "", False, entered))
        transaction.set_rollback(True)
    copy_seconds = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE indicators_indicatorvalue")  # clear the rolled-back rows
    t0 = time.perf_counter()
    outcome = importing.run(data, "bench.xlsx", user)
    seconds = time.perf_counter() - t0
    assert outcome.applied and not outcome.errors and not outcome.warnings, (outcome.errors[:3], outcome.warnings[:3])
    after = stored.count(), sum(stored.values_list("value", flat=True))
    assert after == before, (before, after)
    for indicator in indicators:  # the cells agree with the rows they summarise
        for month in months:
            rows = IndicatorValue.objects.filter(indicator=indicator, period=month).aggregate(s=Sum("value"))["s"]
            assert IndicatorCell.objects.filter(indicator=indicator, period=month).aggregate(s=Sum("total"))["s"] == rows
    verdict = "ok" if seconds <= 30 else "SLOW"
    print(f"\n.xlsx import: {r:,} rows × {len(columns)} indicators ({outcome.created:,} values, {len(data) / 1e6:.1f} MB) "
          f"through importing.run (read, check, write, cells, commit) in {seconds:.1f} s — target ≤ 30 s: {verdict}")
    print(f"baseline: the same {len(plain):,} values by one plain COPY into the same table (no file, no checks, "
          f"no cells) {copy_seconds:.1f} s; ours {seconds / copy_seconds:.2f}× that")


if __name__ == "__main__":
    main()
