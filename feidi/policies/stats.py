"""What 惠企政策 answers in 统计查询 (and so in the biweekly and monthly reports): payments (兑现)
confirmed or paid in a window — how many, how much, to how many enterprises — by policy, status
or zone; e.g. “1至10月兑现惠企政策资金1.2亿元”."""

from __future__ import annotations

from django.db.models import Case
from django.db.models import Q
from django.db.models import Value
from django.db.models import When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feidi.core import stats
from feidi.core.calendar import end_of

from .models import Payment

P = Payment.Status


# A payment as it stood on a day, from its dates (confirmed by then, paid by then): a question of
# August counts as 已确认 what was paid in October. One whose step carries no date is as it stands.
def confirmed_by(day) -> Q:
    return Q(status__in=[P.CONFIRMED, P.PAID]) & (
        Q(confirmed_at__lt=end_of(day)) | Q(confirmed_at__isnull=True, paid_on__lte=day)
        | Q(confirmed_at__isnull=True, paid_on__isnull=True))


def paid_by(day) -> Q:
    return Q(status=P.PAID) & (Q(paid_on__lte=day) | Q(paid_on__isnull=True))


def status_on(day):
    return Case(When(paid_by(day), then=Value(P.PAID)), When(confirmed_by(day), then=Value(P.CONFIRMED)),
                default=Value(P.PENDING))


def register() -> None:
    stats.register(stats.Subject(
        key="policy_payments", label=_("惠企政策兑现"), model=Payment,
        noun=pgettext_lazy("stats noun", "惠企政策兑现"), unit="笔", order=38,
        help=_("如“兑现惠企政策资金1.2亿元”（统计项选已确认兑现金额，日期选确认时间；其中已拨付的另选已拨付金额）"),
        measures=(
            stats.Measure("count", _("兑现笔数"), where=confirmed_by),  # 待确认 is not 兑现
            # the policy page's and the 通报's words (policies.effect.cashed): confirmed, paid out or not yet
            stats.Measure("amount", _("已确认兑现金额（含已拨付）"), "sum", field="amount", unit="元",
                          where=confirmed_by),
            stats.Measure("paid", _("已拨付金额"), "sum", field="amount", unit="元", where=paid_by,
                          verb=pgettext_lazy("stats verb", "拨付")),
        ),
        dates=(
            stats.DateField("confirmed_at", _("确认时间"), pgettext_lazy("stats verb", "兑现")),
            stats.DateField("paid_on", _("拨付日期"), pgettext_lazy("stats verb", "拨付")),
        ),
        dimensions=(
            stats.Dimension("policy", _("政策"), "item__policy_id", model="policies.Policy"),
            stats.Dimension("status", _("状态"), "status", "choice", choices_of=tuple(P.choices), inline=False,
                            on_day=status_on),
            stats.Dimension("zone", _("园区"), "organization__zone_id", model="registry.Zone"),
        ),
    ))
