"""Auction routes (mounted under ``/techmarket/`` as before the app was cut out of the market).
Neither auctions, lots nor bids have a delete route: bids are irrevocable and a lot's bids would
go with it."""

from django.urls import path

from feidi.core import declare

from . import views as v

app_name = "auctions"

urlpatterns = [
    *declare.urls("auctions"),
    path("auctions/<int:pk>/publish/", v.AuctionPublishView.as_view(), name="auction_publish"),
    path("auctions/<int:pk>/register/", v.AuctionRegisterView.as_view(), name="auction_register"),
    path("lots/<int:pk>/live/", v.LotLiveView.as_view(), name="lot_live"),
    path("lots/<int:pk>/bid/", v.LotBidView.as_view(), name="lot_bid"),
]
