from django.urls import path

from feidi.core import declare

from . import views as v

app_name = "policies"

urlpatterns = [
    path("mine/", v.MyPoliciesView.as_view(), name="mine"),
    *declare.urls("policies"),
    path("library/<int:pk>/effect/", v.PolicyEffectView.as_view(), name="policy_effect"),
    path("library/<int:pk>/attach/", v.PolicyAttachView.as_view(), name="policy_attach"),
    path("library/<int:pk>/files/<int:file>/", v.PolicyFileView.as_view(), name="policy_file"),
    path("library/<int:pk>/files/<int:file>/delete/", v.PolicyFileDeleteView.as_view(), name="policy_file_delete"),
    path("items/import/", v.PolicyItemImportView.as_view(), name="policyitem_import"),
    path("items/<int:pk>/act/", v.PolicyItemActView.as_view(), name="policyitem_act"),
    path("matches/", v.MatchListView.as_view(), name="match_list"),
    path("matches/<int:pk>/", v.MatchDetailView.as_view(), name="match_detail"),
    path("matches/<int:pk>/apply/", v.ApplicationApplyView.as_view(), name="match_apply"),
    path("matches/<int:pk>/files/<int:file>/", v.MatchPolicyFileView.as_view(), name="match_policy_file"),
    path("applications/", v.ApplicationListView.as_view(), name="application_list"),
    path("applications/<int:pk>/", v.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/act/", v.ApplicationActView.as_view(), name="application_act"),
    path("applications/<int:pk>/attach/", v.ApplicationAttachView.as_view(), name="application_attach"),
    path("applications/<int:pk>/files/<int:file>/", v.ApplicationFileView.as_view(), name="application_file"),
    path("payments/", v.PaymentListView.as_view(), name="payment_list"),
    path("payments/summary/", v.PaymentSummaryView.as_view(), name="payment_summary"),
    path("payments/<int:pk>/", v.PaymentDetailView.as_view(), name="payment_detail"),
    path("payments/<int:pk>/pay/", v.PaymentPayView.as_view(), name="payment_pay"),
]
