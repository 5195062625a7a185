"""惠企政策's part of 我的待办: applications waiting for this user's department, 免申即享 lists to
confirm, and for an enterprise the policies it qualifies for but has not applied to."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from feidi.core import workbench

from .models import Application
from .models import Payment


def todos(user, today, limit) -> list[workbench.Todo]:
    found: list[workbench.Todo] = []
    if user.organization_id or not user.department_id:
        return found
    if user.has_perm("policies.handle_application"):
        waiting = (Application.objects.visible_to(user, "handle").select_related("organization", "item")
                   .filter(status__in=Application.OPEN, handling_department_id=user.department_id))
        found += workbench.group(
            "policy_application", gettext("待办理的政策申报"), waiting,
            url=reverse("policies:application_list"), action=gettext("办理"),
            text=lambda a: f"{a.organization} · {a.item.title}", link=lambda a: a.get_absolute_url(),
            due="deadline", limit=limit, order=30, note=lambda a: a.get_status_display())
    if user.has_perm("policies.change_payment"):
        pending = (Payment.objects.visible_to(user, "change").filter(status=Payment.Status.PENDING)
                   .select_related("organization", "item"))
        found += workbench.group(
            "policy_payment", gettext("待确认的兑现名单"), pending,
            url=reverse("policies:payment_list") + "?status=pending", action=gettext("确认"),
            text=lambda p: f"{p.organization} · {p.item.title}", link=lambda p: p.item.get_absolute_url(),
            limit=limit, order=31)
    return found
