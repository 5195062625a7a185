"""The monthly unit ranking (月调度): every unit (or leader) of a zone scored on indicators read from
the pipeline, key projects and appeals, ranked, the bottom ranks flagged for a statement, and a
.docx for the meeting.

Per unit and month:
  新签约项目数 / 签约金额 — projects it introduced (引进单位; for a leader, the projects he is linked
  to) whose signing date falls in the month; 新开工项目数 — likewise by start date;
  重点项目投资序时完成率 — its key projects' completed investment January–month over their annual
  plans' pace (plan × month / 12; named apart from the dashboards' 投资完成率, which is over the
  whole year's plan); 逾期节点 — its projects' milestones past due at the month's end;
  诉求按时办结率 / 满意度 — appeals handled by the unit and closed in the month (units only).
A positive indicator scores ``weight × value / best value among the units``; 逾期节点 scores
``weight × (1 − value / worst value)``. An indicator nobody has data for scores nothing for anyone
and is listed as missing, so the meeting knows what the ranking could not see.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core import audit
from feidi.lib.money import percent_text

from .engine import add_months
from .engine import month_end
from .models import RankingEntry
from .models import RankingRule
from .models import RankingRun
from .models import Statement

LABELS = {"signings": _("新签约项目（个）"), "amount": _("签约金额（万元）"), "starts": _("新开工项目（个）"),
          "completion": _("重点项目投资序时完成率"), "overdue": _("逾期节点（个）"), "on_time": _("诉求按时办结率"),
          "satisfaction": _("诉求满意度（星）")}
NEGATIVE = {"overdue"}


# Other apps' sections of the monthly report: functions of (department, last day of the month)
# returning (heading, blocks) with blocks as ``core.stats.write_blocks`` takes them (惠企政策 effect).
REPORT_SECTIONS: list = []


def units_of(rule: RankingRule) -> list[tuple[str, object]]:
    """(label, unit or leader) pairs to rank."""
    from feidi.accounts.models import Department
    from feidi.accounts.models import User
    from feidi.projects.models import Project

    zone_ids = rule.department.subtree_ids()
    if rule.subject == RankingRule.Subject.UNITS:
        return [(d.name, d) for d in Department.objects.filter(pk__in=zone_ids).exclude(pk=rule.department_id)
                .order_by("path")]
    leader_ids = set(Project.objects.filter(department_id__in=zone_ids, leader__isnull=False)
                     .values_list("leader_id", flat=True))
    leader_ids |= set(User.objects.filter(department_id__in=zone_ids, roles__code="zone_leader", is_active=True)
                      .values_list("pk", flat=True))
    return [(u.full_name, u) for u in User.objects.filter(pk__in=leader_ids).order_by("full_name")]


def _projects_of(rule, who):
    from feidi.projects.models import Project

    base = Project.objects.filter(department_id__in=rule.department.subtree_ids())
    if rule.subject == RankingRule.Subject.UNITS:
        return base.filter(introducer_department_id__in=who.subtree_ids())
    return base.filter(leader=who)


def measure(rule: RankingRule, month: dt.date) -> tuple[list[dict], list[str]]:
    """The raw indicators per unit, and which inputs were missing."""
    from django.db.models import Count
    from django.db.models import Sum

    from feidi.core.calendar import days_between_ends
    from feidi.projects.actions import completed_in_year
    from feidi.projects.models import FLOW
    from feidi.projects.models import AnnualPlan
    from feidi.projects.models import Milestone
    from feidi.projects.models import Project
    from feidi.projects.models import Stage
    from feidi.projects.models import in_force_on
    from feidi.projects.models import stage_on
    from feidi.services.models import Appeal
    from feidi.services.models import closed_on_time

    start, end = month, month_end(month)
    rows = []
    zone_projects = Project.objects.filter(department_id__in=rule.department.subtree_ids())
    for label, who in units_of(rule):
        projects = _projects_of(rule, who)
        # the month as it stood at its end: a project terminated since still counts (统计查询 alike)
        in_force = in_force_on(end)
        signed = projects.filter(in_force, signed_on__gte=start, signed_on__lte=end).aggregate(n=Count("pk"),
                                                                                    s=Sum("signed_amount"))
        # the key projects keeping a pace that month: signed by its end, as the pace alerts and the
        # 专报 count them (``projects.actions.pace_shortfalls``: a project in talks has no pace to keep)
        key = list(projects.filter(in_force, is_key=True).annotate(stage_then=stage_on(end))
                   .filter(Q(signed_on__lte=end) | Q(stage_then__in=FLOW[FLOW.index(Stage.SIGNED):]))
                   .values_list("pk", flat=True))
        plans = dict(AnnualPlan.objects.filter(project_id__in=key, year=month.year, planned_investment__gt=0)
                     .values_list("project_id", "planned_investment"))
        completion = None
        if plans:
            done = completed_in_year(list(plans), month.year, month.month)
            pace = sum(plans.values(), Decimal(0)) * month.month / 12
            completion = float(sum(done.values(), Decimal(0)) / pace) if pace else None
        has_projects = projects.exists()
        row = {
            "label": label, "who": who,
            # a unit with no project at all has no pipeline data (not a pipeline of zero)
            "signings": signed["n"] if has_projects else None,
            "amount": float((signed["s"] or Decimal(0)) / 10000) if has_projects else None,
            "starts": projects.filter(started_on__gte=start, started_on__lte=end).count() if has_projects else None,
            "completion": completion,
            # a unit without projects has nothing overdue, and earns nothing for it either
            "overdue": Milestone.objects.filter(project__in=projects, planned_on__lte=end).filter(
                Q(actual_on__isnull=True) | Q(actual_on__gt=end)).filter(project__in=projects.filter(in_force)).count()
            if has_projects else None,
            "on_time": None, "satisfaction": None,
        }
        if rule.subject == RankingRule.Subject.UNITS:
            after, until = days_between_ends(start, end)  # closed at the month's last 24:00 is the month's
            closed = Appeal.objects.filter(handling_department_id__in=who.subtree_ids(), closed_at__gt=after,
                                           closed_at__lte=until)
            n = closed.count()
            if n:
                row["on_time"] = closed.filter(closed_on_time()).count() / n
            ratings = list(closed.filter(rating__isnull=False).values_list("rating", flat=True))
            row["satisfaction"] = sum(ratings) / len(ratings) if ratings else None
        rows.append(row)
    missing = []
    if not zone_projects.exists():
        missing.append(gettext("招商项目模块尚无本园区的项目：签约、开工、重点项目与节点指标均为空"))
    else:
        if not any(r["signings"] for r in rows):
            missing.append(gettext("{month:%Y年%m月}没有归属到各单位的签约项目").format(month=month))
        if not any(r["starts"] for r in rows):
            missing.append(gettext("{month:%Y年%m月}没有归属到各单位的开工项目").format(month=month))
        if all(r["completion"] is None for r in rows):
            missing.append(gettext("各单位的重点项目没有{year}年度投资计划，投资序时完成率无法计算").format(year=month.year))
    if rule.subject == RankingRule.Subject.LEADERS:
        missing.append(gettext("领导排名不含诉求办理指标（诉求按办理单位统计）"))
    elif all(r["on_time"] is None for r in rows):
        missing.append(gettext("{month:%Y年%m月}各单位没有办结的企业诉求，按时办结率与满意度无法计算").format(month=month))
    return rows, missing


def score(rule: RankingRule, rows: list[dict]) -> list[dict]:
    """Scores, competition ranks (1, 2, 2, 4 …) and the 末位 flag (see ``bottom_flags``)."""
    best = {}
    for m in RankingRule.METRICS:
        values = [r[m] for r in rows if r[m] is not None]
        best[m] = max(values) if values else None
    for r in rows:
        total = Decimal(0)
        parts = {}
        for m in RankingRule.METRICS:
            weight, value, top = Decimal(str(getattr(rule, f"w_{m}"))), r[m], best[m]
            if value is None or top is None:
                part = Decimal(0)
            elif m in NEGATIVE:
                part = weight if not top else weight * (1 - Decimal(str(value)) / Decimal(str(top)))
            else:
                part = weight * Decimal(str(value)) / Decimal(str(top)) if top else Decimal(0)
            parts[m] = part.quantize(Decimal("0.01"))
            total += part
        r["score"] = total.quantize(Decimal("0.01"))
        r["parts"] = parts
    # A unit with no data at all is not ranked (it would otherwise sit at the bottom and make a
    # statement for what nobody measured); equal scores share a rank (1, 2, 2, 4 …).
    ranked = [r for r in rows if any(r[m] is not None for m in RankingRule.METRICS)]
    unranked = [r for r in rows if r not in ranked]
    ranked.sort(key=lambda r: (-r["score"], r["label"]))
    for i, r in enumerate(ranked):
        r["rank"] = ranked[i - 1]["rank"] if i and r["score"] == ranked[i - 1]["score"] else i + 1
    bottom_ranks = bottom_flags([r["rank"] for r in ranked], rule.bottom_count)
    for r in ranked:
        r["bottom"] = r["rank"] in bottom_ranks
        tied = [o["label"] for o in ranked if o is not r and o["rank"] == r["rank"]]
        r["note"] = gettext("与{join}同分并列第{value}名").format(
            join='、'.join(tied), value=r['rank']) if tied else ""
        if r["bottom"]:
            r["note"] = (r["note"] + "；" if r["note"] else "") + gettext("末位（共{len}个参评单位的最后{bottom_count}个名次）").format(len=len(ranked), bottom_count=rule.bottom_count)
    for r in sorted(unranked, key=lambda r: r["label"]):
        r["rank"], r["bottom"] = None, False
        r["note"] = gettext("本月没有该单位的项目、节点和办结诉求数据，不参与排名，也不作末位表态")
    return ranked + sorted(unranked, key=lambda r: r["label"])


def bottom_flags(ranks: list[int], bottom_count: int) -> set[int]:
    """The competition ranks (1, 2, 3, 3, 5 …) whose units are 末位 when the last ``bottom_count``
    places make a statement.

    The units hold places 1…n; a tie group of rank r and size s holds places r…r+s−1. A group is
    末位 when those places reach into the last ``bottom_count`` places (n−N+1…n): tied units share
    the fate of the worst place they share, so 1, 2, 3, 3 with N = 1 flags both 3s. Two exceptions:

    * the group holding rank 1 is never 末位 — when everybody ties (or the best units tie into the
      last places) there is no last place to speak for;
    * with no more units than ``bottom_count`` (n ≤ N) every unit would be "last", so nobody is:
      the rule ranks the bottom of a field, and a field that small has no bottom.
    """
    n = len(ranks)
    if not bottom_count or n <= bottom_count:
        return set()
    size: dict[int, int] = {}
    for rank in ranks:
        size[rank] = size.get(rank, 0) + 1
    first_bottom_place = n - bottom_count + 1
    return {rank for rank, s in size.items() if rank != 1 and rank + s - 1 >= first_bottom_place}


def run(rule: RankingRule, month: dt.date, *, acting_user=None) -> RankingRun:
    """(Re)compute the month: entries replaced, statements already recorded for a unit kept."""
    month = month.replace(day=1)
    rows, missing = measure(rule, month)
    rows = score(rule, rows)
    with transaction.atomic():
        ranking, _ = RankingRun.objects.select_for_update().get_or_create(
            rule=rule, month=month, defaults={"department": rule.department})
        # statements already recorded stay with their unit; the other entries are recomputed
        kept = {(s.entry.unit_id, s.entry.leader_id): s
                for s in Statement.objects.filter(entry__run=ranking).select_related("entry")}
        ranking.entries.exclude(pk__in=[s.entry_id for s in kept.values()]).delete()
        for r in rows:
            who = r["who"]
            unit = who if rule.subject == RankingRule.Subject.UNITS else None
            leader = None if unit else who
            metrics = {m: r[m] for m in RankingRule.METRICS} | {"parts": {k: str(v) for k, v in r["parts"].items()}}
            statement = kept.get((getattr(unit, "pk", None), getattr(leader, "pk", None)))
            if statement is not None:
                entry = statement.entry
                entry.metrics, entry.score, entry.rank, entry.bottom = metrics, r["score"], r["rank"], r["bottom"]
                entry.note = r["note"]
                entry.save()
            else:
                RankingEntry.objects.create(run=ranking, unit=unit, leader=leader, label=r["label"], metrics=metrics,
                                            score=r["score"], rank=r["rank"], bottom=r["bottom"], note=r["note"])
        ranking.missing = missing
        ranking.docx.save(f"ranking-{rule.pk}-{month:%Y%m}.docx", ContentFile(render_docx(ranking)), save=False)
        ranking.save()
        audit.record(audit.AuditRecord.Action.UPDATE, ranking, user=acting_user,
                     after={"units": len(rows), "bottom": [r["label"] for r in rows if r["bottom"]],
                            "missing": missing})
    return ranking


def previous_run(ranking: RankingRun) -> RankingRun | None:
    """The run of the month before ``ranking``'s under the same rule, or None: 上月末位 follow-up
    names last month's bottom units — an earlier run (June's, in October) is not last month's."""
    return RankingRun.objects.filter(rule=ranking.rule, month=add_months(ranking.month, -1)).first()


