"""技术市场's part of 我的待办: pushed matches waiting for this organization's answer — on
either side, whichever way the match was pushed (``push.do_mark_push``: the demand's enterprise
marks its side of every push of its demands, the supply's institution of its supplies)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext

from feidi.core import workbench
from feidi.core.templatetags.money import percent

from .models import Push

D = Push.Direction


def pushes_to_answer(queryset, user, today=None):
    """The pushes whose side of ``user``'s organization has no feedback yet."""
    org = user.organization_id
    if not org or not user.has_perm("techmarket.feedback_push"):
        return queryset.none()
    return queryset.filter(Q(demand__organization_id=org, demand_feedback="")
                           | Q(supply__organization_id=org, supply_feedback=""))


@workbench.declares("push_answer", models=(Push,))
def todos(user, today: dt.date, limit: int) -> list[workbench.Todo]:
    org = user.organization_id

    def other(p):  # the other side's record: what was matched to one's own
        return p.supply if p.demand.organization_id == org else p.demand

    return workbench.group(
        "push_answer", gettext("待反馈的匹配推送"), pushes_to_answer(Push.objects.visible_to(user), user, today)
        .select_related("demand", "supply").order_by("-created_at"),
        url=reverse("techmarket:push_list") + "?feedback=pending", action=gettext("反馈"),
        text=lambda p: str(other(p)), link=lambda p: p.get_absolute_url(), limit=limit, order=30,
        note=lambda p: gettext("{direction}，第{rank}名，匹配度{share}").format(
            direction=p.get_direction_display(), rank=p.rank, share=percent(p.share, 0)))
