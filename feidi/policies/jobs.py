"""The periodic jobs of 惠企政策 — the nightly refresh, the sweep of overdue applications — and the
signals by which any change deciding eligibility asks for a refresh (``refresh.refresh_soon``)."""

from __future__ import annotations

import datetime as dt

from huey import crontab

from feidi.core.leases import periodic_job

from .actions import sweep
from .refresh import refresh_soon


@periodic_job(crontab(minute="30", hour="2"), "policies-refresh", ttl=dt.timedelta(hours=1))
def nightly_refresh() -> None:
    from .matching import refresh_all

    refresh_all()


@periodic_job(crontab(minute="*/5"), "policies-sweep")
def sweep_applications() -> None:
    sweep()


def _changed(sender, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures
    refresh_soon()


def connect() -> None:
    """Eligibility data saved or deleted anywhere (actions, admin, imports) asks for a refresh."""
    from django.db.models.signals import post_delete
    from django.db.models.signals import post_save

    from feidi.indicators.actions import values_written
    from feidi.registry.models import OrganizationLabel
    from feidi.registry.models import Residency
    from feidi.techmarket.models import Talent

    values_written.connect(_changed, dispatch_uid="policies-indicator-values")
    for model in (OrganizationLabel, Residency, Talent):
        post_save.connect(_changed, sender=model, dispatch_uid=f"policies-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"policies-{model.__name__}-delete")
