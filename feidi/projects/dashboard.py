"""The pipeline dashboard: funnel, signed amount by month and chain, plan vs completed investment
of key projects, and what is overdue — all over the projects the user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count
from django.db.models import Q
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from feidi.core import declare
from feidi.core.views import ScopedViewMixin

from .models import FLOW
from .models import Alert
from .models import AnnualPlan
from .models import MonthlyInvestment
from .models import Project
from .models import Stage
from .models import in_force

WAN = Decimal(10000)


def _months_back(today: dt.date, n: int) -> list[dt.date]:
    first = today.replace(day=1)
    months = []
    for _i in range(n):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def figures(projects, today: dt.date, user=None) -> dict:
    """The dashboard's numbers; ``projects`` is already limited to what ``user`` sees."""
    year_start = dt.date(today.year, 1, 1)
    # one grouped read per stage answers the funnel, the year's signings, the key projects and the pool
    signed_q = Q(signed_on__gte=year_start, signed_on__lte=today) & in_force()
    stages = list(projects.order_by().values("stage").annotate(
        n=Count("pk"), signed_n=Count("pk", filter=signed_q), signed_amount=Sum("signed_amount", filter=signed_q),
        signed_planned=Sum("planned_investment", filter=signed_q), key_n=Count("pk", filter=Q(is_key=True)),
        pool=Count("pk", filter=Q(owner__isnull=True))))
    by_stage = {r["stage"]: r["n"] for r in stages}
    signed_totals = {"n": sum(r["signed_n"] for r in stages),
                     "amount": sum((r["signed_amount"] or Decimal(0) for r in stages), Decimal(0)),
                     "planned": sum((r["signed_planned"] or Decimal(0) for r in stages), Decimal(0))}
    # Funnel: how many projects reached each stage (a project in 开工 has passed 签约 too).
    reached, running = [], 0
    for stage in reversed(FLOW):
        running += by_stage.get(stage, 0)
        reached.append((Stage(stage).label, running))
    funnel = list(reversed(reached))
    months = _months_back(today, 12)
    rows = (projects.filter(in_force(), signed_on__gte=months[0], signed_on__lte=today)
            .annotate(m=TruncMonth("signed_on")).values("m", "segment__chain__name")
            .annotate(amount=Sum("signed_amount")).order_by())
    per_chain: dict[str, dict[dt.date, Decimal]] = defaultdict(dict)
    for r in rows:
        month = r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]
        per_chain[r["segment__chain__name"] or gettext("未归链")][month] = r["amount"] or Decimal(0)
    signed_series = [{"name": chain, "data": [float((vals.get(m, Decimal(0)) / WAN).quantize(Decimal("0.01")))
                                              for m in months]}
                     for chain, vals in sorted(per_chain.items())]
    key = projects.filter(in_force(), is_key=True)
    plan_total = (AnnualPlan.objects.filter(project__in=key, year=today.year)
                  .aggregate(s=Sum("planned_investment"))["s"] or Decimal(0))
    monthly = dict(MonthlyInvestment.objects.filter(project__in=key, month__gte=year_start, month__lte=today)
                   .values_list("month").annotate(s=Sum("amount")).order_by())
    cumulative, running_total = [], Decimal(0)
    pace = []
    for m in range(1, 13):
        month = dt.date(today.year, m, 1)
        # a month completed, or the month under way once investment of it is reported (before that, a
        # copy of the month before read as 本月零投资 against the month's pace)
        if month < today.replace(day=1) or month in monthly and month <= today:
            running_total += monthly.get(month, Decimal(0))
            cumulative.append(float((running_total / WAN).quantize(Decimal("0.01"))))
        else:
            cumulative.append(None)
        pace.append(float((plan_total * m / 12 / WAN).quantize(Decimal("0.01"))))
    # 累计完成投资 and its rate are the 专报's: the months completed by today (``months_done``),
    # said with them (1–11月); the chart above also draws the month under way when it has figures
    from .reports import months_label

    completed = sum((v for m, v in monthly.items() if m < today.replace(day=1)), Decimal(0))
    # Alerts carry their project's department: read them through their own scope, not a join
    # over every visible project.
    alerts = Alert.objects.filter(resolved_at__isnull=True)
    alerts = (alerts.visible_to(user) if user is not None else alerts.filter(project__in=projects)) \
        .select_related("project").order_by("-raised_at")
    return {
        "funnel": funnel, "by_stage": {str(Stage(k).label): v for k, v in by_stage.items()},
        "leads_open": by_stage.get(Stage.LEAD, 0) + by_stage.get(Stage.NEGOTIATING, 0),
        "pool": next((r["pool"] for r in stages if r["stage"] == Stage.LEAD), 0),
        "signed_count": signed_totals["n"], "signed_amount": signed_totals["amount"] or Decimal(0),
        "signed_planned": signed_totals["planned"] or Decimal(0),
        "months": [f"{m:%Y-%m}" for m in months], "signed_series": signed_series,
        "key_count": sum(r["key_n"] for r in stages if r["stage"] != Stage.TERMINATED), "plan_total": plan_total, "completed": completed,
        "rate": (completed / plan_total) if plan_total else None,
        "done_months": months_label(today).removeprefix(f"{today.year}年"),
        "cumulative": cumulative, "pace": pace, "alert_count": alerts.count(), "alerts": list(alerts[:12]),
    }


@declare.route("", "dashboard")
class DashboardView(ScopedViewMixin, TemplateView):
    model = Project
    template_name = "projects/dashboard.html"
    title = _("招商与重点项目看板")

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        data = figures(self.base_queryset(request.user), today, request.user)
        chart = {k: data[k] for k in ("funnel", "months", "signed_series", "cumulative", "pace")}
        return self.render_to_response(self.get_context_data(title=self.title, f=data, chart=chart, today=today))
