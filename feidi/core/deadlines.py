"""Open deadlines counted again when the calendar changes (``core.calendar.calendar_changed``):
every model with a ``WorkdayClock`` and its ``OPEN`` statuses."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import transaction

from . import audit
from .calendar import calendar_changed
from .calendar import clock
from .calendar import current_calendar
from .models import WorkdayClock


def recount_deadlines() -> int:
    """Count every open deadline again on the calendar in force (each model with a
    ``WorkdayClock`` and its ``OPEN`` statuses): one counted on the weekday rule for a year since
    entered, or across a day since adjusted, moves to where the calendar puts it. Returns how many
    moved; each move is audited and bumps the record's version."""
    cal = current_calendar(guess=True)
    counted: dict[tuple[dt.date, int], dt.datetime] = {}
    moved = 0
    for model in apps.get_models():
        if not issubclass(model, WorkdayClock) or not hasattr(model, "OPEN"):
            continue
        with transaction.atomic():
            rows = list(model._base_manager.select_for_update().filter(
                status__in=model.OPEN, deadline__isnull=False, deadline_from__isnull=False,
                deadline_days__isnull=False))
            changed, entries = [], []
            for row in rows:
                key = (row.deadline_from, row.deadline_days)
                if key not in counted:
                    counted[key] = clock(*key, cal).deadline
                if counted[key] != row.deadline:
                    before = audit.snapshot(row)
                    row.deadline, row.version = counted[key], row.version + 1
                    changed.append(row)
                    entries.append({"action": audit.AuditRecord.Action.UPDATE, "instance": row, "before": before,
                                    "after": audit.snapshot(row)})
            model._base_manager.bulk_update(changed, ["deadline", "version"], batch_size=500)
            audit.record_many(entries)
            moved += len(changed)
    return moved




def _recount(sender, **kwargs) -> None:
    recount_deadlines()


def connect() -> None:
    calendar_changed.connect(_recount, dispatch_uid="calendar_recount")
