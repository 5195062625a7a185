"""Jobs of 招商情报: the analysis of items in batches, and the daily digest (08:30)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from feidi.core.context import acting
from feidi.core.leases import periodic_lock


@db_task()
def analyse_task(ids: list[int]) -> int:
    from .actions import analyse_items

    with acting("job"):
        return analyse_items(ids)


@db_periodic_task(crontab(hour="8", minute="30"))
@periodic_lock("intel-digest")
def daily_digest() -> None:
    import datetime as dt

    from django.utils import timezone

    from .actions import send_digest

    with acting("job"):
        send_digest(timezone.localdate() - dt.timedelta(days=1))
