from django.urls import path

from feidi.core import declare

from . import views as v

app_name = "intel"

urlpatterns = [
    path("", v.DailyView.as_view(), name="daily"),
    *declare.urls("intel"),
    path("items/<int:pk>/lead/", v.ToLeadView.as_view(), name="newsitem_lead"),
    path("items/<int:pk>/target/", v.ToTargetView.as_view(), name="newsitem_target"),
    path("items/<int:pk>/dismiss/", v.DismissView.as_view(), name="newsitem_dismiss"),
    path("sources/<int:pk>/read/", v.SourceReadView.as_view(), name="source_read"),
]
