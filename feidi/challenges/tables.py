"""List columns of 揭榜挂帅: challenges (the 榜单), applications and joint projects."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.tables import BadgeColumn
from feidi.core.tables import Column
from feidi.core.tables import RelatedColumn
from feidi.core.tables import Table
from feidi.core.tables import badge

from . import models

CHALLENGE_COLORS = {"draft": "secondary", "open": "green", "review": "azure", "awarded": "purple", "closed": "red"}
APPLICATION_COLORS = {"submitted": "blue", "withdrawn": "secondary", "awarded": "green", "rejected": "orange"}
PROJECT_COLORS = {"active": "blue", "accepted": "green", "failed": "red", "terminated": "secondary"}


def days_left(row) -> str:
    if row.status != "open":
        return "—"
    left = (row.deadline - timezone.localdate()).days
    return gettext("今日截止") if left == 0 else gettext("剩 {left} 天").format(
        left=left) if left > 0 else gettext("已截止")


class ChallengeTable(Table):
    model_class = models.Challenge
    title = Column(link=True)
    enterprise = Column(_("发榜企业"), accessor="demand.organization", order_by="demand__organization__name")
    bounty = Column(_("榜额"), money=True)
    deadline = Column(_("揭榜截止"))
    left = Column(_("倒计时"), render=days_left, export_value=days_left, order_by="deadline")
    joint = Column(render=lambda r: badge(gettext("协同发榜"), "teal") if r.joint else "—",
                   export_value=lambda r: r.joint_partner if r.joint else "")
    status = BadgeColumn(colors=CHALLENGE_COLORS)
    application_count = Column(_("揭榜数"), sortable=False)


class ApplicationTable(Table):
    model_class = models.Application
    default_order = "-created_at"
    fields = ("applicant", "challenge", "mode", "budget", "period_months", "score", "status", "created_at")
    applicant = Column(link=True, order_by="applicant__name")
    challenge = RelatedColumn(by="title")
    mode = Column(_("方式"), sortable=False,
                  render=lambda r: gettext("联合体") if r.member_count else gettext("独立揭榜"),
                  export_value=lambda r: gettext("联合体") if r.member_count else gettext("独立揭榜"))
    budget = Column(_("申请经费"), money=True)
    period_months = Column(_("周期（月）"))
    status = BadgeColumn(colors=APPLICATION_COLORS)
    created_at = Column(_("提交时间"))


class JointProjectTable(Table):
    model_class = models.JointProject
    fields = ("title", "lead", "budget", "starts_on", "ends_on", "progress", "status", "home_project")
    title = Column(link=True)
    lead = Column(_("牵头单位"), sortable=False, render=lambda r: r.lead_name or "—",
                  export_value=lambda r: r.lead_name)
    budget = Column(_("项目经费"), money=True)
    ends_on = Column(_("计划完成"))
    progress = Column(_("节点进度"), sortable=False, render=lambda r: f"{r.done_count}/{r.milestone_count}",
                      export_value=lambda r: f"{r.done_count}/{r.milestone_count}")
    status = BadgeColumn(colors=PROJECT_COLORS)
    home_project = RelatedColumn(_("转化落地"))
