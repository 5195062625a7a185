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
    *crud("mu", "murule", v.MuRuleListView, v.MuRuleDetailView, v.MuRuleEditView, v.MuRuleDeleteView),
    path("mu/<int:pk>/evaluate/", v.MuEvaluateView.as_view(), name="murule_evaluate"),
    path("mu/results/", v.MuResultListView.as_view(), name="muresult_list"),
    path("mu/results/<int:pk>/", v.MuResultDetailView.as_view(), name="muresult_detail"),
]
