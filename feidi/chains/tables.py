from django.utils.translation import gettext_lazy as _

from feidi.core.tables import Column, Table


class ChainTable(Table):
    default_order = "order"
    name = Column(_("产业链"), link=True)
    leader = Column(_("链长"), order_by="leader__full_name")
    leader_title = Column(_("链长职务"))
    weak_enterprises = Column(_("薄弱·企业数少于"))
    weak_output = Column(_("薄弱·产值低于"), money=True)


class SegmentTable(Table):
    default_order = "chain__order"
    name = Column(_("环节"), link=True)
    chain = Column(_("产业链"), order_by="chain__order")
    parent = Column(_("上级环节"), order_by="parent__name")
    order = Column(_("上下游次序"))
    description = Column(_("说明"), sortable=False)


class SegmentMemberTable(Table):
    default_order = "segment__chain__order"
    organization = Column(_("企业"), order_by="organization__name", link=True)
    segment = Column(_("环节"), order_by="segment__order")
    role = Column(_("地位"), accessor="get_role_display", order_by="role")
    declared_output = Column(_("申报年产值"), money=True)


class TargetTable(Table):
    default_order = "priority"
    organization = Column(_("目标企业"), order_by="organization__name", link=True)
    region = Column(_("所在地区"), accessor="organization.region", order_by="organization__region")
    segment = Column(_("目标环节"), order_by="segment__order")
    priority = Column(_("优先级"), accessor="get_priority_display", order_by="priority")
    status = Column(_("状态"), accessor="get_status_display", order_by="status")
    reason = Column(_("理由"), sortable=False, render=lambda r: r.reason[:60])
