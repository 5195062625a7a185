from django.urls import path

from feidi.core import declare

from . import views as v

app_name = "chains"

urlpatterns = [
    *declare.urls("chains"),
    path("map/<int:pk>/data.json", v.ChainMapDataView.as_view(), name="chain_map_data"),
    path("gaps/", v.GapListView.as_view(), name="gap_list"),
    path("targets/<int:pk>/lead/", v.TargetToLeadView.as_view(), name="target_lead"),
]
