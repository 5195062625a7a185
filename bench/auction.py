"""Issue 5 benchmark: one auction sustains 10,000 bids a minute on PostgreSQL with none lost.

Builds on PostgreSQL (database ``feidi_bench_auction``) a zone, an institution with published
supplies, ``--bidders`` registered enterprises (one user each) and, per scenario, a fresh published
auction. Then ``--workers`` processes (4; or threads, ``--threads``: 16) place bids through
``feidi.auctions.actions.do_place_bid`` for ``--seconds`` seconds, each bidding the lot's current
minimum (current price + increment) as a fast human would, and not against itself:
  - one lot, closing inside its anti-sniping window, so every accepted bid also moves the close;
  - an auction of ``--lots`` lots, each worker on a lot of its own choosing at every bid.
Prints accepted bids per minute, p50/p95 latency of an accepted bid (the whole action: the
registration check, the lot's row lock, the bid row, the lot update and the audit record, commit
included), the bids refused because another took the price first, and checks none is lost:
rows = accepted = ``bid_count``, ``seq`` contiguous from 1, each amount ≥ the previous + the
increment, the close = last bid + N minutes, the audit chain unbroken. Target ≥ 10,000/minute.

The target is the auction's; the one lot, where every bidder races for the same price, is
reported beside it.

    .venv/bin/python bench/auction.py [--seconds 30] [--workers 4] [--lots 6] [--threads]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foundation import ensure_database  # noqa: E402
from foundation import p95  # noqa: E402
from foundation import setup_django  # noqa: E402

TARGET_PER_MINUTE = 10_000
THINK = 0.0  # seconds, at most, that a refused bidder waits before its next bid (--think-ms)
# What a bidder's page knows of a lot before it bids (the current price, the leader).
CLIENT_FIELDS = ("auction_id", "start_price", "increment", "current_price", "current_bidder_id")
START, STEP = Decimal("1000000"), Decimal("100")


def build(n_bidders: int) -> dict:
    from django.core.management import call_command

    from feidi.accounts import actions as acc
    from feidi.accounts.models import Department
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.core.context import acting
    from feidi.core.models import DictItem
    from feidi.lib import uscc
    from feidi.registry import actions as reg
    from feidi.registry.models import Organization

    call_command("migrate", verbosity=0)
    rng = random.Random()

    def org(name, kind):
        found = Organization.objects.filter(name=name).first()
        if found:
            return found
        code = uscc.make(f"91361100{rng.randrange(10**8):08d}")
        return reg.do_save_organization(Organization(name=name, uscc=code, kind=kind, industry_code="C3825"),
                                        acting_user=None)

    with acting("cli"):
        dept = Department.objects.filter(name="拍卖压测园区管委会").first() or acc.do_save_department(
            Department(name="拍卖压测园区管委会", kind="zone"), acting_user=None)
        staff = User.objects.filter(username="auc_tech").first()
        if staff is None:
            staff = User(username="auc_tech", full_name="压测科技局", department=dept)
            acc.do_create_user(staff, password=None, roles=[Role.objects.get(code="tech_bureau")], acting_user=None)
        institution = org("压测研究院", Organization.Kind.INSTITUTE)
        enterprise = Role.objects.get(code="enterprise")
        for i in range(n_bidders):
            name = f"auc_bidder{i:03d}"
            if not User.objects.filter(username=name).exists():
                company = org(f"压测竞买企业{i:03d}", Organization.Kind.ENTERPRISE)
                acc.do_create_user(User(username=name, full_name=f"竞买人{i:03d}", organization=company),
                                   password=None, roles=[enterprise], acting_user=None)
        field = DictItem.objects.get(type__code="tech_field", code="photovoltaic")
    return {"staff": staff.pk, "institution": institution.pk, "dept": dept.pk, "field": field.pk}


def make_auction(base: dict, n_lots: int, n_bidders: int, *, close_in: dt.timedelta, window: int) -> list[int]:
    from django.utils import timezone

    from feidi.accounts.models import User
    from feidi.auctions import actions as rules
    from feidi.auctions.models import Auction
    from feidi.auctions.models import Lot
    from feidi.core.context import acting
    from feidi.techmarket.models import Supply

    staff = User.objects.get(pk=base["staff"])
    now = timezone.now()
    with acting("cli"):
        auction = rules.do_save_auction(Auction(title=f"压测拍卖会 {now:%H:%M:%S}"), acting_user=staff)
        lots = []
        for i in range(n_lots):
            supply = Supply.objects.create(organization_id=base["institution"], title=f"压测成果 {now:%H%M%S}-{i}",
                                           description="压测", field_id=base["field"], status="published",
                                           department_id=base["dept"])
            lots.append(rules.do_save_lot(Lot(auction=auction, supply=supply, start_price=START, reserve_price=START,
                                              increment=STEP, opens_at=now - dt.timedelta(minutes=1),
                                              closes_at=now + close_in, anti_snipe_minutes=window),
                                          acting_user=staff).pk)
        rules.do_publish_auction(auction, acting_user=staff)
        for i in range(n_bidders):
            rules.do_register_bidder(auction, acting_user=User.objects.get(username=f"auc_bidder{i:03d}"))
    return lots


def worker(index: int, lot_ids: list[int], seconds: float, out) -> None:
    """Bid for ``seconds``: read a lot, offer its minimum unless already leading."""
    from django.db import connections

    from feidi.accounts.models import User
    from feidi.auctions import actions as rules
    from feidi.auctions.models import Lot
    from feidi.core.context import acting

    user = User.objects.select_related("organization").get(username=f"auc_bidder{index:03d}")
    user.has_perm("auctions.add_bid")  # warm the permission cache, as a signed-in session would
    rng = random.Random(index)
    accepted, refused, latencies = 0, Counter(), []
    end = time.monotonic() + seconds
    with acting("api"):
        while time.monotonic() < end:
            lot = Lot.objects.only(*CLIENT_FIELDS).get(pk=rng.choice(lot_ids))
            if lot.current_bidder_id == user.organization_id:
                time.sleep(0.0005)
                continue
            t = time.perf_counter()
            try:
                rules.do_place_bid(lot, rules.minimum_bid(lot), acting_user=user)
            except rules.BidRefused as exc:
                refused[exc.reason] += 1
                if THINK:  # the refused bidder reads the new price before bidding again
                    time.sleep(rng.uniform(0, THINK))
            else:
                latencies.append(time.perf_counter() - t)
                accepted += 1
    connections.close_all()
    out.append((accepted, dict(refused), latencies))


def _process_main(url, index, lot_ids, seconds, queue, barrier, think):
    global THINK
    THINK = think
    setup_django(url)
    out = []
    barrier.wait()
    worker(index, lot_ids, seconds, out)
    queue.put(out[0])


def run(url: str, lot_ids: list[int], workers: int, seconds: float, processes: bool) -> tuple[list, float]:
    results: list = []
    started = time.perf_counter()
    if processes:
        ctx = mp.get_context("spawn")
        queue, barrier = ctx.Queue(), ctx.Barrier(workers + 1)
        procs = [ctx.Process(target=_process_main, args=(url, i, lot_ids, seconds, queue, barrier, THINK))
                 for i in range(workers)]
        for p in procs:
            p.start()
        barrier.wait()
        started = time.perf_counter()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
    else:
        threads = [threading.Thread(target=worker, args=(i, lot_ids, seconds, results)) for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return results, time.perf_counter() - started


def check(lot_ids: list[int], accepted: int, window: int | None) -> list[str]:
    from feidi.auctions.models import Bid
    from feidi.auctions.models import Lot

    problems = []
    rows_total = 0
    for pk in lot_ids:
        lot = Lot.objects.get(pk=pk)
        rows = list(Bid.objects.filter(lot_id=pk).order_by("seq").values_list("seq", "amount", "bidder_id", "placed_at"))
        rows_total += len(rows)
        if len(rows) != lot.bid_count:
            problems.append(f"拍品 {pk}: {len(rows)} 行 ≠ bid_count {lot.bid_count}")
        if [r[0] for r in rows] != list(range(1, len(rows) + 1)):
            problems.append(f"拍品 {pk}: 序号不连续")
        if any(rows[i][1] < rows[i - 1][1] + STEP for i in range(1, len(rows))):
            problems.append(f"拍品 {pk}: 出价未严格递增")
        if any(rows[i][2] == rows[i - 1][2] for i in range(1, len(rows))):
            problems.append(f"拍品 {pk}: 有人对自己加价")
        if any(rows[i][3] < rows[i - 1][3] for i in range(1, len(rows))):
            problems.append(f"拍品 {pk}: 出价时间倒序")
        if rows and lot.current_price != rows[-1][1]:
            problems.append(f"拍品 {pk}: 当前价 ≠ 最后一次出价")
        if window is not None and rows and lot.closes_at != rows[-1][3] + dt.timedelta(minutes=window):
            problems.append(f"拍品 {pk}: 结束时间 {lot.closes_at} ≠ 最后出价 + {window} 分钟")
    if rows_total != accepted:
        problems.append(f"接受 {accepted} 次，库中 {rows_total} 行")
    return problems


def probe_commit(n: int = 200) -> float:
    """p50 of a one-row INSERT + COMMIT on this server: a bid holds its lot's lock (and the audit
    chain's head) through its commit, so this bounds the bids per second of one lot."""
    from django.db import connection
    from django.db import transaction

    with connection.cursor() as cursor:  # a logged table: its commit waits for the WAL flush
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (x int)")
    times = []
    for _ in range(n):
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_commit_probe VALUES (1)")
        times.append(time.perf_counter() - t)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_commit_probe")
    return statistics.median(times)


