"""招商项目's part of 我的待办: dispatch tasks, problems past their deadline, alerts on the
projects one owns or leads, and one's leads about to go back to the pool (公海)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import workbench

from .models import Alert
from .models import Problem
from .models import Project
from .models import ProjectSettings
from .models import Stage
from .models import Task

WARN_DAYS = 7  # a lead shows here this many days before it would return to the pool
SOON_DAYS = 7  # a problem shows this many days before its deadline


def todos(user, today: dt.date, limit: int) -> list[workbench.Todo]:
    if user.organization_id:
        return []
    out = []
    if user.has_perm("projects.change_task"):
        mine = Q(owner_id=user.pk) | Q(owner__isnull=True, owner_department_id=user.department_id)
        out += workbench.group(
            "task_due", gettext("调度会议定事项"), Task.objects.visible_to(user, "change").filter(mine,
                                                                                           status=Task.Status.OPEN)
            .select_related("project"), url=reverse("projects:task_list") + "?status=open&mine=true",
            action=gettext("办理"),
            text=lambda t: f"{t.project} · {t.decision[:40]}", link=lambda t: t.get_absolute_url(), due="deadline",
            limit=limit, order=20)
    if user.has_perm("projects.change_problem") and user.department_id:
        # the units under the user's own answer to it (a zone's 项目办 follows its bureaus' problems)
        out += workbench.group(
            "problem_due", gettext("临期或逾期的问题"), Problem.objects.visible_to(user, "change").filter(
                owner_department_id__in=user.department_subtree_ids(), status=Problem.Status.OPEN,
                deadline__lte=today + dt.timedelta(days=SOON_DAYS)).select_related("project"),
            url=reverse("projects:problem_list") + "?status=open", action=gettext("解决"),
            text=lambda p: f"{p.project} · {p.description[:40]}", link=lambda p: p.get_absolute_url(), due="deadline",
            limit=limit, order=21, note=lambda p: gettext("需领导决策") if p.needs_leadership else "")
    if user.has_perm("projects.view_alert"):
        out += workbench.group(
            "alert_open", gettext("我负责或挂点项目的预警"), Alert.objects.visible_to(user).filter(
                Q(project__owner_id=user.pk) | Q(project__leader_id=user.pk), resolved_at__isnull=True)
            .select_related("project").order_by("-raised_at"),
            url=reverse("projects:alert_list") + "?open=true", action=gettext("处理"),
            text=lambda a: f"{a.project} · {a.get_rule_display()}", link=lambda a: a.project.get_absolute_url(),
            limit=limit, order=22, note=lambda a: a.message)
    if user.has_perm("projects.change_project"):
        out += _stale_leads(user, limit)
    return out


def _stale_leads(user, limit: int) -> list[workbench.Todo]:
    """线索即将退回公海: the user's leads with no follow-up for (pool days − WARN_DAYS) days."""
    days = ProjectSettings.for_department(user.department_id).pool_after_days
    now = timezone.now()
    cutoff = now - dt.timedelta(days=max(days - WARN_DAYS, 0))
    leads = Project.objects.visible_to(user, "change").filter(owner_id=user.pk, stage=Stage.LEAD,
                                                               last_activity_at__lt=cutoff)
    count = leads.count()
    if not count:
        return []
    items = []
    for p in leads.order_by("last_activity_at")[:limit]:
        returns = p.last_activity_at + dt.timedelta(days=days)
        items.append(workbench.Item(p.name, p.get_absolute_url(), returns,
                                    gettext("{localtime:%m-%d}后未跟进，{localtime2:%m-%d}退回公海").format(localtime=timezone.localtime(p.last_activity_at), localtime2=timezone.localtime(returns))))
    return [workbench.Todo("lead_stale", gettext("即将退回公海的线索（{days}天未跟进即退回）").format(days=days), count,
                           reverse("projects:project_list") + "?mine=true&stage=lead", gettext("跟进"), items,
                           urgent=0, order=23)]
