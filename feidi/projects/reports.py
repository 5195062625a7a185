"""The biweekly special report on key projects (半月一专报): figures from the data, a .docx in
official-document layout (GB/T 9704 margins, red masthead, 仿宋 body) and an .xlsx of the same
appendix table. Generated from the page, the API, ``feidi report biweekly`` and the job queue.

The figures are computed once (``biweekly_figures``) and both files are rendered from them, so
the Word text, the Excel table and the stored ``Report.figures`` always agree.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.db.models import IntegerField
from django.db.models import OuterRef
from django.db.models import Subquery
from django.db.models import Sum
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_noop

from feidi.core import audit
from feidi.core import stats
from feidi.core.calendar import end_of
from feidi.core.officedoc import HEITI
from feidi.core.officedoc import XIAOBIAOSONG
from feidi.core.officedoc import landscape_section
from feidi.core.officedoc import masthead
from feidi.core.officedoc import new_document
from feidi.core.officedoc import para
from feidi.core.officedoc import table
from feidi.core.officedoc import to_bytes
from feidi.lib.files import file_name
from feidi.lib.money import human
from feidi.lib.money import percent_text
from feidi.lib.money import published_ratio
from feidi.lib.money import ratio
from feidi.lib.money import to_decimal
from feidi.lib.money import wan

from .actions import months_done
from .actions import pace_text
from .models import FLOW
from .models import Alert
from .models import AnnualPlan
from .models import KeyLevel
from .models import MonthlyInvestment
from .models import Problem
from .models import Project
from .models import ProjectSettings
from .models import Report
from .models import Stage
from .models import in_force
from .models import stage_on

logger = logging.getLogger(__name__)

STARTED = (Stage.STARTED, Stage.PRODUCING, Stage.FULL)
LEVEL_ORDER = {KeyLevel.PROVINCE: 0, KeyLevel.CITY: 1, KeyLevel.DISTRICT: 2}
APPENDIX_HEADER = [gettext_noop("序号"), gettext_noop("项目名称"), gettext_noop("级别"), gettext_noop("产业链"),
                   gettext_noop("挂点领导"), gettext_noop("阶段"), gettext_noop("计划总投资（万元）"),
                   gettext_noop("年度计划（万元）"),
                   gettext_noop("累计完成（万元）"), gettext_noop("完成率"), gettext_noop("开工日期"), gettext_noop("存在问题")]


def _rate(done, plan) -> float | None:
    """A completion rate as the report publishes it: the exact ratio rounded half up to 0.1 %
    (``lib.money.percent``) and stored as that ratio (12.345 % → 0.123), so that the figures, the
    Word text and the .xlsx 0.0% cell all hold the printed value; None without a plan."""
    shown = published_ratio(ratio(done, plan))
    return None if shown is None else float(shown)


def _pct(rate: float | None) -> str:
    return percent_text(rate)


def _d(value) -> Decimal:
    return Decimal(value or 0)


def _m(value) -> str:
    """Money for the stored figures: exact yuan to the fen, one spelling on every database."""
    return str(_d(value).quantize(Decimal("0.01")))


def months_label(as_of: dt.date) -> str:
    """Those months as a release names them (``indicators.engine.release_label``): 2026年1–10月,
    2026年1月; empty when no month of the year is complete."""
    from feidi.indicators.engine import release_label

    through = months_done(as_of)
    return release_label(dt.date(as_of.year, through, 1)) if through else ""


def done_header(figures: dict) -> str:
    """The completed investment's column as the report's months name it (1–11月累计完成（万元）): a
    table dated in December must not read as if December were in it."""
    months = (figures.get("months") or "").removeprefix(f"{figures['year']}年")
    return gettext("{months}累计完成（万元）").format(months=months) if months else gettext("累计完成（万元）")


def headers(figures: dict) -> list[str]:
    """The appendix's column heads of ``figures``' report."""
    return [done_header(figures) if h == "累计完成（万元）" else gettext(h) for h in APPENDIX_HEADER]


def biweekly_figures(projects, as_of: dt.date) -> dict:
    """Everything the report prints, over the key projects in ``projects`` (already scoped) that
    are not terminated. Money values are strings of yuan (exact), rates floats (as published).

    Every figure is of the report's day: the completed investment covers the months completed by
    ``as_of`` (``months_done``, the months the pace check and the label ``months_label`` count), and
    the alerts and problems are those open on ``as_of`` (raised or created by its end and not
    resolved or solved by then), and each project's stage (开工, 终止) is its stage on ``as_of``
    (``stage_on``), so a back-dated issue says what was known on its day."""
    from django.db.models import Q

    from .actions import ALERT_SUBJECTS
    from .actions import alert_text
    from .actions import pace_shortfalls

    year = as_of.year
    end = end_of(as_of)
    first_open_month = as_of.replace(day=1)  # months before it are complete
    key = projects.filter(is_key=True).annotate(stage_on=stage_on(as_of)).exclude(stage_on=Stage.TERMINATED)
    plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=year).values("planned_investment")[:1]
    done = (MonthlyInvestment.objects.filter(project=OuterRef("pk"), month__gte=dt.date(year, 1, 1),
                                             month__lt=first_open_month)
            .order_by().values("project").annotate(s=Sum("amount")).values("s")[:1])
    open_problems = Problem.objects.filter(created_at__lt=end).filter(
        Q(status=Problem.Status.OPEN) | Q(solved_on__gt=as_of))
    problems = (open_problems.filter(project=OuterRef("pk")).order_by()
                .values("project").annotate(n=Count("pk")).values("n")[:1])
    rows = list(key.annotate(
        year_plan=Coalesce(Subquery(plan), Value(Decimal(0))), year_done=Coalesce(Subquery(done), Value(Decimal(0))),
        open_problems=Coalesce(Subquery(problems, output_field=IntegerField()), Value(0)),
    ).values("pk", "name", "key_level", "stage_on", "segment__chain__name", "segment__chain__order", "leader__full_name",
             "planned_investment", "year_plan", "year_done", "started_on", "open_problems", "department_id"))
    rows.sort(key=lambda r: (LEVEL_ORDER.get(r["key_level"], 9), r["name"], r["pk"]))

    def group(rows_, label_of):
        acc = defaultdict(lambda: {"count": 0, "planned": Decimal(0), "plan": Decimal(0), "done": Decimal(0)})
        order = {}
        for r in rows_:
            label, rank = label_of(r)
            a = acc[label]
            a["count"] += 1
            a["planned"] += _d(r["planned_investment"])
            a["plan"] += _d(r["year_plan"])
            a["done"] += _d(r["year_done"])
            order[label] = rank
        return [{"name": name, "count": a["count"], "planned": _m(a["planned"]), "plan": _m(a["plan"]),
                 "done": _m(a["done"]), "rate": _rate(a["done"], a["plan"])}
                for name, a in sorted(acc.items(), key=lambda kv: (order[kv[0]], kv[0]))]

    by_chain = group(rows, lambda r: (r["segment__chain__name"] or gettext("未归链"),
                                      r["segment__chain__order"] if r["segment__chain__name"] else 10**6))
    by_level = group(rows,
                     lambda r: (str(KeyLevel(r["key_level"]).label) if r["key_level"] else gettext("未定级"),
                                      LEVEL_ORDER.get(r["key_level"], 9)))
    ids = [r["pk"] for r in rows]
    names = {r["pk"]: r for r in rows}
    reasons: dict[int, list[str]] = defaultdict(list)
    paced = set()  # projects whose open pace alert of the year already says it
    alerts = list(Alert.objects.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end), project_id__in=ids,
                                       raised_at__lt=end).order_by("raised_at", "pk"))
    subjects = {}  # an alert's milestone, problem or task, to say it as of the report's day
    for rule, (model, fields) in ALERT_SUBJECTS.items():
        pks = [int(a.subject) for a in alerts if a.rule == rule and a.subject.isdigit()]
        subjects[rule] = {r["pk"]: r for r in model._base_manager.filter(pk__in=pks).values("pk", *fields)} if pks else {}
    for a in alerts:
        row = subjects.get(a.rule, {}).get(int(a.subject)) if a.subject.isdigit() else None
        due = row and (row.get("planned_on") or row.get("deadline"))
        reasons[a.project_id].append(alert_text(a.rule, row, as_of) if due and due < as_of else a.message)
        if a.rule == Alert.Rule.PACE and a.subject == str(year):
            paced.add(a.project_id)
    # the investment pace is a signed project's (one still in talks on the day has nothing to invest yet)
    signed = [r["pk"] for r in rows if r["stage_on"] in FLOW[FLOW.index(Stage.SIGNED):]]
    for pid, (_plan, expected, completed) in pace_shortfalls(as_of, Project.objects.filter(pk__in=signed)).items():
        if pid not in paced:
            reasons[pid].append(pace_text(as_of, completed, expected))
    red_flags = [{"name": names[pid]["name"], "level": str(KeyLevel(names[pid]["key_level"]).label)
                  if names[pid]["key_level"] else "", "leader": names[pid]["leader__full_name"] or "",
                  "reasons": reasons[pid]} for pid in ids if reasons.get(pid)]
    leadership = [{"project": p.project.name, "description": p.description, "owner": p.owner_department.name,
                   "deadline": p.deadline.isoformat(), "overdue": p.deadline < as_of}
                  for p in open_problems.filter(project_id__in=ids, needs_leadership=True)
                  .select_related("project", "owner_department").order_by("deadline", "pk")]
    appendix = []
    for i, r in enumerate(rows, start=1):
        appendix.append({
            "no": i, "name": r["name"],
            "level": str(KeyLevel(r["key_level"]).label) if r["key_level"] else "",
            "chain": r["segment__chain__name"] or "", "leader": r["leader__full_name"] or "",
            "stage": str(Stage(r["stage_on"]).label), "planned": _m(r["planned_investment"]),
            "plan": _m(r["year_plan"]), "done": _m(r["year_done"]),
            "rate": _rate(_d(r["year_done"]), _d(r["year_plan"])),
            "started_on": r["started_on"].isoformat() if r["started_on"] and r["started_on"] <= as_of else "",
            "problems": r["open_problems"],
        })
    # the half-month the report covers (1st–15th, 16th–month end): the problems solved in it, as the
    # units reported them (``actions.do_resolve_problem``), beside those still open on its day
    since = as_of.replace(day=16) if as_of.day > 15 else as_of.replace(day=1)
    solved = Problem.objects.filter(project_id__in=ids, status=Problem.Status.SOLVED, solved_on__gte=since,
                                    solved_on__lte=as_of).count()
    still_open = open_problems.filter(project_id__in=ids).count()
    total_planned = sum((_d(r["planned_investment"]) for r in rows), Decimal(0))
    total_plan = sum((_d(r["year_plan"]) for r in rows), Decimal(0))
    total_done = sum((_d(r["year_done"]) for r in rows), Decimal(0))
    started = sum(1 for r in rows if r["stage_on"] in STARTED)
    overall = {"count": len(rows), "planned": _m(total_planned), "plan": _m(total_plan), "done": _m(total_done),
               "rate": _rate(total_done, total_plan), "started": started,
               "started_rate": _rate(started, len(rows)),
               "red_flags": len(red_flags), "leadership": len(leadership),
               "since": since.isoformat(), "solved": solved, "open_problems": still_open}
    return {"as_of": as_of.isoformat(), "year": year, "months": months_label(as_of), "overall": overall, "by_chain": by_chain, "by_level": by_level,
            "red_flags": red_flags, "leadership": leadership, "appendix": appendix}


def overall_text(figures: dict) -> str:
    """The report's first paragraph, as a leader would read it out."""
    o, as_of = figures["overall"], dt.date.fromisoformat(figures["as_of"])
    if not o["count"]:
        return gettext("截至{year}年{month}月{day}日，暂无在建或在谈的重点项目。").format(
            year=as_of.year, month=as_of.month, day=as_of.day)
    # 累计完成投资 is of the months completed by the day (``months_done``), said with them: the
    # sentence dated 7 December must not read as if December's investment were in it
    months = figures.get("months") or ""
    # early in a year the plans may not be entered and no month is complete: said so, not "0.00万元"
    # and "完成年度计划的—". The figures hold money as formatted strings ("0.00", always truthy):
    # whether there is a plan is a test of the amount, not of its spelling
    has_plan = bool(to_decimal(o["plan"]))
    plan = (gettext("{plan_year}年度计划投资{plan}").format(plan_year=figures["year"], plan=human(o["plan"]))
            if has_plan else gettext("{plan_year}年度计划投资尚未填报").format(plan_year=figures["year"]))
    if not months:
        done = gettext("本年尚无完整月份的完成投资")
    elif has_plan:
        done = gettext("{months}累计完成投资{done}，完成年度计划的{rate}").format(
            months=months.removeprefix(f"{figures['year']}年"), done=human(o["done"]), rate=_pct(o["rate"]))
    else:
        done = gettext("{months}累计完成投资{done}").format(months=months.removeprefix(f"{figures['year']}年"),
                                                         done=human(o["done"]))
    return gettext(
        "截至{year}年{month}月{day}日，纳入调度的重点项目{count}个，总投资{planned}，{plan}；"
        "{done}。已开工（含投产、达产）项目{started}个，开工率{started_rate}。"
        "{problems}红旗预警项目{red_flags}个，需领导协调决策事项{leadership}项。").format(
        year=as_of.year, month=as_of.month, day=as_of.day, count=o["count"], planned=human(o["planned"]),
        plan=plan, done=done, started=o["started"], started_rate=_pct(o["started_rate"]), red_flags=o["red_flags"],
        leadership=o["leadership"], problems=problems_text(o))