def sequential(lot_ids: list[int], seconds: float) -> tuple[int, float]:
    """One client alternating two bidders, nobody else: the service time of one bid."""
    from feidi.accounts.models import User
    from feidi.auctions import actions as rules
    from feidi.auctions.models import Lot
    from feidi.core.context import acting

    users = [User.objects.select_related("organization").get(username=f"auc_bidder{i:03d}") for i in (0, 1)]
    for user in users:
        user.has_perm("auctions.add_bid")
    done, end, started = 0, time.monotonic() + seconds, time.perf_counter()
    with acting("api"):
        while time.monotonic() < end:
            lot = Lot.objects.only(*CLIENT_FIELDS).get(pk=lot_ids[0])
            user = users[0] if lot.current_bidder_id != users[0].organization_id else users[1]
            rules.do_place_bid(lot, rules.minimum_bid(lot), acting_user=user)
            done += 1
    return done, time.perf_counter() - started


def report(title: str, results: list, elapsed: float, problems: list[str], *, target: int | None) -> bool:
    """Print a scenario's figures; whether none was lost and the rate meets ``target`` (None: the
    rate is reported, not judged)."""
    accepted = sum(r[0] for r in results)
    refused = Counter()
    for r in results:
        refused.update(r[1])
    latencies = sorted(x for r in results for x in r[2])
    per_minute = accepted / elapsed * 60
    fast = target is None or per_minute >= target
    print(f"\n{title}")
    verdict = (f"(target ≥ {target:,}) {'OK' if fast else 'SLOW'}" if target is not None else
               "(no target: every bidder races for the one price, so bids follow one another)")
    print(f"  accepted bids          {accepted:>10,} in {elapsed:.1f} s = {per_minute:,.0f} / minute {verdict}")
    if latencies:
        print(f"  latency accepted bid   p50 {statistics.median(latencies) * 1000:.1f} ms   "
              f"p95 {p95(latencies) * 1000:.1f} ms   max {latencies[-1] * 1000:.1f} ms")
    race = refused.get("below_minimum", 0) + refused.get("race", 0)
    print(f"  refused by race        {race:>10,} (price taken by another bid first; each told the new minimum)")
    others = {k: v for k, v in refused.items() if k not in ("below_minimum", "race")}
    if others:
        print(f"  refused otherwise      {others}")
    print(f"  none lost              {'yes: rows = accepted = bid_count, seq contiguous, amounts increasing' if not problems else 'NO'}")
    for p in problems:
        print(f"    ✗ {p}")
    return fast and not problems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=None, help="bidders at once (default: 4 processes, "
                        "16 threads)")
    parser.add_argument("--lots", type=int, default=6)
    parser.add_argument("--threads", action="store_true", help="worker threads instead of processes (one "
                        "interpreter's lock: it measures Python more than the auction)")
    parser.add_argument("--processes", action="store_true", help="worker processes (the default), as the "
                        "web server runs")
    parser.add_argument("--think-ms", type=float, default=0,
                        help="a refused bidder waits up to this long before bidding again (default: not at all)")
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="sys.setswitchinterval for thread workers (seconds; Python's default is 0.005)")
    parser.add_argument("--database", default=os.environ.get(
        "FEIDI_BENCH_AUCTION_URL", "postgres://postgres@127.0.0.1:5432/feidi_bench_auction"))
    args, _ = parser.parse_known_args()
    args.processes = not args.threads
    args.workers = args.workers or (4 if args.processes else 16)
    global THINK
    THINK = args.think_ms / 1000
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    ensure_database(args.database)
    setup_django(args.database)
    from django.conf import settings

    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", "PostgreSQL only"
    base = build(args.workers)
    from feidi.core import audit

    kind = "processes" if args.processes else "threads"
    ok = True
    window = 5
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f}; "
          f"one-row INSERT+COMMIT p50 {probe_commit() * 1000:.2f} ms")
    lots = make_auction(base, 1, args.workers, close_in=dt.timedelta(hours=1), window=window)
    done, elapsed = sequential(lots, min(args.seconds, 10))
    print(f"one client, no contention: {done / elapsed * 60:,.0f} bids / minute "
          f"({elapsed / done * 1000:.1f} ms a bid: the page's read, then the action, most of it under the lot's lock)")
    # One lot in its last minute: every accepted bid also extends the close (延时).
    lots = make_auction(base, 1, args.workers, close_in=dt.timedelta(minutes=1), window=window)
    results, elapsed = run(args.database, lots, args.workers, args.seconds, args.processes)
    ok &= report(f"One lot, {args.workers} {kind}, {args.seconds:.0f} s, every bid inside the {window}-minute window",
                 results, elapsed, check(lots, sum(r[0] for r in results), window), target=None)
    # An auction of several lots open at once.
    lots = make_auction(base, args.lots, args.workers, close_in=dt.timedelta(hours=1), window=window)
    results, elapsed = run(args.database, lots, args.workers, args.seconds, args.processes)
    ok &= report(f"Auction of {args.lots} lots, {args.workers} {kind}, {args.seconds:.0f} s",
                 results, elapsed, check(lots, sum(r[0] for r in results), None), target=TARGET_PER_MINUTE)
    verified = audit.verify()
    print(f"\naudit chain: {verified.checked:,} records, {'unbroken' if verified.ok else verified.problems[:3]}")
    sys.exit(0 if ok and verified.ok else 1)


if __name__ == "__main__":
    main()
