"""企业服务's part of 我的待办: appeals waiting for this user, and ratings the enterprise owes.

An appeal is routed to one person, its current handler (``owner``, who rises with the level):
it waits for him, through the scope of the ``handle`` step (``actions.scope_action``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import workbench

from .models import Appeal

S = Appeal.Status


def _handled_by(queryset, user):
    if user.organization_id or not user.has_perm("services.handle_appeal"):
        return queryset.none()
    return queryset.visible_to(user, "handle").filter(owner_id=user.pk)


def appeals_to_accept(queryset, user, today=None):
    """Submitted appeals whose current handler is ``user``."""
    return _handled_by(queryset, user).filter(status=S.SUBMITTED)


def appeals_to_handle(queryset, user, today=None):
    """Accepted appeals in hand (受理 or 办理中) whose current handler is ``user``."""
    return _handled_by(queryset, user).filter(status__in=(S.ACCEPTED, S.HANDLING))


def appeals_to_rate(queryset, user, today=None):
    """The enterprise's closed appeals it has not rated."""
    if not user.organization_id or not user.has_perm("services.rate_appeal"):
        return queryset.none()
    return queryset.visible_to(user, "rate").filter(organization_id=user.organization_id, status=S.CLOSED,
                                                     rating__isnull=True)


@workbench.declares("appeal_rate", "appeal_accept", "appeal_handle")
def todos(user, today, limit) -> list[workbench.Todo]:
    if not user.has_perm("services.view_appeal"):
        return []
    appeals = Appeal.objects.visible_to(user).select_related("organization")
    url = reverse("services:appeal_list")

    def text(a):  # the appeal's own title first: the lines of one enterprise differ by it
        return f"{a.title} · {a.organization}"

    def link(a):
        return a.get_absolute_url()

    if user.organization_id:  # the enterprise: closed appeals it has not rated yet
        return workbench.group("appeal_rate", gettext("待评价的诉求"), appeals_to_rate(appeals, user),
                               url=f"{url}?rate=true", action=gettext("评价"), text=lambda a: a.title, link=link,
                               limit=limit, order=10)
    return [
        *workbench.group("appeal_accept", gettext("待受理的诉求"), appeals_to_accept(appeals, user),
                         url=f"{url}?accept=true",
                         action=gettext("受理"), text=text, link=link, limit=limit, order=10,
                         note=lambda a: gettext("{level_label}，{localtime:%m-%d %H:%M}提交").format(
                             level_label=a.level_label, localtime=timezone.localtime(a.submitted_at))),
        *workbench.group("appeal_handle", gettext("办理中的诉求"), appeals_to_handle(appeals, user),
                         url=f"{url}?handle=true", action=gettext("办理"), text=text, link=link, due="deadline",
                         limit=limit,
                         order=11, note=lambda a: a.level_label),
    ]
