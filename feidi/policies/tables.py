from django.utils.translation import gettext_lazy as _

from feidi.core.tables import ChoiceColumn, Column, DeadlineColumn, RelatedColumn, StatusColumn, Table

from .models import Application, Policy, PolicyItem


class PolicyTable(Table):
    model = Policy
    default_order = "-issued_on"
    fields = ("title", "issuer", "number", "issued_on", "effective_until", "active")
    title = Column(link=True)


class PolicyItemTable(Table):
    model = PolicyItem
    default_order = "policy__title"
    fields = ("title", "policy", "mode", "period", "amount_kind", "matched_at")
    title = Column(accessor="__str__", order_by="title", link=True)
    policy = RelatedColumn(by="title")
    mode = ChoiceColumn()
    amount_kind = ChoiceColumn()


class ConditionTable(Table):
    default_order = "item__title"
    text = Column(_("条件"), accessor="__str__", sortable=False, link=True)
    item = RelatedColumn(_("政策条款"), by="title")
    kind = ChoiceColumn(_("条件类型"))


class _EnterpriseItemTable(Table):
    """A match, an application and a payment begin with the enterprise and the policy item."""

    organization = RelatedColumn(_("企业"), link=True)
    item = RelatedColumn(_("政策条款"), by="title")


class MatchTable(_EnterpriseItemTable):
    default_order = "organization__name"
    status = StatusColumn(_("匹配结果"))
    missing = Column(_("尚缺条件"), sortable=False)
    needs_check = Column(_("需人工核验"))
    estimated_amount = Column(_("预计金额"), money=True)
    computed_at = Column(_("计算时间"))


class ApplicationTable(_EnterpriseItemTable):
    default_order = "-created_at"
    period = Column(_("兑现期"))
    amount = Column(_("申请金额"), money=True)
    status = StatusColumn()
    level = Column(_("协调层级"))
    deadline = DeadlineColumn(_("本步期限"), Application.OPEN)
    created_at = Column(_("申报时间"))


class PaymentTable(_EnterpriseItemTable):
    default_order = "-created_at"
    period = Column(_("兑现期"))
    amount = Column(_("金额"), money=True)
    status = StatusColumn()
    confirmed_at = Column(_("确认时间"))
    paid_on = Column(_("拨付日期"))
