"""招商项目's part of 我的待办: dispatch tasks, problems past their deadline, alerts on the
projects one owns or leads, and one's leads about to go back to the pool (公海).

A task named to a person waits for that person; one named only to a unit waits for the unit's
people who may act on it, wherever on the unit's line they sit (``workbench.on_line``) — each
through the scope of its ``change`` step. A problem waits for whoever may solve it: its responsible
unit (shown on the line), which reports it solved, and the 项目办, who follows every unit's up."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import workbench
from feidi.core.calendar import current_calendar

from .actions import instructable
from .actions import resolvable
from .actions import tasks_due
from .models import Alert
from .models import Dispatch
from .models import Problem
from .models import Project
from .models import ProjectSettings
from .models import Report
from .models import Stage
from .models import Task
from .models import in_force

WARN_DAYS = 7  # a lead shows here this many days before it would return to the pool
SOON_DAYS = 7  # a problem shows this many days before its deadline


def problems_due(queryset, user, today=None):
    """Open problems due within ``SOON_DAYS`` or past due that ``user`` may solve: those the
    problem's page offers to report solved (``actions.resolvable``: the responsible unit, 责任单位,
    shown on each line, for its own problems; the 项目办 for every unit's) or to edit (the
    ``change`` step). A unit whose staff hold no role that may is followed up by the zone's 项目办."""
    if user.organization_id:
        return queryset.none()
    if user.has_perm("projects.resolve_problem"):  # the 项目办 too: every problem it may change it may report
        mine = resolvable(queryset, user)
    elif user.has_perm("projects.change_problem"):  # a role given the edit alone
        mine = queryset.visible_to(user, "change")
    else:
        return queryset.none()
    today = today or timezone.localdate()
    return mine.filter(status=Problem.Status.OPEN, deadline__lte=today + dt.timedelta(days=SOON_DAYS))


def alerts_mine(queryset, user, today=None):
    """Open alerts on the projects ``user`` owns or leads (挂点)."""
    if user.organization_id or not user.has_perm("projects.view_alert"):
        return queryset.none()
    return queryset.filter(Q(project__owner_id=user.pk) | Q(project__leader_id=user.pk), resolved_at__isnull=True)


def pool_days(user) -> int:
    return ProjectSettings.for_department(user.department_id).pool_after_days


def leads_stale(queryset, user, today=None):
    """线索即将退回公海: the user's leads with no follow-up for (pool days − WARN_DAYS) days."""
    if user.organization_id or not user.has_perm("projects.change_project"):
        return queryset.none()
    cutoff = timezone.now() - dt.timedelta(days=max(pool_days(user) - WARN_DAYS, 0))
    return queryset.visible_to(user, "change").filter(owner_id=user.pk, stage=Stage.LEAD,
                                                       last_activity_at__lt=cutoff)


def problems_to_instruct(queryset, user, today=None):
    """Open problems needing the leadership's decision that ``user`` may instruct and nobody has yet."""
    return instructable(queryset, user).filter(instructed_at__isnull=True)


@workbench.declares("task_due", "problem_due", "problem_instruct", "alert_open", "lead_stale", "dispatch_week",
                    "report_due",
                    models=(Task, Problem, Alert, Project, ProjectSettings, Dispatch, Report))
def todos(user, today: dt.date, limit: int) -> list[workbench.Todo]:
    if user.organization_id:
        return []
    out = workbench.group(
        "task_due", gettext("调度会议定事项"), tasks_due(Task.objects.visible_to(user), user, today)
        .select_related("project"), url=reverse("projects:task_list") + "?due=true",
        action=gettext("办理"),
        text=lambda t: f"{t.decision[:40]} · {t.project}", link=lambda t: t.get_absolute_url(), due="deadline",
        limit=limit, order=20)
    out += workbench.group(
        "problem_due", gettext("临期或逾期的问题"), problems_due(Problem.objects.visible_to(user), user, today)
        .select_related("project", "owner_department"),
        url=reverse("projects:problem_list") + "?due=true", action=gettext("解决"),
        text=lambda p: f"{p.description[:40]} · {p.project}", link=lambda p: p.get_absolute_url(), due="deadline",
        limit=limit, order=21, note=lambda p: " · ".join(str(x) for x in (
            gettext("责任单位：{unit}").format(unit=p.owner_department),
            gettext("需领导决策") if p.needs_leadership else "") if x))
    out += workbench.group(
        "problem_instruct", gettext("待批示的问题（需领导决策）"),
        problems_to_instruct(Problem.objects.visible_to(user), user, today).select_related("project", "owner_department"),
        url=reverse("projects:problem_list") + "?instruct=true", action=gettext("批示"),
        text=lambda p: f"{p.description[:40]} · {p.project}", link=lambda p: p.get_absolute_url(), due="deadline",
        limit=limit, order=19, note=lambda p: gettext("责任单位：{unit}").format(unit=p.owner_department))
    out += workbench.group(
        "alert_open", gettext("我负责或挂点项目的预警"), alerts_mine(Alert.objects.visible_to(user), user, today)
        .select_related("project").order_by("-raised_at"),
        url=reverse("projects:alert_list") + "?mine=true",
        action=gettext("督办") if user.has_perm("projects.instruct_problem") else gettext("处理"),
        text=lambda a: f"{a.get_rule_display()} · {a.project}", link=lambda a: a.project.get_absolute_url(),
        limit=limit, order=22, note=lambda a: a.message)
    out += _stale_leads(user, today, limit)
    out += _rhythm(user, today)
    return out


