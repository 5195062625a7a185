from django.urls import path

from feidi.core import declare

from . import views as v

app_name = "indicators"

urlpatterns = [
    path("", v.DashboardView.as_view(), name="dashboard"),
    path("analysis/", v.AnalysisView.as_view(), name="analysis"),
    path("report/", v.MonthReportView.as_view(), name="report"),
    path("values/", v.IndicatorValueListView.as_view(), name="indicatorvalue_list"),
    path("import/", v.ImportView.as_view(), name="import"),
    path("maps/city/", v.CityMapView.as_view(), name="city_map"),
    path("maps/zone/", v.ZoneMapView.as_view(), name="zone_map"),
    path("maps/geo/<str:code>.json", v.GeoCityView.as_view(), name="geo_city"),
    *declare.urls("indicators"),
    path("mu/<int:pk>/evaluate/", v.MuEvaluateView.as_view(), name="murule_evaluate"),
    path("mu/results/", v.MuResultListView.as_view(), name="muresult_list"),
    path("mu/results/<int:pk>/", v.MuResultDetailView.as_view(), name="muresult_detail"),
    path("ranking/", v.RankingRunListView.as_view(), name="rankingrun_list"),
    path("ranking/compute/", v.RankingRunCreateView.as_view(), name="rankingrun_compute"),
    path("ranking/<int:pk>/", v.RankingRunDetailView.as_view(), name="rankingrun_detail"),
    path("ranking/<int:pk>/statement/", v.RankingStatementView.as_view(), name="rankingrun_statement"),
    path("ranking/<int:pk>/docx/", v.RankingDocxView.as_view(), name="rankingrun_docx"),
]
