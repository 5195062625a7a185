from django.urls import path

from feidi.core.routing import crud_urls as crud

from . import views as v

app_name = "chains"

urlpatterns = [
    *crud("map", "chain", v.ChainListView, v.ChainDetailView, v.ChainEditView, v.ChainDeleteView),
    path("map/<int:pk>/data.json", v.ChainMapDataView.as_view(), name="chain_map_data"),
    path("gaps/", v.GapListView.as_view(), name="gap_list"),
    *crud("segments", "segment", v.SegmentListView, v.SegmentDetailView, v.SegmentEditView, v.SegmentDeleteView),
    *crud("members", "segmentmember", *v.SegmentMemberViews),
    *crud("targets", "target", v.TargetListView, v.TargetDetailView, v.TargetEditView, v.TargetDeleteView),
    path("targets/<int:pk>/lead/", v.TargetToLeadView.as_view(), name="target_lead"),
]
