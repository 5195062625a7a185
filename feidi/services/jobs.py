"""The escalation sweep runs every five minutes in the job queue (and by `feidi appeals sweep`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from feidi.core.context import acting


@db_periodic_task(crontab(minute="*/5"))
@lock_task("appeals-sweep")  # one sweep at a time across workers; each escalation is conditional anyway
def sweep_appeals() -> None:
    from .actions import sweep

    with acting("job"):
        sweep()
