from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.models import seeded_label
from feidi.core.tables import BadgeColumn
from feidi.core.tables import ChoiceColumn
from feidi.core.tables import Column
from feidi.core.tables import RelatedColumn
from feidi.core.tables import StatusColumn
from feidi.core.tables import Table
from feidi.core.tables import badge
from feidi.core.tables import link_to

from . import models
from .models import Stage

STAGE_COLORS = {Stage.LEAD: "secondary", Stage.NEGOTIATING: "azure", Stage.SIGNED: "blue", Stage.STARTED: "indigo",
                Stage.PRODUCING: "teal", Stage.FULL: "green", Stage.TERMINATED: "red"}


def _owner(row):
    if row.owner_id is None:
        return badge(gettext("公海"), "yellow")
    return str(row.owner.full_name)


class ProjectTable(Table):
    model_class = models.Project
    fields = ("name", "zone", "stage", "channel", "segment", "owner", "signed_amount", "planned_investment",
              "signed_on", "is_key")
    name = Column(link=True)
    zone = RelatedColumn()
    stage = BadgeColumn(_("阶段"), STAGE_COLORS)
    channel = ChoiceColumn(_("来源"))
    segment = Column(order_by="segment__chain__order")
    owner = Column(render=_owner, order_by="owner__full_name",
                   export_value=lambda r: r.owner.full_name if r.owner_id else gettext("公海"))
    signed_amount = Column(_("签约金额"), money=True)
    planned_investment = Column(_("计划总投资"), money=True)
    is_key = Column(_("重点"), accessor="get_key_level_display", order_by="key_level")


def _days_idle(row):
    if row.last_activity_at is None:
        return "—"
    return gettext("{days}天").format(days=(timezone.now() - row.last_activity_at).days)


class PoolTable(Table):
    model_class = models.Project
    default_order = "-pooled_at"
    fields = ("name", "zone", "investor", "segment", "channel", "pooled_at", "idle")
    name = Column(_("线索名称"), link=True)
    zone = RelatedColumn()
    segment = Column(order_by="segment__chain__order")
    channel = ChoiceColumn(_("来源"))
    idle = Column(_("未跟进"), render=_days_idle, order_by="last_activity_at", export_value=_days_idle)


class KeyProjectTable(Table):
    model_class = models.Project
    default_order = "key_level"
    name = Column(link=True)
    key_level = ChoiceColumn(_("级别"))
    zone = RelatedColumn()
    stage = BadgeColumn(_("阶段"), STAGE_COLORS)
    leader = RelatedColumn(by="full_name")
    planned_investment = Column(_("计划总投资"), money=True)
    year_plan = Column(_("年度计划"), money=True, sortable=False)
    year_done = Column(_("年度累计完成"), money=True, sortable=False)
    open_alerts = Column(_("预警"), sortable=False,
                         render=lambda r: format_html('<span class="badge bg-red text-white">{}</span>', r.open_alerts)
                         if r.open_alerts else "—", export_value=lambda r: r.open_alerts)


class InvestmentTripTable(Table):
    model_class = models.InvestmentTrip
    fields = ("set_out_on", "destination", "leader", "purpose", "lead_count")
    set_out_on = Column(link=True)
    leader = RelatedColumn(by="full_name")
    purpose = Column(sortable=False)
    lead_count = Column(_("产生线索"), sortable=False)


class AnnualPlanTable(Table):
    model_class = models.AnnualPlan
    fields = ("project", "year", "planned_investment")
    project = RelatedColumn(link=True)
    planned_investment = Column(_("年度计划投资"), money=True)


class MonthlyInvestmentTable(Table):
    model_class = models.MonthlyInvestment
    project = RelatedColumn(link=True)
    month = Column(render=lambda r: gettext("{month:%Y年%m月}").format(
        month=r.month), export_value=lambda r: r.month)
    amount = Column(_("当月完成投资"), money=True)
    note = Column(sortable=False)


class _DueColumn(Column):
    """A date the row is due on, marked 已逾期 in red while ``late(row, today)``; the export has the date."""

    def __init__(self, header=None, *, late, **kwargs):
        super().__init__(header, **kwargs)
        self.late = late

    def display(self, row):
        text = f"{self.value(row):%Y-%m-%d}"
        if self.late(row, timezone.localdate()):
            return format_html(gettext('<span class="badge bg-red-lt">已逾期 {}</span>'), text)
        return text


class MilestoneTable(Table):
    model_class = models.Milestone
    default_order = "planned_on"
    fields = ("name", "project", "planned_on", "actual_on")
    name = Column(link=True)
    project = RelatedColumn()
    planned_on = _DueColumn(late=lambda r, today: r.overdue(today))


def _open_past(row, today) -> bool:
    return row.status == "open" and row.deadline < today


class ProblemTable(Table):
    model_class = models.Problem
    default_order = "deadline"
    fields = ("description", "project", "kind", "owner_department", "deadline", "needs_leadership", "status",
              "solved_on")
    description = Column(_("问题"), link=True, render=None, accessor="description")
    project = RelatedColumn()
    kind = ChoiceColumn()
    owner_department = RelatedColumn()
    deadline = _DueColumn(late=_open_past)
    status = StatusColumn()


class TaskTable(Table):
    model_class = models.Task
    default_order = "deadline"
    decision = Column(link=True)
    project = RelatedColumn()
    owner_department = RelatedColumn()
    owner = RelatedColumn(by="full_name")
    deadline = _DueColumn(late=_open_past)
    status = StatusColumn()


class DispatchTable(Table):
    model_class = models.Dispatch
    fields = ("title", "week_start", "held_on", "status")
    title = Column(_("会议"), link=True)
    status = StatusColumn()


class AlertTable(Table):
    model_class = models.Alert
    fields = ("project", "rule", "message", "raised_at", "resolved_at")
    project = RelatedColumn(render=lambda r: link_to(r.project, r.project.name),
                            export_value=lambda r: r.project.name)
    rule = ChoiceColumn()
    message = Column(sortable=False, link=True)


class ReportTable(Table):
    default_order = "-as_of"
    title = Column(_("专报"), link=True, accessor="__str__")
    as_of = Column(_("数据截止"))
    created_by = RelatedColumn(_("生成人"), by="full_name")
    created_at = Column(_("生成时间"))


class StageGateTable(Table):
    model_class = models.StageGate
    default_order = "flow"  # annotated by the list view: 洽谈 → … → 达产, 终止 last
    stage = Column(accessor="get_stage_display", order_by="flow", link=True)
    department = Column(_("适用部门"),
                        render=lambda r: str(r.department) if r.department_id else gettext("全部（默认）"),
                        order_by="department__path")
    required_fields = Column(sortable=False, render=lambda r: r.required_fields_shown)
    required_evidence = Column(_("佐证材料"), sortable=False,
                               render=lambda r: gettext("、").join(seeded_label(k) for k in r.required_evidence) or "—")
    roles = Column(sortable=False,
                   render=lambda r: gettext("、").join(str(x) for x in r.roles.all()) or gettext("有推进权限者"))


class ProjectSettingsTable(Table):
    model_class = models.ProjectSettings
    default_order = "department__path"
    fields = ("name", "department", "pool_after_days", "pace_percent", "report_title")
    name = Column(link=True)
    department = RelatedColumn(_("部门"), by="path")
    pool_after_days = Column(_("退回公海（天）"))
    pace_percent = Column(_("进度预警线（%）"))
