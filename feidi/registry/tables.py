from django.utils.html import format_html
from django.utils.safestring import mark_safe

from feidi.core.tables import Column, Table

SAMPLE_BADGE = mark_safe(' <span class="badge bg-yellow-lt">示例</span>')


def _sample_badge(row):
    return SAMPLE_BADGE if row.sample else ""


def _name_link(row):
    return format_html('<a href="{}">{}</a>{}', row.get_absolute_url(), row.name, _sample_badge(row))


class ZoneTable(Table):
    default_order = "name"
    name = Column("名称", render=_name_link, export_value=lambda r: r.name)
    kind = Column("类型", order_by="kind__order")
    host_region = Column("所在地区")
    parent = Column("上级园区", order_by="parent__name")
    area_km2 = Column("面积（km²）")
    operator = Column("运营主体", order_by="operator__name")


class OrganizationTable(Table):
    default_order = "name"
    name = Column("名称", render=_name_link, export_value=lambda r: r.name)
    uscc = Column("统一社会信用代码")
    kind = Column("类型", accessor="get_kind_display", order_by="kind")
    industry_code = Column("行业代码")
    industry_label = Column("行业", sortable=False)
    zone = Column("所在园区", accessor="zone.display_name", order_by="zone__name")
    land_area_mu = Column("用地（亩）")
    employees = Column("从业人员")


class PersonTable(Table):
    default_order = "name"
    name = Column("姓名", render=_name_link, export_value=lambda r: r.name)
    kind = Column("类型", accessor="get_kind_display", order_by="kind")
    organization = Column("所在单位", order_by="organization__name")
    title = Column("职务")
    phone = Column("手机号（脱敏）", sortable=False)
    field = Column("专业领域")


class ResidencyTable(Table):
    default_order = "enclave__name"
    organization = Column("单位", order_by="organization__name", link=True)
    enclave = Column("飞地", order_by="enclave__name")
    status = Column("状态", accessor="get_status_display", order_by="status")
    negotiating_since = Column("开始洽谈")
    confirmed_on = Column("确定入驻")
    entered_on = Column("入驻日期")
    exited_on = Column("退出日期")


class AgreementTable(Table):
    default_order = "-signed_on"
    title = Column("协议名称", link=True)
    party_a = Column("甲方")
    party_b = Column("乙方")
    signed_on = Column("签署日期")
    valid_until = Column("有效期至")
    output_share_a = Column("统计分算·甲方%")
    tax_share_a = Column("税收分成·甲方%")


class OrganizationLabelTable(Table):
    default_order = "-since"
    organization = Column("单位", order_by="organization__name")
    label = Column("标签", order_by="label__order", link=True)
    since = Column("认定日期")
    until = Column("有效期至")
    note = Column("备注", sortable=False)


class CommitmentTable(Table):
    default_order = "due_on"
    content = Column("承诺事项", link=True)
    agreement = Column("协议", order_by="agreement__title")
    owner = Column("责任方")
    due_on = Column("完成时限")
    status = Column("状态", accessor="get_status_display", order_by="status")
