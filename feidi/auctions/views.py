"""Auction pages: auctions with their lots and totals, the live lot page (polled every 2 s by htmx),
registrations and bids. Every page reads rows through the scope layer; every write calls
``feidi.auctions.actions``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop
from django.views import View

from feidi.core import declare
from feidi.core.views import ObjectActionView
from feidi.core.views import ObjectDetailView
from feidi.core.views import ObjectEditView
from feidi.core.views import ObjectMixin
from feidi.core.views import refusal_text
from feidi.lib.money import WAN
from feidi.lib.money import human
from feidi.techmarket.models import Supply

from . import actions as rules
from .filtersets import AuctionFilterSet
from .filtersets import BidFilterSet
from .filtersets import LotFilterSet
from .filtersets import RegistrationFilterSet
from .forms import AuctionForm
from .forms import BidForm
from .forms import LotForm
from .models import Auction
from .models import Bid
from .models import Lot
from .models import Registration
from .tables import AuctionTable
from .tables import BidTable
from .tables import LotTable
from .tables import RegistrationTable

HISTORY_ROWS = 30


# --- auctions -----------------------------------------------------------------------------------

# The record types' declarations (pages and URLs; the generated scope test walks them); the
# views below that are registered for them replace the generic pages.
declare.model(Auction, "auctions", form=AuctionForm, filterset=AuctionFilterSet, table=AuctionTable,
              pages=("list", "add", "detail", "edit"),
              menu=declare.Entry("techmarket", gettext_noop("成果拍卖"), org_users=True))
declare.model(Lot, "lots", form=LotForm, filterset=LotFilterSet, table=LotTable,
              select_related=("auction", "supply__organization"), pages=("list", "add", "detail", "edit"),
              menu=declare.Entry("techmarket", gettext_noop("拍品"), org_users=True))
declare.model(Registration, "registrations", filterset=RegistrationFilterSet, table=RegistrationTable,
              select_related=("auction", "organization"), pages=("list",),
              menu=declare.Entry("techmarket", gettext_noop("竞买登记"), org_users=True))
declare.model(Bid, "bids", filterset=BidFilterSet, table=BidTable,
              select_related=("lot", "registration", "bidder"), pages=("list",),
              menu=declare.Entry("techmarket", gettext_noop("出价记录"), org_users=True),
              list_attrs={"empty_hint": gettext_lazy("拍卖会开拍后，竞买人的每次出价记录在此。")})


@declare.view(Auction, "detail")
class AuctionDetailView(ObjectDetailView):
    template_name = "auctions/auction_detail.html"

    def editable(self, auction):
        return auction.status != Auction.Status.FINISHED

    def get_extra_context(self, auction):
        user = self.request.user
        lots = list(Lot.objects.visible_to(user).filter(auction=auction)
                    .select_related("supply__organization").order_by("opens_at", "pk"))
        for lot in lots:
            lot.phase = rules.lot_phase(lot)
            lot.phase_label = rules.PHASE_LABELS[lot.phase]
            lot.is_extended = rules.extended(lot)
        registration = (Registration.objects.filter(auction=auction, organization_id=user.organization_id).first()
                        if user.organization_id else None)
        totals = rules.auction_totals(auction)
        chart = {"lots": [lot.title for lot in lots],
                 "turnover": [float(lot.current_price / WAN) if lot.status == Lot.Status.SOLD else 0 for lot in lots],
                 "current": [float(lot.current_price / WAN) if lot.phase in ("open", "due") and lot.current_price
                             else 0 for lot in lots],
                 "start": [float(lot.start_price / WAN) for lot in lots]}
        return dict(
            lots=lots, totals=totals, turnover=human(totals.turnover), chart=chart,
            chart_height=max(200, 60 + 56 * len(lots)), registration=registration,
            can_register=(auction.status == Auction.Status.PUBLISHED and user.organization_id is not None
                          and registration is None and user.has_perm("auctions.add_registration")),
            can_publish=auction.status == Auction.Status.DRAFT and user.has_perm("auctions.change_auction"),
            can_add_lot=auction.status != Auction.Status.FINISHED and user.has_perm("auctions.add_lot"),
            registrations=(auction.registrations.count() if user.has_perm("auctions.change_auction") else None),
        )


@declare.view(Auction, "edit")
class AuctionEditView(ObjectEditView):

    def save_object(self, form, obj, *, creating, expected_version):
        return rules.do_save_auction(obj, acting_user=self.request.user, expected_version=expected_version)


AuctionPublishView = declare.action(Auction, "publish", rules.do_publish_auction,
                                    gettext_lazy("拍卖会已发布，企业和机构可以办理竞买登记"))


@declare.route("auctions/<int:pk>/register/", "auction_register")
class AuctionRegisterView(ObjectActionView):
    """竞买登记 from the auction page: the user's own organization."""

    model = Auction
    permission_action = "view"
    rule = rules.do_register_bidder

    def success_message(self, obj, registration) -> str:
        return gettext("竞买登记成功，您的竞买号为 {number}").format(number=registration.number)


# --- lots ---------------------------------------------------------------------------------------

