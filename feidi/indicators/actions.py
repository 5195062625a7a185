"""Writes on indicator values: one enterprise's month from the form, many from an .xlsx file.

Errors refuse (negative, missing required, unknown enterprise, a cumulative value below the month
before it or above the month after it). Warnings — a month that moves more than the indicator's
``warn_ratio`` against the month before — are kept only once confirmed, and the confirmation is
stored with the value.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import audit
from feidi.lib.money import change_text

from .engine import add_months
from .models import Indicator
from .models import IndicatorValue

# Sent inside the writing transaction after values were stored (the form, the import, the API,
# the demo): what depends on enterprises' values (惠企政策 matches) asks for its refresh.
values_written = Signal()


@dataclass
class Check:
    errors: dict[str, str] = field(default_factory=dict)  # indicator code → message
    warnings: dict[str, str] = field(default_factory=dict)
    saved: int = 0


def check_month(indicator: Indicator, period: dt.date, value: Decimal | None, *, before: Decimal | None,
                before2: Decimal | None, after: Decimal | None) -> tuple[str | None, str | None]:
    """(error, warning) for one value. ``before``/``after`` are the same enterprise's values of the
    months before and after (None when absent); ``before2`` the month before ``before``."""
    return month_checker(indicator)(period.month, value, before, before2, after)


def month_checker(indicator: Indicator):
    """``check_month`` for one indicator as a function of (month number, value, before, before2,
    after): the indicator's settings are read once, not once per value (an import checks
    800,000)."""
    required, cumulative, warn_ratio = indicator.required, indicator.cumulative, indicator.warn_ratio

    def check(month: int, value, before, before2, after) -> tuple[str | None, str | None]:
        if value is None:
            return (gettext("每月必报，不能为空") if required else None), None
        if value < 0:
            return gettext("数值不能为负"), None
        same_year_before = before is not None and month > 1
        if cumulative:
            if same_year_before and value < before:
                return gettext("累计值不能小于上月累计（{normalize:f}）").format(normalize=before.normalize()), None
            if after is not None and month < 12 and after < value:
                return gettext("累计值不能大于下月已报累计（{normalize:f}）").format(normalize=after.normalize()), None
        if not warn_ratio:
            return None, None
        # compare this month's own figure with last month's
        if cumulative:
            if not same_year_before:
                return None, None
            now = value - before
            was = before if month == 2 else (before - before2 if before2 is not None else None)
        else:
            now, was = value, before
        if was is None or was <= 0:
            return None, None
        ratio = abs(now - was) / was
        if ratio > warn_ratio:  # 下降99.99%, never a 下降100% that is not one (lib.money.change_text)
            return None, gettext("当月{change}（上月{normalize:f}，本月{normalize2:f}），请核实后确认").format(
                change=change_text((now - was) / was), normalize=was.normalize(), normalize2=now.normalize())
        return None, None

    return check


def neighbours(org_ids, indicators, periods) -> dict[tuple[int, int, dt.date], Decimal]:
    """Existing values of the months around ``periods`` (two months before to one after) for these
    enterprises, in one set-based query (``stored``)."""
    return {(o, i, p): v for o, i, p, v in stored(org_ids, indicators, neighbour_months(periods), "value")}


def neighbour_months(periods) -> set[dt.date]:
    """The months a check of ``periods`` reads: two before, the month itself, one after."""
    return {add_months(p, n) for p in set(periods) for n in (-2, -1, 0, 1)}


def stored(org_ids, indicators, months, *columns: str) -> list[tuple]:
    """(enterprise, indicator, month, *columns) of the stored rows whose key is in the product of
    the three sets. On PostgreSQL one statement with the enterprises as an array joined to the
    (indicator, month) slices: for an import's 50,000 enterprises the planner hash-joins them
    to the slices' index scan (~1 s on the 10M-row bench, against ~3 s for ``organization_id =
    ANY(…)``, which probes the unique index once per enterprise × indicator × month); for a
    few enterprises it probes the unique index per enterprise."""
    from django.db import connection

    org_ids = sorted(set(org_ids))
    indicator_ids = sorted({getattr(i, "pk", i) for i in indicators})
    months = sorted(set(months))
    if not (org_ids and indicator_ids and months):
        return []
    names = ("organization_id", "indicator_id", "period", *columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"SELECT {', '.join(f'v.{c}' for c in names)} FROM {IndicatorValue._meta.db_table} v "
                        "JOIN unnest(%s::bigint[]) o (id) ON o.id = v.organization_id "
                        "WHERE v.indicator_id = ANY(%s) AND v.period = ANY(%s)", [org_ids, indicator_ids, months])
            return cur.fetchall()
    out = []
    for start in range(0, len(org_ids), 5000):  # under SQLite's limit on parameters
        out += IndicatorValue.objects.filter(organization_id__in=org_ids[start:start + 5000],
                                             indicator_id__in=indicator_ids, period__in=months).values_list(*names)
    return out


def stored_in_order(enterprises: str, indicators, months, size: int) -> Iterator[tuple]:
    """(enterprise, indicator, month, value) of the stored rows of the enterprises the SQL
    ``enterprises`` selects (an import's staging table), for these indicators and months, in
    enterprise order, read ``size`` rows at a time from a cursor (server-side on PostgreSQL:
    inside a transaction): one statement for a whole file, whose result is never held whole
    (800,000 rows for 50,000 enterprises' neighbouring months, read as plain tuples: the ORM's
    iterator took four times as long). The cursor reads the rows as they were when it opened,
    whatever the transaction writes after."""
    from django.db import connection
    from django.db.models.expressions import RawSQL

    indicator_ids = sorted({getattr(i, "pk", i) for i in indicators})
    months = sorted(set(months))
    if not (indicator_ids and months):
        return iter(())
    if connection.vendor != "postgresql":  # SQLite's values come back through the ORM's converters
        return IndicatorValue.objects.filter(
            organization_id__in=RawSQL(enterprises, []), indicator_id__in=indicator_ids, period__in=months).order_by(
            "organization_id").values_list("organization_id", "indicator_id", "period", "value").iterator(
            chunk_size=size)
    return _fetched(f"SELECT organization_id, indicator_id, period, value FROM {IndicatorValue._meta.db_table} "
                    f"WHERE organization_id IN ({enterprises}) AND indicator_id = ANY(%s) AND period = ANY(%s) "
                    "ORDER BY organization_id", [indicator_ids, months], size)


def _fetched(sql: str, params: list, size: int) -> Iterator[tuple]:
    from feidi.core.staging import reading_cursor

    cursor = reading_cursor()
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            yield from rows
    finally:
        cursor.close()


def check_values(known: dict[tuple[int, int, dt.date], Decimal], org_id: int, indicator: Indicator,
                 period: dt.date, value: Decimal | None) -> tuple[str | None, str | None]:
    key = (org_id, indicator.pk)
    return check_month(indicator, period, value, before=known.get((*key, add_months(period, -1))),
                       before2=known.get((*key, add_months(period, -2))), after=known.get((*key, add_months(period, 1))))


def not_ended(indicator: Indicator, period: dt.date, today: dt.date | None = None) -> str | None:
    """Why ``indicator``'s value of ``period`` cannot be reported yet, or None. A monthly report of a
    month is due after the month ends: a cumulative 1–N月 figure of a month still running is not a
    figure of that month (the form, the import and the API refuse it alike; a later month is
    refused as a whole, by each of them, before)."""
    today = today or timezone.localdate()
    if indicator.cumulative and period.replace(day=1) >= today.replace(day=1):
        return gettext("{year}年{month}月尚未结束，累计值须在月末之后报送").format(year=period.year, month=period.month)
    return None


def before_founded(founded: dt.date | None, period: dt.date) -> str | None:
    """Why an enterprise founded on ``founded`` has no figure of the month ``period``, or None: a
    month before the one it was founded in (1990-01 was stored for an enterprise of 2016)."""
    if founded is not None and period < founded.replace(day=1):
        return gettext("该企业成立于{day}，没有{year}年{month}月的数据").format(
            day=founded.isoformat(), year=period.year, month=period.month)
    return None


def not_whole(indicator: Indicator, value) -> str | None:
    """Why ``value`` cannot be ``indicator``'s, counted in whole things (人, 家, 个 …) — or, counted in
    people, more than one enterprise can have (``registry.models.MAX_STAFF``) — or None."""
    from feidi.registry.models import MAX_STAFF
    from feidi.registry.models import staff_refusal

    if indicator.counted and value is not None and value != value.to_integral_value():
        return gettext("{name}以“{unit}”计，应为整数").format(name=indicator.name_shown, unit=indicator.unit_shown)
    if indicator.unit.strip() == "人" and value is not None and value > MAX_STAFF:
        return staff_refusal(int(value))
    return None


def report_month(organization, period: dt.date, values: dict[Indicator, Decimal | None], *, acting_user,
                 confirm: bool = False, source: str = IndicatorValue.Source.ENTERPRISE) -> Check:
    """Check and save one enterprise's month. Raises ValidationError on errors; returns the
    warnings unsaved unless ``confirm``."""
    period = period.replace(day=1)
    if period > timezone.localdate().replace(day=1):
        raise ValidationError({"period": gettext("不能填报未来月份")})
    if why := before_founded(organization.established_on, period):
        raise ValidationError({"period": why})
    early = {i.code: [why] for i, v in values.items() if v is not None and (why := not_ended(i, period) or not_whole(i, v))}
    if early:
        raise ValidationError(early)
    if getattr(acting_user, "organization_id", None) and acting_user.organization_id != organization.pk:
        raise PermissionDenied(gettext("企业用户只能填报本企业数据"))
    known = neighbours([organization.pk], values.keys(), [period])
    result = Check()
    for indicator, value in values.items():
        error, warning = check_values(known, organization.pk, indicator, period, value)
        if error:
            result.errors[indicator.code] = error
        elif warning:
            result.warnings[indicator.code] = warning
    if result.errors:
        raise ValidationError({code: [msg] for code, msg in result.errors.items()})
    if result.warnings and not confirm:
        return result
    rows = [(indicator, value) for indicator, value in values.items() if value is not None]
    with transaction.atomic():
        saved = upsert(organization, period, rows, acting_user=acting_user, source=source,
                       confirmed={code: msg for code, msg in result.warnings.items()})
        audit.record(audit.AuditRecord.Action.UPDATE, organization, user=acting_user,
                     before={f"{i.code}@{period:%Y-%m}": str(known[(organization.pk, i.pk, period)])
                             for i, _ in rows if (organization.pk, i.pk, period) in known},
                     after={f"{i.code}@{period:%Y-%m}": str(v) for i, v in rows})
    result.saved = saved
    return result


class Entry(NamedTuple):
    """A value to write: the row's columns, with the zone, department and division the enterprise
    has when it reports (they stay on the row). A tuple, not a model instance, because an import
    makes 800,000 of them and a model instance costs tens of times more to build."""

    # the table's columns in the order of KEY_COLUMNS + UPDATE_COLUMNS, without the last,
    # entered_at (the write's moment): a row is ``entry + (now,)``
    organization_id: int
    indicator_id: int
    period: dt.date
    value: Decimal
    department_id: int | None
    zone_id: int | None
    industry: str
    source: str
    confirmed_warning: str = ""
    entered_by_id: int | None = None
    sample: bool = False


def entry(organization, indicator, period, value, *, acting_user, source, confirmed="") -> Entry:
    return Entry(organization.pk, indicator.pk, period, value, organization.department_id, organization.zone_id,
                 _division(organization.industry_code), source, confirmed[:200], getattr(acting_user, "pk", None))


@functools.lru_cache(maxsize=4096)
def _division(industry_code: str) -> str:
    """The GB/T 4754 division (two digits) a row is grouped by; a few hundred codes in use."""
    from feidi.lib import gbt4754

    return gbt4754.division_code(industry_code) if industry_code else ""


def _row(organization, indicator, period, value, *, acting_user, source, confirmed="") -> IndicatorValue:
    """The same value as a model instance (for the demo and for tests that save one row)."""
    return IndicatorValue(**entry(organization, indicator, period, value, acting_user=acting_user, source=source,
                                  confirmed=confirmed)._asdict(), entered_at=timezone.now())


def upsert(organization, period, rows, *, acting_user, source, confirmed=None) -> int:
    confirmed = confirmed or {}
    objs = [entry(organization, i, period, v, acting_user=acting_user, source=source,
                  confirmed=confirmed.get(i.code, "")) for i, v in rows]
    return len(bulk_upsert(objs))


# The columns a write sets, in the order of a row (``Entry`` and the write's moment); on a conflict
# (the enterprise's month is already there) all but the key are overwritten.
KEY_COLUMNS = ("organization_id", "indicator_id", "period")
UPDATE_COLUMNS = ("value", "department_id", "zone_id", "industry", "source", "confirmed_warning", "entered_by_id",
                  "sample", "entered_at")


def bulk_upsert(objs: list[Entry | IndicatorValue], batch_size: int = 5000) -> list:
    """Insert or overwrite (enterprise, indicator, month) rows, and recompute the cells they move
    in the same transaction (every write of values comes through here: the report form, the
    import, the API, the demo).

    One set-based upsert rather than the ORM's ``bulk_create``, whose per-value SQL assembly
    costs more than the database's work for an import of 800,000 values: PostgreSQL gets the rows
    by COPY into a temporary table and one INSERT … SELECT … ON CONFLICT; SQLite one prepared
    INSERT … ON CONFLICT executed for every row."""
    from . import cells

    if not objs:
        return []
    with transaction.atomic():
        slices, keys = cells.before_write(objs)
        hold_references(objs)
        _upsert_rows(_rows(objs, timezone.now()), batch_size)  # one write, one moment
        cells.refresh(slices, keys)
        values_written.send(sender=IndicatorValue)
    return objs


def _rows(objs, now) -> list[tuple]:
    moment = (now,)
    return [o + moment if o.__class__ is Entry else
            (o.organization_id, o.indicator_id, o.period, o.value, o.department_id, o.zone_id, o.industry, o.source,
             o.confirmed_warning, o.entered_by_id, o.sample, now) for o in objs]


class BulkWrite:
    """``bulk_upsert`` given its rows in parts — an import's chunks, ``add``-ed one after
    another inside the caller's transaction, then ``finish()``-ed — so that the writer never
    holds more than one part. A part is rows already in the table's column order (an ``Entry``
    and ``now``, the write's one moment), built once by the caller: an import makes 1,600,000.
    Each part is upserted as it comes; the cells are recomputed once, at ``finish``, for every
    (indicator, month) slice written (the slices are all that is kept across parts: a few
    hundred pairs). A write that stays within ``cells.SMALL_WRITE`` values is held and written
    at ``finish`` as one ``bulk_upsert`` (which recomputes only the (zone, division) pairs it
    moves). ``indicator_ids``: every indicator the parts may hold, locked together at the first
    large part (in pk order: two writers never wait on each other)."""

    def __init__(self, indicator_ids):
        self.indicator_ids = sorted(set(indicator_ids))
        self.held: list[tuple] = []
        self.slices: set[tuple[int, dt.date]] = set()
        self.large, self.count, self.now = False, 0, timezone.now()

    def add(self, rows: list[tuple], stored: set | None = None, batch_size: int = 5000) -> None:
        """``stored``: the keys (enterprise, indicator, month) among the rows' that are stored,
        when the caller read them under the lock (``_upsert_rows`` reads them otherwise)."""
        from . import cells

        self.count += len(rows)
        if not self.large:
            self.held += rows
            if len(self.held) <= cells.SMALL_WRITE:
                return
            self.large, rows, self.held, stored = True, self.held, [], None  # the keys were of this part only
            cells.lock(self.indicator_ids)
        self.slices |= {(row[1], row[2]) for row in rows}
        hold_ids({row[0] for row in rows}, {row[1] for row in rows}, {row[5] for row in rows},
                 {row[4] for row in rows}, {row[9] for row in rows})
        _upsert_rows(rows, batch_size, stored)

    def finish(self) -> None:
        from . import cells

        if self.large:
            cells.refresh(cells.with_pairs(self.slices), None)
            values_written.send(sender=IndicatorValue)
        elif self.held:
            bulk_upsert([Entry(*row[:-1]) for row in self.held])


def hold_references(objs) -> None:
    """``hold_ids`` for the references of ``objs`` (entries or values)."""
    hold_ids({o.organization_id for o in objs}, {o.indicator_id for o in objs}, {o.zone_id for o in objs},
             {o.department_id for o in objs}, {o.entered_by_id for o in objs})


def hold_ids(organizations: set, indicators: set, zones: set, departments: set, users: set) -> None:
    """What database constraints on the rows' references would do, once per distinct value
    instead of once per row (1,600,000 checks at commit for an import's enterprises and
    indicators alone, 2,400,000 more for zone, department and author): each one must exist, and
    on PostgreSQL stays locked against deletion (FOR KEY SHARE) until this transaction ends. A
    deletion that waited for the lock then repeats its CASCADE, PROTECT or SET_NULL for the rows
    committed meanwhile (``cells.connect``); one missing now refuses the whole write as a
    constraint would."""
    from django.apps import apps
    from django.conf import settings
    from django.db import IntegrityError
    from django.db import connection

    from feidi.accounts.models import Department
    from feidi.registry.models import Organization
    from feidi.registry.models import Zone

    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    wanted = [(Organization, organizations), (Indicator, indicators), (Zone, zones - {None}),
              (Department, departments - {None}), (user_model, users - {None})]
    wanted = [(model, sorted(ids)) for model, ids in wanted if ids]
    if not wanted:
        return
    if connection.vendor == "postgresql":  # one statement, each set as one array (50,000 enterprises)
        parts = [f"r{n} AS (SELECT {m._meta.pk.column} FROM {m._meta.db_table} "
                 f"WHERE {m._meta.pk.column} = ANY(%s) FOR KEY SHARE)" for n, (m, _ids) in enumerate(wanted)]
        with connection.cursor() as cur:
            cur.execute(f"WITH {', '.join(parts)} SELECT "
                        + ", ".join(f"(SELECT COUNT(*) FROM r{n})" for n in range(len(wanted))),
                        [ids for _m, ids in wanted])
            found = cur.fetchone()
    else:  # SQLite serialises writers already: only the existence, under its limit on parameters
        found = [sum(m._base_manager.filter(pk__in=ids[i:i + 5000]).count() for i in range(0, len(ids), 5000))
                 for m, ids in wanted]
    for (model, ids), count in zip(wanted, found, strict=True):
        if count != len(ids):
            raise IntegrityError(gettext("{verbose_name}已不存在（写入的数值引用了已删除的记录）").format(
                verbose_name=model._meta.verbose_name))


# Above this many rows, a PostgreSQL write first reads which keys are stored (see _upsert_rows).
FRESH_CHECK = 2000


def _upsert_rows(rows: list[tuple], batch_size: int, known: set | None = None) -> None:
    from django.db import connection

    table = IndicatorValue._meta.db_table
    columns = ", ".join(KEY_COLUMNS + UPDATE_COLUMNS)
    conflict = (f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in UPDATE_COLUMNS))
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            fresh = rows
            if len(rows) > FRESH_CHECK:
                # Writers of these indicators are serialised (``cells.lock``, taken before this), so
                # the keys already stored cannot change until commit: one read of them tells which
                # rows are new. Those go by COPY straight into the table, in the unique index's
                # order; only the overlap pays the temporary table and ON CONFLICT.
                keys = known if known is not None else set(stored({r[0] for r in rows}, {r[1] for r in rows},
                                                                  {r[2] for r in rows}))
                if keys:
                    fresh = [r for r in rows if (r[0], r[1], r[2]) not in keys]
                    rows = [r for r in rows if (r[0], r[1], r[2]) in keys]
                else:
                    rows = []
                fresh.sort(key=itemgetter(0, 1, 2))
                _copy(cur, table, columns, fresh)
                if not rows:
                    return
            cur.execute("DROP TABLE IF EXISTS indicator_upsert")
            cur.execute(f"CREATE TEMPORARY TABLE indicator_upsert ON COMMIT DROP AS SELECT {columns} FROM {table} "
                        "WITH NO DATA")
            _copy(cur, "indicator_upsert", columns, rows)
            cur.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM indicator_upsert {conflict}")
            cur.execute("DROP TABLE indicator_upsert")
            return
        ops = connection.ops
        at = ops.adapt_datetimefield_value(rows[0][11])  # the same moment for every row
        adapted = [(o, i, ops.adapt_datefield_value(p), ops.adapt_decimalfield_value(v), d, z, ind, src, warn, by,
                    sample, at) for o, i, p, v, d, z, ind, src, warn, by, sample, _at in rows]
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(adapted[0]))}) {conflict}"
        for start in range(0, len(adapted), batch_size):
            cur.executemany(sql, adapted[start:start + batch_size])


def _copy(cur, table: str, columns: str, rows: list[tuple]) -> None:
    """COPY ``rows`` into ``table`` in the binary format, typed by the table's own columns (half
    the client's time of the text format, which formats every value as text)."""
    cur.execute(f"SELECT {columns} FROM {table} LIMIT 0")
    types = [column.type_code for column in cur.description]
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)
