"""我的待办: what waits for this user, gathered from every module.

Each app registers a source in ``AppConfig.ready`` (``register``): a function of the user and
today's date that returns its ``Todo`` groups — each with the count, the most urgent items and
a link to act. The sources read through the scope layer (``visible_to``) and check the
permission of the action they ask for, so nobody is told about work they cannot do — and
whoever may act on a waiting record (the permission and the scope of the action, as the record's
page offers its buttons) finds it here. The count in the navigation is cached per user for a
minute (``count_for``), under a generation that any write to a table a source reads moves on
(``changed``): acting on an item lowers everyone's count at once, new work raises it at once.

One condition says what a group counts: a function ``waiting(queryset, user, today)`` narrowing
any queryset of the model to the rows waiting for ``user``. The group counts it over the user's
visible rows; the list behind "全部 N 项" filters by the same function (``WaitingFilter``), so
the list shows the same N; ``recipients`` notifies by it, so whoever is told sees it waiting.
A source declares the keys of its groups and the models whose rows decide what waits
(``declares``): the tests go over the keys, and a write to one of those models' tables — a save, a
conditional ``update``, a bulk write, a delete, a many-to-many link — moves the generation of the
cached counts on (``watch``). The writes are seen where every one of them passes, the database
cursor, since most state changes here are conditional updates that send no model signal."""

from __future__ import annotations

import datetime as dt
import logging
import operator
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Count
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)

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
    """Add a source of todos (usable as a decorator); registering the same function twice is a no-op.
    The writes to the models it declares (``declares(models=…)``) refresh every user's count."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    watch(*getattr(source, "models", ()))
    return source


def declares(*keys: str, models: tuple = ()) -> Callable[[Source], Source]:
    """Name the keys of the groups a source may return and the models whose rows decide what
    waits — those it counts and those its conditions read (``@workbench.declares("task_due", …,
    models=(Task, Project))``)."""

    def mark(source: Source) -> Source:
        source.keys = keys  # type: ignore[attr-defined]
        source.models = tuple(models)  # type: ignore[attr-defined]
        return source

    return mark


def declared_keys() -> dict[str, Source]:
    """Every group key a registered source declares, with its source."""
    return {key: source for source in _SOURCES for key in getattr(source, "keys", ())}


# --- the generation of the cached counts ------------------------------------------------------------

GENERATION = "feidi:todo:generation"
# Who holds which role and where a user sits decide what waits for him, whatever the source.
ALWAYS_WATCHED = ("accounts.User", "accounts.Role", "accounts.Department")
_WATCHED: set[str] = set()  # the tables a write to which moves the generation on
_WRITE = re.compile(r"\s*(?:UPDATE|INSERT\s+(?:OR\s+\w+\s+)?INTO|DELETE\s+FROM)\s+[`\"\[]?(\w+)", re.IGNORECASE)


def watch(*models) -> None:
    """Count a write to ``models``' tables (and their many-to-many link tables) as a change of
    what waits: the generation of every cached count moves on (``changed``)."""
    from django.apps import apps

    for model in (*models, *ALWAYS_WATCHED):
        model = apps.get_model(model) if isinstance(model, str) else model
        _WATCHED.add(model._meta.db_table)
        _WATCHED.update(f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many)
    _connect()


def watched_tables() -> frozenset[str]:
    return frozenset(_WATCHED)


def generation() -> int:
    """The current generation of the cached counts (a count cached under an older one is stale)."""
    found = cache.get(GENERATION)
    if found is None:
        # a generation never seen before (not 1 again after the cache lost it: a count cached under
        # an old 1 would come back)
        cache.add(GENERATION, time.time_ns() // 1000, None)
        found = cache.get(GENERATION)
    return found


def changed(connection=None) -> None:
    """What waits may have changed for anyone: the cached counts are stale now, for this
    transaction's own pages, and again when it commits, for the others (a count read meanwhile by
    another request saw the rows before the commit). A cache that fails costs a minute's
    staleness, never the write."""
    _bump()
    if connection is not None and connection.in_atomic_block and not any(
            func is _bump for _, func, _ in connection.run_on_commit):
        connection.on_commit(_bump, robust=True)


def _bump() -> None:
    try:
        try:
            cache.incr(GENERATION)
        except ValueError:  # not there (expired, evicted, never read): a new generation
            generation()
    except Exception:  # noqa: BLE001
        log.warning("to-do counts not refreshed: the cache failed", exc_info=True)


def _track_writes(execute, sql, params, many, context):
    """The database cursor's wrapper: after a write to a watched table, ``changed``."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and sql[:1] in "UIDuid \n":
        found = _WRITE.match(sql)
        if found and found.group(1) in _WATCHED:
            changed(context["connection"])
    return result


