from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.models import seeded_label
from feidi.core.tables import Column, Table

from .models import Stage

STAGE_COLORS = {Stage.LEAD: "secondary", Stage.NEGOTIATING: "azure", Stage.SIGNED: "blue", Stage.STARTED: "indigo",
                Stage.PRODUCING: "teal", Stage.FULL: "green", Stage.TERMINATED: "red"}


def stage_badge(row):
    return format_html('<span class="badge bg-{}-lt">{}</span>', STAGE_COLORS.get(row.stage, "secondary"),
                       row.get_stage_display())


def _owner(row):
    if row.owner_id is None:
        return format_html('<span class="badge bg-yellow-lt">{}</span>', gettext("公海"))
    return str(row.owner.full_name)


class ProjectTable(Table):
    default_order = "-created_at"
    name = Column(_("项目名称"), link=True)
    zone = Column(_("落地园区"), order_by="zone__name")
    stage = Column(_("阶段"), render=stage_badge, order_by="stage",
                   export_value=lambda r: r.get_stage_display())
    channel = Column(_("来源"), accessor="get_channel_display", order_by="channel")
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
    zone = Column(_("落地园区"), order_by="zone__name")
    investor = Column(_("投资方"))
    segment = Column(_("产业链环节"), order_by="segment__chain__order")
    channel = Column(_("来源"), accessor="get_channel_display", order_by="channel")
    pooled_at = Column(_("退回公海时间"))
    idle = Column(_("未跟进"), render=_days_idle, order_by="last_activity_at", export_value=_days_idle)


class KeyProjectTable(Table):
    default_order = "key_level"
    name = Column(_("项目名称"), link=True)
    key_level = Column(_("级别"), accessor="get_key_level_display", order_by="key_level")
    zone = Column(_("落地园区"), order_by="zone__name")
    stage = Column(_("阶段"), render=stage_badge, order_by="stage",
                   export_value=lambda r: r.get_stage_display())
    leader = Column(_("挂点领导"), order_by="leader__full_name")
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
    leader = Column(_("带队领导"), order_by="leader__full_name")
    purpose = Column(_("目的"), sortable=False)
    lead_count = Column(_("产生线索"), sortable=False)


class AnnualPlanTable(Table):
    default_order = "-year"
    project = Column(_("项目"), order_by="project__name", link=True)
    year = Column(_("年度"))
    planned_investment = Column(_("年度计划投资"), money=True)


class MonthlyInvestmentTable(Table):
    default_order = "-month"
    project = Column(_("项目"), order_by="project__name", link=True)
    month = Column(_("月份"), render=lambda r: gettext("{month:%Y年%m月}").format(
        month=r.month), export_value=lambda r: r.month)
    amount = Column(_("当月完成投资"), money=True)
    note = Column(_("形象进度"), sortable=False)


def _planned(row):
    text = f"{row.planned_on:%Y-%m-%d}"
    if row.overdue(timezone.localdate()):
        return format_html(gettext('<span class="badge bg-red-lt">已逾期 {}</span>'), text)
    return text


class MilestoneTable(Table):
    default_order = "planned_on"
    name = Column(_("节点"), link=True)
    project = Column(_("项目"), order_by="project__name")
    planned_on = Column(_("计划完成"), render=_planned, export_value=lambda r: r.planned_on)
    actual_on = Column(_("实际完成"))


def _deadline(row):
    text = f"{row.deadline:%Y-%m-%d}"
    if row.status == "open" and row.deadline < timezone.localdate():
        return format_html(gettext('<span class="badge bg-red-lt">已逾期 {}</span>'), text)
    return text


class ProblemTable(Table):
    default_order = "deadline"
    description = Column(_("问题"), link=True, render=None, accessor="description")
    project = Column(_("项目"), order_by="project__name")
    kind = Column(_("类别"), accessor="get_kind_display", order_by="kind")
    owner_department = Column(_("责任单位"), order_by="owner_department__name")
    deadline = Column(_("解决时限"), render=_deadline, export_value=lambda r: r.deadline)
    needs_leadership = Column(_("需领导决策"))
    status = Column(_("状态"), accessor="get_status_display", order_by="status")


class TaskTable(Table):
    default_order = "deadline"
    decision = Column(_("议定事项"), link=True)
    project = Column(_("项目"), order_by="project__name")
    owner_department = Column(_("责任单位"), order_by="owner_department__name")
    owner = Column(_("责任人"), order_by="owner__full_name")
    deadline = Column(_("完成时限"), render=_deadline, export_value=lambda r: r.deadline)
    status = Column(_("状态"), accessor="get_status_display", order_by="status")


class DispatchTable(Table):
    default_order = "-week_start"
    title = Column(_("会议"), link=True)
    week_start = Column(_("周（周一）"))
    held_on = Column(_("召开日期"))
    status = Column(_("状态"), accessor="get_status_display", order_by="status")


class AlertTable(Table):
    default_order = "-raised_at"
    project = Column(_("项目"), order_by="project__name",
                     render=lambda r: format_html('<a href="{}">{}</a>', r.project.get_absolute_url(), r.project.name),
                     export_value=lambda r: r.project.name)
    rule = Column(_("预警类型"), accessor="get_rule_display", order_by="rule")
    message = Column(_("预警内容"), sortable=False, link=True)
    raised_at = Column(_("预警时间"))
    resolved_at = Column(_("解除时间"))


class ReportTable(Table):
    default_order = "-as_of"
    title = Column(_("专报"), link=True, render=None, accessor="__str__")
    as_of = Column(_("数据截止"))
    created_by = Column(_("生成人"), order_by="created_by__full_name")
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
    department = Column(_("部门"), order_by="department__path")
    pool_after_days = Column(_("退回公海（天）"))
    pace_percent = Column(_("进度预警线（%）"))
    report_title = Column(_("专报标题"))