def problems_text(overall: dict) -> str:
    """本期 in the first paragraph: the problems the units solved since the half-month began and
    those still open ("" for a report of an earlier release's figures, which did not count them)."""
    if "solved" not in overall:
        return ""
    since = dt.date.fromisoformat(overall["since"])
    return gettext("{month}月{day}日以来协调解决问题{solved}个，尚有待解决问题{open}个。").format(
        month=since.month, day=since.day, solved=overall["solved"], open=overall["open_problems"])


def render_docx(figures: dict, *, title: str, number_text: str, issuer: str, as_of: dt.date) -> bytes:
    doc = new_document()
    masthead(doc, title, number_text, issuer, as_of)

    o = figures["overall"]
    para(doc, gettext("一、总体进展"), font=HEITI, indent=True)
    para(doc, overall_text(figures))

    para(doc, gettext("二、分产业链推进情况"), font=HEITI)
    table(doc, [gettext("产业链"), gettext("项目数"), gettext("总投资（万元）"), gettext("年度计划（万元）"),
                done_header(figures), gettext("完成率")],
           [[r["name"], r["count"], wan(r["planned"]), wan(r["plan"]), wan(r["done"]), _pct(r["rate"])]
            for r in figures["by_chain"]])
    para(doc, gettext("三、分级别推进情况"), font=HEITI)
    table(doc, [gettext("级别"), gettext("项目数"), gettext("总投资（万元）"), gettext("年度计划（万元）"), done_header(figures),
                gettext("完成率")],
           [[r["name"], r["count"], wan(r["planned"]), wan(r["plan"]), wan(r["done"]), _pct(r["rate"])]
            for r in figures["by_level"]])

    para(doc, gettext("四、红旗预警项目"), font=HEITI)
    if figures["red_flags"]:
        for i, r in enumerate(figures["red_flags"], start=1):
            lead = gettext("（挂点领导：{leader}）").format(leader=r["leader"]) if r["leader"] else ""
            level = gettext("（{level}）").format(level=r["level"]) if r["level"] else ""
            para(doc, gettext("{i}. {name}{level}{lead}：{reasons}。").format(
                i=i, name=r["name"], level=level, lead=lead, reasons=gettext("；").join(r["reasons"])))
    else:
        para(doc, gettext("本期无红旗预警项目。"))

    para(doc, gettext("五、需领导协调决策事项"), font=HEITI)
    if figures["leadership"]:
        for i, p in enumerate(figures["leadership"], start=1):
            late = gettext("（已超期）") if p["overdue"] else ""
            para(doc, gettext("{i}. {project}：{description}。责任单位：{owner}，办结时限：{deadline}{late}。").format(
                i=i, project=p["project"], description=p["description"], owner=p["owner"],
                deadline=p["deadline"],
                late=late))
    else:
        para(doc, gettext("本期无需领导协调决策事项。"))

    stats.write_blocks(doc, gettext("六、统计数据"), figures.get("stats") or [])

    landscape_section(doc)
    para(doc, gettext("附表"), font=HEITI, indent=False)
    para(doc, gettext("重点项目推进情况表（截至{year}年{month}月{day}日）").format(
        year=as_of.year, month=as_of.month, day=as_of.day), font=XIAOBIAOSONG, size=18,
          align="center", indent=False)
    table(doc, headers(figures), [appendix_cells(r) for r in figures["appendix"]],
           widths_cm=[1.0, 4.6, 1.4, 1.8, 1.6, 1.2, 2.0, 2.0, 2.0, 1.4, 2.0, 1.2])
    if figures["appendix"]:
        table(doc, [gettext("合计"), gettext("项目数"), gettext("总投资（万元）"), gettext("年度计划（万元）"),
                    done_header(figures), gettext("完成率")],
               [["", o["count"], wan(o["planned"]), wan(o["plan"]), wan(o["done"]), _pct(o["rate"])]])
    return to_bytes(doc)


