"""Matching items to enterprises in the database.

For an item with structured conditions, one query over the enterprises of the item's zone tree
that pass its gates (industry, zone: ``models.GATES``, filters on the enterprise itself) marks, per
enterprise, which of the other conditions hold (``CASE WHEN id IN (<set of ci>)``: an uncorrelated
subquery the database hashes once) and keeps those holding all (符合) or all but one (差一项,
recording which one; only where the item has two conditions or more, gates counted: one missing
condition out of one is not nearly qualifying). An enterprise outside the gates is neither: it
cannot work towards the item, so it is not listed as 差一项 either. Free-text conditions are not
decided: a match of an item that has one is flagged 需人工核验. The item's matches are replaced in
one transaction; enterprises that newly qualify are told (inbox, e-mail, the zone's robots), with
their linked cadre (挂点干部).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Case
from django.db.models import Count
from django.db.models import F
from django.db.models import IntegerField
from django.db.models import Value
from django.db.models import When
from django.utils import timezone
from django.utils.translation import gettext

from .conditions import compile_condition
from .conditions import gate_filter
from .models import GATES
from .models import Condition
from .models import Match
from .models import PolicyItem

logger = logging.getLogger(__name__)


def base_organizations(item: PolicyItem):
    """The enterprises an item can reach: those of its department's tree (its zone)."""
    from feidi.accounts.models import Department
    from feidi.registry.models import Organization

    qs = Organization.objects.filter(kind=Organization.Kind.ENTERPRISE)
    if item.department_id:
        qs = qs.filter(department__path__startswith=Department.objects.filter(pk=item.department_id)
                       .values_list("path", flat=True)[0])
    return qs


COLUMNS = ("item_id", "organization_id", "status", "missing_id", "needs_check", "estimated_amount", "computed_at",
           "department_id")


def _null(name: str, connection) -> str:
    """A typed NULL for Match's column: PostgreSQL types a bare NULL as text in CREATE TABLE AS, which
    then compares with nothing."""
    field = Match._meta.get_field(name)
    db_type = field.target_field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
    return f"CAST(NULL AS {db_type})"


