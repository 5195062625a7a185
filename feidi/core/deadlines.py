"""Deadlines counted again when the calendar changes (``core.calendar.calendar_changed``): every
model with a ``WorkdayClock``, its ``OPEN`` records and those whose clock ran into a year the
national schedule does not hold."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from feidi.lib.workdays import KNOWN_YEARS

from . import audit
from .calendar import calendar_changed
from .calendar import clock
from .calendar import credited
from .calendar import current_calendar
from .models import WorkdayClock


def recount_deadlines() -> int:
    """Count deadlines again on the calendar in force (each model with a ``WorkdayClock``): every
    open one, and every one that ran into a year the national schedule does not hold (it may have
    been counted on a guess, and 按时办结 is judged on the calendar as entered — closed or not),
    with an escalated appeal's first-level deadline (``first_deadline`` and its clock). One
    counted on a guess for a year since entered, or across a day since adjusted, moves to where the
    calendar puts it. Returns how many records moved; each move is audited and bumps the version."""
    cal = current_calendar(guess=True)
    counted: dict[tuple[dt.date, int], dt.datetime] = {}
    unpublished = timezone.make_aware(dt.datetime(KNOWN_YEARS[1] + 1, 1, 1))  # from here on, maybe guessed

    def deadline(start, days):
        if (start, days) not in counted:
            counted[(start, days)] = clock(start, days, cal).deadline
        return counted[(start, days)]

    def paused(row, field) -> int:  # a suspension's working days, on this calendar
        return credited(row.deadline_pauses, cal) if field == "deadline" and row.deadline_pauses else 0

    moved = 0
    for model in apps.get_models():
        if not issubclass(model, WorkdayClock) or not hasattr(model, "OPEN"):
            continue
        clocks = [("deadline", "deadline_from", "deadline_days")]
        if all(hasattr(model, f) for f in ("first_deadline", "first_deadline_from", "first_deadline_days")):
            clocks.append(("first_deadline", "first_deadline_from", "first_deadline_days"))
        wanted = Q()
        for field, start, days in clocks:
            ticking = Q(**{f"{field}__isnull": False, f"{start}__isnull": False, f"{days}__isnull": False})
            reach = Q(**{f"{field}__gte": unpublished})
            if field == "deadline":
                reach |= Q(status__in=model.OPEN)
            wanted |= ticking & reach
        with transaction.atomic():
            rows = list(model._base_manager.select_for_update().filter(wanted))
            changed, entries = [], []
            for row in rows:
                before, fields = audit.snapshot(row), []
                for field, start, days in clocks:
                    if getattr(row, start) is None or getattr(row, days) is None or getattr(row, field) is None:
                        continue
                    if field == "deadline" and row.status not in model.OPEN and row.deadline < unpublished:
                        continue  # a closed record's deadline in a published year stands
                    if field != "deadline" and getattr(row, field) < unpublished:
                        continue
                    value = deadline(getattr(row, start), getattr(row, days) + paused(row, field))
                    if value != getattr(row, field):
                        setattr(row, field, value)
                        fields.append(field)
                if fields:
                    row.version += 1
                    changed.append(row)
                    entries.append({"action": audit.AuditRecord.Action.UPDATE, "instance": row, "before": before,
                                    "after": audit.snapshot(row)})
            if changed:
                model._base_manager.bulk_update(changed, [f for f, _s, _d in clocks] + ["version"], batch_size=500)
                audit.record_many(entries)
            moved += len(changed)
    return moved


def _recount(sender, **kwargs) -> None:
    recount_deadlines()


def connect() -> None:
    calendar_changed.connect(_recount, dispatch_uid="calendar_recount")
