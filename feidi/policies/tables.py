from django.utils.translation import gettext_lazy as _

from feidi.core.tables import ChoiceColumn, Column, DeadlineColumn, RelatedColumn, StatusColumn, Table

from .models import Application


class PolicyTable(Table):
    default_order = "-issued_on"
    title = Column(_("政策名称"), link=True)
    issuer = Column(_("发文单位"))
    number = Column(_("文号"))
    issued_on = Column(_("发布日期"))
    effective_until = Column(_("有效期至"))
    active = Column(_("有效"))


class PolicyItemTable(Table):
    default_order = "policy__title"
    title = Column(_("条款名称"), accessor="__str__", order_by="title", link=True)
    policy = RelatedColumn(_("所属政策"), by="title")
    mode = ChoiceColumn(_("兑现方式"))
    period = Column(_("兑现期"))
    amount_kind = ChoiceColumn(_("金额规则"))
    matched_at = Column(_("最近匹配时间"))


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
