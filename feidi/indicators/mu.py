"""亩均效益 evaluation (亩均论英雄): a year's five metrics per enterprise above a land threshold,
scored against benchmarks and sorted into classes A/B/C/D by a zone's rule.

Figures for the year: flows (tax, revenue, value added, energy, R&D) are the year's last reported
cumulative value (December's, else the latest month reported); staff is the average of the
monthly values; land the latest reported 用地面积, else the registry's. Metrics, one definition
each for every enterprise:
  亩均税收 = tax / land;  亩均营业收入 = revenue / land;
  单位能耗增加值 = value added / energy;  研发投入强度 = R&D / revenue;
  全员劳动生产率 = value added / staff.
Revenue never stands in for value added: it is several times value added, so a firm without
value added (规下 enterprises do not report it) scored on revenue against a benchmark averaged
over both would be graded up, and the 规上 ones down. 未报增加值的企业，单位能耗增加值、全员劳动生产率
不参评，其权重按其余指标折算 (``VALUE_ADDED_METRICS``, ``score``): its score is Σ over the metrics it
can have of ``weight × min(metric / benchmark, cap)``, times (all weights ÷ those metrics'
weights). Any other missing input (no energy, no staff reported; no revenue for the intensity) is
as before: that metric scores 0. A benchmark is the rule's, or else the average over the
evaluated enterprises that have the metric.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop

from feidi.core import audit

from .models import Indicator
from .models import IndicatorValue
from .models import MuResult
from .models import MuRule

FLOWS = ("tax", "revenue", "value_added", "energy", "rd")


def year_figures(organizations, year: int) -> dict[int, dict]:
    codes = {i.pk: i.code for i in Indicator.objects.filter(code__in=[*FLOWS, "employees", "land"])}
    rows = (IndicatorValue.objects.filter(organization__in=organizations, indicator_id__in=list(codes),
                                          period__gte=dt.date(year, 1, 1), period__lte=dt.date(year, 12, 1))
            .order_by("period").values_list("organization_id", "indicator_id", "period", "value"))
    latest: dict[int, dict[str, Decimal]] = defaultdict(dict)
    staff: dict[int, list[Decimal]] = defaultdict(list)
    for org, ind, _period, value in rows:
        code = codes[ind]
        if code == "employees":
            staff[org].append(value)
        else:
            latest[org][code] = value  # ordered by period: the last one wins
    land_registry = dict(organizations.values_list("pk", "land_area_mu"))
    out = {}
    for org, land_reg in land_registry.items():
        figures = latest.get(org, {})
        out[org] = {
            "land": figures.get("land") or land_reg or Decimal(0),
            **{code: figures.get(code) for code in FLOWS},
            "employees": (sum(staff[org], Decimal(0)) / len(staff[org])) if staff.get(org) else None,
        }
    return out


# the metrics of value added: blank, and not scored, for an enterprise that reports none
VALUE_ADDED_METRICS = ("energy", "labour")


def metrics(f: dict) -> dict[str, Decimal | None]:
    land, revenue, added = f["land"], f["revenue"] or Decimal(0), f["value_added"]
    return {
        "tax": (f["tax"] or Decimal(0)) / land,
        "output": revenue / land,
        "energy": added / f["energy"] if added is not None and f["energy"] else None,
        "rd": (f["rd"] or Decimal(0)) / revenue if revenue else None,  # no revenue: no intensity, blank
        "labour": added / f["employees"] if added is not None and f["employees"] else None,
    }


def scored_metrics(f: dict) -> tuple[str, ...]:
    """The metrics an enterprise with the year's figures ``f`` is scored on: all, but those of
    value added when it reports none."""
    if f["value_added"] is None:
        return tuple(m for m in MuRule.METRICS if m not in VALUE_ADDED_METRICS)
    return MuRule.METRICS


def score(rule: MuRule, f: dict, m: dict, benchmarks: dict) -> Decimal:
    """Σ ``weight × min(metric / benchmark, cap)`` over the metrics the enterprise is scored on,
    re-scaled to the full weight when some are not (a missing metric among them scores 0)."""
    keys = scored_metrics(f)
    total = Decimal(0)
    for key in keys:
        bench = benchmarks[key]
        if m[key] is None or not bench:
            continue
        total += getattr(rule, f"w_{key}") * min(m[key] / bench, rule.cap)
    weights = sum((getattr(rule, f"w_{k}") for k in keys), Decimal(0))
    full = sum((getattr(rule, f"w_{k}") for k in MuRule.METRICS), Decimal(0))
    if weights and weights != full:
        total = total * full / weights
    return total.quantize(Decimal("0.01"))


def grade(rule: MuRule, score: Decimal) -> str:
    if score >= rule.a_min:
        return MuResult.Grade.A
    if score >= rule.b_min:
        return MuResult.Grade.B
    if score >= rule.c_min:
        return MuResult.Grade.C
    return MuResult.Grade.D


LEFT_OUT = {  # why an enterprise of the rule's zone is not evaluated, as the page says it
    "no_land": gettext_noop("无用地面积"),
    "small": gettext_noop("用地面积不足{threshold}亩"),
    "no_revenue": gettext_noop("本年无营业收入数据"),
}


def left_out(rule: MuRule, f: dict) -> str | None:
    """Why an enterprise with the year's figures ``f`` is not evaluated by ``rule`` (a key of
    ``LEFT_OUT``), None when it is."""
    if not f["land"] or f["land"] <= 0:
        return "no_land"
    if f["land"] < rule.land_threshold:
        return "small"
    if f["revenue"] is None:
        return "no_revenue"
    return None


def enterprises(rule: MuRule):
    """The enterprises a rule evaluates among: the park enterprises of its zone (its department's
    tree) — a target or partner with no park is neither graded nor counted as 未参评."""
    from feidi.registry.models import Organization
    from feidi.registry.models import park_enterprises

    return Organization.objects.filter(park_enterprises(), department_id__in=rule.department.subtree_ids())


def not_evaluated(rule: MuRule, organizations) -> list[tuple[str, int, list]]:
    """The enterprises of ``organizations`` (a user's, within the rule's zone) that the rule leaves
    out, by reason, as (what the page says, how many, the enterprises by name): who was not graded
    is part of the result — a class's count alone reads as if every enterprise had been graded, and
    a count without names leaves the land office nothing to follow up."""
    from feidi.registry.models import Organization

    ids: dict[str, list[int]] = defaultdict(list)
    for org, f in year_figures(enterprises(rule).filter(pk__in=organizations.values("pk")), rule.year).items():
        reason = left_out(rule, f)
        if reason is not None:
            ids[reason].append(org)
    named = {o.pk: o for o in Organization.objects.filter(pk__in=[pk for found in ids.values() for pk in found])
             .only("pk", "name").order_by("name")}
    order = list(named)
    threshold = f"{rule.land_threshold:f}".rstrip("0").rstrip(".")
    return [(gettext(LEFT_OUT[key]).format(threshold=threshold), len(ids[key]),
             sorted((named[pk] for pk in ids[key]), key=lambda o: order.index(o.pk)))
            for key in LEFT_OUT if ids.get(key)]


def evaluate(rule: MuRule, *, acting_user=None) -> list[MuResult]:
    """(Re)compute the rule's results in one transaction: the previous ones are replaced."""
    orgs = enterprises(rule)
    figures = year_figures(orgs, rule.year)
    evaluated = {org: f for org, f in figures.items() if left_out(rule, f) is None}
    measured = {org: metrics(f) for org, f in evaluated.items()}
    benchmarks = {}
    for m in MuRule.METRICS:
        given = getattr(rule, f"b_{m}")
        values = [v[m] for v in measured.values() if v[m] is not None]
        benchmarks[m] = given if given is not None else (sum(values, Decimal(0)) / len(values) if values else None)
    info = dict(orgs.filter(pk__in=list(evaluated)).values_list("pk", "zone_id"))
    depts = dict(orgs.filter(pk__in=list(evaluated)).values_list("pk", "department_id"))
    results = []
    for org, f in evaluated.items():
        m = measured[org]
        points = score(rule, f, m, benchmarks)
        results.append(MuResult(
            rule=rule, organization_id=org, department_id=depts.get(org), zone_id=info.get(org), land=f["land"],
            tax=f["tax"] or 0, revenue=f["revenue"] or 0, value_added=f["value_added"], energy=f["energy"],
            rd=f["rd"] or 0, employees=f["employees"], m_tax=m["tax"], m_output=m["output"], m_energy=m["energy"],
            m_rd=m["rd"], m_labour=m["labour"], score=points, grade=grade(rule, points)))
    with transaction.atomic():
        MuRule.objects.select_for_update().filter(pk=rule.pk).first()
        MuResult.objects.filter(rule=rule).delete()
        MuResult.objects.bulk_create(results)
        rule.evaluated_at = timezone.now()
        rule.save(update_fields=["evaluated_at"])
        counts = defaultdict(int)
        for r in results:
            counts[r.grade] += 1
        audit.record(audit.AuditRecord.Action.UPDATE, rule, user=acting_user,
                     after={"evaluated": len(results), **{f"grade_{k}": v for k, v in sorted(counts.items())},
                            "benchmarks": {k: str(v) for k, v in benchmarks.items()}})
    return results
