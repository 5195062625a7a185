from django.utils.translation import gettext_lazy as _

from feidi.core.tables import ChoiceColumn, Column, RelatedColumn, StatusColumn, Table


class ChainTable(Table):
    default_order = "order"
    name = Column(_("产业链"), link=True)
    leader = RelatedColumn(_("链长"), by="full_name")
    leader_title = Column(_("链长职务"))
    weak_enterprises = Column(_("薄弱·企业数少于"))
    weak_output = Column(_("薄弱·产值低于"), money=True)


class SegmentTable(Table):
    default_order = "chain__order"
    name = Column(_("环节"), link=True)
    chain = RelatedColumn(_("产业链"), by="order")
    parent = RelatedColumn(_("上级环节"))
    order = Column(_("上下游次序"))
    description = Column(_("说明"), sortable=False)


class SegmentMemberTable(Table):
    default_order = "segment__chain__order"
    organization = RelatedColumn(_("企业"), link=True)
    segment = RelatedColumn(_("环节"), by="order")
    role = ChoiceColumn(_("地位"))
    declared_output = Column(_("申报年产值"), money=True)


class TargetTable(Table):
    default_order = "priority"
    organization = RelatedColumn(_("目标企业"), link=True)
    region = Column(_("所在地区"), accessor="organization.region", order_by="organization__region")
    segment = RelatedColumn(_("目标环节"), by="order")
    priority = ChoiceColumn(_("优先级"))
    status = StatusColumn()
    reason = Column(_("理由"), sortable=False, render=lambda r: r.reason[:60])
