"""The job queue for real: a `feidi worker` process drains the SQLite queue (the default) and
the Redis queue (FEIDI_REDIS_URL), building an export into the download centre."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from feidi.testing.env import child_env

ENQUEUE = """
from feidi.accounts.models import Department, Role, User
from feidi.accounts.actions import do_create_user, do_save_department
from feidi.core.models import ExportFile
from feidi.core.jobs import queue_export
dept = do_save_department(Department(name="测试市", kind="city"), acting_user=None)
user = User(username="w", full_name="队列测试", department=dept)
do_create_user(user, password=None, roles=[Role.objects.get(code="city_leader")], acting_user=None)
job = ExportFile.objects.create(user=user, title="单位", view_name="registry:organization_list", query="")
queue_export(job.pk)
print(job.pk)
"""

STATUS = "from feidi.core.models import ExportFile; print(ExportFile.objects.get(pk={pk}).status)"


def _env(tmp_path, **extra):
    return child_env(tmp_path, FEIDI_JOBS_IMMEDIATE="false", **extra)


def _feidi(env, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "feidi", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=True).stdout.strip()


def _drain(env, pk):
    worker = subprocess.Popen([sys.executable, "-m", "feidi", "worker", "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        status = ""
        while time.monotonic() < deadline:
            status = _feidi(env, "shell", "-c", STATUS.format(pk=pk)).splitlines()[-1]
            if status in ("done", "failed"):
                break
            time.sleep(0.5)
        return status
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _redis_up() -> bool:
    try:
        import redis

        return redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1).ping()
    except Exception:  # no server here
        return False


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_a_worker_process_builds_a_queued_export(tmp_path, queue, copy_migrated):
    extra = {}
    if queue == "redis":
        if not _redis_up():
            pytest.skip("no Redis on 127.0.0.1:6379")
        extra["FEIDI_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    env = _env(copy_migrated(tmp_path), **extra)
    pk = _feidi(env, "shell", "-c", ENQUEUE).splitlines()[-1]
    assert _drain(env, pk) == "done"
    assert list((tmp_path / "exports").glob("export_*.xlsx"))
