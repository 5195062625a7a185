"""Scheduled pipeline work: stale leads back to the pool (hourly), the alert rules (every morning
and hourly after), and the biweekly special report (the 1st and 16th at 08:00)."""

from huey import crontab

from feidi.core.leases import periodic_job


@periodic_job(crontab(minute="7"), "projects-pool")
def release_stale_leads() -> None:
    from .actions import release_stale_leads as run

    run()


@periodic_job(crontab(minute="15"), "projects-alerts")
def evaluate_alerts() -> None:
    from .actions import evaluate_alerts as run

    run()


@periodic_job(crontab(day="1,16", hour="8", minute="0"), "projects-biweekly")
def biweekly_reports() -> None:
    from django.utils import timezone

    from .reports import generate_for_zones
    from .reports import period_end

    generate_for_zones(period_end(timezone.localdate()))
