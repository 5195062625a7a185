"""What the auctions answer in 统计查询: lots, how many were sold and the turnover (成交额)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feidi.core import stats

from .models import Lot


def register() -> None:
    sold = Q(status=Lot.Status.SOLD)
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
            stats.Dimension("status", _("状态"), "status", "choice", choices_of=tuple(Lot.Status.choices), inline=False),
        ),
    ))
