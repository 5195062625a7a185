"""Matching items to enterprises in the database.

For an item with structured conditions c1…cn, one query over the enterprises of the item's zone
tree marks, per enterprise, which conditions hold (``CASE WHEN id IN (<set of ci>)``: an
uncorrelated subquery the database hashes once) and keeps those holding all (符合) or all but one
(差一项, n ≥ 2, recording which one). Free-text conditions are not decided: a match of an item that
has one is flagged 需人工核验. The item's matches are replaced in one transaction; enterprises that
newly qualify are told (inbox, e-mail, the zone's robots), with their linked cadre (挂点干部).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from .conditions import compile_condition
from .models import Match, PolicyItem


def amount_for(item: PolicyItem, measured: Decimal | None) -> Decimal | None:
    """The amount rule: a fixed sum, or a share of a measured value capped (政策计算器)."""
    K = PolicyItem.AmountKind
    if item.amount_kind == K.FIXED:
        return item.amount_fixed
    if item.amount_kind == K.RATE:
        if measured is None or item.amount_rate is None:
            return None
        amount = (Decimal(measured) * item.amount_rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if item.amount_cap is not None:
            amount = min(amount, item.amount_cap)
        return max(amount, Decimal(0))
    return None


def base_organizations(item: PolicyItem):
    """The enterprises an item can reach: those of its department's tree (its zone)."""
    from feidi.accounts.models import Department
    from feidi.registry.models import Organization

    qs = Organization.objects.filter(kind=Organization.Kind.ENTERPRISE)
    if item.department_id:
        qs = qs.filter(department__path__startswith=Department.objects.filter(pk=item.department_id)
                       .values_list("path", flat=True)[0])
    return qs


def compute(item: PolicyItem, today: dt.date | None = None) -> list[tuple]:
    """(organization id, status, missing condition id, estimated amount) of every match."""
    from feidi.indicators.models import IndicatorValue

    conditions = list(item.conditions.all())
    structured = [(c, compile_condition(c, today)) for c in conditions]
    structured = [(c, ids) for c, ids in structured if ids is not None]
    n = len(structured)
    if not n:
        return []  # nothing a query can decide: a person reads the item
    qs = base_organizations(item)
    names = []
    for i, (_c, ids) in enumerate(structured):
        name = f"h{i}"
        qs = qs.annotate(**{name: Case(When(pk__in=ids, then=Value(1)), default=Value(0), output_field=IntegerField())})
        names.append(name)
    total = sum((F(name) for name in names[1:]), F(names[0]))
    qs = qs.annotate(held=total).filter(held__gte=n - 1 if n >= 2 else n)
    fields = ["pk", "held", *names]
    if item.amount_kind == PolicyItem.AmountKind.RATE and item.amount_indicator_id and item.amount_month:
        qs = qs.annotate(measured=Subquery(IndicatorValue.objects.filter(
            organization_id=OuterRef("pk"), indicator_id=item.amount_indicator_id, period=item.amount_month)
            .values("value")[:1]))
        fields.append("measured")
    rows = []
    for row in qs.values_list(*fields):
        org_id, held = row[0], row[1]
        measured = row[2 + n] if len(row) > 2 + n else None
        if held == n:
            rows.append((org_id, Match.Status.QUALIFIED, None, amount_for(item, measured)))
        else:
            missing = next(structured[i][0].pk for i in range(n) if not row[2 + i])
            rows.append((org_id, Match.Status.PARTIAL, missing, amount_for(item, measured)))
    return rows


def refresh_item(item: PolicyItem, *, today: dt.date | None = None, push: bool = True) -> dict:
    """Recompute one item's matches and replace them in one transaction."""
    now = timezone.now()
    needs_check = item.conditions.filter(kind="text").exists()
    rows = compute(item, today) if item.active and item.policy.active else []
    with transaction.atomic():
        PolicyItem.objects.select_for_update().filter(pk=item.pk).first()  # one refresh of an item at a time
        before = set(Match.objects.filter(item=item, status=Match.Status.QUALIFIED)
                     .values_list("organization_id", flat=True))
        Match.objects.filter(item=item).delete()
        Match.objects.bulk_create([
            Match(item_id=item.pk, organization_id=org, status=status, missing_id=missing, needs_check=needs_check,
                  estimated_amount=amount, computed_at=now, department_id=item.department_id)
            for org, status, missing, amount in rows], batch_size=5000)
        PolicyItem.objects.filter(pk=item.pk).update(matched_at=now)
        qualified = {org for org, status, _m, _a in rows if status == Match.Status.QUALIFIED}
        new = qualified - before
        if push and new:
            push_new(item, sorted(new))
    return {"qualified": len(qualified), "partial": len(rows) - len(qualified), "new": len(new)}


def refresh_all(*, today: dt.date | None = None, push: bool = True) -> dict[int, dict]:
    items = PolicyItem.objects.filter(active=True, policy__active=True).select_related("policy")
    done = {item.pk: refresh_item(item, today=today, push=push) for item in items}
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
