"""A periodic job runs once at a time across workers, and a worker killed mid-run does not stop
the job for good: its lease expires and the next scheduled run does the rest, nothing twice."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time

import pytest
from django.utils import timezone

from feidi.core.leases import Lease
from feidi.core.leases import LeaseLost
from feidi.core.leases import heartbeat
from feidi.core.leases import periodic_lock
from feidi.core.models import JobLease

from .test_worker import _env
from .test_worker import _feidi

pytestmark = pytest.mark.long  # handed out first (conftest.py)


def test_one_holder_at_a_time_and_a_free_lease_is_taken_again(db):
    first, second = Lease("demo-job"), Lease("demo-job")
    assert first.acquire() and not second.acquire()
    first.release()
    assert second.acquire()
    first_again = Lease("demo-job")
    assert not first_again.acquire()


def test_an_expired_lease_is_taken_over_and_its_late_holder_stops(db, settings):
    settings.JOB_LEASE_SECONDS = 60
    dead = Lease("demo-job")
    assert dead.acquire()
    JobLease.objects.filter(name="demo-job").update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    live = Lease("demo-job")
    assert live.acquire()  # the holder died: its lease expired
    with pytest.raises(LeaseLost):
        dead.renew()  # had it only been slow, it stops rather than run twice
    live.renew()


def test_the_decorated_job_skips_while_another_holds_it_and_heartbeats_while_it_works(db):
    runs = []

    @periodic_lock("demo-job")
    def job():
        before = JobLease.objects.get(name="demo-job").expires_at
        heartbeat()
        runs.append(JobLease.objects.get(name="demo-job").expires_at >= before)

    other = Lease("demo-job")
    other.acquire()
    job()
    assert runs == []
    other.release()
    job()
    assert runs == [True] and JobLease.objects.get(name="demo-job").holder == ""
    heartbeat()  # outside a job: nothing to renew


SETUP = """
import datetime as dt
from django.utils import timezone
from feidi.accounts.actions import do_create_user, do_save_department
from feidi.accounts.models import Department, Role, User
from feidi.core.models import DictItem
from feidi.registry.models import Organization, Zone
from feidi.services.models import Appeal, ServiceSettings
from feidi.lib import uscc
city = do_save_department(Department(name="测试市", kind="city"), acting_user=None)
zone_dept = do_save_department(Department(name="测试园区管委会", kind="zone", parent=city), acting_user=None)
head = User(username="head", full_name="安商办主任", department=zone_dept)
do_create_user(head, password=None, roles=[Role.objects.get(code="service_office")], acting_user=None)
ServiceSettings.objects.create(department=zone_dept, office_head=head, principal_leader=head)
zone = Zone.objects.create(name="测试园区", kind=DictItem.objects.get(type__code="zone_kind", code="national_etdz"),
                           host_region="江西省上饶市", department=zone_dept)
land = DictItem.objects.get(type__code="appeal_category", code="land")
orgs = Organization.objects.bulk_create([Organization(name=f"企业{i}", uscc=uscc.make(f"91361100{i:08d}00"[:17]),
                                                      zone=zone, department=zone_dept) for i in range({n})])
past = timezone.now() - dt.timedelta(days=1)
Appeal.objects.bulk_create([Appeal(organization=o, category=land, title="用地", content="用地", status="accepted",
                                   level=1, deadline=past, department=zone_dept, owner=head,
                                   submitted_at=past) for o in orgs])
print(Appeal.objects.count())
"""

SWEEP = "from feidi.services.jobs import sweep_appeals; sweep_appeals.call_local()"
COUNT = ("from feidi.services.models import Appeal, AppealEvent; "
         "print(Appeal.objects.filter(level=2).count(), AppealEvent.objects.filter(kind='escalate').count())")


def _escalated(tmp_path) -> int:
    """Read straight from the SQLite file: a poll must be quicker than a batch of the sweep."""
    import sqlite3

    with sqlite3.connect(tmp_path / "feidi.sqlite3", timeout=30) as db:
        return db.execute("SELECT count(*) FROM services_appeal WHERE level = 2").fetchone()[0]


def test_a_worker_killed_mid_sweep_leaves_the_rest_to_the_next_run_and_none_twice(tmp_path, copy_migrated):
    n = 3000  # six batches of the sweep: the kill lands after the first, long before the last
    env = _env(copy_migrated(tmp_path), FEIDI_JOB_LEASE_SECONDS="5")
    assert _feidi(env, "shell", "-c", SETUP.replace("{n}", str(n))).splitlines()[-1] == str(n)
    worker = subprocess.Popen([sys.executable, "-m", "feidi", "shell", "-c", SWEEP], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # kill it once some batches have committed, before the end
            if _escalated(tmp_path) > 0:
                break
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(timeout=30)
    escalated, events = map(int, _feidi(env, "shell", "-c", COUNT).splitlines()[-1].split())
    assert 0 < escalated < n, "the sweep was not caught mid-way"
    # the dead worker still holds the lease; once it expires the next scheduled run takes over
    import sqlite3

    with sqlite3.connect(tmp_path / "feidi.sqlite3") as db:
        holder, = db.execute("SELECT holder FROM core_joblease WHERE name = 'appeals-sweep'").fetchone()
    assert holder, "the killed worker's lease should still be there"
    time.sleep(5.5)
    _feidi(env, "shell", "-c", SWEEP)
    escalated, events = map(int, _feidi(env, "shell", "-c", COUNT).splitlines()[-1].split())
    assert escalated == n and events == n  # everyone raised exactly once
