"""The maintained aggregates (``IndicatorCell``): how they are recomputed from the rows, and when
a scoped queryset of rows may be answered from them.

Rule: a cell is only ever the result of one GROUP BY over the rows, run in the transaction that
changed the rows. Nothing adds or subtracts deltas, so a cell cannot drift from its rows.

- A write of values recomputes the (indicator, month) slices it touches and the slices one,
  twelve and thirteen months later, whose rows pair with the changed ones (当月: the month before;
  同比: the month a year before; 当月同比: the month before that one). A small write (an enterprise's
  month) restricts the recomputation to the (zone, division) pairs of the rows involved; a large
  one (an import) recomputes whole slices — both in one set-based statement.
- A 规上 label added, changed or removed recomputes the months the label covers(ed) for its
  enterprise's rows; a deleted enterprise recomputes the slices its rows were in, a deleted zone
  or department (its rows keep their values, the reference becomes empty) the slices naming it.
- An enterprise moving zone or division changes nothing: each row keeps the zone and division it
  was reported with (``IndicatorValue``), and cells group rows by those stored attributes.
- Concurrent writers of one indicator are serialised on the indicator's row (``lock``), so two
  recomputations of one slice never interleave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from feidi.core import cache as core_cache

from .models import Indicator
from .models import IndicatorCell
from .models import IndicatorValue

# re-exported: importable from here
from .months import NEVER  # noqa: F401
from .months import add_months  # noqa: F401
from .months import month_before_in_year  # noqa: F401
from .months import month_end  # noqa: F401

# Above this many changed rows, recomputing whole slices is cheaper than finding the pairs.
SMALL_WRITE = 2000
# Slices per statement: keeps the VALUES list and its parameters well under SQLite's limits.
SLICES_PER_STATEMENT = 200

Slice = tuple[int, dt.date]  # (indicator_id, month)
Key = tuple[int | None, str]  # (zone_id, GB/T 4754 division) of rows


def above_scale_label_ids() -> list[int]:
    """The dictionary items meaning 规上 (as ``engine.above_scale_q`` names them)."""
    from feidi.core.models import DictItem

    return list(DictItem.objects.filter(type__code="org_label", code="above_scale").values_list("pk", flat=True))


def lock(indicator_ids: Iterable[int]) -> None:
    """Serialise writers of these indicators until the transaction ends (in pk order, so two
    writers never wait on each other). SQLite's immediate transactions already serialise."""
    ids = sorted(set(indicator_ids))
    if ids:
        list(Indicator.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


# A row of month m is read by the cells of m (itself), m+1 (the month before, for 当月), m+12 (a
# year before, for 同比) and m+13 (the month before a year before, for 当月同比).
PAIRED_MONTHS = (0, 1, 12, 13)


def with_pairs(slices: Iterable[Slice]) -> set[Slice]:
    """The slices whose cells a change of ``slices`` can move."""
    return {(indicator_id, add_months(period, n)) for indicator_id, period in slices for n in PAIRED_MONTHS}


def _key_q(keys: Iterable[Key]) -> Q:
    q = Q(pk__in=[])
    for zone_id, industry in keys:
        q |= Q(zone_id=zone_id, industry=industry) if zone_id is not None else Q(zone__isnull=True, industry=industry)
    return q


def refresh(slices: Iterable[Slice], keys: Iterable[Key] | None = None) -> None:
    """Recompute the cells of ``slices`` from the rows — only those of rows with one of ``keys``
    (zone, division) when given, else whole slices. Must run inside the writing transaction."""
    slices = sorted(set(slices))
    if not slices:
        return
    keys = sorted(set(keys), key=lambda k: (k[0] or 0, k[1])) if keys is not None else None
    if keys == []:
        return
    labels = above_scale_label_ids()
    core_cache.bump("indicators")  # figures computed from the cells before are stale once this commits
    # Whole slices one per statement: each statement's joins then stay within the database's
    # working memory (measured on PostgreSQL: several slices at once spill their sorts to disk).
    step = SLICES_PER_STATEMENT if keys is not None else 1
    with transaction.atomic():
        for start in range(0, len(slices), step):
            part = slices[start:start + step]
            stale = IndicatorCell.objects.filter(_slices_q(part))
            if keys is not None:
                stale = stale.filter(_key_q(keys))
            stale._raw_delete(stale.db)  # derived rows: no signals, no cascades to collect
            _insert(part, keys, labels)


def rebuild() -> int:
    """Recompute every cell from the rows (after a restore, or to check nothing drifted); the
    number of cells written."""
    with transaction.atomic():
        lock(Indicator.objects.values_list("pk", flat=True))
        IndicatorCell.objects.all()._raw_delete(IndicatorCell.objects.db)
        slices = list(IndicatorValue.objects.values_list("indicator_id", "period").distinct().order_by())
        refresh(slices)
        return IndicatorCell.objects.count()


def _slices_q(slices: list[Slice]) -> Q:
    by_indicator: dict[int, list[dt.date]] = {}
    for indicator_id, period in slices:
        by_indicator.setdefault(indicator_id, []).append(period)
    q = Q(pk__in=[])
    for indicator_id, periods in by_indicator.items():
        q |= Q(indicator_id=indicator_id, period__in=periods)
    return q


def _insert(slices: list[Slice], keys: list[Key] | None, labels: list[int]) -> None:
    """One INSERT … SELECT … GROUP BY for these slices: each row of a slice (``c``) joined to the
    same enterprise's rows a year earlier (``p``), the month before (``q``) and the month before a
    year earlier (``r``), and to the enterprises labelled 规上 that month. A missing row counts 0
    (同口径: the set is this month's rows; a new entrant's 上年同期 is 0, a leaver is not in it).
    An enterprise without the month before is left out of 当月 (``engine.month_pair``, the same
    rule in Python): its ``previous`` is its own value, so it adds 0, and ``month_left_out``
    counts it; ``month_unpaired`` counts those whose year-earlier 当月 is unknown. January and
    1–2月 (``first``) subtract nothing.

    For whole slices the paired rows are materialised, so the database hash-joins slices read by
    the (indicator, month) index instead of probing the unique index once per row; for a few
    (zone, division) cells they stay inline, so it probes only for the few rows concerned.
    The same statement runs on SQLite and PostgreSQL."""
    from feidi.registry.models import OrganizationLabel

    value, cell, label = IndicatorValue._meta.db_table, IndicatorCell._meta.db_table, OrganizationLabel._meta.db_table
    params: list = []
    for indicator_id, period in slices:
        before = month_before_in_year(period)
        params += [indicator_id, period, month_end(period), add_months(period, -12), before,
                   add_months(before, -12) if before != NEVER else NEVER, 1 if before == NEVER else 0]
    where = ""
    if keys is not None:
        where = "WHERE " + " OR ".join(["(COALESCE(c.zone_id, 0) = %s AND c.industry = %s)"] * len(keys))
        params += [x for zone_id, industry in keys for x in (zone_id or 0, industry)]
    if labels:
        above_join = f"""
            LEFT JOIN (SELECT DISTINCT m.per, l.organization_id
                       FROM (SELECT DISTINCT per, last_day FROM s) m
                       JOIN {label} l ON l.since <= m.last_day AND (l.until IS NULL OR l.until >= m.per)
                       WHERE l.label_id IN ({", ".join(["%s"] * len(labels))})) a
                   ON a.organization_id = c.organization_id AND a.per = c.period"""
        params += labels
        above = "a.organization_id IS NOT NULL"
    else:
        above_join, above = "", "1 = 0"
    paired = "NOT MATERIALIZED" if keys is not None else "MATERIALIZED"

    def pair(name: str, column: str) -> str:
        return (f"{name} AS {paired} (SELECT {name}.organization_id, {name}.indicator_id, {name}.period, {name}.value "
                f"FROM s JOIN {value} {name} ON {name}.indicator_id = s.ind AND {name}.period = s.{column})")

    def join(name: str, column: str) -> str:
        return (f"LEFT JOIN {name} ON {name}.organization_id = c.organization_id "
                f"AND {name}.indicator_id = c.indicator_id AND {name}.period = c.{column}")

    sql = f"""
        WITH s (ind, per, last_day, prev, pm, ppm, first) AS (VALUES {", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(slices))}),
        c AS MATERIALIZED (
            SELECT c.organization_id, c.indicator_id, c.period, c.zone_id, c.department_id, c.industry, c.value,
                   s.prev, s.pm, s.ppm, s.first
            FROM s JOIN {value} c ON c.indicator_id = s.ind AND c.period = s.per {where}),
        {pair("p", "prev")}, {pair("q", "pm")}, {pair("r", "ppm")}
        INSERT INTO {cell} (indicator_id, period, zone_id, department_id, industry, above_scale, total, count,
                            comparable_before, comparable_count, previous, previous_before, month_left_out,
                            month_unpaired)
        SELECT indicator_id, period, zone_id, department_id, industry, above_scale, SUM(value), COUNT(*),
               SUM(COALESCE(was, 0)), COUNT(was), SUM(prev_value), SUM(prev_was), SUM(left_out), SUM(unpaired)
        FROM (SELECT c.indicator_id, c.period, c.zone_id, c.department_id, c.industry, c.value, p.value AS was,
                     CASE WHEN c.first = 1 THEN 0 WHEN q.value IS NULL THEN c.value ELSE q.value END AS prev_value,
                     CASE WHEN c.first = 1 THEN 0 WHEN q.value IS NULL THEN COALESCE(p.value, 0)
                          ELSE COALESCE(r.value, 0) END AS prev_was,
                     CASE WHEN c.first = 0 AND q.value IS NULL THEN 1 ELSE 0 END AS left_out,
                     CASE WHEN c.first = 0 AND q.value IS NOT NULL AND ((p.value IS NULL AND r.value IS NOT NULL)
                          OR (p.value IS NOT NULL AND r.value IS NULL)) THEN 1 ELSE 0 END AS unpaired,
                     ({above}) AS above_scale
              FROM c
              {join("p", "prev")}
              {join("q", "pm")}
              {join("r", "ppm")}
              {above_join}) t
        GROUP BY indicator_id, period, zone_id, department_id, industry, above_scale"""
    with connection.cursor() as cur:
        cur.execute(sql, params)


# --- writes -------------------------------------------------------------------------------------------

def before_write(objs: list[IndicatorValue]) -> tuple[set[Slice], list[Key] | None]:
    """Called before rows are upserted: locks their indicators and notes what to recompute after
    — the slices, and for a small write the (zone, division) pairs of the rows as they are now
    (an overwrite may move a row), as they will be, and of the later rows that pair with them."""
    slices = {(o.indicator_id, o.period) for o in objs}
    lock(i for i, _ in slices)
    if len(objs) > SMALL_WRITE:
        return with_pairs(slices), None
    keys = {(o.zone_id, o.industry) for o in objs}
    periods = {add_months(p, n) for _, p in slices for n in PAIRED_MONTHS}
    keys |= set(IndicatorValue.objects.filter(organization_id__in={o.organization_id for o in objs},
                                              indicator_id__in={i for i, _ in slices}, period__in=periods)
                .values_list("zone_id", "industry").distinct().order_by())
    return with_pairs(slices), sorted(keys, key=lambda k: (k[0] or 0, k[1]))


def organization_rows(organization_id: int, start: dt.date | None = None, end: dt.date | None = None):
    """(slices, keys) of one enterprise's rows in [start, end] (open ends allowed)."""
    rows = IndicatorValue.objects.filter(organization_id=organization_id)
    if start is not None:
        rows = rows.filter(period__gte=start.replace(day=1))
    if end is not None:
        rows = rows.filter(period__lte=end)
    found = list(rows.values_list("indicator_id", "period", "zone_id", "industry").distinct().order_by())
    return {(i, p) for i, p, _z, _d in found}, {(z, d) for _i, _p, z, d in found}


def refresh_label(organization_id: int, ranges: Iterable[tuple[dt.date, dt.date | None]]) -> None:
    """A 规上 label of the enterprise was added, changed or removed: recompute the months the
    label covers now or covered before (only the enterprise's rows' cells move between the
    规上 and non-规上 cells of their zone and division)."""
    slices: set[Slice] = set()
    keys: set[Key] = set()
    for since, until in ranges:
        s, k = organization_rows(organization_id, since, until)
        slices |= s
        keys |= k
    if slices:
        lock(i for i, _ in slices)
        refresh(slices, keys)


# --- reads --------------------------------------------------------------------------------------------

CELL_FIELDS = {"zone_id", "department_id", "industry"}  # row attributes a cell keeps


def cell_filter(values) -> Q | None:
    """The filter on cells that selects exactly the rows of ``values``, or None when ``values`` is
    not a plain filter on attributes a cell keeps (zone, department, division) — an enterprise
    user's rows, a filter on enterprises, a slice — and must be answered from the rows.

    A staff user's scope is ``department IN (…) OR entered_by = user`` (one's own entries stay
    visible): the owner clause is dropped when it adds no row, which one indexed query checks (once
    per queryset: a page asks several questions of the same scoped rows)."""
    if not hasattr(values, "_cell_filter"):
        values._cell_filter = _cell_filter(values)
    return values._cell_filter


def _cell_filter(values) -> Q | None:
    query = values.query
    if (values.model is not IndicatorValue or query.is_sliced or query.distinct or query.combinator
            or query.extra or query.annotations or len([a for a, n in query.alias_refcount.items() if n]) > 1):
        return None
    owners: list[int] = []
    q = _translate(query.where, query.base_table, owners)
    if q is None or len(owners) > 1:
        return None
    if owners:  # the scope's "OR entered_by = user" must add no row outside the rest
        extra = IndicatorValue.objects.filter(entered_by_id=owners[0])
        if q != Q():
            extra = extra.exclude(q)
        if extra.exists():
            return None
    return q


def _translate(node, table: str, owners: list[int]) -> Q | None:
    from django.db.models.lookups import Exact
    from django.db.models.lookups import In
    from django.db.models.lookups import IsNull
    from django.db.models.sql.where import WhereNode

    if isinstance(node, WhereNode):
        parts = []
        for child in node.children:
            if (node.connector == "OR" and not node.negated and isinstance(child, Exact)
                    and getattr(child.lhs, "alias", None) == table and child.lhs.target.attname == "entered_by_id"
                    and isinstance(child.rhs, int)):
                owners.append(child.rhs)
                continue
            part = _translate(child, table, owners)
            if part is None:
                return None
            parts.append(part)
        if not parts:
            out = Q()
        else:
            out = parts[0]
            for part in parts[1:]:
                out = (out | part) if node.connector == "OR" else (out & part)
        return ~out if node.negated else out
    if not isinstance(node, (Exact, In, IsNull)) or getattr(node.lhs, "alias", None) != table:
        return None
    if isinstance(node, In) and isinstance(node.rhs, (list, tuple, set)) and not node.rhs:
        return Q(pk__in=[])  # matches nothing on rows and on cells alike (the scope's starting point)
    name = node.lhs.target.attname
    if name not in CELL_FIELDS or hasattr(node.rhs, "as_sql"):
        return None
    rhs = node.rhs
    if isinstance(node, In):
        rhs = [getattr(v, "pk", v) for v in rhs]
    return Q(**{f"{name}__{node.lookup_name}": rhs})



# The zones a filter on rows reaches: which zones' figures are "the user's" (``engine.users_zones``).
ZONE_FIELDS = {"zone_id": "pk", "department_id": "department_id"}  # a row's place, as a zone's own
# hold in any zone: an enterprise's own figures (its user's rows, a filter on enterprises) are
# whole wherever its output is credited — 飞地利益共享 is between zones, not inside an enterprise
FREE_FIELDS = {"industry", "indicator_id", "period", "value", "source", "sample", "organization_id"}
OWNER_FIELDS = {"entered_by_id"}  # a scope's "one's own entries": no zone beyond their rows
ANY = Q()  # no restriction on zones


def zone_reach(values) -> tuple[Q | None, bool]:
    """The zones where a row of ``values``' filter may lie, as a filter on zones (``ANY`` for every
    zone, None when the filter cannot say: then only the zones of its rows are known), and whether
    the filter is a scope of places alone (zones, departments, one's own entries — what a staff
    user's data scope is, with nothing narrowing it). A place restricts the zones; a row attribute
    that holds in any zone (the division, the month, the enterprise) does not; the author says
    nothing of zones beyond the rows it already holds (so ``department IN (…) OR entered_by =
    user`` reaches the departments' zones). Under a negation only a filter on places alone is
    exact enough."""
    if not hasattr(values, "_zone_reach"):
        query = values.query
        out: tuple[Q | None, bool] = (None, False)
        if values.model is IndicatorValue and not (query.is_sliced or query.combinator or query.extra):
            found = _reach(query.where, query.base_table)
            if found is not None:
                out = (found[0], found[2])
        values._zone_reach = out
    return values._zone_reach


def _reach(node, table: str) -> tuple[Q, bool, bool] | None:
    """(the zones ``node`` may hold rows in, whether that is exact, whether it is of places alone)
    — or None."""
    from django.db.models.lookups import Exact
    from django.db.models.lookups import In
    from django.db.models.lookups import IsNull
    from django.db.models.sql.where import WhereNode

    nothing = Q(pk__in=[])
    if isinstance(node, WhereNode):
        parts = [_reach(child, table) for child in node.children]
        if any(p is None for p in parts):
            return None
        exact, pure = all(p[1] for p in parts), all(p[2] for p in parts)
        if node.connector == "OR":
            out = nothing if parts else ANY
            for q, _e, _p in parts:
                out = ANY if ANY in (out, q) else (q if out == nothing else out | q)
        else:
            out = ANY
            for q, _e, _p in parts:
                out = q if out == ANY else (out if q == ANY else out & q)
        if not node.negated:
            return out, exact, pure
        if not exact:  # the negation of a filter on anything but places: any zone, or unknown
            return (ANY, False, pure) if out == ANY else None
        return (nothing, True, pure) if out == ANY else (~out, True, pure)
    lhs = getattr(node, "lhs", None)
    name = getattr(getattr(lhs, "target", None), "attname", None)
    if getattr(lhs, "alias", None) != table or name is None:
        return nothing, False, False  # a joined table's condition: nothing beyond the rows' own zones
    if isinstance(node, In) and isinstance(node.rhs, (list, tuple, set)) and not node.rhs:
        return nothing, True, True  # the scope's starting point: matches nothing
    if name in FREE_FIELDS:
        return ANY, False, False
    if name in ZONE_FIELDS and isinstance(node, (Exact, In, IsNull)) and not hasattr(node.rhs, "as_sql"):
        rhs = [getattr(v, "pk", v) for v in node.rhs] if isinstance(node, In) else getattr(node.rhs, "pk", node.rhs)
        return Q(**{f"{ZONE_FIELDS[name]}__{node.lookup_name}": rhs}), True, True
    return nothing, False, name in OWNER_FIELDS


# --- changes elsewhere that move cells ----------------------------------------------------------------
# Signals rather than calls from the registry's actions: the registry does not know the indicators
# (they depend on it, not the other way round), and a label or an enterprise removed by a cascade
# never passes through an action. The handlers run inside the deleting or saving transaction.

def _label_before(sender, instance, **kwargs):
    instance._cells_before = None
    if instance.pk:
        instance._cells_before = (sender._base_manager.filter(pk=instance.pk)
                                  .values_list("organization_id", "label_id", "since", "until").first())


def _label_saved(sender, instance, **kwargs):
    labels = set(above_scale_label_ids())
    ranges: dict[int, list] = {}
    before = getattr(instance, "_cells_before", None)
    if before and before[1] in labels:
        ranges.setdefault(before[0], []).append((before[2], before[3]))
    if instance.label_id in labels:
        ranges.setdefault(instance.organization_id, []).append((instance.since, instance.until))
    for organization_id, spans in ranges.items():
        refresh_label(organization_id, spans)


def _label_deleted(sender, instance, **kwargs):
    if instance.label_id in set(above_scale_label_ids()):
        refresh_label(instance.organization_id, [(instance.since, instance.until)])


def _organization_before_delete(sender, instance, **kwargs):
    slices, keys = organization_rows(instance.pk)
    instance._cells_rows = (with_pairs(slices), keys)
    lock(i for i, _ in slices)


def _organization_deleted(sender, instance, **kwargs):
    slices, keys = getattr(instance, "_cells_rows", (set(), set()))
    # The CASCADE again: the rows have no database constraint on the enterprise, and a write that
    # held it (``actions.hold_references``) made this DELETE wait and may have committed rows of
    # it after Django's cascade deleted the ones it saw.
    late = IndicatorValue._base_manager.filter(organization_id=instance.pk)
    found = list(late.values_list("indicator_id", "period", "zone_id", "industry").distinct().order_by())
    if found:
        lock(i for i, _p, _z, _d in found)
        late._raw_delete(late.db)
        slices = set(slices) | with_pairs({(i, p) for i, p, _z, _d in found})
        keys = set(keys) | {(z, d) for _i, _p, z, d in found}
    refresh(slices, keys)


def _indicator_deleted(sender, instance, **kwargs):
    # The PROTECT again, for the same reason: rows committed while this DELETE waited for a
    # write's lock on the indicator (``lock``) refuse the deletion, which rolls back.
    from django.db.models import ProtectedError

    late = list(IndicatorValue._base_manager.filter(indicator_id=instance.pk).order_by()[:1])  # the
    # default ordering joins the indicator, which this transaction has just deleted
    if late:
        raise ProtectedError(gettext("指标“{name}”已有填报数据，不能删除").format(name=instance.name), set(late))


def _reference_deleted(sender, instance, **kwargs):
    # The rows' zone, department or author were set to NULL (SET_NULL) before the DELETE; a write
    # that held the row (``actions.hold_references``) made the DELETE wait and may have committed
    # rows naming it since: the rows have no database constraint on these, so repeat the SET_NULL
    # now that the DELETE holds the row.
    field = {"zone": "zone_id", "department": "department_id"}.get(sender._meta.model_name, "entered_by_id")
    IndicatorValue._base_manager.filter(**{field: instance.pk}).update(**{field: None})


def _zone_or_department_deleted(sender, instance, **kwargs):
    # The rows' zone or department has just been set to NULL (SET_NULL runs before the delete's
    # signals): recompute the slices whose cells still name it.
    field = "zone_id" if sender._meta.model_name == "zone" else "department_id"
    slices = set(IndicatorCell.objects.filter(**{field: instance.pk}).values_list("indicator_id", "period")
                 .distinct().order_by())
    if slices:
        lock(i for i, _ in slices)
        refresh(slices)


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete
    from django.db.models.signals import post_save
    from django.db.models.signals import pre_delete
    from django.db.models.signals import pre_save

    from feidi.accounts.models import Department
    from feidi.registry.models import Organization
    from feidi.registry.models import OrganizationLabel
    from feidi.registry.models import Zone

    pre_save.connect(_label_before, sender=OrganizationLabel, dispatch_uid="cells_label_before")
    post_save.connect(_label_saved, sender=OrganizationLabel, dispatch_uid="cells_label_saved")
    post_delete.connect(_label_deleted, sender=OrganizationLabel, dispatch_uid="cells_label_deleted")
    pre_delete.connect(_organization_before_delete, sender=Organization, dispatch_uid="cells_org_before_delete")
    for model in (Zone, Department, get_user_model()):
        post_delete.connect(_reference_deleted, sender=model, dispatch_uid=f"cells_{model.__name__}_reference_deleted")
    for model in (Zone, Department):
        post_delete.connect(_zone_or_department_deleted, sender=model, dispatch_uid=f"cells_{model.__name__}_deleted")
    post_delete.connect(_organization_deleted, sender=Organization, dispatch_uid="cells_org_deleted")
    post_delete.connect(_indicator_deleted, sender=Indicator, dispatch_uid="cells_indicator_deleted")
    # what else the economy's figures read (published figures, sharing, labels, definitions, zones)
    from feidi.accounts.models import Role

    from .models import BenefitShare
    from .models import RegionFigure
    from .models import ZoneFigure

    # … and who sees what: a user's roles, a role's scope, the departments (cached figures are per user)
    for model in (ZoneFigure, RegionFigure, BenefitShare, OrganizationLabel, Indicator, Zone, Role, Department,
                  get_user_model()):
        for signal in (post_save, post_delete):
            signal.connect(_figures_changed, sender=model, dispatch_uid=f"figures_{model.__name__}_{signal is post_save}")


    from django.db.models.signals import m2m_changed

    m2m_changed.connect(_figures_changed, sender=get_user_model().roles.through, dispatch_uid="figures_user_roles")


def _figures_changed(sender, **kwargs) -> None:
    core_cache.bump("indicators")
