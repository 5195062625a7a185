"""Scheduled pipeline work: stale leads back to the pool (hourly), the alert rules (every morning
and hourly after), and the biweekly special report (the 1st and 16th at 08:00)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from feidi.core.context import acting
from feidi.core.leases import periodic_lock


@db_periodic_task(crontab(minute="7"))
@periodic_lock("projects-pool")
def release_stale_leads() -> None:
    from .actions import release_stale_leads as run

    with acting("job"):
        run()


@db_periodic_task(crontab(minute="15"))
@periodic_lock("projects-alerts")
def evaluate_alerts() -> None:
    from .actions import evaluate_alerts as run

    with acting("job"):
        run()


@db_periodic_task(crontab(day="1,16", hour="8", minute="0"))
@periodic_lock("projects-biweekly")
def biweekly_reports() -> None:
    from django.utils import timezone

    from .reports import generate_for_zones, period_end

    with acting("job"):
        generate_for_zones(period_end(timezone.localdate()))
