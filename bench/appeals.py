"""Issue 4 benchmark: the escalation sweep over 100,000 open appeals and the appeals list.

Builds 100,000 open appeals on PostgreSQL (database ``feidi_bench_appeals``), 1% of them past
their deadline, then measures in one run:
  - the sweep (finds and escalates every overdue appeal) — target ≤ 5 s,
  - a second sweep right after (nothing left to do: the scan alone),
  - the appeals list page (filtered, sorted, paged) p50/p95 beside a bare Django view — target
    p95 ≤ 150 ms.

    .venv/bin/python bench/appeals.py [--appeals 100000] [--overdue 0.01]
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


def build(n: int, overdue: float):
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
    from feidi.services.models import Appeal
    from feidi.services.models import Assignment
    from feidi.services.models import ServiceGroup
    from feidi.services.models import ServiceSettings

    call_command("migrate", verbosity=0)
    if Appeal.objects.count() >= n:
        Appeal.objects.update(level=1, status="handling")
        now = timezone.now()
        ids = list(Appeal.objects.order_by("pk").values_list("pk", flat=True))
        cut = int(len(ids) * overdue)
        Appeal.objects.filter(pk__in=ids[:cut]).update(deadline=now - dt.timedelta(hours=1))
        Appeal.objects.filter(pk__in=ids[cut:]).update(deadline=now + dt.timedelta(days=5))
        return User.objects.get(username="bench_service")
    print(f"building {n:,} appeals …", flush=True)
    with acting("cli"):
        city = acc.do_save_department(Department(name="基准市", kind="city"), acting_user=None)
        dept = acc.do_save_department(Department(name="基准园区管委会", kind="zone", parent=city), acting_user=None)
        kind = DictItem.objects.get(type__code="zone_kind", code="national_etdz")
        zone = Zone.objects.create(name="基准园区", kind=kind, host_region="江西", department=dept)
        users = {}
        for name, role in (("bench_service", "service_office"), ("bench_cadre", "service_cadre"),
                           ("bench_leader", "zone_leader")):
            u = User(username=name, full_name=name, department=dept, password_changed_at=timezone.now())
            acc.do_create_user(u, password=None, roles=[Role.objects.get(code=role)], acting_user=None)
            users[name] = u
        ServiceSettings.objects.create(department=dept, office_head=users["bench_service"],
                                       principal_leader=users["bench_leader"])
        group = ServiceGroup.objects.create(name="基准小组", leader=users["bench_service"], department=dept)
        orgs = Organization.objects.bulk_create([
            Organization(name=f"基准企业{i}", uscc=uscc.make(f"91361100{i:08d}"), zone=zone, department=dept)
            for i in range(2000)])
        Assignment.objects.bulk_create([Assignment(organization=o, cadre=users["bench_cadre"], group=group,
                                                   since=dt.date(2025, 1, 1), department=dept) for o in orgs])
        categories = list(DictItem.objects.filter(type__code="appeal_category"))
        now = timezone.now()
        cut = int(n * overdue)
        batch = []
        for i in range(n):
            batch.append(Appeal(organization=orgs[i % len(orgs)], category=categories[i % len(categories)],
                                title=f"诉求{i}", content="基准数据", status="handling", level=1,
                                owner=users["bench_cadre"], department=dept, accepted_at=now,
                                deadline=now - dt.timedelta(hours=1) if i < cut else now + dt.timedelta(days=5)))
            if len(batch) == 5000:
                Appeal.objects.bulk_create(batch)
                batch = []
        Appeal.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return users["bench_service"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--overdue", type=float, default=0.01)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--database", default=os.environ.get(
        "FEIDI_BENCH_APPEALS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/feidi_bench_appeals"))
    args = parser.parse_args()
    ensure_database(args.database)
    setup_django(args.database)
    service = build(args.appeals, args.overdue)

    from django.http import HttpResponse
    from django.test import Client
    from django.test import override_settings
    from django.urls import include
    from django.urls import path

    import feidi.urls
    from feidi.core.context import acting
    from feidi.services.actions import sweep

    with acting("job"):
        t = time.perf_counter()
        escalated = sweep()
        first = time.perf_counter() - t
        t = time.perf_counter()
        again = sweep()
        second = time.perf_counter() - t
    print(f"\nsweep over {args.appeals:,} open appeals: escalated {escalated:,} in {first:.2f} s "
          f"(target ≤ 5 s: {'ok' if first <= 5 else 'SLOW'}); second sweep {again} in {second:.2f} s")

    def bare(request):
        return HttpResponse("ok")

    bench_urls = type(sys)("bench_urls")
    bench_urls.urlpatterns = [path("__bare__/", bare), path("", include(feidi.urls))]
    sys.modules["bench_urls"] = bench_urls
    with override_settings(ROOT_URLCONF="bench_urls", ALLOWED_HOSTS=["*"], STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        client = Client()
        client.force_login(service)
        base = measure(client, "/__bare__/", args.requests)
        listing = measure(client, "/services/appeals/?status=handling&sort=-deadline&page=20", args.requests)
        overdue = measure(client, "/services/appeals/?overdue=true&level=2", args.requests)
    print(f"{'case':<44}{'p50 ms':>9}{'p95 ms':>9}{'× bare':>9}")
    for label, times in (("bare Django view", base), ("appeals list (status, sort, page 20)", listing),
                         ("appeals list (overdue, level 2)", overdue)):
        print(f"{label:<44}{statistics.median(times):>9.1f}{p95(times):>9.1f}{p95(times) / p95(base):>9.1f}"
              + ("" if label.startswith("bare") else ("  ok" if p95(times) <= 150 else "  SLOW")))


if __name__ == "__main__":
    main()
