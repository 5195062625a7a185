from django.utils.translation import gettext_lazy as _

from feidi.core.tables import ChoiceColumn
from feidi.core.tables import Column
from feidi.core.tables import NameColumn
from feidi.core.tables import RelatedColumn
from feidi.core.tables import StatusColumn
from feidi.core.tables import Table

from . import models


class ZoneTable(Table):
    model_class = models.Zone
    fields = ("name", "kind", "host_region", "parent", "area_km2", "operator")
    name = NameColumn()
    kind = RelatedColumn(by="order")
    parent = RelatedColumn()
    area_km2 = Column(_("面积（km²）"))
    operator = RelatedColumn()


class OrganizationTable(Table):
    model_class = models.Organization
    fields = ("name", "uscc", "kind", "industry_code", "industry_label", "zone", "land_area_mu", "employees")
    name = NameColumn()
    kind = ChoiceColumn()
    industry_code = Column(_("行业代码"))
    industry_label = Column(_("行业"), sortable=False)
    zone = RelatedColumn(accessor="zone.display_name")
    land_area_mu = Column(_("用地（亩）"))


class PersonTable(Table):
    model_class = models.Person
    fields = ("name", "kind", "organization", "title", "phone", "field")
    name = NameColumn()
    kind = ChoiceColumn()
    organization = RelatedColumn()
    phone = Column(_("手机号（脱敏）"), sortable=False)


class ResidencyTable(Table):
    model_class = models.Residency
    default_order = "enclave__name"
    fields = ("organization", "enclave", "status", "negotiating_since", "confirmed_on", "entered_on", "exited_on")
    organization = RelatedColumn(link=True)
    enclave = RelatedColumn(_("飞地"))
    status = StatusColumn()
    confirmed_on = Column(_("确定入驻"))


class AgreementTable(Table):
    model_class = models.Agreement
    fields = ("title", "party_a", "party_b", "signed_on", "valid_until", "output_share_a", "tax_share_a")
    title = Column(link=True)
    output_share_a = Column(_("统计分算·甲方%"))
    tax_share_a = Column(_("税收分成·甲方%"))


class OrganizationLabelTable(Table):
    model_class = models.OrganizationLabel
    default_order = "-since"
    fields = ("organization", "label", "since", "until", "note")
    organization = RelatedColumn()
    label = RelatedColumn(by="order", link=True)
    note = Column(sortable=False)


class CommitmentTable(Table):
    model_class = models.Commitment
    default_order = "due_on"
    fields = ("content", "agreement", "owner", "due_on", "status")
    content = Column(link=True)
    agreement = RelatedColumn(by="title")
    status = StatusColumn()
