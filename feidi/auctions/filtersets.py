"""The auctions' filters: auctions by status, lots and registrations by their auction, bids by lot."""

import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import ScopedFilterSet
from feidi.core.filters import scoped_filterset

from .models import Auction
from .models import Bid
from .models import Lot
from .models import Registration

AuctionFilterSet = scoped_filterset(Auction, ["status"], search=("title", "venue"))


class _OfAuctionFilterSet(ScopedFilterSet):
    """Lots and registrations: of one auction, in one status."""

    auction = django_filters.ModelChoiceFilter(label=_("拍卖会"), queryset=Auction.objects.all())


class LotFilterSet(_OfAuctionFilterSet):
    search_fields = ("title", "supply__title", "supply__organization__name")

    class Meta:
        model = Lot
        fields = ["auction", "status"]


class RegistrationFilterSet(_OfAuctionFilterSet):
    search_fields = ("number", "organization__name")

    class Meta:
        model = Registration
        fields = ["auction", "status"]


BidFilterSet = scoped_filterset(Bid, ["lot"], search=("lot__title", "registration__number"),
    lot=django_filters.ModelChoiceFilter(label=_("拍品"), queryset=Lot.objects.all()))
