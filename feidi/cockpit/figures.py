"""The cockpit's figures, each from the module that owns it and through the user's scope: the
month's quotable economic figures (同比, share, standing), the pipeline, the key projects against
their plan, the appeals by level, and the two-way enclave's loop (incubated → landed at home)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import cache as core_cache

ECONOMY_TTL = 600


def economy(user) -> dict | None:
    if not user.has_perm("indicators.view_indicatorvalue"):
        return None
    from feidi.indicators import dashboard, engine
    from feidi.indicators.models import Indicator, IndicatorValue

    def compute():
        values = IndicatorValue.objects.visible_to(user)
        revenue = Indicator.objects.filter(code="revenue").first()
        period = engine.latest_period(values, revenue) if revenue else None
        data = dashboard.figures(user, values, period)
        return {"period": period, "cards": data["cards"], "standing": data.get("standing"),
                "chart": data.get("chart"), "by_chain": data.get("by_chain", [])[:8]}

    # the month's economy moves only when values, published figures, sharing or labels are written
    # (each bumps the "indicators" version); the screen asks every five minutes
    return core_cache.cached("indicators", f"cockpit:{user.pk}", ECONOMY_TTL, compute)


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

    visible = Appeal.objects.visible_to(user)
    now = timezone.now()
    open_ = visible.filter(status__in=Appeal.OPEN)
    by_level = list(open_.order_by().values("level").annotate(n=Count("pk"), late=Count("pk", filter=Q(
        deadline__lt=now))))  # open and overdue per level in one read
    levels = {r["level"]: r["n"] for r in by_level}
    year = visible.filter(submitted_at__year=today.year).aggregate(
        n=Count("pk"), solved=Count("pk", filter=Q(status__in=(Appeal.Status.CLOSED, Appeal.Status.RATED))),
        rating=Avg("rating"))
    return {"levels": [(gettext("{level}级 {label}").format(level=level, label=label), levels.get(level, 0)) for level, label in Appeal.LEVELS.items()],
            "open": sum(levels.values()), "overdue": sum(r["late"] for r in by_level),
            "year": year["n"], "solved": year["solved"], "rating": year["rating"]}


def enclave_loop(user) -> dict | None:
    if not user.has_perm("registry.view_residency"):
        return None
    from feidi.registry.models import Residency

    residencies = Residency.objects.visible_to(user)
    by_status = dict(residencies.values_list("status").annotate(n=Count("pk")).order_by())
    steps = [(label, by_status.get(code, 0)) for code, label in Residency.Status.choices if code != "exited"]
    landed = None
    if user.has_perm("projects.view_project"):
        from feidi.projects.models import Project

        home = Project.objects.visible_to(user).filter(incubated_from__isnull=False)
        landed = {"count": home.count(), "projects": list(home.select_related("zone").order_by("-updated_at")[:5])}
    return {"steps": steps, "exited": by_status.get("exited", 0), "landed": landed}
