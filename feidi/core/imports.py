"""Import files as jobs (导入记录): every upload is kept as an ``ImportJob``; a small file is checked
and written in the request, a large one in the job queue while its page shows the progress (rows
read, checked, written; time left). Either way the file is written whole or not at all, with the
row-by-row report, and a file whose values raised warnings waits for its uploader to confirm —
a confirmation that covers the warnings shown, and no others (``_run_confirmed``).

Each app registers its importers here (``register``) in the shape ``core.importer.Importer``
gives: ``title``, ``limits``, ``sheet_names``, ``permission``, ``list_url``, ``confirms_warnings``,
``template_bytes()`` and ``run(data, user, filename=, confirmed=, progress=)``. The pages, the job
and the API use only this module."""

from __future__ import annotations

import hashlib
import json
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_noop
from huey.contrib.djhuey import db_task

from . import progress as progress_lib
from .context import acting
from .context import current
from .importer import KEPT
from .importer import ImportFileError
from .importer import ImportResult
from .importer import RowError
from .importer import RowReports
from .leases import LeaseLost
from .models import ImportJob

log = logging.getLogger(__name__)
KINDS: dict[str, str] = {}  # key → dotted path of the importer class
REPORTED = KEPT  # errors and warnings kept on the job (all are counted)


def register(key: str, dotted_path: str) -> None:
    KINDS[key] = dotted_path


def importer_for(key: str):
    try:
        return import_string(KINDS[key])()
    except KeyError:
        raise ImportFileError(gettext("未知的导入类型：{key}").format(key=key)) from None


def allowed(user, key: str) -> bool:
    return key in KINDS and user.has_perm(importer_for(key).permission)


def submit(user, key: str, data: bytes, filename: str) -> ImportJob:
    """Keep the file as a job of ``user``; run it now when small (the job is then finished or
    waiting for confirmation on return), else queue it."""
    importer = importer_for(key)
    if not user.has_perm(importer.permission):
        raise PermissionDenied(gettext("您没有该导入的权限"))
    if len(data) > importer.limits.bytes:
        raise ImportFileError(gettext("文件超过{megabytes}MB，请分批导入").format(megabytes=importer.limits.megabytes))
    ctx = current()
    digest = hashlib.sha256(data).hexdigest()
    # the check and the job it lets in are one step: two uploads of one file at the same moment had
    # both found no earlier job, and both been imported
    with transaction.atomic():
        _one_upload_at_a_time(key, digest)
        _refuse_repeat(user, key, digest)
        job = ImportJob(user=user, kind=key, title=importer.title, filename=(filename or "导入文件")[:200],
                        sha256=digest, size=len(data), address=ctx.address[:64], user_agent=ctx.user_agent[:200])
        job.file.save(f"{digest[:16]}{_suffix(filename)}", ContentFile(data), save=False)
        job.save()
    _start(job, data)
    return job


def _one_upload_at_a_time(key: str, digest: str) -> None:
    """Hold, until the transaction ends, the right to let in a job of this file: a second upload of
    it waits here, then finds the first (``_refuse_repeat``). SQLite's immediate transaction already
    holds the database's one write lock from its start; PostgreSQL takes a lock of the file's own."""
    from django.db import connection

    if connection.vendor == "postgresql":
        lock = int.from_bytes(hashlib.sha256(f"import:{key}:{digest}".encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])