class LotMixin:
    """The live state of a lot for its page and its polled partial."""

    def base_queryset(self, user):
        return super().base_queryset(user).select_related("auction", "supply__organization", "current_bidder")

    def live_context(self, lot, *, bid_form=None, refusal: str = "", accepted=None) -> dict:
        user = self.request.user
        rules.settle_if_due(lot)
        staff = user.organization_id is None
        history = list(lot.bids.select_related("registration", "bidder").order_by("-seq")[:HISTORY_ROWS])
        for bid in history:
            bid.mine = bid.bidder_id == user.organization_id
            bid.shown_name = bid.bidder.name if staff or bid.mine else ""
            bid.amount_text = rules.yuan(bid.amount)
        phase = rules.lot_phase(lot)
        leader_number = history[0].registration.number if history else ""
        registration = (Registration.objects.filter(auction_id=lot.auction_id, organization_id=user.organization_id)
                        .first() if user.organization_id else None)
        minimum = rules.minimum_bid(lot)
        now = timezone.now()
        return {
            "price_text": rules.yuan(lot.current_price if lot.current_price is not None else lot.start_price),
            "minimum_text": rules.yuan(minimum), "increment_text": rules.yuan(lot.increment),
            "reserve_text": rules.yuan(lot.reserve_price), "start_text": rules.yuan(lot.start_price),
            "server_ms": int(now.timestamp() * 1000), "closes_ms": int(lot.closes_at.timestamp() * 1000),
            "opens_ms": int(lot.opens_at.timestamp() * 1000),
            "lot": lot, "phase": phase, "phase_label": rules.PHASE_LABELS[phase], "history": history,
            "is_extended": rules.extended(lot), "minimum": minimum, "leader_number": leader_number,
            "leading": lot.current_bidder_id is not None and lot.current_bidder_id == user.organization_id,
            "registration": registration, "staff": staff,
            "can_bid": (phase == Lot.Status.OPEN and registration is not None
                        and registration.status == Registration.Status.APPROVED and user.has_perm("auctions.add_bid")),
            "can_register": (registration is None and user.organization_id is not None
                             and lot.auction.status == Auction.Status.PUBLISHED and phase in ("scheduled", "open")
                             and user.has_perm("auctions.add_registration")),
            "bid_form": bid_form or BidForm(minimum=minimum),
            "refusal": refusal, "accepted": accepted,
            "accepted_text": rules.yuan(accepted.amount) if accepted else "",
            "show_reserve": staff or lot.supply.organization_id == user.organization_id,
            "reserve_met": lot.current_price is not None and lot.current_price >= lot.reserve_price,
        }


@declare.view(Lot, "detail")
class LotDetailView(LotMixin, ObjectDetailView):
    template_name = "auctions/lot_detail.html"

    def get_object(self):
        lot = super().get_object()
        rules.settle_if_due(lot)  # a lot past its close is settled before the page reads its state
        return lot

    def editable(self, lot):
        return not lot.bid_count and lot.status == Lot.Status.SCHEDULED

    def get_extra_context(self, lot):
        return self.live_context(lot)


@declare.route("lots/<int:pk>/live/", "lot_live")
class LotLiveView(LotMixin, ObjectMixin, View):
    """The polled partial: price, countdown, leader, bid history."""

    model = Lot

    def get(self, request, *args, **kwargs):
        lot = self.get_object()
        return TemplateResponse(request, "auctions/_lot_live.html", self.live_context(lot))


@declare.route("lots/<int:pk>/bid/", "lot_bid")
class LotBidView(LotMixin, ObjectMixin, View):
    """POST a bid. From htmx the bid panel comes back with the outcome; without JavaScript the
    page is reloaded with a message."""

    model = Lot
    permission_action = "view"

    def post(self, request, *args, **kwargs):
        lot = self.get_object()
        form = BidForm(request.POST)
        refusal, accepted = "", None
        if not form.is_valid():
            refusal = "；".join(e for errors in form.errors.values() for e in errors)
        else:
            try:
                accepted = rules.do_place_bid(lot, form.cleaned_data["amount"], acting_user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                refusal = refusal_text(exc)
            lot = self.get_object()
        if getattr(request, "htmx", False):
            ctx = self.live_context(lot, refusal=refusal, accepted=accepted)
            response = TemplateResponse(request, "auctions/_lot_bid.html", ctx)
            if accepted is not None:
                response["HX-Trigger"] = "bid-placed"  # the live panel refreshes at once
            return response
        if refusal:
            messages.error(request, gettext("出价未被接受：{refusal}").format(refusal=refusal))
        else:
            messages.success(request, gettext("出价成功：{amount:,.2f}元（第 {seq} 次出价）").format(
                amount=accepted.amount, seq=accepted.seq))
        return redirect(lot.get_absolute_url())


@declare.view(Lot, "edit")
class LotEditView(ObjectEditView):
    """Add from the auction page (``?auction=<id>``) or a supply (``?supply=<id>``)."""

    prefill = {"auction": Auction, "supply": Supply}

    def new_object(self):
        lot = super().new_object()
        lot.anti_snipe_minutes = rules.DEFAULT_ANTI_SNIPE_MINUTES
        if lot.supply_id and not lot.title:
            lot.title = lot.supply.title
        return lot

    def get_object(self):
        lot = super().get_object()
        if lot.bid_count or lot.status != Lot.Status.SCHEDULED:
            raise PermissionDenied(gettext("拍品已开拍或已有出价，不能再修改"))
        return lot

    def save_object(self, form, obj, *, creating, expected_version):
        return rules.do_save_lot(obj, acting_user=self.request.user, expected_version=expected_version)

