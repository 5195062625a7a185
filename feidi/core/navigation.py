"""The module menu. Each app registers its entries in ``AppConfig.ready``; a user sees an entry
when holding its permission."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    perm: str | None = None
    org_users: bool = False  # also shown to enterprise/institution users holding the permission
    visible: object = None  # a function of the user, for entries no single permission decides


@dataclass
class Menu:
    key: str
    label: str
    icon: str
    order: int
    items: list[Item] = field(default_factory=list)


MENUS: dict[str, Menu] = {}


def register(key: str, label: str, icon: str, order: int, items: list[Item]) -> None:
    menu = MENUS.setdefault(key, Menu(key, label, icon, order))
    menu.items.extend(items)


def for_user(user) -> list[dict]:
    from django.urls import reverse
    from django.utils.translation import gettext

    if not user.is_authenticated:
        return []
    menus = []
    for menu in sorted(MENUS.values(), key=lambda m: m.order):
        entries = []
        for item in menu.items:
            if item.perm and not user.has_perm(item.perm):
                continue
            if item.visible is not None and not item.visible(user):
                continue
            if user.organization_id and not item.org_users:
                continue
            entries.append({"label": gettext(item.label), "url": reverse(item.url_name), "url_name": item.url_name})
        if entries:
            menus.append({"key": menu.key, "label": gettext(menu.label), "icon": menu.icon, "items": entries})
    return menus
