"""Jobs of 招商情报: the analysis of items in batches, the daily digest (08:30), and the reading of
the configured sources (every quarter of an hour, each source at its own interval)."""

from huey import crontab
from huey.contrib.djhuey import db_task

from feidi.core.context import acting
from feidi.core.leases import periodic_job

from . import actions
from . import sources


@db_task()
def analyse_task(ids: list[int]) -> int:
    with acting("job"):
        return actions.analyse_items(ids)


@periodic_job(crontab(hour="8", minute="30"), "intel-digest")
def daily_digest() -> None:
    import datetime as dt

    from django.utils import timezone

    actions.send_digest(timezone.localdate() - dt.timedelta(days=1))


@periodic_job(crontab(minute="*/15"), "intel-sources")
def read_sources() -> None:
    """Every source whose interval has passed, one after another (the lease is renewed between)."""
    from feidi.core.leases import heartbeat

    for source in sources.due():
        sources.read(source)
        heartbeat()


@db_task()
def read_source_task(source_id: int) -> int:
    """A source read now (the 立即读取 button)."""
    from .models import Source

    source = Source.objects.filter(pk=source_id).select_related("created_by").first()
    if source is None:
        return 0
    with acting("job"):
        return sources.read(source)


def queue_analysis(ids: list[int]) -> None:
    """Items to analyse, handed to the job queue in batches of ``actions.BATCH``."""
    for i in range(0, len(ids), actions.BATCH):
        analyse_task(ids[i:i + actions.BATCH])


def _stored(sender, ids, **kwargs) -> None:
    queue_analysis(ids)


actions.items_stored.connect(_stored, dispatch_uid="intel-analyse-stored-items")
