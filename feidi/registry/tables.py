from django.utils.translation import gettext_lazy as _

from feidi.core.tables import ChoiceColumn, Column, NameColumn, RelatedColumn, StatusColumn, Table


class ZoneTable(Table):
    default_order = "name"
    name = NameColumn(_("名称"))
    kind = RelatedColumn(_("类型"), by="order")
    host_region = Column(_("所在地区"))
    parent = RelatedColumn(_("上级园区"))
    area_km2 = Column(_("面积（km²）"))
    operator = RelatedColumn(_("运营主体"))


class OrganizationTable(Table):
    default_order = "name"
    name = NameColumn(_("名称"))
    uscc = Column(_("统一社会信用代码"))
    kind = ChoiceColumn(_("类型"))
    industry_code = Column(_("行业代码"))
    industry_label = Column(_("行业"), sortable=False)
    zone = RelatedColumn(_("所在园区"), accessor="zone.display_name")
    land_area_mu = Column(_("用地（亩）"))
    employees = Column(_("从业人员"))


class PersonTable(Table):
    default_order = "name"
    name = NameColumn(_("姓名"))
    kind = ChoiceColumn(_("类型"))
    organization = RelatedColumn(_("所在单位"))
    title = Column(_("职务"))
    phone = Column(_("手机号（脱敏）"), sortable=False)
    field = Column(_("专业领域"))


class ResidencyTable(Table):
    default_order = "enclave__name"
    organization = RelatedColumn(_("单位"), link=True)
    enclave = RelatedColumn(_("飞地"))
    status = StatusColumn()
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
    organization = RelatedColumn(_("单位"))
    label = RelatedColumn(_("标签"), by="order", link=True)
    since = Column(_("认定日期"))
    until = Column(_("有效期至"))
    note = Column(_("备注"), sortable=False)


class CommitmentTable(Table):
    default_order = "due_on"
    content = Column(_("承诺事项"), link=True)
    agreement = RelatedColumn(_("协议"), by="title")
    owner = Column(_("责任方"))
    due_on = Column(_("完成时限"))
    status = StatusColumn()
