from django.urls import path

from feidi.core.routing import crud_urls as crud

from . import views as v

app_name = "indicators"

urlpatterns = [
    path("", v.DashboardView.as_view(), name="dashboard"),
    path("analysis/", v.AnalysisView.as_view(), name="analysis"),
    path("report/", v.MonthReportView.as_view(), name="report"),
    path("values/", v.IndicatorValueListView.as_view(), name="indicatorvalue_list"),
    path("import/", v.ImportView.as_view(), name="import"),
    *crud("definitions", "indicator", *v.IndicatorViews),
]
