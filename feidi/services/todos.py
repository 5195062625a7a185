"""企业服务's part of 我的待办: appeals waiting for this user, and ratings the enterprise owes."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import workbench

from .models import Appeal

S = Appeal.Status


def todos(user, today, limit) -> list[workbench.Todo]:
    if not user.has_perm("services.view_appeal"):
        return []
    appeals = Appeal.objects.visible_to(user).select_related("organization")
    url = reverse("services:appeal_list")

    def text(a):
        return f"{a.organization} · {a.title}"

    def link(a):
        return a.get_absolute_url()

    if user.organization_id:  # the enterprise: closed appeals it has not rated yet
        if not user.has_perm("services.rate_appeal"):
            return []
        return workbench.group("appeal_rate", gettext("待评价的诉求"), appeals.filter(
            organization_id=user.organization_id, status=S.CLOSED, rating__isnull=True),
            url=f"{url}?status={S.CLOSED}", action=gettext("评价"), text=lambda a: a.title, link=link,
            limit=limit, order=10)
    if not user.has_perm("services.handle_appeal"):
        return []
    mine = appeals.filter(owner_id=user.pk)
    return [
        *workbench.group("appeal_accept", gettext("待受理的诉求"), mine.filter(status=S.SUBMITTED),
                         url=f"{url}?status={S.SUBMITTED}&mine=true",
                         action=gettext("受理"), text=text, link=link, limit=limit, order=10,
                         note=lambda a: gettext("{level_label}，{localtime:%m-%d %H:%M}提交").format(
                             level_label=a.level_label, localtime=timezone.localtime(a.submitted_at))),
        *workbench.group("appeal_handle", gettext("办理中的诉求"), mine.filter(status__in=(S.ACCEPTED, S.HANDLING)),
                         url=f"{url}?mine=true", action=gettext("办理"), text=text, link=link, due="deadline",
                         limit=limit,
                         order=11, note=lambda a: a.level_label),
    ]
