"""Imports as jobs (issue 14): a large file goes to the job queue and its page shows the progress;
the outcome is kept (导入记录); the uploader alone sees and confirms it; another system does the same
through the API; a failure mid-write leaves nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from feidi.core import imports
from feidi.core import progress
from feidi.core.importer import Importer
from feidi.core.importer import ImportFileError
from feidi.core.models import ImportJob
from feidi.indicators.models import IndicatorValue
from feidi.lib import uscc
from feidi.registry.importers import OrganizationImporter
from feidi.registry.models import Organization

from .hostile import Book
from .hostile import SheetSpec


def orgs_file(n: int, start: int = 0, bad_row: int | None = None, shared: bool = True) -> bytes:
    rows = [["名称", "统一社会信用代码", "类型", "所在园区"]]
    for i in range(start, start + n):
        code = uscc.make(f"91361100MA7{i:05d}")
        wrong = code[:-1] + ("1" if code[-1] != "1" else "2")  # the check character broken
        rows.append([f"队列公司{i}", code if i != bad_row else wrong, "企业", "上饶经开区"])
    return Book([SheetSpec("单位", rows)], shared=shared).bytes()


@pytest.fixture
def queued(settings):
    settings.IMPORT_INLINE_BYTES = 0  # every file goes to the job queue
    return settings


def test_a_large_file_is_queued_and_its_page_shows_the_outcome(cast, client_for, queued,
                                                               django_capture_on_commit_callbacks):
    c = client_for("clerk")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("registry:organization_import"), {"file": SimpleUploadedFile("大.xlsx", orgs_file(30))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == "done" and job.created == 30 and job.total == 30 and job.sheet == "已读取工作表“单位”"
    assert Organization.objects.filter(name__startswith="队列公司").count() == 30
    page = c.get(job.get_absolute_url()).content.decode()
    assert "已导入" in page and "已全部导入" in page and "大.xlsx" in page
    assert "大.xlsx" in c.get(reverse("core:importjob_list")).content.decode()


def test_while_queued_the_page_polls_and_a_finished_job_reloads_it(cast, client_for, queued):
    c = client_for("clerk")
    c.post(reverse("registry:organization_import"), {"file": SimpleUploadedFile("等.xlsx", orgs_file(3))})
    job = ImportJob.objects.get()
    assert job.status == "queued"  # the worker has not taken it (no commit in a test transaction)
    page = c.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and "等待后台处理" in page
    imports.execute(job.pk)  # the worker takes it
    fragment = c.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 204 and fragment["HX-Refresh"] == "true"
    assert Organization.objects.filter(name__startswith="队列公司").count() == 3


def test_a_refused_queued_file_keeps_its_report_by_row(cast, client_for, queued, django_capture_on_commit_callbacks):
    c = client_for("clerk")
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("registry:organization_import"), {"file": SimpleUploadedFile("坏.xlsx", orgs_file(5, bad_row=3))})
    job = ImportJob.objects.get()
    assert job.status == "refused" and job.error_count == 1 and job.errors[0]["row"] == 5
    assert job.errors[0]["column"] == "统一社会信用代码"
    assert not Organization.objects.filter(name__startswith="队列公司").exists()
    page = c.get(job.get_absolute_url()).content.decode()
    assert "第 5 行" in page and "未导入" in page


def test_progress_is_published_by_phase_and_read_from_another_process_view(cast, queued):
    seen = []

    class Watching(progress.Reporter):  # records what the page would have read at each publication
        def _publish(self):
            super()._publish()
            seen.append(dict(progress.read(self.key)))

    job = ImportJob.objects.create(user=cast.clerk, kind="organizations", title="单位", filename="p.xlsx", sha256="x",
                                   size=1)
    reporter = Watching(f"import-{job.pk}", every=0)
    result = OrganizationImporter().run(orgs_file(12), cast.clerk, progress=reporter)
    assert result.applied and result.created == 12
    phases = [s["phase"] for s in seen]
    assert phases[0] == "读取文件" and "检查" in phases and phases[-1] == "写入"
    checked = [s for s in seen if s["phase"] == "检查"]
    assert checked[-1]["done"] == checked[-1]["total"] == 12
    assert progress.remaining({**checked[-1], "done": 6, "at": checked[-1]["phase_started"] + 3}) == pytest.approx(3)


def test_only_the_uploader_sees_or_confirms_a_job(cast, client_for, queued):
    c = client_for("clerk")
    c.post(reverse("registry:organization_import"), {"file": SimpleUploadedFile("私.xlsx", orgs_file(2))})
    job = ImportJob.objects.get()
    for other in ("other_clerk", "leader", "sysadmin", "auditor"):
        assert client_for(other).get(job.get_absolute_url()).status_code == 404
        assert client_for(other).post(job.get_absolute_url()).status_code == 404
        assert "私.xlsx" not in client_for(other).get(reverse("core:importjob_list")).content.decode()


class FailingImporter(Importer):
    """Writes half of the rows, then the database connection breaks (as a worker's would)."""

    model = Organization
    form_class = OrganizationImporter.form_class
    columns = OrganizationImporter.columns
    title = "单位"

    def save_all(self, forms_ok, user, progress=None):
        Organization.objects.bulk_create([c.instance for _, c in forms_ok[: len(forms_ok) // 2]])
        raise ConnectionError("server closed the connection unexpectedly")


def test_a_crash_mid_write_leaves_nothing_and_says_so(cast, client_for):
    imports.register("failing-test", f"{__name__}.FailingImporter")
    try:
        job = imports.submit(cast.clerk, "failing-test", orgs_file(6), "断.xlsx")
    finally:
        imports.KINDS.pop("failing-test")
    assert job.status == "failed" and "未写入任何数据" in job.message
    assert not Organization.objects.filter(name__startswith="队列公司").exists()


def test_a_job_whose_process_died_is_failed_not_running_for_ever(cast, client_for, queued):
    """A worker killed mid-import (its memory, a restart) leaves its job 运行中 and its progress
    silent: after ``STALE_SECONDS`` the job's page, the API and the worker's sweep say it failed and
    that nothing was written (its transaction rolled back). A job still reporting is left alone."""
    from django.utils import timezone

    from feidi.core.jobs import fail_abandoned_jobs
    from feidi.core.models import ExportFile

    dead, alive, silent = (imports.submit(cast.clerk, "organizations", orgs_file(2, start=10 * i), f"{i}.xlsx")
                           for i in range(3))
    long_ago = timezone.now() - dt.timedelta(seconds=progress.STALE_SECONDS + 60)
    ImportJob.objects.filter(pk__in=[dead.pk, alive.pk, silent.pk]).update(status="running", started_at=long_ago)
    progress.publish(f"import-{alive.pk}", phase="写入", done=5, total=10)  # it said something just now
    page = client_for("clerk").get(dead.get_absolute_url()).content.decode()
    assert "导入进程意外中止" in page and "未写入任何数据" in page
    assert ImportJob.objects.get(pk=dead.pk).status == "failed"
    export = ExportFile.objects.create(user=cast.clerk, title="单位", view_name="registry:organization_list",
                                       query="", status=ExportFile.Status.RUNNING)
    ExportFile.objects.filter(pk=export.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
    fail_abandoned_jobs()
    assert ImportJob.objects.get(pk=silent.pk).status == "failed"
    assert ImportJob.objects.get(pk=alive.pk).status == "running"
    assert ExportFile.objects.get(pk=export.pk).status == "failed"
    progress.clear(f"import-{alive.pk}")


def test_the_very_same_file_is_not_imported_twice(cast, client_for):
    """Byte for byte the file a colleague of the same department imported already: refused, saying
    when, by whom and which import it was — a second run would register every row again. Another
    department's upload of it, or a changed file, goes through."""
    data = orgs_file(3, start=40)
    first = imports.submit(cast.clerk, "organizations", data, "一.xlsx")
    assert first.status == "done" and first.created == 3
    with pytest.raises(ImportFileError, match=f"导入记录{first.pk}，写入3条"):
        imports.submit(cast.clerk, "organizations", data, "一（副本）.xlsx")
    page = client_for("clerk").post(reverse("registry:organization_import"),
                                    {"file": SimpleUploadedFile("再.xlsx", data)}, follow=True)
    assert "同一文件已于" in page.content.decode() and "甲区办事员" in page.content.decode()
    assert Organization.objects.filter(name__startswith="队列公司").count() == 3
    changed = imports.submit(cast.clerk, "organizations", orgs_file(3, start=50), "二.xlsx")
    assert changed.status == "done"


def test_a_job_whose_uploader_lost_the_permission_is_refused_when_it_runs(cast, queued):
    job = imports.submit(cast.clerk, "organizations", orgs_file(2), "晚.xlsx")
    cast.clerk.roles.clear()
    cast.clerk.__dict__.pop("_perm_cache", None)
    from feidi.accounts.models import User

    imports.execute(job.pk)
    job.refresh_from_db()
    assert job.status == "refused" and "权限" in job.message
    assert not User.objects.get(pk=cast.clerk.pk).roles.exists()
    assert not Organization.objects.filter(name__startswith="队列公司").exists()


def test_a_job_is_taken_by_one_worker_only(cast, queued):
    job = imports.submit(cast.clerk, "organizations", orgs_file(2), "一.xlsx")
    assert imports.execute(job.pk) is not None
    assert imports.execute(job.pk) is None  # already taken
    assert Organization.objects.filter(name__startswith="队列公司").count() == 2


# --- the API ---------------------------------------------------------------------------------------

def api(user) -> Client:
    from feidi.accounts.models import ApiToken

    _, value = ApiToken.issue(user, "导入")
    return Client(HTTP_AUTHORIZATION=f"Bearer {value}")


def test_another_system_imports_through_the_api_with_the_same_rules(cast):
    c = api(cast.clerk)
    response = c.post("/api/v1/core/imports", {"kind": "organizations", "file": SimpleUploadedFile("a.xlsx", orgs_file(4))})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "done" and body["created"] == 4 and body["sheet"] == "已读取工作表“单位”"
    assert c.get(f"/api/v1/core/imports/{body['id']}").json()["created"] == 4
    response = c.post("/api/v1/core/imports", {"kind": "organizations",
                                               "file": SimpleUploadedFile("b.xlsx", orgs_file(3, start=10, bad_row=11))})
    body = response.json()
    assert body["status"] == "refused" and body["errors"][0]["row"] == 3
    response = c.post("/api/v1/core/imports", {"kind": "nothing", "file": SimpleUploadedFile("c.xlsx", b"x")})
    assert response.status_code == 422 and "kind" in response.json()["fields"]
    response = c.post("/api/v1/core/imports", {"kind": "organizations",
                                               "file": SimpleUploadedFile("d.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 600)})
    assert response.json()["status"] == "refused" and ".xls" in response.json()["message"]  # kept, with why
    assert [j["filename"] for j in c.get("/api/v1/core/imports").json()["items"]] == ["d.xls", "b.xlsx", "a.xlsx"]


def test_a_queued_api_import_answers_202_and_is_polled(cast, queued, django_capture_on_commit_callbacks):
    c = api(cast.clerk)
    response = c.post("/api/v1/core/imports", {"kind": "organizations", "file": SimpleUploadedFile("q.xlsx", orgs_file(2))})
    assert response.status_code == 202 and response.json()["status"] == "queued"
    imports.execute(response.json()["id"])
    assert c.get(f"/api/v1/core/imports/{response.json()['id']}").json()["status"] == "done"


def test_api_jobs_are_the_uploaders_own(cast):
    response = api(cast.clerk).post("/api/v1/core/imports", {"kind": "organizations",
                                                             "file": SimpleUploadedFile("o.xlsx", orgs_file(1))})
    pk = response.json()["id"]
    other = api(cast.other_clerk)
    assert other.get(f"/api/v1/core/imports/{pk}").status_code == 404
    assert other.post(f"/api/v1/core/imports/{pk}/confirm").status_code == 404
    assert api(cast.ent_a).post("/api/v1/core/imports", {"kind": "organizations",
                                                        "file": SimpleUploadedFile("e.xlsx", orgs_file(1))}).status_code == 403


def test_indicator_warnings_are_confirmed_through_the_api(cast):
    from feidi.accounts.models import Role

    cast.clerk.roles.add(Role.objects.get(code="statistics"))
    rows = [["统一社会信用代码", "月份", "主营业务收入(元)"], [cast.org_a1.uscc, "2026-01", 100], [cast.org_a1.uscc, "2026-02", 1000]]
    c = api(cast.clerk)
    body = c.post("/api/v1/core/imports", {"kind": "indicators",
                                           "file": SimpleUploadedFile("w.xlsx", Book([SheetSpec("指标数据", rows)]).bytes())}).json()
    assert body["status"] == "awaiting" and body["warning_count"] >= 1 and not IndicatorValue.objects.exists()
    body = c.post(f"/api/v1/core/imports/{body['id']}/confirm").json()
    assert body["status"] == "done" and body["confirmed"]
    assert IndicatorValue.objects.get(period=dt.date(2026, 2, 1)).value == 1000
    assert c.post(f"/api/v1/core/imports/{body['id']}/confirm").status_code == 403  # once


def test_the_import_page_says_its_limits_and_rules(cast, client_for):
    page = client_for("clerk").get(reverse("registry:organization_import")).content.decode()
    assert "30MB" in page and "50,000" in page and "隐藏的工作表不读取" in page and "模板之外的列" in page
    from feidi.accounts.models import Role

    cast.clerk.roles.add(Role.objects.get(code="statistics"))
    page = client_for("clerk").get(reverse("indicators:import")).content.decode()
    assert "60MB" in page and "300,000" in page and "2026年1-2月" in page


# --- memory ------------------------------------------------------------------------------------------

def indicator_file(orgs, months: int) -> bytes:
    rows = [["统一社会信用代码", "企业名称", "月份", "主营业务收入(元)", "税收(元)"]]
    for m in range(1, months + 1):
        rows += [[org.uscc, org.name, f"2025-{m:02d}", 1000.0 * m + i, 10.0 * m] for i, org in enumerate(orgs)]
    return Book([SheetSpec("指标数据", rows)], shared=False).bytes()


def peak_of(run) -> int:
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        result = run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.applied, list(result.errors)[:3]
    return peak


@pytest.mark.parametrize("kind, chunk, rows", [("organizations", 250, 500), ("indicators", 100, 1_000)])
def test_an_imports_memory_does_not_grow_with_its_file(cast, monkeypatch, kind, chunk, rows):
    # Small chunks here (5,000 rows in service), every sheet streamed, a write held whole only up
    # to a chunk's values: the peak is a chunk's worth, about the same for a file four times as
    # long. What may grow is the compact state said in the docstrings: the values no two rows may
    # share (~150 bytes a row, organizations), the codes looked up (up to MEMO), the workbook's
    # shared strings (their text; these files have their strings inline) — against ~4 KB a row
    # held before.
    from feidi.core import importer
    from feidi.indicators import cells
    from feidi.indicators import importing
    from feidi.lib import spreadsheet

    monkeypatch.setattr(importer, "CHUNK", chunk)
    monkeypatch.setattr(importing, "CHUNK", chunk)
    monkeypatch.setattr(cells, "SMALL_WRITE", chunk)
    monkeypatch.setattr(spreadsheet, "CALAMINE_BYTES", 0)
    if kind == "organizations":
        files = [orgs_file(n, start=s, shared=False) for n, s in ((50, 90_000), (rows, 0), (4 * rows, 10_000))]

        def run(data):
            return OrganizationImporter().run(data, cast.clerk)
    else:
        from feidi.accounts.models import Role

        cast.clerk.roles.add(Role.objects.get(code="statistics"))
        n = rows // 10
        orgs = Organization.objects.bulk_create(
            [Organization(name=f"内存企业{i}", uscc=uscc.make(f"91361100MA8{i:05d}"), kind="enterprise",
                          industry_code="C3825", zone=cast.zone_a, department=cast.dept_a) for i in range(4 * n + 10)])
        files = [indicator_file(orgs[4 * n:], 5), indicator_file(orgs[:n], 10), indicator_file(orgs[:4 * n], 10)]

        def run(data):
            return importing.run(data, "内存.xlsx", cast.clerk)
    run(files[0])  # the first import fills the process's caches (templates of queries, forms)
    small, large = (peak_of(lambda data=data: run(data)) for data in files[1:])
    assert large < 1.4 * small, (f"{kind}: {rows:,} rows peaked at {small / 1e6:.2f} MB, "
                                 f"{4 * rows:,} at {large / 1e6:.2f} MB")


# --- chunks: checked and written a part at a time, kept or undone whole ---------------------------

@pytest.fixture
def small_chunks(monkeypatch):
    from feidi.core import importer
    from feidi.indicators import cells
    from feidi.indicators import importing

    monkeypatch.setattr(importer, "CHUNK", 2)
    monkeypatch.setattr(importing, "CHUNK", 2)
    monkeypatch.setattr(cells, "SMALL_WRITE", 2)


def test_a_bad_row_after_chunks_already_written_undoes_them_all(cast, small_chunks):
    from feidi.core.models import AuditRecord

    audited = AuditRecord.objects.count()
    result = OrganizationImporter().run(orgs_file(7, bad_row=5), cast.clerk)  # rows 2–5 written before row 7 fails
    assert not result.applied and [(e.row, e.column) for e in result.errors] == [(7, "统一社会信用代码")]
    assert not Organization.objects.filter(name__startswith="队列公司").exists()
    assert AuditRecord.objects.count() == audited


def test_a_row_repeating_one_of_an_earlier_chunk_names_that_row(cast, small_chunks):
    book_rows = [["名称", "统一社会信用代码", "类型"]] + [[f"队列公司{i}", uscc.make(f"91361100MA7{i:05d}"), "企业"]
                                                   for i in range(5)]
    book_rows.append(["重复公司", book_rows[1][1], "企业"])  # row 7 repeats row 2, written with the first chunk
    data = Book([SheetSpec("单位", book_rows)]).bytes()
    result = OrganizationImporter().run(data, cast.clerk)
    assert [(e.row, e.message) for e in result.errors] == [(7, "与第2行重复")]
    assert not Organization.objects.filter(name__startswith="队列公司").exists()


def test_a_report_keeps_the_first_rows_and_counts_them_all(cast, monkeypatch, queued):
    from feidi.core import importer

    monkeypatch.setattr(importer, "KEPT", 3)
    rows = [["名称", "统一社会信用代码", "类型"]] + [[f"坏公司{i}", "91361100MA35X0000A", "企业"] for i in range(8)]
    result = OrganizationImporter().run(Book([SheetSpec("单位", rows)]).bytes(), cast.clerk)
    assert result.errors.total == 8 and [e.row for e in result.errors] == [2, 3, 4] and len(result.errors) == 3
    reports = importer.RowReports(keep=2)
    for row in (9, 4, 7, 4, 2):
        reports.append(importer.RowError(row, "", str(row), f"第{len(reports)}"))
    assert [e.row for e in reports] == [2, 4] and reports.total == 5 and reports[1].message == "第1"  # the first of row 4


def test_a_csv_cell_beyond_the_csv_modules_limit_is_a_row_error_not_a_failed_job(cast, client_for, queued,
                                                                                 django_capture_on_commit_callbacks):
    from .hostile import csv_bytes

    good = uscc.make("91361100MA7A0001")
    rows = [["名称", "统一社会信用代码", "类型"], ["超长" * 100_000, uscc.make("91361100MA7A0002"), "企业"],
            ["正常公司", good, "企业"]]
    with django_capture_on_commit_callbacks(execute=True):
        client_for("clerk").post(reverse("registry:organization_import"),
                                 {"file": SimpleUploadedFile("长.csv", csv_bytes(rows, "utf-8"))})
    job = ImportJob.objects.get()
    assert job.status == "refused" and [e["row"] for e in job.errors] == [2]
    assert not Organization.objects.filter(uscc=good).exists()


def test_a_queued_import_that_finds_the_database_busy_waits_and_runs_again(cast, client_for, queued, monkeypatch,
                                                                            django_capture_on_commit_callbacks):
    """Two large imports at once on SQLite: the one that cannot write is queued again a little
    later (nothing written), not failed; the next attempt imports it."""
    from django.db import OperationalError

    scheduled = []
    monkeypatch.setattr(imports.import_task, "schedule", lambda args, delay: scheduled.append((args, delay)))
    real = OrganizationImporter.run
    calls = []

    def busy_once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(OrganizationImporter, "run", busy_once)
    with django_capture_on_commit_callbacks(execute=True):
        client_for("clerk").post(reverse("registry:organization_import"), {"file": SimpleUploadedFile("忙.xlsx", orgs_file(3))})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED and scheduled == [((job.pk, 2), imports.BUSY_DELAY)]
    assert not Organization.objects.filter(name__startswith="队列公司").exists()
    imports.execute(job.pk, attempt=2)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Organization.objects.filter(name__startswith="队列公司").count() == 3
