from django.urls import path

from feidi.core.routing import crud_urls as crud

from . import views as v

app_name = "intel"

urlpatterns = [
    path("", v.DailyView.as_view(), name="daily"),
    path("items/", v.NewsItemListView.as_view(), name="newsitem_list"),
    path("items/add/", v.NewsItemAddView.as_view(), name="newsitem_add"),
    path("items/<int:pk>/", v.NewsItemDetailView.as_view(), name="newsitem_detail"),
    path("items/<int:pk>/edit/", v.NewsItemEditView.as_view(), name="newsitem_edit"),
    path("items/<int:pk>/delete/", v.NewsItemDeleteView.as_view(), name="newsitem_delete"),
    path("items/<int:pk>/lead/", v.ToLeadView.as_view(), name="newsitem_lead"),
    path("items/<int:pk>/target/", v.ToTargetView.as_view(), name="newsitem_target"),
    path("items/<int:pk>/dismiss/", v.DismissView.as_view(), name="newsitem_dismiss"),
    *crud("sources", "source", v.SourceListView, v.SourceDetailView, v.SourceEditView, v.SourceDeleteView),
    path("sources/<int:pk>/read/", v.SourceReadView.as_view(), name="source_read"),
]
