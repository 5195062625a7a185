from django.utils.translation import gettext_lazy as _

from feidi.core.tables import Column
from feidi.core.tables import DeadlineColumn
from feidi.core.tables import RelatedColumn
from feidi.core.tables import StatusColumn
from feidi.core.tables import Table

from . import models
from .models import Appeal


class AppealTable(Table):
    model_class = models.Appeal
    fields = ("title", "organization", "category", "status", "level", "owner", "deadline", "submitted_at", "rating")
    title = Column(link=True)
    organization = RelatedColumn()
    category = RelatedColumn(by="order")
    status = StatusColumn()
    level = Column(accessor="level_label", order_by="level")
    owner = RelatedColumn(by="full_name")
    deadline = DeadlineColumn(_("本级期限"), Appeal.OPEN)
    rating = Column(_("满意度"))


class AssignmentTable(Table):
    model_class = models.Assignment
    default_order = "organization__name"
    fields = ("organization", "cadre", "group", "since", "until")
    organization = RelatedColumn(link=True)
    cadre = RelatedColumn(_("挂点干部"), by="full_name")
    group = RelatedColumn()


class ServiceGroupTable(Table):
    model_class = models.ServiceGroup
    fields = ("name", "area", "leader")
    name = Column(link=True)
    leader = RelatedColumn(_("组长"), by="full_name")


class ServiceSettingsTable(Table):
    model_class = models.ServiceSettings
    default_order = "department__path"
    name = Column(link=True)
    department = RelatedColumn(_("园区"), by="path")
    office_head = RelatedColumn(_("安商办主任"), by="full_name")
    principal_leader = RelatedColumn(_("区主要领导"), by="full_name")
    level2_days = Column(_("二级时限"))
    level3_days = Column(_("三级时限"))
    level4_days = Column(_("四级时限"))


class VisitTable(Table):
    model_class = models.Visit
    visited_on = Column(link=True)
    organization = RelatedColumn()
    cadre = RelatedColumn(by="full_name")
    notes = Column(sortable=False, render=lambda r: r.notes[:60])
