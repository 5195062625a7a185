"""A running job is alive while its process is, however long one step of its work keeps it silent
(a heartbeat of its own); a job declared dead writes nothing afterwards and its finish overwrites
nobody's word; two uploads of one file at the same moment let in one job; a periodic sweep that
finds SQLite's write lock taken waits for its next tick."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from django.db import OperationalError
from django.db import connection
from django.db import connections

from feidi.core import imports
from feidi.core import progress
from feidi.core.leases import periodic_lock
from feidi.core.models import AuditRecord
from feidi.core.models import ExportFile
from feidi.core.models import ImportJob
from feidi.registry.importers import OrganizationImporter
from feidi.registry.models import Organization

from .test_import_jobs import orgs_file
from .test_worker import _env
from .test_worker import _feidi


def _wait_until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not seen in time"
        time.sleep(0.01)


@pytest.fixture
def held(settings, monkeypatch):
    """Every file queued, and the queue left alone: the test runs the job (``imports.execute``)."""
    settings.IMPORT_INLINE_BYTES = 0
    monkeypatch.setattr(imports, "_start", lambda job, data: None)
    monkeypatch.setattr(progress, "HEARTBEAT_SECONDS", 0.02)


def _during_check(monkeypatch, then):
    """Run ``then()`` once, while the import checks its first chunk (inside its transaction)."""
    real = OrganizationImporter.check
    done = []

    def check(self, *args, **kwargs):
        if not done:
            done.append(then())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(OrganizationImporter, "check", check)
    return done


def test_a_job_silent_in_its_work_past_the_stale_time_is_alive_and_finishes(cast, monkeypatch, held):
    """One chunk of long texts took over three minutes to check: the job, alive all along, was
    declared dead by its page, then finished anyway. Its heartbeat now speaks for it."""
    job = imports.submit(cast.clerk, "organizations", orgs_file(3, start=300), "长.xlsx")
    key = f"import-{job.pk}"

    def outlast_the_stale_time():
        later = time.time() + progress.STALE_SECONDS + 60
        with monkeypatch.context() as patched:
            patched.setattr(progress.time, "time", lambda: later)  # the clock moved on, not the check
            _wait_until(lambda: (progress.read(key) or {}).get("at", 0) >= later)  # its heartbeat spoke
            return imports.sweep_abandoned(), imports.state(ImportJob.objects.get(pk=job.pk))["status"]

    seen = _during_check(monkeypatch, outlast_the_stale_time)
    imports.execute(job.pk, attempt=1)
    assert seen == [(0, ImportJob.Status.RUNNING)]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.created == 3
    assert progress.read(key) is None  # its progress went with it, and no late beat brought it back


def test_a_job_declared_dead_while_it_ran_writes_nothing_and_keeps_its_failure(cast, client_for, monkeypatch, held):
    """Its process frozen past the stale time (its heartbeat too): the sweep fails it. Resumed, it
    finds itself no longer running before it commits — nothing written, the failure stands — and
    the same file uploaded again, as the page asks, is imported once."""
    from feidi.core import importer

    data = orgs_file(3, start=400)
    job = imports.submit(cast.clerk, "organizations", data, "冻.xlsx")
    monkeypatch.setattr(progress.Reporter, "beat", lambda self: None)  # frozen: nothing says it lives
    real_read, swept = importer.read_sheet, []

    def read_while_frozen(*args, **kwargs):  # the sweep runs on its own connection: outside the transaction
        if not swept:
            later = time.time() + progress.STALE_SECONDS + 60
            with monkeypatch.context() as patched:
                patched.setattr(progress.time, "time", lambda: later)
                swept.append(imports.sweep_abandoned())
        return real_read(*args, **kwargs)

    monkeypatch.setattr(importer, "read_sheet", read_while_frozen)
    assert imports.execute(job.pk, attempt=1) is None
    assert swept == [1]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "导入进程意外中止" in job.message
    assert not Organization.objects.filter(name__startswith="队列公司").exists()
    assert "导入进程意外中止" in client_for("clerk").get(job.get_absolute_url()).content.decode()
    again = imports.submit(cast.clerk, "organizations", data, "冻.xlsx")
    imports.execute(again.pk, attempt=1)
    again.refresh_from_db()
    assert again.status == ImportJob.Status.DONE and again.created == 3
    assert Organization.objects.filter(name__startswith="队列公司").count() == 3


def test_a_job_finishing_after_another_party_failed_it_leaves_that_word(cast, monkeypatch, held):
    job = imports.submit(cast.clerk, "organizations", orgs_file(2, start=450), "后.xlsx")
    real = OrganizationImporter.run

    def failed_at_the_end(self, *args, **kwargs):
        result = real(self, *args, **kwargs)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, message="另一方的结论")
        return result

    monkeypatch.setattr(OrganizationImporter, "run", failed_at_the_end)
    imports.execute(job.pk, attempt=1)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.message == "另一方的结论"


def test_an_export_declared_dead_while_it_wrote_keeps_its_failure_and_no_file(cast, monkeypatch, settings, tmp_path):
    from feidi.core import exports
    from feidi.core.jobs import build_export

    settings.EXPORT_ROOT = str(tmp_path)
    export = ExportFile.objects.create(user=cast.clerk, title="单位", view_name="registry:organization_list", query="")
    real = exports.write_xlsx

    def declared_dead_meanwhile(*args, **kwargs):
        rows = real(*args, **kwargs)
        ExportFile.objects.filter(pk=export.pk).update(status=ExportFile.Status.FAILED, error="生成中断")
        return rows

    monkeypatch.setattr(exports, "write_xlsx", declared_dead_meanwhile)
    audited = AuditRecord.objects.filter(action=AuditRecord.Action.EXPORT).count()
    build_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportFile.Status.FAILED and export.error == "生成中断" and not export.filename
    assert not list(tmp_path.glob("export_*.xlsx"))
    assert AuditRecord.objects.filter(action=AuditRecord.Action.EXPORT).count() == audited
    assert progress.read(f"export-{export.pk}") is None


# Two processes on a SQLite file (the test database lives in memory, where SQLite does not wait for
# a lock): the first holds its check open for a moment; the second uploads the same file meanwhile.
UPLOAD = """
import pathlib, time
from feidi.accounts.models import User
from feidi.core import imports
from feidi.core.importer import ImportFileError
var = pathlib.Path("{var}")
imports._start = lambda job, data: None  # the queue is not under test
real = imports._refuse_repeat
def checking(user, key, digest):
    real(user, key, digest)
    if "{who}" == "first":
        (var / "checked").touch()
        time.sleep(3)  # long enough for the second check to pass, were it not held back
