"""Issue 14 benchmark: a province's month-end through the import job, beside a plain COPY, at two
file sizes, to show the worker's memory bounded by the chunk it holds, not by the file.

Builds on PostgreSQL (database ``feidi_bench_imports`` on FEIDI_BENCH_DATABASE_URL, default the
local server) one zone with 20,000 enterprises and a statistics clerk, then in one run:

  - indicators: 100,000 and 200,000 rows (20,000 enterprises × January–May, then January–October;
    every indicator column of the template, cumulative values) as an .xlsx, their stored values
    removed first; imported through ``core.imports.submit`` — the job the page queues for a file
    this size: read (streamed), checked, written in one transaction, cells refreshed. Target ≤ 60 s
    for 200,000 rows.
  - organizations: 10,000 and 20,000 new enterprises as an .xlsx in the template's columns,
    through the same job; afterwards they are deleted again. Target ≤ 20 s for 20,000.

Each import runs in a fresh child process, which reports its resident memory with Django and the
app loaded and the file read ("before") and its peak during the import (the worker's bound;
"import" is the difference) and the CPU seconds it and its PostgreSQL backend used (a shared
machine stretches the seconds, hardly the CPU); each is set beside the plainest write of the same
rows PostgreSQL takes: one COPY into the same table and indexes (no file, no checks, no audit, no
cells), rolled back. Before the imports
streamed their files (issue 14), 200,000 indicator rows peaked at 912 MB and 20,000
organizations at 891 MB.

    .venv/bin/python bench/imports.py [--enterprises 20000] [--months 10] [--organizations 20000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foundation import ensure_database  # noqa: E402
from foundation import setup_django  # noqa: E402

YEAR = 2026
ZONE = "基准导入园区"


def build(n_enterprises: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from feidi.accounts import actions as acc
    from feidi.accounts.models import Department
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.core.context import acting
    from feidi.core.models import DictItem
    from feidi.lib import uscc
    from feidi.registry.models import Organization
    from feidi.registry.models import Zone

    call_command("migrate", verbosity=0)
    zone = Zone.objects.filter(name=ZONE).first()
    if zone and Organization.objects.filter(zone=zone, name__startswith="基准报送企业").count() == n_enterprises:
        User.objects.filter(username="bench_stats").update(password_changed_at=timezone.now())
        return
    t0 = time.perf_counter()
    with acting("cli"):
        city = Department.objects.filter(name="基准市", kind="city").first() or acc.do_save_department(
            Department(name="基准市", kind="city"), acting_user=None)
        dept = Department.objects.filter(name="基准导入园区管委会", parent=city).first() or acc.do_save_department(
            Department(name="基准导入园区管委会", kind="zone", parent=city), acting_user=None)
        kind = DictItem.objects.get(type__code="zone_kind", code="national_etdz")
        zone = zone or Zone.objects.create(name=ZONE, kind=kind, host_region="江西省上饶市", department=dept)
        Organization.objects.filter(zone=zone).delete()
        Organization.objects.bulk_create(
            [Organization(name=f"基准报送企业{i:05d}", uscc=uscc.make(f"91361100MA{i:06d}"), kind="enterprise",
                          industry_code=("C3825", "C3841", "C3670", "C3976")[i % 4], zone=zone, department=dept)
             for i in range(n_enterprises)], batch_size=5000)
        User.objects.filter(username="bench_stats").delete()
        clerk = User(username="bench_stats", full_name="基准统计员", department=dept)
        acc.do_create_user(clerk, password=None, roles=[Role.objects.get(code="zone_clerk"),
                                                        Role.objects.get(code="statistics")], acting_user=None)
        User.objects.filter(username="bench_stats").update(password_changed_at=timezone.now())
    print(f"built {n_enterprises:,} enterprises in {time.perf_counter() - t0:.1f} s", flush=True)


def indicator_file(months: int) -> tuple[bytes, list[tuple]]:
    """The template's columns, one row per enterprise and month, cumulative values that grow
    evenly (no warnings to confirm); and the same values as rows for the COPY baseline."""
    import xlsxwriter

    from feidi.indicators import importing
    from feidi.indicators.models import Indicator
    from feidi.registry.models import Organization

    indicators = list(Indicator.objects.filter(active=True))
    orgs = list(Organization.objects.filter(zone__name=ZONE).order_by("pk").values_list("pk", "uscc", "name"))
    header = [f"{i.name}({i.unit})" for i in indicators]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet(importing.SHEET_NAMES[0])
    sheet.write_row(0, 0, ["统一社会信用代码", "企业名称", "月份", *header])
    plain, r = [], 0
    for m in range(1, months + 1):
        for pk, code, name in orgs:
            r += 1
            sheet.write_string(r, 0, code)
            sheet.write_string(r, 1, name)
            sheet.write_string(r, 2, f"{YEAR}-{m:02d}")
            for c, indicator in enumerate(indicators):
                base = 1000 + (pk % 997) * (c + 1)
                value = base * m if indicator.kind == "cumulative" else base
                sheet.write_number(r, 3 + c, value)
                plain.append((pk, indicator.pk, dt.date(YEAR, m, 1), value))
    book.close()
    return buffer.getvalue(), plain


def organization_file(n: int, seed: int) -> tuple[bytes, list[tuple]]:
    import xlsxwriter

    from feidi.lib import uscc
    from feidi.registry.importers import OrganizationImporter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet(OrganizationImporter.title)
    sheet.write_row(0, 0, ["名称", "统一社会信用代码", "类型", "行业代码", "所在园区", "注册资本(万元)", "成立日期",
                           "用地面积(亩)", "从业人员"])
    rows = []
    for i in range(n):
        code = uscc.make(f"91361100{seed % 90 + 10:02d}{i:06d}")
        row = [f"新登记企业{seed}-{i:05d}", code, "企业", ("C3825", "C3841")[i % 2], ZONE, 100 + i % 900,
               f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}", 5 + i % 200, 10 + i % 3000]
        sheet.write_string(i + 1, 0, row[0])
        sheet.write_string(i + 1, 1, row[1])
        for c, v in enumerate(row[2:], start=2):
            sheet.write(i + 1, c, v)
        rows.append(row)
    book.close()
    return buffer.getvalue(), rows


def copy_baseline(table: str, columns: list[str], rows: list[tuple]) -> float:
    """One COPY of ``rows`` into ``table`` (its indexes and constraints), rolled back."""
    from django.db import connection
    from django.db import transaction

    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        transaction.set_rollback(True)
    return time.perf_counter() - t0


def memory() -> tuple[float, float]:
    """(resident, peak resident) MB of this process, from Linux's /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def server_cpu() -> float | None:
    """CPU seconds the PostgreSQL backend serving this process has used (a local server's /proc),
    or None: with the worker's own, what an import costs whatever else the machine runs."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(kind: str, path: str) -> None:
    """In a fresh process: one import job as the worker runs it; prints seconds and memory: the
    resident size with Django and the app loaded and the file read, and the peak during the
    import (the peak is reset first, so start-up's own peak does not hide the import's)."""
    from django.contrib.auth import get_user_model

    from feidi.core import imports
    from feidi.core.models import ImportJob

    user = get_user_model().objects.get(username="bench_stats")
    data = Path(path).read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # Linux: the peak resident size starts again from now
    before, _ = memory()
    server_before, t0, cpu0 = server_cpu(), time.perf_counter(), time.process_time()
    job = imports.submit(user, kind, data, Path(path).name)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    server_after = server_cpu()
    job = ImportJob.objects.get(pk=job.pk)
    _, peak = memory()
    print(json.dumps({"seconds": seconds, "status": job.status, "created": job.created, "total": job.total,
                      "errors": job.errors[:3], "message": job.message, "warnings": job.warning_count,
                      "rss_before_mb": before, "rss_peak_mb": peak, "queued": job.size > 0, "cpu": cpu,
                      "server_cpu": None if server_before is None else server_after - server_before}))


def run_child(kind: str, data: bytes, database: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        handle.write(data)
    try:
        out = subprocess.run([sys.executable, __file__, "--child", kind, handle.name, "--database", database],
                             check=True, capture_output=True, text=True, env=os.environ.copy())
    finally:
        os.unlink(handle.name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=10)
    parser.add_argument("--organizations", type=int, default=20_000)
    parser.add_argument("--database", default=os.environ.get(
        "FEIDI_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/feidi_bench_imports"))
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        setup_django(args.database)
        child(*args.child)
        return
    ensure_database(args.database)
    setup_django(args.database)
    build(args.enterprises)

    from django.conf import settings
    from django.db import connection

    from feidi.indicators.models import IndicatorValue
    from feidi.registry.models import Organization

    # --- indicators: half the months, then all ---------------------------------------------------
    stored = IndicatorValue.objects.filter(organization__zone__name=ZONE, period__year=YEAR)
    indicator_runs = []
    for months in sorted({max(1, args.months // 2), args.months}):
        data, plain = indicator_file(months)
        stored.delete()
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE indicators_indicatorvalue")
        entered = dt.datetime.now(dt.UTC)
        copy_seconds = copy_baseline(IndicatorValue._meta.db_table,
                                     ["organization_id", "indicator_id", "period", "value", "industry", "source",
                                      "confirmed_warning", "sample", "entered_at"],
                                     [(o, i, p, v, "", "import", "", False, entered) for o, i, p, v in plain])
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE indicators_indicatorvalue")
        assert len(data) > settings.IMPORT_INLINE_BYTES  # the page would queue it: the job path is measured
        ours = run_child("indicators", data, args.database)
        assert ours["status"] == "done", ours
        assert stored.count() == len(plain), (stored.count(), len(plain))
        indicator_runs.append((args.enterprises * months, len(plain), len(data), ours, copy_seconds))
        del plain
    report("indicator import through the import job (read, check, write, cells, commit)", "values", 60,
           indicator_runs)

    # --- organizations: half, then all -----------------------------------------------------------------
    zone = Organization.objects.filter(zone__name=ZONE).values_list("zone_id", "department_id").first()
    organization_runs = []
    for n in sorted({max(1, args.organizations // 2), args.organizations}):
        seed = int(time.time()) % 10_000
        data, rows = organization_file(n, seed)
        now = dt.datetime.now(dt.UTC)
        copy_seconds = copy_baseline(Organization._meta.db_table,
                                     ["name", "uscc", "kind", "industry_code", "zone_id", "department_id", "region",
                                      "address", "legal_representative", "description", "registered_capital",
                                      "land_area_mu", "employees", "created_at", "updated_at", "version", "sample"],
                                     [(r[0], r[1], "enterprise", r[3], zone[0], zone[1], "", "", "", "", r[5] * 10_000,
                                       r[7], r[8], now, now, 1, False) for r in rows])
        ours = run_child("organizations", data, args.database)
        try:
            assert ours["status"] == "done", ours
            assert Organization.objects.filter(name__startswith=f"新登记企业{seed}-").count() == n
        finally:
            Organization.objects.filter(name__startswith=f"新登记企业{seed}-").delete()
        organization_runs.append((n, n, len(data), ours, copy_seconds))
        time.sleep(1)  # the next file's seed (its codes) differs
    report("organization import through the import job (read, check each row by the form, write, audit)", "records",
           20, organization_runs)


def report(title: str, unit: str, target: float, runs: list[tuple]) -> None:
    """One line per file size: rows, time against the target (the largest file), COPY of the same
    rows, the worker's peak memory and what the import added to it."""
    print(f"\n{title}; target ≤ {target:.0f} s for {runs[-1][0]:,} rows")
    print(f"{'rows':>9} {unit:>10} {'.xlsx':>8} {'ours':>8} {'COPY':>7} {'ratio':>6} {'CPU ours+PG':>12} "
          f"{'peak RSS':>9} {'before':>7} {'import':>7}")
    for rows, written, size, ours, copy_seconds in runs:
        verdict = ("ok" if ours["seconds"] <= target else "SLOW") if rows == runs[-1][0] else ""
        server = "?" if ours["server_cpu"] is None else f"{ours['server_cpu']:.1f}"
        cpu = f"{ours['cpu']:.1f}+{server}s"
        print(f"{rows:>9,} {written:>10,} {size / 1e6:>6.1f}MB {ours['seconds']:>7.1f}s {copy_seconds:>6.2f}s "
              f"{ours['seconds'] / copy_seconds:>5.1f}× {cpu:>12} "
              f"{ours['rss_peak_mb']:>7.0f}MB {ours['rss_before_mb']:>5.0f}MB "
              f"{ours['rss_peak_mb'] - ours['rss_before_mb']:>5.0f}MB {verdict}")
    first, last = runs[0], runs[-1]
    if len(runs) > 1:
        growth = last[3]["rss_peak_mb"] - first[3]["rss_peak_mb"]
        print(f"{last[0] / first[0]:.0f}× the rows: peak memory {growth:+.0f} MB "
              f"({first[3]['rss_peak_mb']:.0f} → {last[3]['rss_peak_mb']:.0f} MB)")

if __name__ == "__main__":
    main()
