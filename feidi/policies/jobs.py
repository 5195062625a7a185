"""Matches follow the data. A change that can decide eligibility — a label, an indicator value, an
enclave residency, a talent, an item or its conditions — asks for a refresh after its commit; the
asks of the next ``DEBOUNCE`` seconds share one job (the cache key is added once, the job runs
later), and a nightly refresh catches writes made around the application."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from feidi.core.context import acting
from feidi.core.leases import periodic_lock

DEBOUNCE = 60  # seconds: a monthly import or a batch of labels makes one refresh, not thousands
PENDING = "feidi:policies:refresh-pending"


def refresh_soon(item_id: int | None = None) -> None:
    """Ask for a refresh after this transaction commits (one item at once, or everything soon)."""
    if item_id is not None:
        transaction.on_commit(lambda: refresh_item_job(item_id))
        return

    def ask():
        if cache.add(PENDING, 1, timeout=DEBOUNCE * 2):
            refresh_all_job.schedule(delay=DEBOUNCE)

    transaction.on_commit(ask)


@db_task()
def refresh_item_job(item_id: int) -> None:
    from .matching import refresh_item
    from .models import PolicyItem

    item = PolicyItem.objects.filter(pk=item_id).select_related("policy").first()
    if item is not None:
        with acting("job"):
            refresh_item(item)


@db_task()
def refresh_all_job() -> None:
    from .matching import refresh_all

    cache.delete(PENDING)
    with acting("job"):
        refresh_all()


@db_periodic_task(crontab(minute="30", hour="2"))
@periodic_lock("policies-refresh", ttl=dt.timedelta(hours=1))
def nightly_refresh() -> None:
    from .matching import refresh_all

    with acting("job"):
        refresh_all()


@db_periodic_task(crontab(minute="*/5"))
@periodic_lock("policies-sweep")
def sweep_applications() -> None:
    from .actions import sweep

    with acting("job"):
        sweep()


def _changed(sender, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures
    refresh_soon()


def connect() -> None:
    """Eligibility data saved or deleted anywhere (actions, admin, imports) asks for a refresh."""
    from django.db.models.signals import post_delete, post_save

    from feidi.indicators.actions import values_written
    from feidi.registry.models import OrganizationLabel, Residency
    from feidi.techmarket.models import Talent

    values_written.connect(_changed, dispatch_uid="policies-indicator-values")
    for model in (OrganizationLabel, Residency, Talent):
        post_save.connect(_changed, sender=model, dispatch_uid=f"policies-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"policies-{model.__name__}-delete")