def rows_sql(item: PolicyItem, now, today: dt.date | None = None) -> tuple[str, list] | None:
    """The item's matches as one SELECT whose columns are Match's (``COLUMNS``), or None when the
    item has no condition a query can decide (a person reads it).

    The inner query (built by the ORM) keeps the enterprises passing the gates and marks which of
    the other conditions each holds; the outer one
    keeps those holding all or all but one, names the missing condition, and computes the amount
    from the measured value joined once — each condition's set is built once, not once per use."""
    from django.db import connection

    from feidi.indicators.models import IndicatorValue

    every = list(item.conditions.all())
    conditions = [c for c in every if c.kind != Condition.Kind.TEXT]
    if not conditions:
        return None
    gates = [c for c in conditions if c.kind in GATES]
    structured = [(c, compile_condition(c, today)) for c in conditions if c.kind not in GATES]
    n = len(structured)
    qs = base_organizations(item).annotate(m_org=F("pk"))
    for c in gates:
        qs = qs.filter(gate_filter(c))
    names = []
    for i, (_c, ids) in enumerate(structured):
        name = f"h{i}"
        qs = qs.annotate(**{name: Case(When(pk__in=ids, then=Value(1)), default=Value(0), output_field=IntegerField())})
        names.append(name)
    inner, params = qs.order_by().values_list("m_org", *names).query.sql_with_params()
    params = list(params)
    if connection.vendor == "postgresql":
        inner += " OFFSET 0"  # kept a subquery: pulled up, each condition's set would be built once per use
    qn = connection.ops.quote_name
    # SQLite compares a bound Decimal (sent as text) as text: it gets floats, PostgreSQL exact numerics
    num = float if connection.vendor == "sqlite" else (lambda d: d)
    held = " + ".join(f"s.{qn(name)}" for name in names) or "0"
    missing = " ".join(f"WHEN s.{qn(name)} = 0 THEN {int(c.pk)}" for name, (c, _ids) in zip(names, structured,
                                                                                             strict=True))
    missing = f"CASE {missing} ELSE NULL END" if names else _null("missing", connection)
    at_least = n - 1 if n >= 1 and len(conditions) >= 2 else n
    K = PolicyItem.AmountKind
    join, amount, amount_params, join_params = "", _null("estimated_amount", connection), [], []
    if item.amount_kind == K.FIXED and item.amount_fixed is not None:
        amount, amount_params = "%s", [num(item.amount_fixed)]
    elif item.amount_kind == K.RATE and item.amount_indicator_id and item.amount_month and item.amount_rate is not None:
        # 政策计算器: a share of the measured value (its month's cumulative), capped; no value, no amount
        join = (f" LEFT JOIN {qn(IndicatorValue._meta.db_table)} v ON v.{qn('organization_id')} = s.{qn('m_org')}"
                f" AND v.{qn('indicator_id')} = %s AND v.{qn('period')} = %s")
        join_params = [item.amount_indicator_id, connection.ops.adapt_datefield_value(item.amount_month)]
        share = "v.value * %s"
        rate = num(item.amount_rate / 100)
        if item.amount_cap is not None:
            amount = f"CASE WHEN {share} > %s THEN %s ELSE ROUND({share}, 2) END"
            amount_params = [rate, num(item.amount_cap), num(item.amount_cap), rate]
        else:
            amount, amount_params = f"ROUND({share}, 2)", [rate]
    needs_check = len(every) > len(conditions)
    c = [qn(name) for name in COLUMNS]
    sql = (f"SELECT %s AS {c[0]}, s.{qn('m_org')} AS {c[1]}, CASE WHEN {held} = {n} THEN %s ELSE %s END AS {c[2]},"
           f" {missing} AS {c[3]}, %s AS {c[4]}, {amount} AS {c[5]}, %s AS {c[6]}, %s AS {c[7]}"
           f" FROM ({inner}) s{join} WHERE {held} >= {at_least}")
    head = [item.pk, Match.Status.QUALIFIED.value, Match.Status.PARTIAL.value, needs_check]
    tail = [connection.ops.adapt_datetimefield_value(now), item.department_id]
    return sql, [*head, *amount_params, *tail, *params, *join_params]


def compute(item: PolicyItem, today: dt.date | None = None) -> list[tuple]:
    """(organization id, status, missing condition id, estimated amount) of every match (read, not stored)."""
    from django.db import connection

    found = rows_sql(item, timezone.now(), today)
    if found is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*found)
        return [(r[1], r[2], r[3], r[5]) for r in cursor.fetchall()]


