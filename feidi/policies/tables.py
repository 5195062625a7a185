from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.tables import Column, Table

from .models import Application


def _deadline(row):
    if row.deadline is None:
        return "—"
    text = f"{timezone.localtime(row.deadline):%Y-%m-%d %H:%M}"
    if row.status in Application.OPEN and row.deadline < timezone.now():
        return format_html('<span class="badge bg-red-lt">{}</span>', gettext("已逾期 {text}").format(text=text))
    return text


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
    policy = Column(_("所属政策"), order_by="policy__title")
    mode = Column(_("兑现方式"), accessor="get_mode_display", order_by="mode")
    period = Column(_("兑现期"))
    amount_kind = Column(_("金额规则"), accessor="get_amount_kind_display", order_by="amount_kind")
    matched_at = Column(_("最近匹配时间"))


class ConditionTable(Table):
    default_order = "item__title"
    text = Column(_("条件"), accessor="__str__", sortable=False, link=True)
    item = Column(_("政策条款"), order_by="item__title")
    kind = Column(_("条件类型"), accessor="get_kind_display", order_by="kind")


class MatchTable(Table):
    default_order = "organization__name"
    organization = Column(_("企业"), order_by="organization__name", link=True, accessor="organization")
    item = Column(_("政策条款"), order_by="item__title")
    status = Column(_("匹配结果"), accessor="get_status_display", order_by="status")
    missing = Column(_("尚缺条件"), sortable=False)
    needs_check = Column(_("需人工核验"))
    estimated_amount = Column(_("预计金额"), money=True)
    computed_at = Column(_("计算时间"))


class ApplicationTable(Table):
    default_order = "-created_at"
    organization = Column(_("企业"), order_by="organization__name", link=True, accessor="organization")
    item = Column(_("政策条款"), order_by="item__title")
    period = Column(_("兑现期"))
    amount = Column(_("申请金额"), money=True)
    status = Column(_("状态"), accessor="get_status_display", order_by="status")
    level = Column(_("协调层级"))
    deadline = Column(_("本步期限"), render=_deadline, order_by="deadline", export_value=lambda r: r.deadline and
                      timezone.localtime(r.deadline).replace(tzinfo=None))
    created_at = Column(_("申报时间"))


class PaymentTable(Table):
    default_order = "-created_at"
    organization = Column(_("企业"), order_by="organization__name", link=True, accessor="organization")
    item = Column(_("政策条款"), order_by="item__title")
    period = Column(_("兑现期"))
    amount = Column(_("金额"), money=True)
    status = Column(_("状态"), accessor="get_status_display", order_by="status")
    confirmed_at = Column(_("确认时间"))
    paid_on = Column(_("拨付日期"))