imports._refuse_repeat = checking
try:
    job = imports.submit(User.objects.get(username="clerk"), "organizations", (var / "same.xlsx").read_bytes(), "{who}.xlsx")
    print("job", job.pk)
except ImportFileError as exc:
    print("refused", exc)
"""


@pytest.mark.long
def test_two_uploads_of_one_file_at_the_same_moment_let_in_one_job(tmp_path, copy_migrated):
    """The second upload's check waits for the first's job to be in: it finds it and is refused."""
    env = _env(copy_migrated(tmp_path))
    (tmp_path / "same.xlsx").write_bytes(orgs_file(2, start=500))
    _feidi(env, "shell", "-c", "from feidi.testing.cast import build_cast; build_cast()")
    upload = UPLOAD.replace("{var}", str(tmp_path))
    first = subprocess.Popen([sys.executable, "-m", "feidi", "shell", "-c", upload.replace("{who}", "first")],
                             env=env, stdout=subprocess.PIPE, text=True)
    try:
        _wait_until(lambda: (tmp_path / "checked").exists(), 120)
        second = _feidi(env, "shell", "-c", upload.replace("{who}", "second")).splitlines()[-1]
    finally:
        said = first.communicate(timeout=120)[0].strip().splitlines()[-1]
    assert said.startswith("job ")
    assert second.startswith("refused") and f"导入记录{said.split()[1]}" in second, second


def test_a_periodic_job_that_finds_the_database_busy_says_so_and_runs_at_its_next_tick(db, caplog):
    runs = []

    @periodic_lock("demo-busy")
    def sweep():
        runs.append(1)
        if len(runs) == 1:
            raise OperationalError("database is locked")

    assert sweep() is None
    assert "found the database busy" in caplog.text
    sweep()  # its lease was freed: the next tick runs
    assert len(runs) == 2

    @periodic_lock("demo-fault")
    def broken():
        raise OperationalError("no such table: demo")

    with pytest.raises(OperationalError):  # a fault is no busy moment: it stays loud
        broken()


def test_sqlite_writes_wait_a_minute_for_the_writer_in_wal_mode(db, tmp_path):
    """A login or a session's save behind an import's write lock waits rather than failing at 20 s;
    readers run beside the writer (WAL). On a database file, as ``make run`` opens it."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    opened = type(connections["default"])({**connection.settings_dict, "NAME": str(tmp_path / "probe.sqlite3")}, alias="probe")
    try:
        with opened.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 60_000
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        opened.close()
