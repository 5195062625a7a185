"""Background jobs of the core: exports to the download centre, notification deliveries."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from huey import crontab
from huey.contrib.djhuey import db_periodic_task
from huey.contrib.djhuey import db_task

from . import notify as notifications
from . import progress
from .context import acting
from .leases import LeaseLost
from .leases import periodic_job
from .leases import periodic_lock

log = logging.getLogger(__name__)


def build_export(export_id: int) -> None:
    """Re-run the list's query as its user (same scope, same filters) and write the .xlsx."""
    from . import audit
    from . import exports
    from .models import ExportFile

    job = ExportFile.objects.select_related("user").get(pk=export_id)
    if job.status not in (ExportFile.Status.PENDING, ExportFile.Status.FAILED):
        return
    # Claim the job; a second worker finding it taken does nothing.
    if not ExportFile.objects.filter(pk=job.pk, status=job.status).update(status=ExportFile.Status.RUNNING):
        return
    # alive while it works, whatever one step costs: a silent export lost its worker (``abandoned_export``)
    with progress.alive(progress.Reporter(f"export-{job.pk}")) as reporter:
        path = None
        try:
            from .views import list_view_class

            view = list_view_class(job.view_name)()
            qs, _, _ = view.build_queryset(job.user, QueryDict(job.query))
            filename = f"export_{job.pk}_{timezone.now():%Y%m%d%H%M%S}.xlsx"
            path = exports.export_dir() / filename
            with acting("job"):
                rows = exports.write_xlsx(str(path), view.table_class, _heard(qs.iterator(chunk_size=2000), reporter),
                                          job.title)
                # the file is the export's only while the export is still its own: one declared dead
                # meanwhile (and perhaps asked for again) keeps its failure, and no record of this one
                with transaction.atomic():
                    audit.record(audit.AuditRecord.Action.EXPORT, user=job.user,
                                 model_label=view.model._meta.label_lower,
                                 object_repr=gettext("{title}（{rows}行）").format(title=job.title, rows=rows),
                                 after={"query": job.query})
                    if not _finish_export(job, status=ExportFile.Status.DONE, rows=rows, filename=filename):
                        raise LeaseLost(f"export {job.pk} was declared dead while it ran")
        except LeaseLost:
            log.warning("export %s was marked failed while it ran: its file is dropped", export_id)
            path.unlink(missing_ok=True)
        except Exception:  # the user sees the failure in the download centre; its cause is the log's
            log.exception("export %s failed", export_id)
            _finish_export(job, status=ExportFile.Status.FAILED, error=gettext(
                "生成失败，请稍后重新导出；如仍失败，请联系管理员并告知导出编号{pk}").format(pk=job.pk))


def _finish_export(job, **fields) -> bool:
    """The outcome of a running export, written only while it is still running: a job declared dead
    by another party (``abandoned_export``) keeps what that party said."""
    from .models import ExportFile

    return bool(ExportFile.objects.filter(pk=job.pk, status=ExportFile.Status.RUNNING).update(
        finished_at=timezone.now(), **fields))


def _heard(rows, reporter: progress.Reporter, every: int = 2000):
    """``rows`` as they are, counted every ``every`` rows for the export's progress."""
    for n, row in enumerate(rows, 1):
        if n % every == 0:
            reporter.advance(n)
        yield row


def abandoned_export(job) -> bool:
    """Whether a running export lost its worker (silent past ``progress.STALE_SECONDS``; one started
    before exports spoke, 2 hours after it was asked for); if so it is marked failed, so the download
    centre says so and the same export may be asked for again."""
    from .models import ExportFile

    if job.status != ExportFile.Status.RUNNING:
        return False
    live = progress.read(f"export-{job.pk}")
    if live is None and timezone.now() - job.created_at < EXPORT_STALE or live is not None and not progress.silent(
            f"export-{job.pk}", live=live):
        return False
    if ExportFile.objects.filter(pk=job.pk, status=ExportFile.Status.RUNNING).update(
            status=ExportFile.Status.FAILED, error=gettext("生成中断（服务重启或内存不足），请重新导出"),
            finished_at=timezone.now()):
        log.warning("export %s abandoned by its worker, marked failed", job.pk)
    job.refresh_from_db(fields=["status", "error", "finished_at"])
    return True


@db_task()  # djhuey closes stale connections around the task in a worker
def export_task(export_id: int) -> None:
    build_export(export_id)


def queue_export(export_id: int) -> None:
    export_task(export_id)


@db_task()
def deliver_task(delivery_ids: list[int]) -> None:
    with acting("job"):
        for pk in delivery_ids:
            notifications.deliver(pk)


def queue_deliveries(delivery_ids: list[int]) -> None:
    deliver_task(delivery_ids)


notifications.use_delivery_queue(queue_deliveries)


@periodic_job(crontab(minute="*"), "core-delivery-retries")
def retry_deliveries() -> None:
    notifications.retry_due()


# An export still "running" this long after it was asked for, and never heard from, lost its worker
EXPORT_STALE = dt.timedelta(hours=2)


@periodic_job(crontab(minute="*/5"), "core-abandoned-jobs")
def fail_abandoned_jobs() -> None:
    """Imports and exports whose process died are marked failed (nothing of an import was written:
    its transaction rolled back)."""
    from .imports import sweep_abandoned
    from .models import ExportFile

    sweep_abandoned()
    for job in ExportFile.objects.filter(status=ExportFile.Status.RUNNING):
        abandoned_export(job)


@periodic_job(crontab(hour="3", minute="20"), "core-form-tokens")
def purge_form_tokens() -> None:
    purge_spent_tokens()


def purge_spent_tokens(now=None) -> int:
    """One-time form tokens (``formtokens``) older than ``formtokens.KEPT_DAYS``: a page that old is
    not sent again, and the table would grow by every step ever taken."""
    import datetime as dt

    from django.utils import timezone

    from . import formtokens
    from .models import FormSubmission

    cutoff = (now or timezone.now()) - dt.timedelta(days=formtokens.KEPT_DAYS)
    return FormSubmission.objects.filter(created_at__lt=cutoff).delete()[0]


@periodic_job(crontab(hour="8", minute="5"), "core-calendar-warning")
def warn_missing_calendar() -> None:
    notify_missing_calendar()


def notify_missing_calendar(today=None) -> int:
    """From 1 November: one inbox message per year to each system and security administrator while
    next year's holiday schedule is not entered (idempotent: a second run the same year sends none)."""
    from django.urls import reverse

    from feidi.accounts.models import User

    from .calendar import missing_next_year
    from .models import Notification

    year = missing_next_year(today)
    if year is None:
        return 0
    title = gettext("请录入{year}年法定节假日安排").format(year=year)
    admins = User.objects.filter(is_active=True, roles__duty__in=("system", "security")).distinct()
    todo = [u for u in admins if not Notification.objects.filter(user=u, title=title).exists()]
    notifications.notify(
        todo, title,
        gettext("{year}年的节假日安排尚未录入，落在{year}年的诉求办理期限等暂按周末和法定节日推算。国务院办公厅发布通知后，请在“工作日历”中粘贴通知原文或填表录入，这些期限将自动按工作日重算。").format(year=year),
        reverse("core:calendaryear_list"))
    return len(todo)


@db_periodic_task(crontab(hour="0", minute="10"))
@periodic_lock("core-audit-anchor")
def anchor_audit_chain() -> None:
    """The daily signed head of the audit chain, kept outside the database."""
    from . import audit

    audit.anchor()
