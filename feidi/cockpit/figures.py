"""The cockpit's figures, each from the module that owns it and through the user's scope: the
month's quotable economic figures (同比, share, standing), the pipeline, the key projects against
their plan, the appeals by level, and the two-way enclave's loop (incubated → landed at home)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext


def economy(user) -> dict | None:
    if not user.has_perm("indicators.view_indicatorvalue"):
        return None
    from feidi.indicators import dashboard, engine
    from feidi.indicators.models import Indicator, IndicatorValue

    values = IndicatorValue.objects.visible_to(user)
    revenue = Indicator.objects.filter(code="revenue").first()
    period = engine.latest_period(values, revenue) if revenue else None
    data = dashboard.figures(user, values, period)
    return {"period": period, "cards": data["cards"], "standing": data.get("standing"),
            "chart": data.get("chart"), "by_chain": data.get("by_chain", [])[:8]}


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
    levels = dict(open_.values_list("level").annotate(n=Count("pk")).order_by())
    year = visible.filter(submitted_at__year=today.year).aggregate(
        n=Count("pk"), solved=Count("pk", filter=Q(status__in=(Appeal.Status.CLOSED, Appeal.Status.RATED))),
        rating=Avg("rating"))
    return {"levels": [(gettext("{level}级 {label}").format(
        level=level, label=label), levels.get(level, 0)) for level, label in Appeal.LEVELS.items()],
            "open": sum(levels.values()), "overdue": open_.filter(deadline__lt=now).count(),
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
