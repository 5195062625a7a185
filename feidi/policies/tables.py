from django.utils.translation import gettext_lazy as _

from feidi.core.tables import ChoiceColumn
from feidi.core.tables import Column
from feidi.core.tables import DeadlineColumn
from feidi.core.tables import RelatedColumn
from feidi.core.tables import StatusColumn
from feidi.core.tables import Table

from . import models
from .models import Application


class PolicyTable(Table):
    model_class = models.Policy
    fields = ("title", "issuer", "number", "issued_on", "effective_until", "active")
    title = Column(link=True)


class PolicyItemTable(Table):
    model_class = models.PolicyItem
    default_order = "policy__title"
    fields = ("title", "policy", "mode", "period", "amount_kind", "matched_at")
    title = Column(accessor="__str__", order_by="title", link=True)
    policy = RelatedColumn(by="title")
    mode = ChoiceColumn()
    amount_kind = ChoiceColumn()


class ConditionTable(Table):
    model_class = models.Condition
    default_order = "item__title"
    text = Column(_("条件"), accessor="__str__", sortable=False, link=True)
    item = RelatedColumn(by="title")
    kind = ChoiceColumn()


class _EnterpriseItemTable(Table):
    """A match, an application and a payment begin with the enterprise and the policy item."""

    organization = RelatedColumn(_("企业"), link=True)
    item = RelatedColumn(_("政策条款"), by="title")


class MatchTable(_EnterpriseItemTable):
    model_class = models.Match
    default_order = "organization__name"
    fields = ("status", "missing", "needs_check", "estimated_amount", "computed_at")
    status = StatusColumn(_("匹配结果"))
    missing = Column(sortable=False)
    estimated_amount = Column(_("预计金额"), money=True)


class ApplicationTable(_EnterpriseItemTable):
    model_class = models.Application
    fields = ("period", "amount", "status", "level", "deadline", "created_at")
    amount = Column(_("申请金额"), money=True)
    status = StatusColumn()
    deadline = DeadlineColumn(_("本步期限"), Application.OPEN)
    created_at = Column(_("申报时间"))


class PaymentTable(_EnterpriseItemTable):
    model_class = models.Payment
    fields = ("period", "amount", "status", "confirmed_at", "paid_on")
    amount = Column(_("金额"), money=True)
    status = StatusColumn()
