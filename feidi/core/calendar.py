"""The working calendar in force: the national schedule with this installation's overrides."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from feidi.lib.workdays import Calendar

KEY = "feidi:calendar:overrides"


def current_calendar() -> Calendar:
    from .models import CalendarDay

    overrides = cache.get(KEY)
    if overrides is None:
        overrides = dict(CalendarDay.objects.values_list("date", "is_workday"))
        cache.set(KEY, overrides, 300)
    return Calendar(overrides)


@receiver([post_save, post_delete], sender="core.CalendarDay")
def _forget(sender, **kwargs):
    cache.delete(KEY)
