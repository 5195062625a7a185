"""揭榜挂帅's part of 我的待办: the applications an expert still has to score."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext

from feidi.core import workbench

from .models import Application
from .models import Challenge


def todos(user, today: dt.date, limit: int) -> list[workbench.Todo]:
    if not user.has_perm("challenges.add_review"):
        return []
    return workbench.group(
        "review_score", gettext("待评审的揭榜申请"), Application.objects.filter(
            challenge__status=Challenge.Status.REVIEW, challenge__experts=user,
            status=Application.Status.SUBMITTED).exclude(reviews__expert=user).select_related("challenge", "applicant")
        .order_by("challenge_id", "pk"),
        url=reverse("challenges:application_list"), action=gettext("评审"),
        text=lambda a: f"{a.challenge} · {a.applicant}", link=lambda a: reverse("challenges:review", args=[a.pk]),
        limit=limit, order=31)
