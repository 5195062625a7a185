from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.tables import Column, Table

from .models import Appeal


def _deadline(row):
    if row.deadline is None:
        return "—"
    text = f"{timezone.localtime(row.deadline):%Y-%m-%d %H:%M}"
    if row.status in Appeal.OPEN and row.deadline < timezone.now():
        return format_html('<span class="badge bg-red-lt">{}</span>', gettext("已逾期 {text}").format(text=text))
    return text


class AppealTable(Table):
    default_order = "-submitted_at"
    title = Column(_("标题"), link=True)
    organization = Column(_("企业"), order_by="organization__name")
    category = Column(_("类别"), order_by="category__order")
    status = Column(_("状态"), accessor="get_status_display", order_by="status")
    level = Column(_("协调层级"), accessor="level_label", order_by="level")
    owner = Column(_("当前办理人"), order_by="owner__full_name")
    deadline = Column(_("本级期限"), render=_deadline, order_by="deadline", export_value=lambda r: r.deadline and
                      timezone.localtime(r.deadline).replace(tzinfo=None))
    submitted_at = Column(_("提交时间"))
    rating = Column(_("满意度"))


class AssignmentTable(Table):
    default_order = "organization__name"
    organization = Column(_("企业"), order_by="organization__name", link=True)
    cadre = Column(_("挂点干部"), order_by="cadre__full_name")
    group = Column(_("服务小组"), order_by="group__name")
    since = Column(_("开始日期"))
    until = Column(_("结束日期"))


class ServiceGroupTable(Table):
    default_order = "name"
    name = Column(_("名称"), link=True)
    area = Column(_("包片区域"))
    leader = Column(_("组长"), order_by="leader__full_name")


class ServiceSettingsTable(Table):
    default_order = "department__path"
    name = Column(_("名称"), link=True)
    department = Column(_("园区"), order_by="department__path")
    office_head = Column(_("安商办主任"), order_by="office_head__full_name")
    principal_leader = Column(_("区主要领导"), order_by="principal_leader__full_name")
    level2_days = Column(_("二级时限"))
    level3_days = Column(_("三级时限"))
    level4_days = Column(_("四级时限"))


class VisitTable(Table):
    default_order = "-visited_on"
    visited_on = Column(_("走访日期"), link=True)
    organization = Column(_("企业"), order_by="organization__name")
    cadre = Column(_("走访干部"), order_by="cadre__full_name")
    notes = Column(_("走访情况"), sortable=False, render=lambda r: r.notes[:60])
