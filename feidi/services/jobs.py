"""The escalation sweep runs every five minutes in the job queue (and by `feidi appeals sweep`)."""

from huey import crontab

from feidi.core.leases import periodic_job


# one sweep at a time across workers; a crashed one's lease expires
@periodic_job(crontab(minute="*/5"), "appeals-sweep")
def sweep_appeals() -> None:
    from .actions import report_missing_calendar
    from .actions import sweep

    skipped: dict[int, int] = {}
    sweep(skipped=skipped)
    if skipped:
        report_missing_calendar(skipped, source="诉求升级巡检")
