from django.utils.translation import gettext_lazy as _

from feidi.core.tables import Column, DeadlineColumn, RelatedColumn, StatusColumn, Table

from .models import Appeal, Assignment


class AppealTable(Table):
    default_order = "-submitted_at"
    title = Column(_("标题"), link=True)
    organization = RelatedColumn(_("企业"))
    category = RelatedColumn(_("类别"), by="order")
    status = StatusColumn()
    level = Column(_("协调层级"), accessor="level_label", order_by="level")
    owner = RelatedColumn(_("当前办理人"), by="full_name")
    deadline = DeadlineColumn(_("本级期限"), Appeal.OPEN)
    submitted_at = Column(_("提交时间"))
    rating = Column(_("满意度"))


class AssignmentTable(Table):
    model = Assignment
    default_order = "organization__name"
    fields = ("organization", "cadre", "group", "since", "until")
    organization = RelatedColumn(link=True)
    cadre = RelatedColumn(_("挂点干部"), by="full_name")
    group = RelatedColumn()


class ServiceGroupTable(Table):
    default_order = "name"
    name = Column(_("名称"), link=True)
    area = Column(_("包片区域"))
    leader = RelatedColumn(_("组长"), by="full_name")


class ServiceSettingsTable(Table):
    default_order = "department__path"
    name = Column(_("名称"), link=True)
    department = RelatedColumn(_("园区"), by="path")
    office_head = RelatedColumn(_("安商办主任"), by="full_name")
    principal_leader = RelatedColumn(_("区主要领导"), by="full_name")
    level2_days = Column(_("二级时限"))
    level3_days = Column(_("三级时限"))
    level4_days = Column(_("四级时限"))


class VisitTable(Table):
    default_order = "-visited_on"
    visited_on = Column(_("走访日期"), link=True)
    organization = RelatedColumn(_("企业"))
    cadre = RelatedColumn(_("走访干部"), by="full_name")
    notes = Column(_("走访情况"), sortable=False, render=lambda r: r.notes[:60])
