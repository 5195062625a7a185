"""Issue 15 benchmark: 我的待办 and the 驾驶舱 at province scale, beside a bare Django view.

Builds on PostgreSQL (database ``feidi_bench_economy``, shared with bench/economy.py and reused
when its counts match) the economy bench's ~57,000 enterprises in 6 zones under one city with 24
months of eight indicators (~10,000,000 rows, maintained cells filled), then adds what waits for
people: 60,000 appeals (2 % past their deadline, 2 % waiting to be accepted), 6,000 projects across
the stages with owners and leaders, 3,000 problems and 3,000 dispatch tasks (a tenth overdue).

Then measures server time in-process (Django's handler, no network), p50/p95 over ``--requests``:
  - a bare Django view (middleware, session, auth; nothing of ours) — the baseline,
  - /todo/ (我的待办) as the zone's 安商办 (its appeals), the zone leader and the city leader,
  - the home page (待办 groups and the overview) as the zone leader,
  - /cockpit/ (驾驶舱) as the zone leader and as the city leader (every zone).
The navigation's 待办 count is cached for a minute, as in production. The cockpit's economy figures
are kept between requests until a value, a published figure, a sharing agreement, a label or the
viewer's roles change (``core.cache``, bumped on commit): measured as served (warm) and with the
cache dropped before every request (cold, the first request after an import). Target: p95 ≤ 150 ms.

    .venv/bin/python bench/workbench.py [--orgs 56900] [--appeals 60000] [--projects 6000] [--requests 40]
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

from foundation import ensure_database, measure, p95, setup_django  # noqa: E402

TARGET_MS = 150


def build_work(n_appeals: int, n_projects: int, users: dict) -> None:
    """Appeals, projects, problems and tasks spread over the six zones (idempotent by count)."""
    from django.db import connection
    from django.utils import timezone

    from feidi.accounts.models import Department
    from feidi.core.models import DictItem
    from feidi.projects.models import Dispatch, Problem, Project, Stage, Task
    from feidi.registry.models import Organization, Zone
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
    from feidi.accounts.models import Role, User
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
    parser.add_argument("--database", default=os.environ.get(
        "FEIDI_BENCH_ECONOMY_URL", "postgres://postgres@127.0.0.1:5432/feidi_bench_economy"))
    args, _ = parser.parse_known_args()
    ensure_database(args.database)
    setup_django(args.database)
    from economy import bench_users, fill_cells
    from economy import build as build_economy

    from feidi.indicators.models import IndicatorCell

    build_economy(args.orgs)
    if not IndicatorCell.objects.exists():
        fill_cells()
    users = more_users(bench_users())
    build_work(args.appeals, args.projects, users)

    from django.core.cache import cache
    from django.http import HttpResponse
    from django.test import Client, override_settings
    from django.urls import include, path

    import feidi.urls

    def bare(request):
        return HttpResponse("ok")

    bench_urls = type(sys)("bench_urls")
    bench_urls.urlpatterns = [path("__bare__/", bare), path("", include(feidi.urls))]
    sys.modules["bench_urls"] = bench_urls
    cases = [("bare Django view", "bench_service", "/__bare__/"),
             ("我的待办 /todo/ — 安商办 (zone)", "bench_service", "/todo/"),
             ("我的待办 /todo/ — zone leader", "bench_zone", "/todo/"),
             ("我的待办 /todo/ — city leader", "bench_city", "/todo/"),
             ("home page — zone leader", "bench_zone", "/"),
             ("驾驶舱 /cockpit/ — zone leader", "bench_zone", "/cockpit/"),
             ("驾驶舱 /cockpit/ — city leader (every zone)", "bench_city", "/cockpit/"),
             ("驾驶舱 — zone leader, cold (figures recomputed)", "bench_zone", "/cockpit/"),
             ("驾驶舱 — city leader, cold (figures recomputed)", "bench_city", "/cockpit/")]
    results = []
    with override_settings(ROOT_URLCONF="bench_urls", ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False, STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        clients = {}
        for label, username, url in cases:
            if username not in clients:
                clients[username] = Client()
                clients[username].force_login(users[username])
            cold = cache.clear if "cold" in label else None  # the cached economy dropped before each
            results.append((label, measure(clients[username], url, args.requests, before=cold)))
    base = p95(results[0][1])
    print(f"\n{args.orgs:,} enterprises, {args.appeals:,} appeals, {args.projects:,} projects; "
          f"{args.requests} requests each, in-process")
    print(f"{'case':<46}{'p50 ms':>9}{'p95 ms':>9}{'× bare':>9}")
    for label, times in results:
        verdict = "" if label.startswith("bare") or "cold" in label else (
            "  ok" if p95(times) <= TARGET_MS else "  SLOW")
        print(f"{label:<46}{statistics.median(times):>9.1f}{p95(times):>9.1f}{p95(times) / base:>9.1f}{verdict}")


if __name__ == "__main__":
    main()