def _install(sender=None, connection=None, **kwargs) -> None:
    # first in the stack: a wrapper pushed and popped around a block (``execute_wrapper``) pops its own
    if connection is not None and _track_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _track_writes)


def _connect() -> None:
    """Every database connection, open now or opened later (each thread has its own), wraps its
    cursor's writes with ``_track_writes``."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    connection_created.connect(_install, dispatch_uid="feidi.core.workbench.track_writes")
    for connection in connections.all():
        _install(connection=connection)


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

    candidates = (User.objects.holding(perm).filter(is_active=True, organization__isnull=True)
                  .select_related("department").order_by("pk"))
    today = timezone.localdate()
    one = type(obj).objects.filter(pk=obj.pk)
    return [user for user in candidates if waiting(one, user, today).exists()]


def for_user(user, *, limit: int = SHOWN) -> list[Todo]:
    """Every non-empty group for ``user``, the most urgent first, each with up to ``limit`` items."""
    if not getattr(user, "is_authenticated", False):
        return []
    key = _key(user)  # the generation as it was before the rows were read
    today = timezone.localdate()
    groups = [todo for source in _SOURCES for todo in source(user, today, limit) if todo.count]
    groups.sort(key=lambda t: (-bool(t.urgent), t.order, t.label))
    cache.set(key, sum(t.count for t in groups), CACHE_SECONDS)
    return groups


def count_for(user) -> int:
    """The number in the navigation: everything waiting, cached for a minute within a generation."""
    if not getattr(user, "is_authenticated", False):
        return 0
    total = cache.get(_key(user))
    if total is None:
        total = sum(t.count for t in for_user(user, limit=0))
    return total


def forget(*users) -> None:
    """Drop the cached counts of ``users`` (a change the watched tables do not show)."""
    cache.delete_many([_key(u) for u in users if u is not None and getattr(u, "pk", None)])


def _key(user) -> str:
    return f"feidi:todo:{generation()}:{user.pk}"


def group(key: str, label: str, queryset, *, url: str, action: str, text: Callable, link: Callable,
          due: str | None = None, late: Q | None = None, due_of: Callable | None = None, limit: int = SHOWN,
          note: Callable | None = None, order: int = 50) -> list[Todo]:
    """A group from a queryset already restricted to what waits: counted once, its first ``limit``
    rows (ordered by ``due`` when given, earliest first) made into items; [] when empty.
    ``due`` names the deadline field; the rows past it are counted as urgent. A deadline that is
    no field (an acceptance due a working day after submission) is ``late``, the condition of the
    rows past it, with ``due_of`` giving each item's deadline. With ``due``, ``late`` is the rows
    whose clock runs (a suspended appeal's is stopped: never late) and ``due_of`` what each item shows."""
    urgent = 0
    rows = queryset
    if due:  # the count and the overdue count in one read
        now = timezone.now() if _is_datetime(queryset.model, due) else timezone.localdate()
        late = Q(**{f"{due}__lt": now}) & (late if late is not None else Q())
        rows = queryset.order_by(f"{due}", "pk")
        due_of = due_of or operator.attrgetter(due)
    if late is not None:
        found = queryset.order_by().aggregate(n=Count("pk"), urgent=Count("pk", filter=late))
        count, urgent = found["n"], found["urgent"]
    else:
        count = queryset.count()
    if not count:
        return []
    if limit:
        # the first rows picked from the table alone, then joined: joining the related rows (a
        # ``select_related``) before the sort would join every waiting row, not ``limit`` of them
        first = rows.filter(pk__in=rows.values("pk")[:limit]) if rows.query.select_related else rows[:limit]
        items = [Item(text(row), link(row), due_of(row) if due_of else None, note(row) if note else "")
                 for row in first]
    else:
        items = []
    return [Todo(key, label, count, url, action, items, urgent, order)]


def _is_datetime(model, name: str) -> bool:
    from django.db import models

    return isinstance(model._meta.get_field(name), models.DateTimeField)
