"""The working calendar in force: the national schedule (chinesecalendar), the years entered from
the State Council's notices (``CalendarYear``) and single-day overrides (``CalendarDay``).

A working-day computation that reaches a year nobody has entered raises ``CalendarMissing`` — a
``ValidationError`` with the message telling the user what to do — so a form shows it on the page,
the API answers 422, and a sweep skips that one record and reports it; never a 500.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.core.exceptions import ValidationError

from feidi.lib.workdays import Calendar
from feidi.lib.workdays import OutOfCalendar

KEY = "feidi:calendar:v2"


class CalendarMissing(ValidationError):
    """A deadline falls in a year whose holiday schedule has not been entered."""

    def __init__(self, exc: OutOfCalendar):
        super().__init__(str(exc), code="calendar_missing")
        self.year = exc.year


class CheckedCalendar(Calendar):
    """The calendar in force, raising ``CalendarMissing`` for an unknown year."""

    def is_workday(self, day):
        try:
            return super().is_workday(day)
        except OutOfCalendar as exc:
            raise CalendarMissing(exc) from None


def _stamp() -> str:
    """What the entered years and overrides look like now (one small query): another process's
    entry changes it, so no process computes a deadline on a calendar older than the database."""
    from django.db.models import Count
    from django.db.models import Max

    from .models import CalendarDay
    from .models import CalendarYear

    years = CalendarYear.objects.aggregate(n=Count("pk"), at=Max("entered_at"))
    days = CalendarDay.objects.aggregate(n=Count("pk"), top=Max("pk"))
    return f"{years['n']}:{years['at']}:{days['n']}:{days['top']}"


def current_calendar() -> CheckedCalendar:
    from .models import CalendarDay
    from .models import CalendarYear

    key = f"{KEY}:{hashlib.sha256(_stamp().encode()).hexdigest()[:32]}"
    data = cache.get(key)
    if data is None:
        data = (dict(CalendarDay.objects.values_list("date", "is_workday")),
                [y.schedule() for y in CalendarYear.objects.all()])
        cache.set(key, data, 3600)
    overrides, schedules = data
    return CheckedCalendar(overrides, schedules)


def missing_next_year(today: dt.date | None = None) -> int | None:
    """From 1 November, next year when its schedule is not known yet (the notice is usually
    published in late October or November); else None."""
    from django.utils import timezone

    today = today or timezone.localdate()
    if today.month < 11:
        return None
    year = today.year + 1
    return None if current_calendar().knows(year) else year