def refresh_item(item: PolicyItem, *, today: dt.date | None = None, push: bool = True) -> dict:
    """Recompute one item's matches and replace them in one transaction: the database computes and
    writes them (INSERT … SELECT), nothing passes through Python row by row."""
    from django.db import connection

    now = timezone.now()
    found = rows_sql(item, now, today) if item.active and item.policy.active else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # sets over every enterprise read whole tables: the planner's default price of a random
            # read, not the SSD price a connection gets for the lists' index lookups (core/trigram.py)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL random_page_cost = 4")
        PolicyItem.objects.select_for_update().filter(pk=item.pk).first()  # one refresh of an item at a time
        before = set(Match.objects.filter(item=item, status=Match.Status.QUALIFIED)
                     .values_list("organization_id", flat=True)) if push else set()
        table, columns = connection.ops.quote_name(Match._meta.db_table), [connection.ops.quote_name(c) for c in COLUMNS]
        if found is not None and connection.vendor == "postgresql" and Match.objects.filter(item=item).exists():
            # the new rows in a temporary table, then only the difference is written: rows no longer
            # matching or changed go, missing ones come; an unchanged row is neither rewritten nor locked
            # (an item with no rows yet takes the plain INSERT below: no difference to find, and no
            # anti-join planned on statistics that may still say the table is empty)
            sql, params = found
            same = " AND ".join([f"n.{columns[1]} = m.{columns[1]}", f"n.{columns[2]} = m.{columns[2]}",
                                 *(f"n.{col} IS NOT DISTINCT FROM m.{col}" for col in (*columns[3:6], columns[7]))])
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")  # short queries over hashed sets: compiling costs more
                cursor.execute(f"CREATE TEMPORARY TABLE policy_new AS {sql}", params)
                cursor.execute("ANALYZE policy_new")
                cursor.execute(f"DELETE FROM {table} m WHERE m.{columns[0]} = %s AND NOT EXISTS"
                               f" (SELECT 1 FROM policy_new n WHERE {same})", [item.pk])
                cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)}"
                               f" FROM policy_new n WHERE NOT EXISTS (SELECT 1 FROM {table} m"
                               f" WHERE m.{columns[0]} = %s AND m.{columns[1]} = n.{columns[1]})", [item.pk])
                cursor.execute("DROP TABLE policy_new")
        else:
            Match.objects.filter(item=item).delete()
            if found is not None:
                sql, params = found
                with connection.cursor() as cursor:
                    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)
        PolicyItem.objects.filter(pk=item.pk).update(matched_at=now)
        counts = dict(Match.objects.filter(item=item).order_by().values_list("status").annotate(n=Count("pk")))
        new = set()
        if push:
            new = set(Match.objects.filter(item=item, status=Match.Status.QUALIFIED)
                      .values_list("organization_id", flat=True)) - before
            if new:
                push_new(item, sorted(new))
    qualified = counts.get(Match.Status.QUALIFIED, 0)
    return {"qualified": qualified, "partial": counts.get(Match.Status.PARTIAL, 0), "new": len(new)}


def refresh_all(*, today: dt.date | None = None, push: bool = True) -> dict[int, dict | None]:
    """Every active item refreshed, each in its own transaction: an item that fails (logged; None
    in the answer) keeps its matches as they were and stops no other item's refresh."""
    items = PolicyItem.objects.filter(active=True, policy__active=True).select_related("policy")
    done: dict[int, dict | None] = {}
    for item in items:
        try:
            with transaction.atomic():
                done[item.pk] = refresh_item(item, today=today, push=push)
        except Exception:
            logger.exception("policy item %s: refresh failed", item.pk)
            done[item.pk] = None
    # items switched off keep no matches
    Match.objects.exclude(item_id__in=list(done)).delete()
    return done


def push_new(item: PolicyItem, organization_ids: list[int]) -> int:
    """Tell the enterprises that newly qualify, and their linked cadres (挂点干部)."""
    from feidi.accounts.models import User
    from feidi.core.notify import notify_many
    from feidi.services.models import Assignment

    users: dict[int, list] = {}
    for user in User.objects.filter(organization_id__in=organization_ids, is_active=True):
        users.setdefault(user.organization_id, []).append(user)
    for a in Assignment.objects.filter(organization_id__in=organization_ids, until__isnull=True).select_related("cadre"):
        users.setdefault(a.organization_id, []).append(a.cadre)
    matches = dict(Match.objects.filter(item=item, organization_id__in=organization_ids)
                   .values_list("organization_id", "pk"))
    from django.urls import reverse

    title = gettext("可享受惠企政策：{item}").format(item=item.title)
    body = gettext("{policy} · {mode}").format(policy=item.policy.title, mode=item.get_mode_display())
    messages = [(people, title, body, reverse("policies:match_detail", kwargs={"pk": matches[org]}), None)
                for org, people in users.items() if org in matches]
    # the zone's robots get one line per item, not one per enterprise
    messages.append(([], gettext("惠企政策新增符合企业{count}家：{item}").format(count=len(organization_ids),
                                                                        item=item.title),
                     body, reverse("policies:policyitem_detail", kwargs={"pk": item.pk}), item.department))
    return notify_many(messages)
