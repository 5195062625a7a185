"""Issue 2 benchmark: the organization list and the home dashboard with 200,000 organizations.

Builds the data on PostgreSQL (database ``feidi_bench`` on FEIDI_BENCH_DATABASE_URL, default the
local server), then measures server time in-process (Django's handler, no network) for:
  - a bare Django view (baseline: middleware, session, auth — no queries of ours),
  - the organization list: filtered by kind and industry, sorted by employees, page 40 of 25,
  - the organization list with a keyword search,
  - the home dashboard,
each as a zone clerk (own zone and below, ~20,000 rows) and as a city leader (all rows).
Prints p50/p95 and the ratio to the bare view. Target: p95 ≤ 150 ms.

    .venv/bin/python bench/foundation.py [--orgs 200000] [--requests 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup_django(url: str) -> None:
    os.environ["FEIDI_DATABASE_URL"] = url
    var = Path(os.environ.setdefault("FEIDI_VAR_DIR", tempfile.mkdtemp(prefix="feidi-bench-")))
    (var / "static").mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "feidi.settings"
    os.environ["FEIDI_JOBS_IMMEDIATE"] = "true"
    # the benches' in-process client speaks plain http: no redirect to https (a production default)
    os.environ.setdefault("FEIDI_HTTPS", "false")
    import django

    django.setup()
    from feidi.core.startup import freeze_startup_objects

    freeze_startup_objects()  # as a web process does (feidi/wsgi.py)


def ensure_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def build(n_orgs: int) -> dict:
    import random

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
    from feidi.registry.models import OrganizationLabel
    from feidi.registry.models import Zone

    call_command("migrate", verbosity=0)
    if Organization.objects.count() >= n_orgs and User.objects.filter(username="bench_clerk").exists():
        # Fresh passwords, so the policy's forced change does not redirect the measured pages.
        User.objects.filter(username__startswith="bench_").update(password_changed_at=timezone.now())
        return {"leader": User.objects.get(username="bench_leader"), "clerk": User.objects.get(username="bench_clerk")}
    print(f"building {n_orgs:,} organizations …", flush=True)
    with acting("cli"):
        province, _ = Department.objects.get_or_create(name="江西省", kind="province", parent=None)
        if not province.path:
            acc.do_save_department(province, acting_user=None)
        city = Department.objects.filter(name="上饶市", parent=province).first() or acc.do_save_department(
            Department(name="上饶市", kind="city", parent=province), acting_user=None)
        kind = DictItem.objects.get(type__code="zone_kind", code="national_etdz")
        zones = []
        for i in range(10):
            dept = Department.objects.filter(name=f"园区{i}管委会", parent=city).first() or acc.do_save_department(
                Department(name=f"园区{i}管委会", kind="zone", parent=city), acting_user=None)
            zone, _ = Zone.objects.get_or_create(name=f"基准园区{i}", defaults={
                "kind": kind, "host_region": "江西省", "department": dept})
            zones.append(zone)
        rng = random.Random(7)
        words = "光伏 锂电 新能源 汽车 光学 电子 信息 生物 医药 低空 智能 材料 装备 科技 精密 数字".split()
        industries = ["C3825", "C3841", "C3670", "C3976", "C2710", "C3562", "I6510", "M7320"]
        label_items = list(DictItem.objects.filter(type__code="org_label"))
        Organization.objects.all().delete()
        batch, start = [], time.perf_counter()
        for i in range(n_orgs):
            zone = zones[i % 10]
            name = "".join(rng.sample(words, 3)) + f"有限公司{i}"
            batch.append(Organization(
                name=name, uscc=uscc.make(f"91361100{i:08d}"), kind="enterprise" if i % 7 else "institute",
                industry_code=industries[i % len(industries)], zone=zone, department_id=zone.department_id,
                employees=rng.randint(5, 5000), land_area_mu=rng.randint(5, 800), sample=True))
            if len(batch) == 5000:
                Organization.objects.bulk_create(batch)
                batch = []
        Organization.objects.bulk_create(batch)
        import datetime as dt

        ids = list(Organization.objects.values_list("pk", "department_id"))
        labels = [OrganizationLabel(organization_id=pk, department_id=d, label=label_items[pk % len(label_items)],
                                    since=dt.date(2023, 1, 1)) for pk, d in ids[::4]]
        OrganizationLabel.objects.bulk_create(labels, batch_size=5000)
        print(f"built in {time.perf_counter() - start:.1f} s", flush=True)
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        User.objects.filter(username__in=["bench_leader", "bench_clerk"]).delete()
        leader = User(username="bench_leader", full_name="市领导", department=city)
        acc.do_create_user(leader, password=None, roles=[Role.objects.get(code="city_leader")], acting_user=None)
        clerk = User(username="bench_clerk", full_name="园区办事员", department=zones[0].department)
        acc.do_create_user(clerk, password=None, roles=[Role.objects.get(code="zone_clerk")], acting_user=None)
        User.objects.filter(username__startswith="bench_").update(password_changed_at=timezone.now())
    return {"leader": leader, "clerk": clerk}


def measure(client, url: str, n: int, before=None) -> list[float]:
    """Server time of ``n`` requests in ms (after three warm-up requests); ``before`` runs, untimed,
    ahead of each (e.g. clearing a cache to time the cold path)."""
    for _ in range(3):
        client.get(url)
    times = []
    for _ in range(n):
        if before is not None:
            before()
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--database", default=os.environ.get(
        "FEIDI_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/feidi_bench"))
    args = parser.parse_args()
    ensure_database(args.database)
    setup_django(args.database)
    users = build(args.orgs)

    from django.http import HttpResponse
    from django.test import Client
    from django.test import override_settings
    from django.urls import include
    from django.urls import path

    import feidi.urls

    def bare(request):
        return HttpResponse("ok")

    bench_urls = type(sys)("bench_urls")
    bench_urls.urlpatterns = [path("__bare__/", bare), path("", include(feidi.urls))]
    sys.modules["bench_urls"] = bench_urls
    cases = [
        ("bare Django view", "/__bare__/"),
        ("organization list (filter+sort+page 40)", "/registry/organizations/?kind=enterprise&industry=C38&sort=-employees&page=40"),
        ("organization list (keyword search)", "/registry/organizations/?q=光伏锂电&sort=name"),
        ("home dashboard", "/"),
    ]
    with override_settings(ROOT_URLCONF="bench_urls", ALLOWED_HOSTS=["*"], STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        print(f"\n{'case':<48}{'user':<14}{'p50 ms':>9}{'p95 ms':>9}{'× bare':>9}  target p95 ≤ 150 ms")
        for who in ("clerk", "leader"):
            client = Client()
            client.force_login(users[who])
            base = None
            for label, url in cases:
                times = measure(client, url, args.requests)
                if base is None:
                    base = p95(times)
                ok = "" if label.startswith("bare") else ("  ok" if p95(times) <= 150 else "  SLOW")
                print(f"{label:<48}{who:<14}{statistics.median(times):>9.1f}{p95(times):>9.1f}"
                      f"{p95(times) / base:>9.1f}{ok}")


if __name__ == "__main__":
    main()
