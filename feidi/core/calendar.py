"""The working calendar in force: the national schedule (chinesecalendar), the years entered from
the State Council's notices (``CalendarYear``) and single-day overrides (``CalendarDay``).

A working-day computation that reaches a year nobody has entered raises ``CalendarMissing`` — a
``ValidationError`` with the message telling the user what to do — so a form shows it on the page,
the API answers 422; never a 500.

A deadline is different: an appeal must be accepted and escalated in late December whether or not
the administrator has entered next year's notice yet. ``clock`` counts on the weekday rule for a
year nobody has entered and says so (``Clock.guessed``); the record keeps where its clock started
and how many working days it runs (``WorkdayClock``), is shown as 暂按周末和法定节日推算, and is counted again
on the calendar as entered the moment a year or a day is entered or edited (``calendar_changed``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import django.dispatch
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

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
    # the days themselves (a few dozen rows): an edit that turns a rest day into a working day
    # changes neither their number nor their largest key
    days = hashlib.sha256(repr(list(CalendarDay.objects.order_by("date").values_list("date", "is_workday")))
                          .encode()).hexdigest()[:16]
    return f"{years['n']}:{years['at']}:{days}"


def current_calendar(*, guess: bool = False) -> CheckedCalendar:
    """The calendar in force; with ``guess``, an unknown year is counted on the weekday rule and
    noted in ``guessed`` instead of raising ``CalendarMissing`` (deadlines: ``clock``)."""
    from .models import CalendarDay
    from .models import CalendarYear

    key = f"{KEY}:{hashlib.sha256(_stamp().encode()).hexdigest()[:32]}"
    data = cache.get(key)
    if data is None:
        data = (dict(CalendarDay.objects.values_list("date", "is_workday")),
                [y.schedule() for y in CalendarYear.objects.all()])
        cache.set(key, data, 3600)
    overrides, schedules = data
    return CheckedCalendar(overrides, schedules, guess=guess)


# Sent (after the commit) when a year's schedule or a single day is entered, edited or removed:
# the apps count their open deadlines again (``WorkdayClock``).
calendar_changed = django.dispatch.Signal()


@dataclass(frozen=True)
class Clock:
    """A deadline of ``days`` working days counted from ``start`` (a local date, not counted
    itself): the end, 24:00 local, of the last one. ``guessed``: the years the weekday rule stood
    in for, none once every year it crosses is entered."""

    start: dt.date
    days: int
    deadline: dt.datetime
    guessed: frozenset[int]

    @property
    def fields(self) -> dict:
        """The record's fields (``WorkdayClock`` and its ``deadline``)."""
        return {"deadline": self.deadline, "deadline_from": self.start, "deadline_days": self.days, "deadline_pauses": []}


def credited(pauses, cal: CheckedCalendar | None = None) -> int:
    """The working days a clock stood still (``WorkdayClock.deadline_pauses``), each spell's at most
    its cap, on the calendar in force."""
    cal = cal or current_calendar(guess=True)
    return sum(min(cal.workdays_between(dt.date.fromisoformat(first), dt.date.fromisoformat(resumed)), int(cap))
               for first, resumed, cap in pauses or ())


def end_of(day: dt.date) -> dt.datetime:
    """24:00 local of ``day`` (stored as the next day's 00:00)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def day_ended(instant: dt.datetime | None) -> dt.date | None:
    """The local day an instant that ends something (a closing, a deadline) belongs to: 00:00 sharp
    is the end, 24:00, of the day before (``end_of``), so what closed at a deadline's 24:00 closed
    on that working day, not the next."""
    if instant is None:
        return None
    local = timezone.localtime(instant)
    return local.date() - dt.timedelta(days=1) if local.time() == dt.time.min else local.date()


def days_between_ends(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants (after, up to and including) that the days ``first``…``last`` hold as ends: an
    end at ``first``'s 00:00 is the day before's, one at 24:00 of ``last`` is ``last``'s."""
    return end_of(first - dt.timedelta(days=1)), end_of(last)


def clock(start: dt.datetime | dt.date, days: int, cal: CheckedCalendar | None = None) -> Clock:
    """The deadline ``days`` working days after ``start``'s local date, on the calendar in force;
    an unknown year is counted on the weekday rule (``Clock.guessed``), never refused."""
    if isinstance(start, dt.datetime):
        start = timezone.localtime(start).date()
    cal = cal or current_calendar(guess=True)
    day = cal.add_workdays(start, days)
    # the years counted on the weekday rule between the start and the deadline — whether this count
    # or an earlier one on the same calendar guessed them first (a resume counts the days waited,
    # then the deadline: its note said nothing of the guess)
    return Clock(start, days, end_of(day), frozenset(y for y in cal.guessed if start.year <= y <= day.year))


_shown: list = [None, None]  # (ten-second tick, calendar): a list of deadlines reads the calendar once


def _display_calendar() -> CheckedCalendar:
    import time

    tick = int(time.monotonic() // 10)
    if _shown[0] != tick:
        _shown[:] = [tick, current_calendar()]
    return _shown[1]


def deadline_text(deadline: dt.datetime | dt.date | None, cal: CheckedCalendar | None = None, *,
                  short: bool = False, brief: bool = False) -> str:
    """A deadline as people read it: the end of a working day is that day at 24:00 (not the next
    at 00:00), and one that falls in a year whose schedule is not entered is marked 暂按周末和法定节日推算;
    ``short``: without the year when it is this year's, for a to-do card (01-01 of next year says
    its year); ``brief``: the mark without its reason, for a table's cell."""
    if deadline is None:
        return "—"
    if not isinstance(deadline, dt.datetime):
        day, local = deadline, None
    else:
        local = timezone.localtime(deadline)
        day = day_ended(deadline) if local.time() == dt.time.min else local.date()
    day_format = "%m-%d" if short and day.year == timezone.localdate().year else "%Y-%m-%d"
    if local is None:
        return f"{deadline:{day_format}}"
    if local.time() == dt.time.min:
        text = f"{day:{day_format}} 24:00"
    else:
        text = f"{local:{day_format} %H:%M}"
    if not (cal or _display_calendar()).knows(day.year):
        text += gettext("（暂按周末和法定节日推算）") if short or brief else gettext(
            "（{year}年节假日未录入，暂按周末和法定节日推算）").format(year=day.year)
    return text


def missing_next_year(today: dt.date | None = None) -> int | None:
    """From 1 November, next year when its schedule is not known yet (the notice is usually
    published in late October or November); else None."""
    from django.utils import timezone

    today = today or timezone.localdate()
    if today.month < 11:
        return None
    year = today.year + 1
    return None if current_calendar().knows(year) else year




def _calendar_saved(sender, **kwargs) -> None:
    from django.db import transaction

    _shown[:] = [None, None]  # this process shows the change at once; the others within ten seconds

    transaction.on_commit(lambda: calendar_changed.send(sender=sender))


def connect() -> None:
    """The calendar's receivers (``CoreConfig.ready``): an entered, edited or removed year or day
    sends ``calendar_changed`` after its commit (``core.deadlines`` counts the open deadlines
    again)."""
    from django.db.models.signals import post_delete
    from django.db.models.signals import post_save

    from .models import CalendarDay
    from .models import CalendarYear

    for model in (CalendarDay, CalendarYear):
        post_save.connect(_calendar_saved, sender=model, dispatch_uid=f"calendar_saved_{model.__name__}")
        post_delete.connect(_calendar_saved, sender=model, dispatch_uid=f"calendar_deleted_{model.__name__}")
