"""Routes of the market's demands, supplies, pushes, talents, the thesaurus and the overview. 揭榜挂帅
(``feidi.challenges``) and the auctions (``feidi.auctions``) have their own apps, mounted under the
same ``/techmarket/`` prefix."""

from django.urls import path

from feidi.core import declare

from . import views as v

app_name = "techmarket"

urlpatterns = [
    path("", v.OverviewView.as_view(), name="overview"),
    *declare.urls("techmarket"),
    path("demands/<int:pk>/publish/", v.DemandPublishView.as_view(), name="demand_publish"),
    path("demands/<int:pk>/close/", v.DemandCloseView.as_view(), name="demand_close"),
    path("supplies/<int:pk>/publish/", v.SupplyPublishView.as_view(), name="supply_publish"),
    path("supplies/<int:pk>/close/", v.SupplyCloseView.as_view(), name="supply_close"),
    path("pushes/", v.PushListView.as_view(), name="push_list"),
    path("pushes/<int:pk>/", v.PushDetailView.as_view(), name="push_detail"),
    path("pushes/<int:pk>/mark/", v.PushMarkView.as_view(), name="push_mark"),
]
