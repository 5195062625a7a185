"""揭榜挂帅's part of 我的待办: the applications an expert still has to score."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext

from feidi.core import workbench

from .models import Application
from .models import Challenge


def applications_to_score(queryset, user, today=None):
    """The submitted applications of the challenges under review that ``user`` is an expert of and
    has not scored (``actions.do_review``'s rule)."""
    if not user.has_perm("challenges.add_review"):
        return queryset.none()
    return queryset.filter(
        challenge__in=Challenge.objects.filter(status=Challenge.Status.REVIEW, experts=user).values("pk"),
        status=Application.Status.SUBMITTED).exclude(reviews__expert=user)


@workbench.declares("review_score")
def todos(user, today: dt.date, limit: int) -> list[workbench.Todo]:
    return workbench.group(
        "review_score", gettext("待评审的揭榜申请"),
        applications_to_score(Application.objects.visible_to(user), user, today)
        .select_related("challenge", "applicant").order_by("challenge_id", "pk"),
        url=reverse("challenges:application_list") + "?review=true", action=gettext("评审"),
        text=lambda a: f"{a.challenge} · {a.applicant}", link=lambda a: reverse("challenges:review", args=[a.pk]),
        limit=limit, order=31)
