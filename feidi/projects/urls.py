from django.urls import path

from feidi.core.routing import crud_urls as crud

from . import views as v
from .dashboard import DashboardView

app_name = "projects"

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    *crud("pipeline", "project", v.ProjectListView, v.ProjectDetailView, v.ProjectEditView, v.ProjectDeleteView),
    path("pipeline/import/", v.ProjectImportView.as_view(), name="project_import"),
    path("pipeline/<int:pk>/act/", v.ProjectActionView.as_view(), name="project_act"),
    path("pipeline/<int:pk>/files/<int:file>/", v.ProjectFileView.as_view(), name="project_file"),
    path("pool/", v.PoolView.as_view(), name="pool"),
    path("key/", v.KeyProjectListView.as_view(), name="key_list"),
    *crud("trips", "investmenttrip", v.InvestmentTripListView, v.InvestmentTripDetailView, v.InvestmentTripEditView,
          v.InvestmentTripDeleteView),
    *crud("plans", "annualplan", *v.AnnualPlanViews),
    *crud("monthly", "monthlyinvestment", *v.MonthlyInvestmentViews),
    *crud("milestones", "milestone", *v.MilestoneViews),
    *crud("problems", "problem", *v.ProblemViews),
    *crud("tasks", "task", *v.TaskViews),
    *crud("dispatches", "dispatch", v.DispatchListView, v.DispatchDetailView, v.DispatchEditView,
          v.DispatchDeleteView),
    path("dispatches/<int:pk>/hold/", v.DispatchHoldView.as_view(), name="dispatch_hold"),
    path("alerts/", v.AlertListView.as_view(), name="alert_list"),
    path("alerts/<int:pk>/", v.AlertDetailView.as_view(), name="alert_detail"),
    path("reports/", v.ReportListView.as_view(), name="report_list"),
    path("reports/generate/", v.ReportGenerateView.as_view(), name="report_generate"),
    path("reports/<int:pk>/", v.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/<str:kind>/", v.ReportFileView.as_view(), name="report_file"),
    *crud("gates", "stagegate", *v.StageGateViews),
    *crud("settings", "projectsettings", *v.ProjectSettingsViews),
]
