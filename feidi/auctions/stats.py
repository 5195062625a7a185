"""What the auctions answer in 统计查询: lots, how many were sold and the turnover (成交额)."""

from __future__ import annotations

from django.db.models import Case
from django.db.models import F
from django.db.models import Q
from django.db.models import Value
from django.db.models import When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feidi.core import stats
from feidi.core.calendar import end_of

from .models import Lot

L = Lot.Status


# A lot as it stood on a day: settled (成交, 流拍) by then, bidding once opened, else 待拍. A withdrawn
# lot carries no date of its withdrawal and counts as withdrawn.
def _settled_by(day) -> Q:
    return Q(settled_at__lt=end_of(day)) | Q(settled_at__isnull=True)


def sold_by(day) -> Q:
    return Q(status=L.SOLD) & _settled_by(day)


def status_on(day):
    return Case(
        When(Q(status__in=[L.SOLD, L.UNSOLD]) & _settled_by(day) | Q(status=L.WITHDRAWN), then=F("status")),
        When(opens_at__lt=end_of(day), then=Value(L.OPEN)), default=Value(L.SCHEDULED))


def register() -> None:
    sold = sold_by
    stats.register(stats.Subject(
        key="lots", label=_("成果拍卖拍品"), model=Lot, noun=pgettext_lazy("stats noun", "拍品"), unit="项", order=60,
        help=_("如“6项专利技术参与拍卖，成交额约2000万元”（按拍卖会筛选）"),
        measures=(
            stats.Measure("count", _("拍品数")), stats.Measure("sold", _("成交数"), where=sold, verb=pgettext_lazy("stats verb", "成交")),
            stats.Measure("turnover", _("成交额"), "sum", "current_price", "元", where=sold),
        ),
        dates=(stats.DateField("closes_at", _("截拍时间"), ""), stats.DateField("settled_at", _("成交确认时间"), "")),
        dimensions=(
            stats.Dimension("auction", _("拍卖会"), "auction_id", model="auctions.Auction", inline=False),
            stats.Dimension("status", _("状态"), "status", "choice", choices_of=tuple(Lot.Status.choices), inline=False,
                            on_day=status_on),
        ),
    ))