def cell(metric: str, value) -> str:
    if value is None:
        return "—"
    if metric in ("completion", "on_time"):
        return percent_text(value)
    if metric == "amount":
        return f"{value:,.2f}"
    if metric == "satisfaction":
        return f"{value:.2f}"
    return str(value)


def render_docx(ranking: RankingRun) -> bytes:
    from feidi.core.officedoc import HEITI
    from feidi.core.officedoc import landscape_section
    from feidi.core.officedoc import masthead
    from feidi.core.officedoc import new_document
    from feidi.core.officedoc import para
    from feidi.core.officedoc import table
    from feidi.core.officedoc import to_bytes

    rule, month = ranking.rule, ranking.month
    doc = new_document()
    masthead(doc, gettext("{month}月份{name}通报").format(month=month.month, name=rule.name),
             gettext("{year}年第{month}期").format(year=month.year, month=month.month), str(rule.department),
             month_end(month))
    everyone = list(ranking.entries.select_related("statement")) if ranking.pk else []
    entries = [e for e in everyone if e.rank is not None]
    unranked = [e for e in everyone if e.rank is None]
    para(doc, gettext("一、排名情况"), font=HEITI)
    bottoms = [e.label for e in entries if e.bottom]
    firsts = [e.label for e in entries if e.rank == 1]
    para(doc, gettext("本月参与排名{len}个{subject}。").format(len=len(entries), subject=rule.get_subject_display())
              + ((gettext("{names}并列排名第一；") if len(firsts) > 1 else gettext("{names}排名第一；")).format(
                  names=gettext("、").join(firsts)) if entries else "")
              + (gettext("{names}排名末位，在会上作表态发言。").format(names=gettext("、").join(bottoms)) if bottoms
                 else gettext("本月无末位表态单位。"))
              + (gettext("{names}本月无数据，不参与排名。").format(names=gettext("、").join(e.label for e in unranked))
                 if unranked else ""))
    if ranking.missing:
        para(doc, gettext("二、数据说明"), font=HEITI)
        for text in ranking.missing:
            para(doc, gettext("{text}。").format(text=text))
    para(doc, gettext("三、末位表态") if ranking.missing else gettext("二、末位表态"), font=HEITI)
    for e in entries:
        if e.bottom:
            st = getattr(e, "statement", None)
            para(doc, gettext("{label}（第{rank}名，{score}分）：").format(
                label=e.label, rank=e.rank, score=e.score) + (st.text if st else gettext("待会上表态。"))
                 + (gettext("整改措施：{measures}").format(measures=st.measures) if st and st.measures else ""))
    prev = previous_run(ranking) if ranking.pk else None
    follow = list(prev.entries.filter(bottom=True).select_related("statement")) if prev is not None else []
    para(doc, gettext("上月末位单位整改跟进"), font=HEITI)
    if prev is None:  # said, so that the section's absence does not read as a month without 末位
        para(doc, gettext("{month}月未进行排名，无上月末位单位整改跟进事项。").format(
            month=add_months(month, -1).month))
    elif not follow:
        para(doc, gettext("{month}月无末位单位。").format(month=prev.month.month))
    for e in follow:
        st = getattr(e, "statement", None)
        para(doc, gettext("{label}：").format(label=e.label) + (st.follow_up if st and st.follow_up else gettext("尚未报送跟进情况。")))
    from feidi.core import stats

    stats.write_blocks(doc, gettext("统计数据"), stats.report_blocks(rule.department, month_end(month)))
    for section in REPORT_SECTIONS:
        heading, blocks = section(rule.department, month_end(month))
        stats.write_blocks(doc, heading, blocks)
    landscape_section(doc)
    para(doc, gettext("附表：排名明细"), font=HEITI, indent=False)
    table(doc, [gettext("名次"), gettext("单位"), gettext("得分"), *(str(v) for v in LABELS.values()),
                gettext("说明")],
          [[e.rank or "—", e.label, f"{e.score}" if e.rank else "—", *[cell(m, e.metrics.get(m)) for m in LABELS],
            e.note] for e in everyone])
    return to_bytes(doc)


__all__ = ["bottom_flags", "measure", "score", "run", "render_docx", "units_of", "LABELS"]
