"""我的待办: what waits for this user, gathered from every module.

Each app registers a source in ``AppConfig.ready`` (``register``): a function of the user and
today's date that returns its ``Todo`` groups — each with the count, the most urgent items and
a link to act. The sources read through the scope layer (``visible_to``) and check the
permission of the action they ask for, so nobody is told about work they cannot do — and
whoever may act on a waiting record (the permission and the scope of the action, as the record's
page offers its buttons) finds it here. The count in the navigation is cached per user for a
minute (``count_for``); acting on an item clears it (``forget``).

One condition says what a group counts: a function ``waiting(queryset, user, today)`` narrowing
any queryset of the model to the rows waiting for ``user``. The group counts it over the user's
visible rows; the list behind "全部 N 项" filters by the same function (``WaitingFilter``), so
the list shows the same N; ``recipients`` notifies by it, so whoever is told sees it waiting.
A source declares the keys of its groups (``declares``) for the tests that go over them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Count
from django.db.models import Q
from django.utils import timezone

SHOWN = 5  # items per group on the home page; the workbench page shows up to ``MORE``
MORE = 30
CACHE_SECONDS = 60


@dataclass
class Item:
    text: str
    url: str
    due: dt.date | dt.datetime | None = None
    note: str = ""

    @property
    def overdue(self) -> bool:
        if self.due is None:
            return False
        if isinstance(self.due, dt.datetime):
            return self.due < timezone.now()
        return self.due < timezone.localdate()


@dataclass
class Todo:
    key: str  # stable, for links and tests: "appeal_accept", "task_due", …
    label: str  # 待受理的诉求
    count: int
    url: str  # the list to work through
    action: str  # the verb on the button: 受理, 办理, 反馈 …
    items: list[Item] = field(default_factory=list)
    urgent: int = 0  # how many are past their deadline
    order: int = 50
    listed: bool = True  # ``url`` is a list of exactly the ``count`` rows (False: the one form to fill)


Source = Callable[[object, dt.date, int], list[Todo]]
_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    """Add a source of todos (usable as a decorator); registering the same function twice is a no-op."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def declares(*keys: str) -> Callable[[Source], Source]:
    """Name the keys of the groups a source may return (``@workbench.declares("task_due", …)``)."""

    def mark(source: Source) -> Source:
        source.keys = keys  # type: ignore[attr-defined]
        return source

    return mark


def declared_keys() -> dict[str, Source]:
    """Every group key a registered source declares, with its source."""
    return {key: source for source in _SOURCES for key in getattr(source, "keys", ())}


Waiting = Callable[[object, object, dt.date], object]  # (queryset, user, today) → the rows waiting


class WaitingFilter(django_filters.BooleanFilter):
    """``?<name>=true`` on a list: the rows a to-do group counts for the signed-in user, by the
    group's own condition (``waiting``), so its "全部 N 项" link lists the same N rows. Hidden, as
    a link sets it: the list shows it as a badge (已按…筛选) beside the visible filters."""

    def __init__(self, waiting: Waiting, label, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(label=label, **kwargs)
        self.waiting = waiting

    def filter(self, qs, value):
        user = getattr(self.parent, "user", None)
        if not value or user is None:
            return qs
        return self.waiting(qs, user, timezone.localdate())


def on_line(user, field: str) -> Q:
    """The rows whose responsible unit (``field``, a department) is on ``user``'s line: the user's
    own department, a unit under it (a zone's 项目办 follows its bureaus' problems) or one above it
    (work given to a 管委会 or a bureau is done by the staff of its offices). A unit's work thus
    reaches the people who work in it or over it, wherever in it they sit."""
    if not user.department_id:
        return Q(pk__in=[])
    above = [int(p) for p in (user.department.path or "").strip("/").split("/") if p]
    return Q(**{f"{field}__in": {*user.department_subtree_ids(), *above}})


def recipients(waiting: Waiting, obj, perm: str) -> list:
    """The users ``obj`` waits for by ``waiting`` among the active staff holding ``perm``: whom to
    notify, the same users whose 我的待办 lists it."""
    from feidi.accounts.models import User

    app_label, _, codename = perm.partition(".")
    candidates = (User.objects.filter(is_active=True, organization__isnull=True, roles__permissions__codename=codename,
                                      roles__permissions__content_type__app_label=app_label)
                  .select_related("department").distinct().order_by("pk"))
    today = timezone.localdate()
    one = type(obj).objects.filter(pk=obj.pk)
    return [user for user in candidates if waiting(one, user, today).exists()]


def for_user(user, *, limit: int = SHOWN) -> list[Todo]:
    """Every non-empty group for ``user``, the most urgent first, each with up to ``limit`` items."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    groups = [todo for source in _SOURCES for todo in source(user, today, limit) if todo.count]
    groups.sort(key=lambda t: (-bool(t.urgent), t.order, t.label))
    cache.set(_key(user), sum(t.count for t in groups), CACHE_SECONDS)
    return groups


def count_for(user) -> int:
    """The number in the navigation: everything waiting, cached for a minute."""
    if not getattr(user, "is_authenticated", False):
        return 0
    total = cache.get(_key(user))
    if total is None:
        total = sum(t.count for t in for_user(user, limit=0))
    return total


def forget(*users) -> None:
    """Drop the cached counts of ``users`` (after an action that changes what waits for them)."""
    cache.delete_many([_key(u) for u in users if u is not None and getattr(u, "pk", None)])


def _key(user) -> str:
    return f"feidi:todo:{user.pk}"


def group(key: str, label: str, queryset, *, url: str, action: str, text: Callable, link: Callable,
          due: str | None = None, limit: int = SHOWN, note: Callable | None = None, order: int = 50) -> list[Todo]:
    """A group from a queryset already restricted to what waits: counted once, its first ``limit``
    rows (ordered by ``due`` when given, earliest first) made into items; [] when empty.
    ``due`` names the deadline field; the rows past it are counted as urgent."""
    urgent = 0
    rows = queryset
    if due:  # the count and the overdue count in one read
        now = timezone.now() if _is_datetime(queryset.model, due) else timezone.localdate()
        found = queryset.order_by().aggregate(n=Count("pk"), urgent=Count("pk", filter=Q(**{f"{due}__lt": now})))
        count, urgent = found["n"], found["urgent"]
        rows = queryset.order_by(f"{due}", "pk")
    else:
        count = queryset.count()
    if not count:
        return []
    if limit:
        # the first rows picked from the table alone, then joined: joining the related rows (a
        # ``select_related``) before the sort would join every waiting row, not ``limit`` of them
        first = rows.filter(pk__in=rows.values("pk")[:limit]) if rows.query.select_related else rows[:limit]
        items = [Item(text(row), link(row), getattr(row, due) if due else None, note(row) if note else "")
                 for row in first]
    else:
        items = []
    return [Todo(key, label, count, url, action, items, urgent, order)]


def _is_datetime(model, name: str) -> bool:
    from django.db import models

    return isinstance(model._meta.get_field(name), models.DateTimeField)