def _refuse_repeat(user, key: str, digest: str) -> None:
    """The very same file (byte for byte) imported already, or being imported, by the uploader or a
    colleague of the same department is not imported again: a second run would register every
    project, person or visit of the file a second time."""
    from django.db.models import Q
    from django.utils.formats import date_format

    same = Q(user_id=user.pk)
    if user.department_id:
        same |= Q(user__department_id=user.department_id)
    if user.organization_id:
        same |= Q(user__organization_id=user.organization_id)
    earlier = (ImportJob.objects.filter(same, kind=key, sha256=digest, status__in=(
        ImportJob.Status.DONE, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING, ImportJob.Status.AWAITING))
               .select_related("user").order_by("-created_at").first())
    if earlier is None:
        return
    when = date_format(timezone.localtime(earlier.created_at), "Y-m-d H:i")
    if earlier.status == ImportJob.Status.DONE:
        raise ImportFileError(gettext("同一文件已于{when}由{who}导入（导入记录{pk}，写入{created}条），未再次导入。已导入的记录如需修改，请在其页面编辑；新增的数据请另行整理成只含新增行的文件再导入").format(
            when=when, who=earlier.user.full_name or earlier.user.username, pk=earlier.pk, created=earlier.created))
    raise ImportFileError(gettext("同一文件已于{when}由{who}上传，正在处理或待确认（导入记录{pk}），未再次导入").format(
        when=when, who=earlier.user.full_name or earlier.user.username, pk=earlier.pk))


def confirm(user, job: ImportJob) -> ImportJob:
    """The uploader has checked the warnings: write the file (now or in the queue)."""
    if job.user_id != user.pk or job.status != ImportJob.Status.AWAITING:
        raise PermissionDenied(gettext("该导入不在待确认状态，或不是您上传的"))
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.AWAITING).update(
            status=ImportJob.Status.QUEUED, confirmed=True):
        raise PermissionDenied(gettext("该导入已在处理"))
    job.refresh_from_db()
    _start(job, None)
    return job


def _start(job: ImportJob, data: bytes | None) -> None:
    if job.size <= settings.IMPORT_INLINE_BYTES:
        result = execute(job.pk, data=data)
        job.refresh_from_db()
        job.result = result  # the report with its row objects, for the page that asked
    else:
        transaction.on_commit(lambda: import_task(job.pk))


def _suffix(filename: str) -> str:
    lowered = (filename or "").lower()
    return ".csv" if lowered.endswith(".csv") else ".xlsx"


# a queued import that finds the database busy (SQLite's one writer taken by another import) waits
# and runs again, this many times at most, this many seconds apart
BUSY_TRIES, BUSY_DELAY = 6, 30


@db_task()  # djhuey closes stale connections around the task in a worker
def import_task(job_id: int, attempt: int = 1) -> None:
    execute(job_id, attempt=attempt)


def execute(job_id: int, *, data: bytes | None = None, attempt: int | None = None) -> ImportResult | None:
    """Run one job: claimed once (a second worker finding it taken does nothing), its user's
    permission checked again (a job may wait in the queue), its outcome stored on the job. A
    queued one (``attempt``) that finds the database busy is queued again a little later."""
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.RUNNING, started_at=timezone.now()):
        return None
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    # alive while it runs, however long one chunk keeps it silent (``progress.alive``)
    with progress_lib.alive(_JobReporter(job)) as reporter:
        return _execute(job, reporter, data, attempt)


def _execute(job: ImportJob, reporter, data: bytes | None, attempt: int | None) -> ImportResult | None:
    result, changed = None, False
    try:
        importer = importer_for(job.kind)
        if not (job.user.is_active and job.user.has_perm(importer.permission)):
            raise ImportFileError(gettext("上传人已没有该导入的权限"))
        if data is None:
            with job.file.open("rb") as handle:
                data = handle.read()
        with acting("import", job.address, job.user_agent):
            if job.confirmed:
                result, changed = _run_confirmed(importer, job, data, reporter)
            else:
                result = importer.run(data, job.user, filename=job.filename, confirmed=False, progress=reporter)
    except LeaseLost:  # declared dead while it ran: its transaction rolled back, its status is the other's
        job.refresh_from_db()
        log.warning("import job %s was marked %s while it ran: nothing of it was kept", job.pk, job.status)
        return None
    except ImportFileError as exc:
        _finish(job, ImportJob.Status.REFUSED, message=str(exc))
    except Exception as exc:  # the uploader sees the failure on the job's page; nothing was written
        from .busy import database_busy

        if database_busy(exc) and attempt is not None and attempt < BUSY_TRIES:
            log.warning("import job %s found the database busy (attempt %s): queued again", job.pk, attempt)
            ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
                status=ImportJob.Status.QUEUED, started_at=None)
            import_task.schedule((job.pk, attempt + 1), delay=BUSY_DELAY)
            return None
        log.exception("import job %s failed", job.pk)
        # the class and text of the exception are the log's (with the job's id), never the uploader's
        _finish(job, ImportJob.Status.FAILED, message=gettext("导入过程出错，未写入任何数据。请稍后重试；如仍出错，请联系管理员并告知导入记录编号{pk}").format(
            pk=job.pk))
    else:
        if result.errors:
            status = ImportJob.Status.REFUSED
        elif result.needs_confirmation:
            status = ImportJob.Status.AWAITING
        else:
            status = ImportJob.Status.DONE
        _finish(job, status, result, message=gettext(WARNINGS_CHANGED) if changed else "")
    return result


