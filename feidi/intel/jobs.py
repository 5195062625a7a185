"""Jobs of 招商情报: the analysis of items in batches, and the daily digest (08:30)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from feidi.core.context import acting
from feidi.core.leases import periodic_lock

from . import actions


@db_task()
def analyse_task(ids: list[int]) -> int:
    with acting("job"):
        return actions.analyse_items(ids)


@db_periodic_task(crontab(hour="8", minute="30"))
@periodic_lock("intel-digest")
def daily_digest() -> None:
    import datetime as dt

    from django.utils import timezone

    with acting("job"):
        actions.send_digest(timezone.localdate() - dt.timedelta(days=1))


def queue_analysis(ids: list[int]) -> None:
    """Items to analyse, handed to the job queue in batches of ``actions.BATCH``."""
    for i in range(0, len(ids), actions.BATCH):
        analyse_task(ids[i:i + actions.BATCH])


def _stored(sender, ids, **kwargs) -> None:
    queue_analysis(ids)


actions.items_stored.connect(_stored, dispatch_uid="intel-analyse-stored-items")