def appendix_cells(r: dict) -> list:
    return [r["no"], r["name"], r["level"], r["chain"] or "—", r["leader"] or "—", r["stage"], wan(r["planned"]),
            wan(r["plan"]), wan(r["done"]), _pct(r["rate"]), r["started_on"] or "—", r["problems"]]


# --- .xlsx ---------------------------------------------------------------------------------------

def render_xlsx(figures: dict, *, title: str) -> bytes:
    from feidi.core.exports import workbook

    buffer = io.BytesIO()
    book = workbook(buffer)
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "align": "center", "valign": "vcenter",
                            "text_wrap": True})
    cell = book.add_format({"border": 1})
    money = book.add_format({"border": 1, "num_format": "#,##0.00"})
    pct = book.add_format({"border": 1, "num_format": "0.0%"})
    bold_money = book.add_format({"border": 1, "num_format": "#,##0.00", "bold": True})
    bold = book.add_format({"border": 1, "bold": True})
    caption = book.add_format({"bold": True, "font_size": 14})

    def amount(value: str) -> float:
        return float((Decimal(value) / Decimal(10000)).quantize(Decimal("0.01")))

    def figures_row(s, row: int, col: int, r: dict, money_format, pct_format, blank_format) -> None:
        """总投资, 年度计划, 累计完成 in 万元 from ``col`` on, then the 完成率 (blank without a plan)."""
        for c, key in enumerate(("planned", "plan", "done"), start=col):
            s.write_number(row, c, amount(r[key]), money_format)
        if r["rate"] is None:
            s.write_blank(row, col + 3, None, blank_format)
        else:
            s.write_number(row, col + 3, r["rate"], pct_format)

    sheet = book.add_worksheet(gettext("附表"))
    sheet.write(0, 0, gettext("{title}·附表（截至{value}）").format(title=title, value=figures['as_of']), caption)
    for c, text in enumerate(headers(figures)):
        sheet.write(1, c, text, head)
    widths = [6, 36, 8, 12, 10, 8, 16, 16, 16, 9, 12, 9]
    for c, w in enumerate(widths):
        sheet.set_column(c, c, w)
    row = 2
    for r in figures["appendix"]:
        sheet.write_number(row, 0, r["no"], cell)
        for c, key in ((1, "name"), (2, "level"), (3, "chain"), (4, "leader"), (5, "stage"), (10, "started_on")):
            sheet.write_string(row, c, r[key] or "", cell)
        figures_row(sheet, row, 6, r, money, pct, cell)
        sheet.write_number(row, 11, r["problems"], cell)
        row += 1
    o = figures["overall"]
    sheet.write_string(row, 0, gettext("合计"), bold)
    sheet.write_string(row, 1, gettext("{value}个项目").format(value=o['count']), bold)
    for c in (2, 3, 4, 5, 10, 11):
        sheet.write_blank(row, c, None, bold)
    figures_row(sheet, row, 6, o, bold_money, book.add_format({"border": 1, "num_format": "0.0%", "bold": True}), bold)
    sheet.freeze_panes(2, 2)

    for name, first, key in ((gettext("分产业链"), gettext("产业链"), "by_chain"),
                             (gettext("分级别"), gettext("级别"), "by_level")):
        s = book.add_worksheet(name)
        for c, text in enumerate([first, gettext("项目数"), gettext("总投资（万元）"), gettext("年度计划（万元）"),
                                  done_header(figures), gettext("完成率")]):
            s.write(0, c, text, head)
        s.set_column(0, 0, 16)
        s.set_column(1, 5, 16)
        for i, r in enumerate(figures[key], start=1):
            s.write_string(i, 0, r["name"], cell)
            s.write_number(i, 1, r["count"], cell)
            figures_row(s, i, 2, r, money, pct, cell)
    book.close()
    return buffer.getvalue()


