"""企业服务's part of 我的待办: appeals waiting for this user, and ratings the enterprise owes.

An appeal is routed to one person, its current handler (``owner``, who rises with the level):
it waits for him, through the scope of the ``handle`` step (``actions.scope_action``). An appeal
with no handler (a zone whose 服务设置 are missing) waits for whoever may handle it. One not
accepted within ``ACCEPT_DAYS`` working days is late: it shows so on its handler's list and on
the zone's 安商办主任's (``ServiceSettings.office_head``, who answers for the zone's appeals). A
suspended appeal the enterprise has answered (a reply or a file after the suspension) waits on its
handler to resume it."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Exists
from django.db.models import OuterRef
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import workbench
from feidi.core.calendar import calendar_changed
from feidi.core.calendar import clock
from feidi.core.calendar import current_calendar

from .models import Appeal
from .models import AppealEvent
from .models import Assignment
from .models import ServiceSettings

S = Appeal.Status

# 受理时限: the specification sets none (the clock it sets runs from acceptance). An appeal not
# accepted by the end of the working day after it was submitted is shown as late — to its handler
# and to the zone's 安商办主任 — and is not escalated.
ACCEPT_DAYS = 1


def acceptance_due(appeal: Appeal) -> dt.datetime:
    """When ``appeal`` should have been accepted: ``ACCEPT_DAYS`` working days from its submission."""
    return clock(appeal.submitted_at, ACCEPT_DAYS).deadline


def accept_late_before(today: dt.date | None = None) -> dt.datetime:
    """The submissions late for acceptance today: those before the start of the ``ACCEPT_DAYS``-th
    working day before today — whose acceptance day (``acceptance_due``) ended before today. Kept
    for the day (every count of 我的待办 asks), forgotten when the calendar changes."""
    today = today or timezone.localdate()
    key = f"{LATE_KEY}:{ACCEPT_DAYS}:{today.isoformat()}"
    found = cache.get(key)
    if found is None:
        cal = current_calendar(guess=True)
        day, left = today, ACCEPT_DAYS
        while left:
            day -= dt.timedelta(days=1)
            left -= cal.is_workday(day)
        found = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        cache.set(key, found, 600)
    return found


LATE_KEY = "feidi:appeals:accept-late"


def _calendar_changed(sender, **kwargs) -> None:
    cache.delete_many([f"{LATE_KEY}:{ACCEPT_DAYS}:{timezone.localdate() - dt.timedelta(days=n):%Y-%m-%d}"
                       for n in range(-1, 2)])


calendar_changed.connect(_calendar_changed, dispatch_uid="feidi.services.todos.calendar_changed")


def _handled_by(queryset, user):
    if user.organization_id or not user.has_perm("services.handle_appeal"):
        return queryset.none()
    return queryset.visible_to(user, "handle").filter(Q(owner_id=user.pk) | Q(owner__isnull=True))


def appeals_to_accept(queryset, user, today=None):
    """Submitted appeals whose current handler is ``user``, and those late for acceptance in the
    zones whose 安商办主任 ``user`` is."""
    if user.organization_id or not user.has_perm("services.handle_appeal"):
        return queryset.none()
    head_of = ServiceSettings.objects.filter(office_head_id=user.pk).values("department_id")
    mine = Q(owner_id=user.pk) | Q(owner__isnull=True) | Q(department_id__in=head_of,
                                                           submitted_at__lt=accept_late_before(today))
    return queryset.visible_to(user, "handle").filter(mine, status=S.SUBMITTED)


def answered_after_suspension():
    """The suspended appeals the enterprise has written to (a reply, a file) since the suspension."""
    return Q(status=S.SUSPENDED) & Q(Exists(AppealEvent.objects.filter(
        appeal_id=OuterRef("pk"), kind__in=("reply", "attach"), user__organization_id=OuterRef("organization_id"),
        at__gte=OuterRef("suspended_at"))))


def appeals_to_handle(queryset, user, today=None):
    """Accepted appeals in hand (受理 or 办理中) whose current handler is ``user``, and his suspended
    ones the enterprise has answered (to resume)."""
    return _handled_by(queryset, user).filter(Q(status__in=(S.ACCEPTED, S.HANDLING)) | answered_after_suspension())


def appeals_to_rate(queryset, user, today=None):
    """The enterprise's closed appeals it has not rated."""
    if not user.organization_id or not user.has_perm("services.rate_appeal"):
        return queryset.none()
    return queryset.visible_to(user, "rate").filter(organization_id=user.organization_id, status=S.CLOSED,
                                                     rating__isnull=True)


@workbench.declares("appeal_rate", "appeal_accept", "appeal_handle",
                    models=(Appeal, AppealEvent, Assignment, ServiceSettings))
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
    late_before = accept_late_before(today)

    def accept_note(a):
        note = gettext("{level_label}，{localtime:%m-%d %H:%M}提交").format(
            level_label=a.level_label, localtime=timezone.localtime(a.submitted_at))
        if a.submitted_at < late_before:
            note += gettext("，超过{days}个工作日未受理").format(days=ACCEPT_DAYS)
        if a.owner_id != user.pk:
            note += gettext("（办理人：{owner}）").format(owner=a.owner or gettext("未指定"))
        return note

    def handle_note(a):
        if a.status == S.SUSPENDED:
            return gettext("{level_label}，挂起中，企业已补充材料，待恢复办理").format(level_label=a.level_label)
        return a.level_label

    return [
        *workbench.group("appeal_accept", gettext("待受理的诉求"),
                         appeals_to_accept(appeals, user, today).select_related("owner").order_by("submitted_at", "pk"),
                         url=f"{url}?accept=true", action=gettext("受理"), text=text, link=link,
                         late=Q(submitted_at__lt=late_before), due_of=acceptance_due, limit=limit, order=10,
                         note=accept_note),
        *workbench.group("appeal_handle", gettext("办理中的诉求"), appeals_to_handle(appeals, user),
                         url=f"{url}?handle=true", action=gettext("办理"), text=text, link=link, due="deadline",
                         # a suspended appeal's clock is stopped: not late, and its deadline moves on resuming
                         late=Q(status__in=Appeal.OPEN), due_of=lambda a: a.deadline if a.status in Appeal.OPEN else None,
                         limit=limit, order=11, note=handle_note),
    ]
