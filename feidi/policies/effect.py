"""A policy's effect: money paid, enterprises reached, and the 同口径 growth of the targeted
indicator for the enterprises reached against the other enterprises of the same zones — each
group's Σ this year's cumulative ÷ Σ the same enterprises' cumulative a year earlier − 1, over the
enterprises reporting both months (docs/architecture.md, statistics conventions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.db.models import Max
from django.db.models import Q
from django.db.models import Sum

from feidi.indicators.engine import add_months
from feidi.indicators.engine import growth_ratio

from .models import Payment
from .models import Policy

PAID = (Payment.Status.CONFIRMED, Payment.Status.PAID)


def cashed(payments, until: dt.date | None = None) -> dict:
    """兑现 of ``payments`` as every page and report says it: the confirmed amounts (已确认, whether
    paid out or not), of which 已拨付, the enterprises reached and the payments; with ``until``, of
    those confirmed by that day (a report of November does not count December's). A payment waiting
    for confirmation is not 兑现."""
    qs = payments.filter(status__in=PAID)
    if until is not None:
        from django.utils import timezone

        end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
        # one without its moment of confirmation (entered paid) by the day it was paid, if known
        qs = qs.filter(Q(confirmed_at__lt=end) | Q(confirmed_at__isnull=True) & (
            Q(paid_on__isnull=True) | Q(paid_on__lte=until)))
    got = qs.aggregate(total=Sum("amount"), disbursed=Sum("amount", filter=Q(status=Payment.Status.PAID)),
                       n=Count("organization", distinct=True), rows=Count("pk"))
    return {"total": got["total"] or Decimal(0), "disbursed": got["disbursed"] or Decimal(0), "n": got["n"],
            "rows": got["rows"], "qs": qs}


@dataclass
class Group:
    count: int
    now: Decimal | None
    before: Decimal | None

    @property
    def growth(self) -> float | None:
        return growth_ratio(self.now, self.before)

    @property
    def growth_text(self) -> str:
        return "—" if self.growth is None else f"{self.growth * 100:+.1f}%"


@dataclass
class Effect:
    paid: Decimal  # confirmed (``cashed``), of which ``disbursed`` paid out
    disbursed: Decimal
    reached: int
    payments: int
    month: dt.date | None
    reached_group: Group | None
    others_group: Group | None

    @property
    def difference(self) -> float | None:
        if self.reached_group is None or self.others_group is None:
            return None
        a, b = self.reached_group.growth, self.others_group.growth
        return None if a is None or b is None else a - b


def _group(values, organizations, month) -> Group:
    """Σ this month's cumulative and Σ a year earlier over the enterprises of ``organizations``
    reporting both months: the two months' rows read once, grouped by enterprise (one row per
    enterprise and month), the enterprises holding both summed. One pass, whatever the planner
    knows of the tables: the earlier form, each month's rows semi-joined to the other's, took
    seconds on PostgreSQL before its statistics caught up with a fresh load."""
    earlier = add_months(month, -12)
    per_enterprise = (values.filter(period__in=(month, earlier), organization_id__in=organizations)
                      .values("organization_id")
                      .annotate(now_rows=Count("pk", filter=Q(period=month)),
                                before_rows=Count("pk", filter=Q(period=earlier)),
                                now=Sum("value", filter=Q(period=month)),
                                before=Sum("value", filter=Q(period=earlier)))
                      .filter(now_rows__gt=0, before_rows__gt=0))
    got = per_enterprise.aggregate(n=Count("organization_id"), now_total=Sum("now"), before_total=Sum("before"))
    return Group(got["n"], got["now_total"], got["before_total"])


def compute(policy: Policy, user, month: dt.date | None = None, until: dt.date | None = None) -> Effect:
    from feidi.indicators.models import IndicatorValue
    from feidi.registry.models import Organization

    # user None: the policy's own department's report (every payment of its policy, every value)
    totals = cashed((Payment.objects.visible_to(user) if user is not None else Payment.objects.all()).filter(
        item__policy=policy), until)
    reached_ids = totals["qs"].values("organization_id")
    reached_group = others_group = None
    if policy.target_indicator_id:
        values = (IndicatorValue.objects.visible_to(user) if user is not None else IndicatorValue.objects.all()).filter(
            indicator_id=policy.target_indicator_id)
        month = month or values.aggregate(m=Max("period"))["m"]
        if month is not None:
            reached_group = _group(values, reached_ids, month)
            others = Organization.objects.filter(kind=Organization.Kind.ENTERPRISE)
            if policy.department_id:
                from feidi.accounts.models import Department

                path = Department.objects.filter(pk=policy.department_id).values_list("path", flat=True).first() or ""
                others = others.filter(department__path__startswith=path)
            others_group = _group(values, others.exclude(pk__in=reached_ids).values("pk"), month)
    return Effect(paid=totals["total"], disbursed=totals["disbursed"], reached=totals["n"], payments=totals["rows"],
                  month=month,
                  reached_group=reached_group, others_group=others_group)


def report_section(department, day: dt.date) -> tuple[str, list[dict]]:
    """The monthly report's 惠企政策 section: for each policy of the department's tree with money
    paid, the amount, the enterprises reached and the targeted indicator's comparable growth of
    those enterprises against the others (at the report's month)."""
    from django.utils.translation import gettext

    from feidi.lib.money import human

    policies = Policy.objects.filter(payments_exist(), active=True)
    if department is not None:
        policies = policies.filter(department__path__startswith=department.path)
    month = day.replace(day=1)
    blocks = []
    for policy in policies.select_related("target_indicator").order_by("issued_on", "pk"):
        result = compute(policy, None, month, until=day)  # what was confirmed by the report's day
        if not result.payments:
            continue
        sentence = gettext("《{policy}》已确认兑现{paid}（其中已拨付{disbursed}），惠及企业{n}家").format(
            policy=policy.title, paid=human(result.paid), disbursed=human(result.disbursed), n=result.reached)
        rule = ""
        if result.reached_group is not None and result.reached_group.growth is not None \
                and result.others_group is not None and result.others_group.growth is not None:
            sentence += gettext("；受惠企业{indicator}同口径增长{a}，其他企业{b}").format(
                indicator=policy.target_indicator.name_shown, a=result.reached_group.growth_text,
                b=result.others_group.growth_text)
            rule = gettext("{month}累计值，仅计两年同月均有数据的企业，按企业报送值计（未做飞地利益共享分算）").format(
                month=f"{month:%Y-%m}")
        blocks.append({"sentence": sentence, "rule": rule})
    return gettext("惠企政策兑现与效果"), blocks


def payments_exist():
    from django.db.models import Exists
    from django.db.models import OuterRef

    return Exists(Payment.objects.filter(item__policy=OuterRef("pk"), status__in=PAID))