def _rhythm(user, today: dt.date) -> list[workbench.Todo]:
    """一周一调度、半月一专报 for whoever holds them (the 项目办), while the zone has key projects:
    this week's meeting not prepared yet (due by Friday), and the biweekly report of the last
    cut-off (the 15th or the month's end) not generated yet (due the day after it, when the schedule
    makes it — a server without the job worker never does)."""
    from .reports import period_end

    if user.organization_id or not user.has_perm("projects.dispatch_project"):
        return []
    if not Project.objects.visible_to(user).filter(in_force(), is_key=True).exists():
        return []
    out = []
    monday = today - dt.timedelta(days=today.weekday())
    meeting_due = _meeting_due(monday)
    if meeting_due is not None and user.has_perm("projects.add_dispatch") \
            and not Dispatch.objects.visible_to(user).filter(week_start=monday).exists():
        out.append(workbench.Todo(
            "dispatch_week", gettext("本周重点项目调度会"), 1, reverse("projects:dispatch_add"), gettext("准备"),
            [workbench.Item(gettext("第{week}周调度会尚未准备（{monday:%m-%d}起）").format(
                week=monday.isocalendar()[1], monday=monday), reverse("projects:dispatch_add"),
                meeting_due, gettext("一周一调度：议程由系统按各项目进展生成"))],
            urgent=int(today > meeting_due), order=24, listed=False))
    cut = period_end(today)
    if not Report.objects.visible_to(user).filter(kind=Report.Kind.BIWEEKLY, as_of=cut).exists():
        # the first working day after the cut-off (a report due on 元旦 or 国庆 is due when the office opens)
        due = current_calendar(guess=True).next_workday(cut + dt.timedelta(days=1))
        out.append(workbench.Todo(
            "report_due", gettext("半月专报"), 1, reverse("projects:report_list"), gettext("生成"),
            [workbench.Item(gettext("截至{cut:%m-%d}的半月专报尚未生成").format(cut=cut), reverse("projects:report_list"),
                            due, gettext("半月一专报：每月1日、16日生成，在“半月专报”页点“生成”"))],
            urgent=int(today > due), order=25, listed=False))
    return out


def _meeting_due(monday: dt.date) -> dt.date | None:
    """The day a week's 调度会 is due: its last working day up to Friday, else a make-up working day
    of its weekend; a week without a working day (国庆) holds no meeting (None). On the calendar in
    force; a year not entered yet is counted on the weekday rule."""
    cal = current_calendar(guess=True)
    week = [monday + dt.timedelta(days=i) for i in range(7)]
    working = [day for day in week[:5] if cal.is_workday(day)] or [day for day in week[5:] if cal.is_workday(day)]
    return working[-1] if working else None


def _stale_leads(user, today: dt.date, limit: int) -> list[workbench.Todo]:
    leads = leads_stale(Project.objects.visible_to(user), user, today)
    count = leads.count()
    if not count:
        return []
    days = pool_days(user)
    items = []
    for p in leads.order_by("last_activity_at")[:limit]:
        returns = p.last_activity_at + dt.timedelta(days=days)
        items.append(workbench.Item(p.name, p.get_absolute_url(), returns,
                                    gettext("{localtime:%m-%d}后未跟进，{localtime2:%m-%d}退回公海").format(localtime=timezone.localtime(p.last_activity_at), localtime2=timezone.localtime(returns))))
    return [workbench.Todo("lead_stale", gettext("即将退回公海的线索（{days}天未跟进即退回）").format(days=days), count,
                           reverse("projects:project_list") + "?stale=true", gettext("跟进"), items,
                           urgent=0, order=23)]