class _JobReporter(progress_lib.Reporter):
    """The progress of a running job, which at each phase also makes sure the job is still its own
    (still 处理中: not declared dead by its page or the sweep, ``abandoned``) and stops it if not
    (``LeaseLost``). An importer announces its last phase (写入, 更新汇总) inside its transaction, once
    it means to keep what it wrote: there the job's row is held to the commit (PostgreSQL; on SQLite
    the transaction holds the write lock already), so a job is never declared dead and then writes."""

    def __init__(self, job: ImportJob):
        super().__init__(f"import-{job.pk}")
        self.job_id = job.pk

    def phase(self, name: str, total: int = 0) -> None:
        running = ImportJob.objects.filter(pk=self.job_id, status=ImportJob.Status.RUNNING)
        if transaction.get_connection().in_atomic_block:
            running = running.select_for_update()
        if not list(running.values_list("pk", flat=True)):
            raise LeaseLost(f"import job {self.job_id} is no longer running")
        super().phase(name, total)


WARNINGS_CHANGED = gettext_noop("重新检查时的提醒与您确认时看到的不同（确认之后数据有了变化），未写入任何数据：请核对下面新的提醒，无误后再次确认")


def warnings_digest(rows: list[dict], total: int) -> str:
    """The warnings an uploader was shown — the reports as the job keeps them (``_rows``: the
    first ``REPORTED`` by row) and how many there were — as one stable digest."""
    said = [[r.get("row"), r.get("column"), r.get("value"), r.get("message")] for r in rows]
    return hashlib.sha256(json.dumps([total, said], ensure_ascii=False).encode()).hexdigest()


def _run_confirmed(importer, job: ImportJob, data: bytes, reporter) -> tuple[ImportResult, bool]:
    """Run a job whose warnings its uploader confirmed: the confirmation covers the warnings shown
    (``job.warnings``, ``job.warning_count``) and no others. The file is checked and written again
    in one transaction, and what it writes is kept only when the warnings found now are those
    (``warnings_digest``) — or none. Otherwise (the stored months or the records the file is
    checked against changed meanwhile) nothing is kept, and the job waits again, with the new
    warnings: (the result, whether they changed)."""
    shown = warnings_digest(job.warnings, job.warning_count)
    with transaction.atomic():
        result = importer.run(data, job.user, filename=job.filename, confirmed=True, progress=reporter)
        if not (result.applied and result.warnings):
            return result, False
        if warnings_digest(_rows(result.warnings), result.warnings.total) == shown:
            return result, False
        transaction.set_rollback(True)
    result.applied, result.created = False, 0
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(confirmed=False)
    job.confirmed = False
    return result, True


def _rows(items: RowReports | list[RowError]) -> list[dict]:
    return [{"row": e.row, "column": e.column, "value": e.value, "message": e.message} for e in items[:REPORTED]]


