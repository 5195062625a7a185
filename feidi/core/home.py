"""The home page's overview, assembled from what each app contributes: its cards, a chart and the
lines of the recent list. Apps register their sections in ``AppConfig.ready`` (as they register
their to-dos with ``workbench``), so core reads no app's models and a new module adds its cards
without touching core. Every section reads through the scope layer for ``user``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field


@dataclass
class Overview:
    cards: list[dict] = field(default_factory=list)  # {"label", "value", "hint", "url"}
    chart: dict | None = None  # {"title", "categories", "series"}: the first section's to give one
    recent: list[dict] = field(default_factory=list)  # {"time", "text", "url"}


Section = Callable[[object, Overview], None]

_staff: list[tuple[int, Section]] = []
_organization: list[tuple[int, Section]] = []


def register(order: int, section: Section, *, organization: bool = False) -> None:
    """``section(user, overview)`` adds to the overview of staff users (``organization``: of
    enterprise and institution users, whose home shows their own record); lower ``order`` first."""
    target = _organization if organization else _staff
    if all(s is not section for _, s in target):
        target.append((order, section))
        target.sort(key=lambda pair: pair[0])


def overview(user) -> Overview:
    out = Overview()
    for _order, section in (_organization if user.organization_id else _staff):
        section(user, out)
    return out


def audit_section(user, out: Overview) -> None:
    """The latest audit records and the size of the hash-chained trail (audit readers)."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from .models import AuditRecord

    if not user.has_perm("core.view_auditrecord"):
        return
    for a in AuditRecord.objects.visible_to(user).order_by("-seq")[:8]:
        out.recent.append({"time": a.at, "text": f"{a.username} {a.get_action_display()} {a.object_repr}",
                           "url": a.get_absolute_url()})
    out.cards.append({"label": gettext("审计记录"), "value": AuditRecord.objects.visible_to(user).count(),
                      "hint": gettext("哈希链保护"), "url": reverse("core:auditrecord_list")})
