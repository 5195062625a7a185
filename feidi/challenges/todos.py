"""揭榜挂帅's part of 我的待办: the applications an expert still has to score, and the challenges
whose scoring is done, waiting for 定榜 by whoever may award them (the permission and the scope of
the ``award`` step, as the challenge's page offers its 定榜)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models import Exists
from django.db.models import OuterRef
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext

from feidi.core import workbench

from .models import Application
from .models import Challenge
from .models import Review


def applications_to_score(queryset, user, today=None):
    """The submitted applications of the challenges under review that ``user`` is an expert of and
    has not scored (``actions.do_review``'s rule)."""
    if not user.has_perm("challenges.add_review"):
        return queryset.none()
    return queryset.filter(
        challenge__in=Challenge.objects.filter(status=Challenge.Status.REVIEW, experts=user).values("pk"),
        status=Application.Status.SUBMITTED).exclude(reviews__expert=user)


def challenges_to_award(queryset, user, today=None):
    """The challenges under review whose submitted applications every invited expert has scored
    (none is left on an expert's list, ``applications_to_score``): 定榜 is next, by ``user`` if
    he may award them (``actions.do_award``'s permission, the ``award`` step's scope)."""
    if user.organization_id or not user.has_perm("challenges.award_challenge"):
        return queryset.none()
    submitted = Application.objects.filter(challenge_id=OuterRef("pk"), status=Application.Status.SUBMITTED)
    expert_missing = Challenge.experts.through.objects.filter(challenge_id=OuterRef("challenge_id")).filter(
        ~Exists(Review.objects.filter(application_id=OuterRef(OuterRef("pk")), expert_id=OuterRef("user_id"))))
    return queryset.visible_to(user, "award").filter(
        Exists(submitted), status=Challenge.Status.REVIEW).exclude(Exists(submitted.filter(Exists(expert_missing))))


@workbench.declares("review_score", "challenge_award", models=(Application, Challenge, Review))
def todos(user, today: dt.date, limit: int) -> list[workbench.Todo]:
    found = workbench.group(
        "review_score", gettext("待评审的揭榜申请"),
        applications_to_score(Application.objects.visible_to(user), user, today)
        .select_related("challenge", "applicant").order_by("challenge_id", "pk"),
        url=reverse("challenges:application_list") + "?review=true", action=gettext("评审"),
        text=lambda a: f"{a.challenge} · {a.applicant}", link=lambda a: reverse("challenges:review", args=[a.pk]),
        limit=limit, order=31)
    found += workbench.group(
        "challenge_award", gettext("评审完毕待定榜的榜单"),
        challenges_to_award(Challenge.objects.visible_to(user), user, today).annotate(
            submitted=Count("applications", filter=Q(applications__status=Application.Status.SUBMITTED)))
        .order_by("deadline", "pk"),
        url=reverse("challenges:challenge_list") + "?award=true", action=gettext("定榜"),
        text=lambda c: c.title, link=lambda c: c.get_absolute_url(), limit=limit, order=32,
        note=lambda c: gettext("{n}份揭榜申请均已评审").format(n=c.submitted))
    return found
