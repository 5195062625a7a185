"""Refreshing the matches, asked by the actions and by the signals of ``jobs.connect``.

Matches follow the data. A change that can decide eligibility — a label, an indicator value, an
enclave residency, a talent, an item or its conditions — asks for a refresh after its commit; the
asks of the next ``DEBOUNCE`` seconds share one job (the cache key is added once, the job runs
later), and a nightly refresh catches writes made around the application."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from huey.contrib.djhuey import db_task

from feidi.core.context import acting

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
