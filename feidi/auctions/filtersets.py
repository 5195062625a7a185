import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import ScopedFilterSet

from .models import Auction, Bid, Lot, Registration


class AuctionFilterSet(ScopedFilterSet):
    search_fields = ("title", "venue")

    class Meta:
        model = Auction
        fields = ["status"]


class LotFilterSet(ScopedFilterSet):
    search_fields = ("title", "supply__title", "supply__organization__name")
    auction = django_filters.ModelChoiceFilter(label=_("拍卖会"), queryset=Auction.objects.all())

    class Meta:
        model = Lot
        fields = ["auction", "status"]


class RegistrationFilterSet(ScopedFilterSet):
    search_fields = ("number", "organization__name")
    auction = django_filters.ModelChoiceFilter(label=_("拍卖会"), queryset=Auction.objects.all())

    class Meta:
        model = Registration
        fields = ["auction", "status"]


class BidFilterSet(ScopedFilterSet):
    search_fields = ("lot__title", "registration__number")
    lot = django_filters.ModelChoiceFilter(label=_("拍品"), queryset=Lot.objects.all())

    class Meta:
        model = Bid
        fields = ["lot"]
