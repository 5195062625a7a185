"""技术市场's part of 我的待办: pushed matches waiting for this organization's answer."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext

from feidi.core import workbench
from feidi.core.templatetags.money import percent

from .models import Push

D = Push.Direction


def todos(user, today: dt.date, limit: int) -> list[workbench.Todo]:
    out = []
    if user.organization_id and user.has_perm("techmarket.feedback_push"):
        org = user.organization_id
        waiting = (Q(direction=D.TO_DEMANDER, demand__organization_id=org, demand_feedback="")
                   | Q(direction=D.TO_SUPPLIER, supply__organization_id=org, supply_feedback=""))
        out += workbench.group(
            "push_answer", gettext("待反馈的匹配推送"), Push.objects.visible_to(user).filter(waiting)
            .select_related("demand", "supply").order_by("-created_at"),
            url=reverse("techmarket:push_list"), action=gettext("反馈"),
            text=lambda p: str(p.supply if p.direction == D.TO_DEMANDER else p.demand),
            link=lambda p: p.get_absolute_url(), limit=limit, order=30,
            note=lambda p: gettext("{direction}，第{rank}名，匹配度{share}").format(
                direction=p.get_direction_display(), rank=p.rank, share=percent(p.share, 0)))
    return out
