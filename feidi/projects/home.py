"""The pipeline's part of the home page (``core.home``): this year's signings and the open
key-project alerts (which also lead the recent list)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from feidi.lib.money import human

from .models import Alert
from .models import Project
from .models import in_force


def staff_section(user, out) -> None:
    if not user.has_perm("projects.view_project"):
        return
    today = timezone.localdate()
    signed = (Project.objects.visible_to(user).filter(in_force(), signed_on__gte=dt.date(today.year, 1, 1), signed_on__lte=today)
              .aggregate(n=Count("pk"), amount=Sum("signed_amount")))
    out.cards.append({"label": gettext("{year}年签约项目").format(year=today.year), "value": signed["n"],
                      "hint": gettext("签约金额 {human}").format(human=human(signed["amount"] or 0)),
                      "url": reverse("projects:project_list")
                      + f"?signed_after={dt.date(today.year, 1, 1):%Y-%m-%d}&signed_before={today:%Y-%m-%d}&terminated=false"})
    if user.has_perm("projects.view_alert"):
        alerts = list(Alert.objects.visible_to(user).filter(resolved_at__isnull=True).select_related("project")
                      .order_by("-raised_at")[:6])
        count = Alert.objects.visible_to(user).filter(resolved_at__isnull=True).count() if len(alerts) == 6 \
            else len(alerts)
        out.cards.append({"label": gettext("项目预警"), "value": count, "hint": gettext("节点、问题、投资进度逾期"),
                          "url": reverse("projects:alert_list") + "?open=true"})
        out.recent[:0] = [{"time": a.raised_at, "text": f"⚠ {a.project.name}：{a.get_rule_display()}",
                           "url": a.project.get_absolute_url()} for a in alerts]