def _finish(job: ImportJob, status: str, result: ImportResult | None = None, message: str = "") -> None:
    fields = {"status": status, "message": message, "finished_at": timezone.now()}
    if result is not None:
        fields.update(sheet=result.sheet[:300], total=result.total, created=result.created if result.applied else 0,
                      error_count=result.errors.total, warning_count=result.warnings.total,
                      errors=_rows(result.errors), warnings=_rows(result.warnings))
    if status == ImportJob.Status.AWAITING:
        fields["finished_at"] = None
    # only while still running: a job declared dead meanwhile keeps what its page or the sweep said
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(**fields):
        log.warning("import job %s finished as %s after it was no longer running: left as it is", job.pk, status)
        job.refresh_from_db()
        return
    for name, value in fields.items():
        setattr(job, name, value)


def abandoned(job: ImportJob, live: dict | None = None) -> bool:
    """Whether the running ``job`` was abandoned (its heartbeat silent past ``progress.STALE_SECONDS``:
    killed for its memory, a restart, a web worker's timeout); if so it is marked failed (once, whoever
    asks). Its transaction rolled back, so nothing was written — and were its process only frozen, it
    finds itself no longer running before it commits (``_JobReporter``) and writes nothing."""
    key = f"import-{job.pk}"
    if job.status != ImportJob.Status.RUNNING:
        return False
    if not progress_lib.silent(key, job.started_at, live):
        return False
    message = gettext("导入进程意外中止（服务重启或内存不足），未写入任何数据，请重新导入")
    with transaction.atomic():
        # held, then heard again: a job that reached its last phase meanwhile held its row (or, on
        # SQLite, the write lock) to its commit and spoke there (``_JobReporter``) — it is finishing
        held = ImportJob.objects.select_for_update().filter(pk=job.pk, status=ImportJob.Status.RUNNING).first()
        if held is not None and not progress_lib.silent(key, held.started_at):
            return False
        if held is not None and ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
                status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now()):
            log.warning("import job %s abandoned by its process, marked failed", job.pk)
            progress_lib.clear(key)
    job.refresh_from_db(fields=["status", "message", "finished_at"])
    return True


def sweep_abandoned() -> int:
    """Mark every abandoned import failed (the worker's periodic job; a job's page also asks)."""
    return sum(abandoned(job) for job in ImportJob.objects.filter(status=ImportJob.Status.RUNNING))


def state(job: ImportJob) -> dict:
    """What the page and the API say about a job: its status and, while it runs, the phase, the
    counts and the time left."""
    live = progress_lib.read(f"import-{job.pk}") if job.status == ImportJob.Status.RUNNING else None
    if live is not None or job.status == ImportJob.Status.RUNNING:
        if abandoned(job, live):
            live = None
    out = {"status": job.status, "status_display": job.get_status_display(), "phase": "", "done": 0, "total": 0,
           "written": None, "percent": None, "seconds_left": None}
    if live:
        out.update(phase=live.get("phase", ""), done=live.get("done", 0), total=live.get("total", 0),
                   written=live.get("written"))
        if out["total"]:
            out["percent"] = min(100, round(100 * out["done"] / out["total"]))
        left = progress_lib.remaining(live)
        out["seconds_left"] = round(left) if left is not None else None
    return out


def imports_to_confirm(queryset, user, today=None):
    """The user's own imports that wait for the confirmation of their warnings."""
    return queryset.filter(user_id=user.pk, status=ImportJob.Status.AWAITING)


def todos(user, today, limit):
    """我的待办: the user's imports that wait for their confirmation of the warnings."""
    from django.urls import reverse

    from . import workbench

    return workbench.group(
        "import_confirm", gettext("待确认的导入"), imports_to_confirm(ImportJob.objects.visible_to(user), user, today),
        url=reverse("core:importjob_list") + "?confirm=true", action=gettext("确认"),
        text=lambda j: f"{j.title or j.kind} · {j.filename}", link=lambda j: j.get_absolute_url(), limit=limit,
        order=6, note=lambda j: gettext("{warning_count}条提醒待核实").format(warning_count=j.warning_count))


todos.keys = ("import_confirm",)  # the groups it gives (``workbench.declares``)
todos.models = (ImportJob,)  # the rows that decide what waits (``workbench.watch``)
