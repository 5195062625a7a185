"""Auction routes (mounted under ``/techmarket/`` as before the app was cut out of the market).
Neither auctions, lots nor bids have a delete route: bids are irrevocable and a lot's bids would
go with it."""

from django.urls import path

from . import views as v

app_name = "auctions"

urlpatterns = [
    path("auctions/", v.AuctionListView.as_view(), name="auction_list"),
    path("auctions/add/", v.AuctionEditView.as_view(), name="auction_add"),
    path("auctions/<int:pk>/", v.AuctionDetailView.as_view(), name="auction_detail"),
    path("auctions/<int:pk>/edit/", v.AuctionEditView.as_view(), name="auction_edit"),
    path("auctions/<int:pk>/publish/", v.AuctionPublishView.as_view(), name="auction_publish"),
    path("auctions/<int:pk>/register/", v.AuctionRegisterView.as_view(), name="auction_register"),
    path("lots/", v.LotListView.as_view(), name="lot_list"),
    path("lots/add/", v.LotEditView.as_view(), name="lot_add"),
    path("lots/<int:pk>/", v.LotDetailView.as_view(), name="lot_detail"),
    path("lots/<int:pk>/edit/", v.LotEditView.as_view(), name="lot_edit"),
    path("lots/<int:pk>/live/", v.LotLiveView.as_view(), name="lot_live"),
    path("lots/<int:pk>/bid/", v.LotBidView.as_view(), name="lot_bid"),
    path("registrations/", v.RegistrationListView.as_view(), name="registration_list"),
    path("bids/", v.BidListView.as_view(), name="bid_list"),
]