# --- generation ----------------------------------------------------------------------------------

def _scope(department, acting_user):
    ids = department.subtree_ids()
    base = Project.objects.visible_to(acting_user) if acting_user is not None else Project.objects.all()
    return base.filter(department_id__in=ids)


class ReportDateError(CommandError, ValueError):
    """A cut-off day no report may have (a future day, one whose issue exists). A ``CommandError`` so that ``feidi report
    biweekly --date`` says it in one line as the page and the API do, a ``ValueError`` elsewhere."""


def generate_biweekly(department, as_of: dt.date, *, acting_user=None) -> Report:
    """Compute, render and store one issue for ``department`` (and the departments under it), over
    what ``acting_user`` may see (all of it for the job queue and the command). One transaction:
    a failure leaves no report and no number taken. A future ``as_of`` is refused (the figures of a
    day not yet over would be published as final), and so is a day with its issue (a second issue
    numbered for the same cut-off) — by every caller: page, API, command and job."""
    from django.utils import timezone

    from feidi.accounts.models import Department

    if as_of > timezone.localdate():
        raise ReportDateError(gettext("数据截止日期不能晚于今天"))
    from feidi.lib.cells import plausible_date

    try:
        plausible_date(as_of)  # an issue of year 1 was numbered and written
    except ValueError as exc:
        raise ReportDateError(str(exc)) from None

    settings = ProjectSettings.for_department(department.pk)
    figures = biweekly_figures(_scope(department, acting_user), as_of)
    figures["overall_text"] = overall_text(figures)
    figures["stats"] = stats.report_blocks(department, as_of)  # the department's saved 统计查询 blocks
    saved_files = []
    try:
        with transaction.atomic():
            # Numbering is per department and year: lock the department so two generations queue.
            Department.objects.select_for_update().filter(pk=department.pk).first()
            issued = Report.objects.filter(department=department, kind=Report.Kind.BIWEEKLY, as_of=as_of).first()
            if issued is not None:  # a double click, a retried request: the issue of that day is the one
                raise ReportDateError(gettext("截至{as_of:%Y年%m月%d日}的专报已生成：{report}").format(as_of=as_of, report=issued))
            last = (Report.objects.filter(department=department, kind=Report.Kind.BIWEEKLY, year=as_of.year)
                    .order_by("-number").values_list("number", flat=True).first()) or 0
            number = last + 1
            number_text = gettext("{year}年第{number}期").format(year=as_of.year, number=number)
            report = Report(kind=Report.Kind.BIWEEKLY, year=as_of.year, number=number, title=settings.report_title,
                            as_of=as_of, figures=figures, department=department,
                            created_by=acting_user if getattr(acting_user, "pk", None) else None)
            base = file_name(f"{settings.report_title}-{as_of.year}-{number:02d}")
            docx = render_docx(figures, title=settings.report_title, number_text=number_text,
                               issuer=settings.report_issuer, as_of=as_of)
            xlsx = render_xlsx(figures, title=settings.report_title)
            report.docx.save(f"{base}.docx", ContentFile(docx), save=False)
            saved_files.append(report.docx)
            report.xlsx.save(f"{base}.xlsx", ContentFile(xlsx), save=False)
            saved_files.append(report.xlsx)
            report.save(force_insert=True)
            audit.record(audit.AuditRecord.Action.CREATE, report, user=acting_user,
                         after={"title": str(report), "as_of": as_of.isoformat(), **figures["overall"]})
    except BaseException:
        for f in saved_files:  # files written before the failure are removed with the row
            f.storage.delete(f.name)
        raise
    return report


