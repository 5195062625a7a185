"""The cockpit's figures, each from the module that owns it and through the user's scope: the
month's quotable economic figures (同比, share, standing), the pipeline, the key projects against
their plan, the appeals by level, and the two-way enclave's loop (incubated → landed at home)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models import Q
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext

from feidi.core import cache as core_cache

ECONOMY_TTL = 600


def economy(user) -> dict | None:
    if not user.has_perm("indicators.view_indicatorvalue"):
        return None
    from feidi.indicators import dashboard
    from feidi.indicators import engine
    from feidi.indicators.models import Indicator
    from feidi.indicators.models import IndicatorValue

    def compute():
        values = IndicatorValue.objects.visible_to(user)
        revenue = Indicator.objects.filter(code="revenue").first()
        # the latest month whose reporting is complete, not one an early enterprise has begun
        reporting = engine.reporting_month(values, revenue) if revenue else None
        period = reporting.period if reporting else None
        data = dashboard.figures(user, values, period, brief=True)  # no zones table, no labels
        return {"period": period, "reporting": reporting, "cards": data["cards"], "cards_of": data.get("cards_of", ""),
                "standing": data.get("standing"), "chart": data.get("chart"), "by_chain": data.get("by_chain", [])[:8]}

    # the month's economy moves only when values, published figures, sharing or labels are written
    # (each bumps the "indicators" version); the screen asks every five minutes
    # its sentences are written in the reader's language: one entry per language
    return core_cache.cached("indicators", f"cockpit:{user.pk}:{get_language()}", ECONOMY_TTL, compute)


def pipeline(user, today: dt.date) -> dict | None:
    if not user.has_perm("projects.view_project"):
        return None
    from feidi.projects import dashboard
    from feidi.projects.models import Project

    return dashboard.figures(Project.objects.visible_to(user), today, user)


def appeals(user, today: dt.date) -> dict | None:
    if not user.has_perm("services.view_appeal"):
        return None
    from feidi.services.models import Appeal

    now = timezone.now()
    from feidi.services.models import closed_on_time

    # the year's 受理: appeals accepted this year (one still waiting to be accepted is not 受理)
    open_, year = Q(status__in=Appeal.OPEN), Q(accepted_at__year=today.year)
    unresolved, suspended = Q(status__in=Appeal.UNRESOLVED), Q(status=Appeal.Status.SUSPENDED)
    from feidi.services.measures import DONE

    done = Q(status__in=DONE)
    # one scan of the visible appeals: per level the open and the overdue, and the year's figures
    by_level = list(Appeal.objects.visible_to(user).order_by().values("level").annotate(
        n=Count("pk", filter=unresolved), late=Count("pk", filter=open_ & Q(deadline__lt=now)),
        suspended=Count("pk", filter=suspended),
        year=Count("pk", filter=year), solved=Count("pk", filter=year & done),
        on_time=Count("pk", filter=year & done & closed_on_time()),
        rated=Count("rating", filter=year), rating_sum=Sum("rating", filter=year)))
    levels = {r["level"]: r["n"] for r in by_level}
    rated = sum(r["rated"] for r in by_level)
    solved = sum(r["solved"] for r in by_level)
    year = {"n": sum(r["year"] for r in by_level), "solved": solved,
            # 按时办结率, as 办理指标 counts it (``closed_on_time``: at the first level, by its deadline)
            "on_time": sum(r["on_time"] for r in by_level) / solved if solved else None,
            "rating": sum(r["rating_sum"] or 0 for r in by_level) / rated if rated else None}
    return {"levels": [(gettext("{level}级 {label}").format(level=level, label=label), levels.get(level, 0)) for level, label in Appeal.LEVELS.items()],
            "open": sum(levels.values()), "overdue": sum(r["late"] for r in by_level),
            "suspended": sum(r["suspended"] for r in by_level),
            "year": year["n"], "solved": year["solved"], "on_time": year["on_time"], "rating": year["rating"]}


def enclave_loop(user) -> dict | None:
    if not user.has_perm("registry.view_residency"):
        return None
    from feidi.registry.models import Residency

    residencies = Residency.objects.visible_to(user)
    by_status = dict(residencies.values_list("status").annotate(n=Count("pk")).order_by())
    steps = [(label, by_status.get(code, 0)) for code, label in Residency.Status.choices if code != "exited"]
    landed = None
    if user.has_perm("projects.view_project"):
        from feidi.projects.models import FLOW
        from feidi.projects.models import Project
        from feidi.projects.models import in_force

        # 回本地落地: an incubated project signed at home (or further); one still in talks is counted apart,
        # a terminated one not at all
        home = Project.objects.visible_to(user).filter(in_force(), incubated_from__isnull=False)
        signed = home.filter(stage__in=FLOW[FLOW.index("signed"):])
        landed = {"count": signed.count(), "projects": list(signed.select_related("zone").order_by("-updated_at")[:5]),
                  "pending": home.exclude(stage__in=FLOW[FLOW.index("signed"):]).count()}
    return {"steps": steps, "exited": by_status.get("exited", 0), "landed": landed}
