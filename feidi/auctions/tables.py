from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.tables import Column
from feidi.core.tables import RelatedColumn
from feidi.core.tables import StatusColumn
from feidi.core.tables import Table

from . import actions as rules
from . import models


def _phase(lot) -> str:
    phase = rules.lot_phase(lot)
    label = rules.PHASE_LABELS[phase]
    css = {"open": "bg-green-lt", "sold": "bg-blue-lt", "unsold": "bg-secondary-lt", "due": "bg-yellow-lt"}.get(phase, "")
    return format_html('<span class="badge {}">{}</span>', css, label)


def _close(lot) -> str:
    text = f"{timezone.localtime(lot.closes_at):%Y-%m-%d %H:%M}"
    if rules.extended(lot):
        return format_html(gettext('{} <span class="badge bg-orange-lt">延时</span>'), text)
    return text


class AuctionTable(Table):
    model_class = models.Auction
    fields = ("title", "venue", "status", "created_at")
    title = Column(link=True)
    status = StatusColumn()


class LotTable(Table):
    model_class = models.Lot
    default_order = "closes_at"
    fields = ("title", "auction", "supplier", "start_price", "current_price", "bid_count", "closes_at", "status")
    title = Column(_("拍品"), link=True)
    auction = RelatedColumn(by="title")
    supplier = Column(_("成果单位"), accessor="supply.organization", order_by="supply__organization__name")
    start_price = Column(_("起拍价"), money=True)
    current_price = Column(_("当前价/成交价"), money=True)
    closes_at = Column(render=_close)
    status = Column(render=_phase, export_value=lambda lot: rules.PHASE_LABELS[rules.lot_phase(lot)])


class RegistrationTable(Table):
    model_class = models.Registration
    default_order = "number"
    fields = ("number", "organization", "auction", "status", "created_at")
    organization = RelatedColumn()
    auction = RelatedColumn(by="title")
    status = StatusColumn()
    created_at = Column(_("登记时间"))


class BidTable(Table):
    model_class = models.Bid
    default_order = "-placed_at"
    fields = ("record", "lot", "seq", "number", "bidder", "amount", "placed_at", "extended")
    record = Column(_("出价记录"), accessor="__str__", sortable=False)
    lot = Column(order_by="lot__title",
                 render=lambda b: format_html('<a href="{}">{}</a>', b.lot.get_absolute_url(), b.lot.title))
    number = Column(_("竞买号"), accessor="registration.number", order_by="registration__number")
    bidder = RelatedColumn()
    amount = Column(_("出价"), money=True)
    placed_at = Column(_("出价时间（服务器）"),
                       render=lambda b: f"{timezone.localtime(b.placed_at):%Y-%m-%d %H:%M:%S}")
