"""Appeal measures for the dashboard and the monthly ranking: time to accept and to close in
working days, on-time rate, escalations per level, satisfaction — by category, department,
service group or cadre."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.calendar import current_calendar
from feidi.core.calendar import day_ended
from feidi.core.models import seeded_label

from .models import Appeal
from .models import Assignment
from .models import was_on_time

GROUPINGS = {"category": _("类别"), "department": _("部门"), "group": _("服务小组"), "cadre": _("挂点干部")}
DONE = (Appeal.Status.CLOSED, Appeal.Status.RATED)


def _local_date(value):
    return timezone.localtime(value).date() if value else None


def compute(queryset, *, by: str = "category", start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    qs = queryset
    if start:
        qs = qs.filter(submitted_at__date__gte=start)
    if end:
        qs = qs.filter(submitted_at__date__lte=end)
    rows = list(qs.values("pk", "organization_id", "category__label", "department__name", "handling_department__name",
                          "status", "level", "deadline", "submitted_at", "accepted_at", "closed_at", "rating",
                          "first_deadline", "escalated_early_from"))
    current = {}
    if by in ("group", "cadre"):
        for a in (Assignment.objects.filter(organization_id__in={r["organization_id"] for r in rows}, until__isnull=True)
                  .values("organization_id", "group__name", "cadre__full_name")):
            current[a["organization_id"]] = a
    # a year not entered yet is counted as deadlines are (weekends and the law's holidays), not refused:
    # the page's default range reaches into January before anyone has entered the new year
    cal = current_calendar(guess=True)
    groups: dict[str, dict] = defaultdict(lambda: {"count": 0, "accepted": 0, "closed": 0, "on_time": 0,
                                                   "accept_days": [], "close_days": [], "ratings": [],
                                                   "escalated": {"2": 0, "3": 0, "4": 0}})
    for r in rows:
        if by == "category":
            key = seeded_label(r["category__label"])
        elif by == "department":
            key = r["handling_department__name"] or r["department__name"] or "—"
        else:
            a = current.get(r["organization_id"])
            key = (a["group__name"] if by == "group" else a["cadre__full_name"]) if a else gettext("（未挂点）")
        g = groups[key]
        g["count"] += 1
        if r["accepted_at"]:
            g["accepted"] += 1
            g["accept_days"].append(cal.workdays_between(_local_date(r["submitted_at"]), _local_date(r["accepted_at"])))
        if r["status"] in DONE and r["closed_at"]:
            g["closed"] += 1
            if r["accepted_at"]:
                # closed at 24:00 is closed on that day (``day_ended``), not a working day later
                g["close_days"].append(cal.workdays_between(_local_date(r["accepted_at"]), day_ended(r["closed_at"])))
            if was_on_time(r["level"], r["deadline"], r["closed_at"], early_from=r["escalated_early_from"],
                           first_deadline=r["first_deadline"]):
                g["on_time"] += 1
        for level in range(2, r["level"] + 1):
            if r["escalated_early_from"] != level - 1:  # one made before its deadline is no escalation for 逾期
                g["escalated"][str(level)] += 1
        if r["rating"]:
            g["ratings"].append(r["rating"])

    def avg(values):
        return round(sum(values) / len(values), 2) if values else None

    result = []
    for key, g in sorted(groups.items(), key=lambda kv: -kv[1]["count"]):
        result.append({
            "key": key, "label": key, "count": g["count"], "accepted": g["accepted"], "closed": g["closed"],
            "on_time": g["on_time"], "on_time_rate": round(g["on_time"] / g["closed"], 4) if g["closed"] else None,
            "avg_accept_workdays": avg(g["accept_days"]), "avg_close_workdays": avg(g["close_days"]),
            "escalated": g["escalated"], "satisfaction": avg(g["ratings"]),
        })
    return result
