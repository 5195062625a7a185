from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.tables import Column, Table


def _sample_badge(row):
    return format_html(' <span class="badge bg-yellow-lt">{}</span>', gettext("示例")) if row.sample else ""


def _name_link(row):
    return format_html('<a href="{}">{}</a>{}', row.get_absolute_url(), row.name, _sample_badge(row))


class ZoneTable(Table):
    default_order = "name"
    name = Column(_("名称"), render=_name_link, export_value=lambda r: r.name)
    kind = Column(_("类型"), order_by="kind__order")
    host_region = Column(_("所在地区"))
    parent = Column(_("上级园区"), order_by="parent__name")
    area_km2 = Column(_("面积（km²）"))
    operator = Column(_("运营主体"), order_by="operator__name")


class OrganizationTable(Table):
    default_order = "name"
    name = Column(_("名称"), render=_name_link, export_value=lambda r: r.name)
    uscc = Column(_("统一社会信用代码"))
    kind = Column(_("类型"), accessor="get_kind_display", order_by="kind")
    industry_code = Column(_("行业代码"))
    industry_label = Column(_("行业"), sortable=False)
    zone = Column(_("所在园区"), accessor="zone.display_name", order_by="zone__name")
    land_area_mu = Column(_("用地（亩）"))
    employees = Column(_("从业人员"))


class PersonTable(Table):
    default_order = "name"
    name = Column(_("姓名"), render=_name_link, export_value=lambda r: r.name)
    kind = Column(_("类型"), accessor="get_kind_display", order_by="kind")
    organization = Column(_("所在单位"), order_by="organization__name")
    title = Column(_("职务"))
    phone = Column(_("手机号（脱敏）"), sortable=False)
    field = Column(_("专业领域"))


class ResidencyTable(Table):
    default_order = "enclave__name"
    organization = Column(_("单位"), order_by="organization__name", link=True)
    enclave = Column(_("飞地"), order_by="enclave__name")
    status = Column(_("状态"), accessor="get_status_display", order_by="status")
    negotiating_since = Column(_("开始洽谈"))
    confirmed_on = Column(_("确定入驻"))
    entered_on = Column(_("入驻日期"))
    exited_on = Column(_("退出日期"))


class AgreementTable(Table):
    default_order = "-signed_on"
    title = Column(_("协议名称"), link=True)
    party_a = Column(_("甲方"))
    party_b = Column(_("乙方"))
    signed_on = Column(_("签署日期"))
    valid_until = Column(_("有效期至"))
    output_share_a = Column(_("统计分算·甲方%"))
    tax_share_a = Column(_("税收分成·甲方%"))


class OrganizationLabelTable(Table):
    default_order = "-since"
    organization = Column(_("单位"), order_by="organization__name")
    label = Column(_("标签"), order_by="label__order", link=True)
    since = Column(_("认定日期"))
    until = Column(_("有效期至"))
    note = Column(_("备注"), sortable=False)


class CommitmentTable(Table):
    default_order = "due_on"
    content = Column(_("承诺事项"), link=True)
    agreement = Column(_("协议"), order_by="agreement__title")
    owner = Column(_("责任方"))
    due_on = Column(_("完成时限"))
    status = Column(_("状态"), accessor="get_status_display", order_by="status")
