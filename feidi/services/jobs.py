"""The escalation sweep runs every five minutes in the job queue (and by `feidi appeals sweep`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from feidi.core.context import acting
from feidi.core.leases import periodic_lock


@db_periodic_task(crontab(minute="*/5"))
@periodic_lock("appeals-sweep")  # one sweep at a time across workers; a crashed one's lease expires
def sweep_appeals() -> None:
    from .actions import report_missing_calendar, sweep

    with acting("job"):
        skipped: dict[int, int] = {}
        sweep(skipped=skipped)
        if skipped:
            report_missing_calendar(skipped, source="诉求升级巡检")
