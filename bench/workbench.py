"""Issue 15 benchmark: 我的待办 and the 驾驶舱 at province scale, beside a bare Django view.

Builds on PostgreSQL (database ``feidi_bench_economy``, shared with bench/economy.py and reused
when its counts match) the economy bench's ~57,000 enterprises in 6 zones under one city with 24
months of eight indicators (~10,000,000 rows, maintained cells filled), then adds what waits for
people: 60,000 appeals (2 % past their deadline, 2 % waiting to be accepted), 6,000 projects across
the stages with owners and leaders, 3,000 problems and 3,000 dispatch tasks (a tenth overdue).

Then measures server time in-process (Django's handler, no network), p50/p95 over ``--requests``,
repeated ``--rounds`` times (the machine may be shared: the best round and the spread are printed):
  - a bare Django view (middleware, session, auth; nothing of ours) — the baseline,
  - /todo/ (我的待办) as the zone's 安商办 (its appeals), the zone leader and the city leader,
  - the home page (待办 groups and the overview) as the zone leader and the 安商办,
  - /cockpit/ (驾驶舱) as the zone leader and as the city leader (every zone),
each warm (as served: the navigation's 待办 count cached for a minute, the cockpit's figures kept
between requests until their data or the viewer's roles change — ``core.cache``, bumped on commit)
and cold (the cache dropped before every request: the first request after a write or an import),
with the number of SQL queries of one request (which, unlike the times, does not depend on the
load). Target: warm p95 ≤ 150 ms.

    .venv/bin/python bench/workbench.py [--orgs 56900] [--appeals 60000] [--projects 6000] [--requests 40] [--rounds 3]
        [--database postgres://…/feidi_bench_economy]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foundation import ensure_database  # noqa: E402
from foundation import measure  # noqa: E402
from foundation import p95  # noqa: E402
from foundation import setup_django  # noqa: E402

TARGET_MS = 150


def build_work(n_appeals: int, n_projects: int, users: dict) -> None:
    """Appeals, projects, problems and tasks spread over the six zones (idempotent by count)."""
    from django.db import connection
    from django.utils import timezone

    from feidi.accounts.models import Department
    from feidi.core.models import DictItem
    from feidi.projects.models import Dispatch
    from feidi.projects.models import Problem
    from feidi.projects.models import Project
    from feidi.projects.models import Stage
    from feidi.projects.models import Task
    from feidi.registry.models import Organization
    from feidi.registry.models import Zone
    from feidi.services.models import Appeal

    if Appeal.objects.count() >= n_appeals and Project.objects.count() >= n_projects:
        return
    t0 = time.perf_counter()
    Task.objects.all().delete()
    Dispatch.objects.all().delete()
    Problem.objects.all().delete()
    Project.objects.all().delete()
    Appeal.objects.all().delete()
    now, today = timezone.now(), timezone.localdate()
    zones = list(Zone.objects.filter(name__startswith="测试园区").order_by("name"))
    orgs = list(Organization.objects.order_by("pk").values_list("pk", "zone_id", "department_id")[:20_000])
    categories = list(DictItem.objects.filter(type__code="appeal_category"))
    service, leader, invest = users["bench_service"], users["bench_zone"], users["bench_invest"]
    batch = []
    for i in range(n_appeals):
        org, zone_id, dept_id = orgs[i % len(orgs)]
        overdue, waiting = i % 50 == 0, i % 50 == 1
        batch.append(Appeal(
            organization_id=org, category=categories[i % len(categories)], title=f"诉求{i}", content="基准数据",
            status=Appeal.Status.SUBMITTED if waiting else (Appeal.Status.HANDLING if i % 3 else Appeal.Status.CLOSED),
            level=1 + (i % 4 if overdue else 0), owner=service if dept_id == service.department_id else None,
            department_id=dept_id, accepted_at=None if waiting else now,
            deadline=now - dt.timedelta(hours=2) if overdue else now + dt.timedelta(days=5)))
        if len(batch) == 5000:
            Appeal.objects.bulk_create(batch)
            batch = []
    Appeal.objects.bulk_create(batch)
    stages = [Stage.LEAD, Stage.NEGOTIATING, Stage.SIGNED, Stage.STARTED, Stage.PRODUCING, Stage.FULL]
    projects = []
    for i in range(n_projects):
        zone = zones[i % len(zones)]
        stage = stages[i % len(stages)]
        projects.append(Project(
            name=f"基准项目{i}", zone=zone, investor="基准投资方", department_id=zone.department_id, stage=stage,
            owner=invest if zone.department_id == invest.department_id else None,
            leader=leader if zone.department_id == leader.department_id and i % 4 == 0 else None,
            is_key=i % 3 == 0, signed_on=today - dt.timedelta(days=i % 300) if stages.index(stage) >= 2 else None,
            started_on=today - dt.timedelta(days=i % 200) if stages.index(stage) >= 3 else None,
            signed_amount=10_000_000 * (1 + i % 50), planned_investment=20_000_000 * (1 + i % 50)))
    Project.objects.bulk_create(projects, batch_size=2000)
    ids = list(Project.objects.order_by("pk").values_list("pk", "department_id"))
    Problem.objects.bulk_create([Problem(
        project_id=pk, kind="land", description=f"问题{i}", owner_department_id=dept, department_id=dept,
        deadline=today - dt.timedelta(days=1) if i % 10 == 0 else today + dt.timedelta(days=10),
        needs_leadership=i % 7 == 0) for i, (pk, dept) in enumerate(ids[:3000])], batch_size=2000)
    depts = {d.pk: d for d in Department.objects.filter(pk__in={d for _, d in ids})}
    dispatches = {dept: Dispatch.objects.create(department_id=dept, week_start=today - dt.timedelta(days=today.weekday()),
                                                title="基准调度会") for dept in depts}
    Task.objects.bulk_create([Task(
        dispatch=dispatches[dept], project_id=pk, decision=f"议定事项{i}", owner_department_id=dept,
        owner=invest if dept == invest.department_id and i % 5 == 0 else None, department_id=dept,
        deadline=today - dt.timedelta(days=2) if i % 10 == 0 else today + dt.timedelta(days=7))
        for i, (pk, dept) in enumerate(ids[:3000])], batch_size=2000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"built {n_appeals:,} appeals, {n_projects:,} projects, 3,000 problems and 3,000 tasks "
          f"in {time.perf_counter() - t0:.0f} s")


def more_users(users: dict) -> dict:
    from django.utils import timezone

    from feidi.accounts import actions as acc
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.core.context import acting

    zone = users["bench_zone"].department
    with acting("cli"):
        for username, role in (("bench_service", "service_office"), ("bench_invest", "investment")):
            if not User.objects.filter(username=username).exists():
                acc.do_create_user(User(username=username, full_name=username, department=zone), password=None,
                                   roles=[Role.objects.get(code=role)], acting_user=None)
    User.objects.filter(username__startswith="bench_").update(password_changed_at=timezone.now())
    return {u.username: u for u in User.objects.filter(username__startswith="bench_")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=56_900)
    parser.add_argument("--appeals", type=int, default=60_000)
    parser.add_argument("--projects", type=int, default=6_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", metavar="URL", help="time only these pages (and the bare view)")
    parser.add_argument("--database", default=os.environ.get(
        "FEIDI_BENCH_ECONOMY_URL", "postgres://postgres@127.0.0.1:5432/feidi_bench_economy"))
    args, _ = parser.parse_known_args()
    ensure_database(args.database)
    setup_django(args.database)
    from economy import bench_users
    from economy import build as build_economy
    from economy import fill_cells

    from feidi.indicators.models import IndicatorCell

    build_economy(args.orgs)
    if not IndicatorCell.objects.exists():
        fill_cells()
    users = more_users(bench_users())
    build_work(args.appeals, args.projects, users)

    from django.core.cache import cache
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import include
    from django.urls import path

    import feidi.urls

    def bare(request):
        return HttpResponse("ok")

    bench_urls = type(sys)("bench_urls")
    bench_urls.urlpatterns = [path("__bare__/", bare), path("", include(feidi.urls))]
    sys.modules["bench_urls"] = bench_urls
    pages = [("bare Django view", "bench_service", "/__bare__/"),
             ("我的待办 /todo/ — 安商办 (zone)", "bench_service", "/todo/"),
             ("我的待办 /todo/ — zone leader", "bench_zone", "/todo/"),
             ("我的待办 /todo/ — city leader", "bench_city", "/todo/"),
             ("home page — zone leader", "bench_zone", "/"),
             ("home page — 安商办 (zone)", "bench_service", "/"),
             ("驾驶舱 /cockpit/ — zone leader", "bench_zone", "/cockpit/"),
             ("驾驶舱 /cockpit/ — city leader (every zone)", "bench_city", "/cockpit/")]
    pages = [p for p in pages if not args.only or p[2] in args.only or p[2] == "/__bare__/"]
    # warm: as served (the navigation's count, the cockpit's cached figures kept); cold: the cache
    # dropped before every request (the first request after a write or an import)
    cases = [(label, username, url, warm) for warm in (True, False) for label, username, url in pages]
    rounds: dict[tuple, list[list[float]]] = {}
    queries: dict[tuple, int] = {}
    with override_settings(ROOT_URLCONF="bench_urls", ALLOWED_HOSTS=["*"], STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        clients = {}
        for username in {u for _, u, _ in pages}:
            clients[username] = Client()
            clients[username].force_login(users[username])

        def cold():
            cache.clear()  # the session lives in the database: the login survives

        for case in cases:  # the queries of one request (they do not depend on the machine's load)
            label, username, url, warm = case
            clients[username].get(url)
            if not warm:
                cold()
            with CaptureQueriesContext(connection) as captured:
                clients[username].get(url)
            queries[case] = len(captured.captured_queries)
        for r in range(args.rounds):  # rounds apart in time: the machine is shared, its load varies
            for case in cases:
                label, username, url, warm = case
                rounds.setdefault(case, []).append(measure(clients[username], url, args.requests,
                                                           before=None if warm else cold))
            print(f"round {r + 1}/{args.rounds} done (load {os.getloadavg()[0]:.1f})", flush=True)
    print(f"\n{args.orgs:,} enterprises, {args.appeals:,} appeals, {args.projects:,} projects; "
          f"{args.requests} requests each, in-process, {args.rounds} rounds; load now {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    print("best round (the lowest p95) and the spread of p95 over the rounds; × bare: p95 ÷ the bare view's best p95")
    base = min(p95(t) for t in rounds[cases[0]])
    for warm in (True, False):
        print(f"\n{'warm (as served)' if warm else 'cold (cache dropped before each request)':<46}"
              f"{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'× bare':>8}{'p95 spread':>16}")
        for case in cases:
            label, username, url, w = case
            if w != warm:
                continue
            runs = rounds[case]
            best = min(runs, key=p95)
            spread = f"{min(p95(t) for t in runs):.0f}–{max(p95(t) for t in runs):.0f}"
            verdict = "" if label.startswith("bare") or not warm else (
                "  ok" if p95(best) <= TARGET_MS else "  SLOW")
            print(f"{label:<46}{queries[case]:>8}{statistics.median(best):>9.1f}{p95(best):>9.1f}"
                  f"{p95(best) / base:>8.1f}{spread:>16}{verdict}")


if __name__ == "__main__":
    main()
