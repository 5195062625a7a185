from django.utils.translation import gettext_lazy as _

from feidi.core.tables import ChoiceColumn
from feidi.core.tables import Column
from feidi.core.tables import RelatedColumn
from feidi.core.tables import StatusColumn
from feidi.core.tables import Table

from . import models


class ChainTable(Table):
    model_class = models.Chain
    fields = ("name", "leader", "leader_title", "weak_enterprises", "weak_output")
    name = Column(link=True)
    leader = RelatedColumn(by="full_name")
    weak_enterprises = Column(_("薄弱·企业数少于"))
    weak_output = Column(_("薄弱·产值低于"), money=True)


class SegmentTable(Table):
    model_class = models.Segment
    default_order = "chain__order"
    fields = ("name", "chain", "parent", "order", "description")
    name = Column(link=True)
    chain = RelatedColumn(by="order")
    parent = RelatedColumn()
    description = Column(sortable=False)


class SegmentMemberTable(Table):
    model_class = models.SegmentMember
    default_order = "segment__chain__order"
    organization = RelatedColumn(link=True)
    segment = RelatedColumn(by="order")
    role = ChoiceColumn()
    declared_output = Column(_("申报年产值"), money=True)


class TargetTable(Table):
    model_class = models.Target
    default_order = "priority"
    organization = RelatedColumn(link=True)
    region = Column(_("所在地区"), accessor="organization.region", order_by="organization__region")
    segment = RelatedColumn(by="order")
    priority = ChoiceColumn()
    status = StatusColumn()
    reason = Column(_("理由"), sortable=False, render=lambda r: r.reason[:60])
