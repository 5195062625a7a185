"""Auction API: auctions with their totals, lots with their live state, bids (placed through
``actions.do_place_bid``; a refusal answers 422 ``{"code": <rule>, "message": <why>}``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import OuterRef
from django.db.models import Subquery
from ninja import Field
from ninja import Path
from ninja import Router
from ninja import Schema
from ninja import Status
from ninja.pagination import paginate

from feidi.core.api import MAX_ID
from feidi.core.api import Id
from feidi.core.api import Pages
from feidi.core.api import error
from feidi.core.api import field
from feidi.core.api import filtered
from feidi.core.api import model_of
from feidi.core.api import require_perm
from feidi.core.api import scoped_get
from feidi.core.api import scoped_list

from . import actions as rules
from .filtersets import LotFilterSet
from .models import Auction
from .models import Bid
from .models import Lot

router = Router(tags=["科技大市场 techmarket"])


class AuctionSchema(Schema):
    id: int
    title: str
    venue: str
    status: str
    status_label: str = Field(alias="get_status_display")
    sample: bool


class TotalsSchema(Schema):
    lots: int
    sold: int
    unsold: int
    pending: int
    turnover: Decimal
    premium_rate: float | None
    bids: int


class AuctionDetailSchema(AuctionSchema):
    description: str
    totals: TotalsSchema

    @staticmethod
    def resolve_totals(obj):
        t = rules.auction_totals(obj)
        return {"lots": t.lots, "sold": t.sold, "unsold": t.unsold, "pending": t.pending, "turnover": t.turnover,
                "premium_rate": float(t.premium_rate) if t.premium_rate is not None else None, "bids": t.bids}


class LotSchema(Schema):
    id: int
    auction_id: int
    supply_id: int
    title: str
    start_price: Decimal
    increment: Decimal
    current_price: Decimal | None
    minimum_bid: Decimal | None
    bid_count: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    scheduled_close: dt.datetime | None
    extended: bool
    anti_snipe_minutes: int
    status: str
    status_label: str
    settled_at: dt.datetime | None
    leader_number: str | None

    @staticmethod
    def resolve_status(obj):
        return rules.lot_phase(obj)

    @staticmethod
    def resolve_status_label(obj):
        return str(rules.PHASE_LABELS[rules.lot_phase(obj)])

    @staticmethod
    def resolve_extended(obj):
        return rules.extended(obj)

    @staticmethod
    def resolve_minimum_bid(obj):
        return rules.minimum_bid(obj) if rules.lot_phase(obj) in ("scheduled", "open") else None

    @staticmethod
    def resolve_leader_number(obj):
        if obj.current_bidder_id is None:
            return None
        if hasattr(obj, "leader"):
            return obj.leader
        bid = obj.bids.select_related("registration").order_by("-seq").first()
        return bid.registration.number if bid else None


def _with_leader(qs):
    """The leading bidder number (竞买号) in the same query as the lots."""
    leader = Bid.objects.filter(lot=OuterRef("pk")).order_by("-seq").values("registration__number")[:1]
    return qs.annotate(leader=Subquery(leader))


class BidSchema(Schema):
    seq: int
    number: str
    amount: Decimal
    placed_at: dt.datetime
    extended: bool
    bidder: str | None  # the name only for staff and for one's own bids; others see the 竞买号


class BidIn(Schema):
    amount: field(Bid, "amount", gt=0)


class PlacedSchema(BidSchema):
    lot: LotSchema


def _bid_row(bid: Bid, user) -> dict:
    named = user.organization_id is None or bid.bidder_id == user.organization_id
    return {"seq": bid.seq, "number": bid.registration.number, "amount": bid.amount, "placed_at": bid.placed_at,
            "extended": bid.extended, "bidder": bid.bidder.name if named else None}


@router.get("/auctions", response=list[AuctionSchema], summary="成果拍卖会", openapi_extra=model_of("auctions.auction"))
@paginate(Pages, page_size=50)
def list_auctions(request, status: str = ""):
    qs = scoped_list(request, Auction)
    return (qs.filter(status=status) if status else qs).order_by("-created_at", "-pk")


@router.get("/auctions/{pk}", response=AuctionDetailSchema, summary="拍卖会详情与成交汇总（成交、流拍、成交额、溢价率）",
            openapi_extra=model_of("auctions.auction"))
def get_auction(request, pk: Id):
    return scoped_get(request, Auction, pk)


class RegistrationSchema(Schema):
    id: int
    auction_id: int
    organization_id: int
    number: str
    status: str


@router.post("/auctions/{pk}/registrations", response={201: RegistrationSchema}, summary="竞买登记（本单位），返回竞买号",
             openapi_extra=model_of("auctions.auction", action="view"))
def register(request, pk: Id):
    auction = scoped_get(request, Auction, pk, action="view", perm="auctions.add_registration")
    return Status(201, rules.do_register_bidder(auction, acting_user=request.user))


@router.get("/lots", response=list[LotSchema], summary="拍品（当前价、结束时间、状态）；可按 auction、status 筛选",
            openapi_extra=model_of("auctions.lot"))
@paginate(Pages, page_size=50)
def list_lots(request):
    qs = filtered(request, scoped_list(request, Lot), LotFilterSet)
    return _with_leader(qs.select_related("auction")).order_by("closes_at", "pk")


@router.get("/lots/{pk}", response=LotSchema, summary="拍品实时状态", openapi_extra=model_of("auctions.lot"))
def get_lot(request, pk: Id):
    return rules.settle_if_due(_lot(request, pk))


def _lot(request, pk: int) -> Lot:
    lot = scoped_get(request, Lot, pk, action="view")
    return Lot.objects.select_related("auction").get(pk=lot.pk)


@router.get("/lots/{pk}/bids", response=list[BidSchema], summary="拍品的出价记录（按序号倒序；显示竞买号）",
            openapi_extra=model_of("auctions.lot"))
@paginate(Pages, page_size=100)
def list_bids(request, pk: int = Path(..., ge=1, le=MAX_ID)):
    lot = scoped_get(request, Lot, pk)
    require_perm(request, "auctions.view_bid")  # the records listed are bids: seeing the lot is not enough
    bids = lot.bids.select_related("registration", "bidder").order_by("-seq")
    return _BidRows(bids, request.user)


class _BidRows:
    """A lazily sliced list of bid rows, so the paginator counts and slices in the database."""

    def __init__(self, qs, user):
        self.qs, self.user = qs, user

    def __len__(self):
        return self.qs.count()

    def count(self):
        return self.qs.count()

    def __getitem__(self, item):
        return [_bid_row(b, self.user) for b in self.qs[item]]


@router.post("/lots/{pk}/bids", response={201: PlacedSchema, 422: dict}, summary="出价（服务器时间与数据库锁决定先后）",
             openapi_extra=model_of("auctions.lot", action="view"))
def place_bid(request, pk: Id, payload: BidIn):
    lot = _lot(request, pk)
    try:
        bid = rules.do_place_bid(lot, payload.amount, acting_user=request.user)
    except rules.BidRefused as exc:
        return error(request, 422, exc.reason, "；".join(exc.messages))
    bid = Bid.objects.select_related("registration", "bidder").get(pk=bid.pk)
    return Status(201, {**_bid_row(bid, request.user), "lot": _lot(request, pk)})
