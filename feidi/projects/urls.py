from django.urls import path

from feidi.core import declare

from . import views as v
from .dashboard import DashboardView

app_name = "projects"

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    *declare.urls("projects"),
    path("pipeline/import/", v.ProjectImportView.as_view(), name="project_import"),
    path("pipeline/<int:pk>/act/", v.ProjectActionView.as_view(), name="project_act"),
    path("pipeline/<int:pk>/files/<int:file>/", v.ProjectFileView.as_view(), name="project_file"),
    path("pool/", v.PoolView.as_view(), name="pool"),
    path("key/", v.KeyProjectListView.as_view(), name="key_list"),
    path("dispatches/<int:pk>/hold/", v.DispatchHoldView.as_view(), name="dispatch_hold"),
    path("alerts/", v.AlertListView.as_view(), name="alert_list"),
    path("alerts/<int:pk>/", v.AlertDetailView.as_view(), name="alert_detail"),
    path("reports/", v.ReportListView.as_view(), name="report_list"),
    path("reports/generate/", v.ReportGenerateView.as_view(), name="report_generate"),
    path("reports/<int:pk>/", v.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/<str:kind>/", v.ReportFileView.as_view(), name="report_file"),
]
