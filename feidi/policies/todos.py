"""惠企政策's part of 我的待办: the open applications this user may handle and the 免申即享 lists
to confirm.

An application waits for everyone who may act on it — the permission and the scope of its
``handle`` step, the rule by which its page offers 办理通过 / 退回 — not only for the staff of its
current handling department, which may hold nobody who may handle it (an item of the 管委会 is
handled by its 政策兑现办 and 安商办). The department is shown on each line."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from feidi.core import workbench

from .models import Application
from .models import Payment


def applications_to_handle(queryset, user, today=None):
    """The open applications ``user`` may handle (``views.application_actions`` and the step's scope)."""
    if user.organization_id or not user.has_perm("policies.handle_application"):
        return queryset.none()
    return queryset.visible_to(user, "handle").filter(status__in=Application.OPEN)


def payments_to_confirm(queryset, user, today=None):
    """The 免申即享 payments ``user`` may confirm."""
    if user.organization_id or not user.has_perm("policies.change_payment"):
        return queryset.none()
    return queryset.visible_to(user, "change").filter(status=Payment.Status.PENDING)


@workbench.declares("policy_application", "policy_payment", models=(Application, Payment))
def todos(user, today, limit) -> list[workbench.Todo]:
    found: list[workbench.Todo] = []
    if user.organization_id:
        return found
    waiting = applications_to_handle(Application.objects.visible_to(user), user, today)
    found += workbench.group(
        "policy_application", gettext("待办理的政策申报"),
        waiting.select_related("organization", "item", "handling_department"),
        url=reverse("policies:application_list") + "?handle=true", action=gettext("办理"),
        text=lambda a: f"{a.item.title} · {a.organization}", link=lambda a: a.get_absolute_url(),
        due="deadline", limit=limit, order=30,
        note=lambda a: " · ".join(str(x) for x in (a.get_status_display(), a.handling_department or "") if x))
    pending = payments_to_confirm(Payment.objects.visible_to(user), user, today)
    found += workbench.group(
        "policy_payment", gettext("待确认的兑现名单"), pending.select_related("organization", "item"),
        url=reverse("policies:payment_list") + "?confirm=true", action=gettext("确认"),
        text=lambda p: f"{p.item.title} · {p.organization}", link=lambda p: p.item.get_absolute_url(),
        limit=limit, order=31)
    return found
