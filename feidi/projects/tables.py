from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.models import seeded_label
from feidi.core.tables import (
    BadgeColumn,
    ChoiceColumn,
    Column,
    RelatedColumn,
    StatusColumn,
    Table,
    badge,
    link_to,
)

from .models import Dispatch, Stage

STAGE_COLORS = {Stage.LEAD: "secondary", Stage.NEGOTIATING: "azure", Stage.SIGNED: "blue", Stage.STARTED: "indigo",
                Stage.PRODUCING: "teal", Stage.FULL: "green", Stage.TERMINATED: "red"}


def _owner(row):
    if row.owner_id is None:
        return badge(gettext("公海"), "yellow")
    return str(row.owner.full_name)


class ProjectTable(Table):
    default_order = "-created_at"
    name = Column(_("项目名称"), link=True)
    zone = RelatedColumn(_("落地园区"))
    stage = BadgeColumn(_("阶段"), STAGE_COLORS)
    channel = ChoiceColumn(_("来源"))
    segment = Column(_("产业链环节"), order_by="segment__chain__order")
    owner = Column(_("负责人"), render=_owner, order_by="owner__full_name",
                   export_value=lambda r: r.owner.full_name if r.owner_id else gettext("公海"))
    signed_amount = Column(_("签约金额"), money=True)
    planned_investment = Column(_("计划总投资"), money=True)
    signed_on = Column(_("签约日期"))
    is_key = Column(_("重点"), accessor="get_key_level_display", order_by="key_level")


def _days_idle(row):
    if row.last_activity_at is None:
        return "—"
    return gettext("{days}天").format(days=(timezone.now() - row.last_activity_at).days)


class PoolTable(Table):
    default_order = "-pooled_at"
    name = Column(_("线索名称"), link=True)
    zone = RelatedColumn(_("落地园区"))
    investor = Column(_("投资方"))
    segment = Column(_("产业链环节"), order_by="segment__chain__order")
    channel = ChoiceColumn(_("来源"))
    pooled_at = Column(_("退回公海时间"))
    idle = Column(_("未跟进"), render=_days_idle, order_by="last_activity_at", export_value=_days_idle)


class KeyProjectTable(Table):
    default_order = "key_level"
    name = Column(_("项目名称"), link=True)
    key_level = ChoiceColumn(_("级别"))
    zone = RelatedColumn(_("落地园区"))
    stage = BadgeColumn(_("阶段"), STAGE_COLORS)
    leader = RelatedColumn(_("挂点领导"), by="full_name")
    planned_investment = Column(_("计划总投资"), money=True)
    year_plan = Column(_("年度计划"), money=True, sortable=False)
    year_done = Column(_("年度累计完成"), money=True, sortable=False)
    open_alerts = Column(_("预警"), sortable=False,
                         render=lambda r: format_html('<span class="badge bg-red">{}</span>', r.open_alerts)
                         if r.open_alerts else "—", export_value=lambda r: r.open_alerts)


class InvestmentTripTable(Table):
    default_order = "-set_out_on"
    set_out_on = Column(_("出发日期"), link=True)
    destination = Column(_("目的地"))
    leader = RelatedColumn(_("带队领导"), by="full_name")
    purpose = Column(_("目的"), sortable=False)
    lead_count = Column(_("产生线索"), sortable=False)


class AnnualPlanTable(Table):
    default_order = "-year"
    project = RelatedColumn(_("项目"), link=True)
    year = Column(_("年度"))
    planned_investment = Column(_("年度计划投资"), money=True)


class MonthlyInvestmentTable(Table):
    default_order = "-month"
    project = RelatedColumn(_("项目"), link=True)
    month = Column(_("月份"), render=lambda r: gettext("{month:%Y年%m月}").format(
        month=r.month), export_value=lambda r: r.month)
    amount = Column(_("当月完成投资"), money=True)
    note = Column(_("形象进度"), sortable=False)


def _overdue(day, late: bool):
    """A date the row is due on, marked 已逾期 when ``late``."""
    text = f"{day:%Y-%m-%d}"
    return format_html(gettext('<span class="badge bg-red-lt">已逾期 {}</span>'), text) if late else text


def _planned(row):
    return _overdue(row.planned_on, row.overdue(timezone.localdate()))


class MilestoneTable(Table):
    default_order = "planned_on"
    name = Column(_("节点"), link=True)
    project = RelatedColumn(_("项目"))
    planned_on = Column(_("计划完成"), render=_planned, export_value=lambda r: r.planned_on)
    actual_on = Column(_("实际完成"))


def _deadline(row):
    return _overdue(row.deadline, row.status == "open" and row.deadline < timezone.localdate())


class ProblemTable(Table):
    default_order = "deadline"
    description = Column(_("问题"), link=True, render=None, accessor="description")
    project = RelatedColumn(_("项目"))
    kind = ChoiceColumn(_("类别"))
    owner_department = RelatedColumn(_("责任单位"))
    deadline = Column(_("解决时限"), render=_deadline, export_value=lambda r: r.deadline)
    needs_leadership = Column(_("需领导决策"))
    status = StatusColumn()


class TaskTable(Table):
    default_order = "deadline"
    decision = Column(_("议定事项"), link=True)
    project = RelatedColumn(_("项目"))
    owner_department = RelatedColumn(_("责任单位"))
    owner = RelatedColumn(_("责任人"), by="full_name")
    deadline = Column(_("完成时限"), render=_deadline, export_value=lambda r: r.deadline)
    status = StatusColumn()


class DispatchTable(Table):
    model = Dispatch
    default_order = "-week_start"
    fields = ("title", "week_start", "held_on", "status")
    title = Column(_("会议"), link=True)
    status = StatusColumn()


class AlertTable(Table):
    default_order = "-raised_at"
    project = RelatedColumn(_("项目"), render=lambda r: link_to(r.project, r.project.name),
                            export_value=lambda r: r.project.name)
    rule = ChoiceColumn(_("预警类型"))
    message = Column(_("预警内容"), sortable=False, link=True)
    raised_at = Column(_("预警时间"))
    resolved_at = Column(_("解除时间"))


class ReportTable(Table):
    default_order = "-as_of"
    title = Column(_("专报"), link=True, render=None, accessor="__str__")
    as_of = Column(_("数据截止"))
    created_by = RelatedColumn(_("生成人"), by="full_name")
    created_at = Column(_("生成时间"))


class StageGateTable(Table):
    default_order = "flow"  # annotated by the list view: 洽谈 → … → 达产, 终止 last
    stage = Column(_("进入阶段"), accessor="get_stage_display", order_by="flow", link=True)
    department = Column(_("适用部门"),
                        render=lambda r: str(r.department) if r.department_id else gettext("全部（默认）"),
                        order_by="department__path")
    required_fields = Column(_("必填字段"), sortable=False, render=lambda r: gettext("、").join(
        str(r.GATE_FIELDS.get(f, f)) for f in r.required_fields) or "—")
    required_evidence = Column(_("佐证材料"), sortable=False,
                               render=lambda r: gettext("、").join(seeded_label(k) for k in r.required_evidence) or "—")
    roles = Column(_("可推进的角色"), sortable=False,
                   render=lambda r: gettext("、").join(str(x) for x in r.roles.all()) or gettext("有推进权限者"))


class ProjectSettingsTable(Table):
    default_order = "department__path"
    name = Column(_("名称"), link=True)
    department = RelatedColumn(_("部门"), by="path")
    pool_after_days = Column(_("退回公海（天）"))
    pace_percent = Column(_("进度预警线（%）"))
    report_title = Column(_("专报标题"))