def zones_with_key_projects():
    from feidi.accounts.models import Department

    zones = list(Department.objects.filter(kind=Department.Kind.ZONE))
    with_key = set(Project.objects.filter(in_force(), is_key=True)
                   .values_list("department_id", flat=True).order_by().distinct())
    return [z for z in zones if with_key & set(z.subtree_ids())]


def generate_for_zones(as_of: dt.date) -> list[Report]:
    """The scheduled run: one issue per zone that has key projects, unless one for ``as_of``
    exists already (a retried job does not number twice)."""
    done = []
    for zone in zones_with_key_projects():
        if Report.objects.filter(department=zone, kind=Report.Kind.BIWEEKLY, as_of=as_of).exists():
            continue
        try:
            done.append(generate_biweekly(zone, as_of))
        except Exception:  # one zone's failure is logged; the zones after it still get their issue
            logger.exception("biweekly report for %s failed", zone)
    return done


def period_end(day: dt.date) -> dt.date:
    """The cut-off a biweekly report on ``day`` covers: the 15th, or the previous month's end."""
    if day.day > 15:
        return day.replace(day=15)
    return day.replace(day=1) - dt.timedelta(days=1)


__all__ = ["ReportDateError", "biweekly_figures", "months_done", "months_label", "render_docx", "render_xlsx", "generate_biweekly", "generate_for_zones",
           "overall_text", "period_end"]
