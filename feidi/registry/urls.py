from django.urls import path

from feidi.core.routing import crud_urls as crud

from . import views as v

app_name = "registry"


urlpatterns = [
    *crud("zones", "zone", v.ZoneListView, v.ZoneDetailView, v.ZoneEditView, v.ZoneDeleteView),
    *crud("organizations", "organization", v.OrganizationListView, v.OrganizationDetailView,
          v.OrganizationEditView, v.OrganizationDeleteView),
    path("organizations/import/", v.OrganizationImportView.as_view(), name="organization_import"),
    *crud("labels", "organizationlabel", v.OrganizationLabelListView, v.OrganizationLabelDetailView,
          v.OrganizationLabelEditView, v.OrganizationLabelDeleteView),
    *crud("people", "person", v.PersonListView, v.PersonDetailView, v.PersonEditView, v.PersonDeleteView),
    path("people/<int:pk>/reveal/", v.PersonRevealView.as_view(), name="person_reveal"),
    *crud("residencies", "residency", v.ResidencyListView, v.ResidencyDetailView, v.ResidencyEditView,
          v.ResidencyDeleteView),
    path("residencies/<int:pk>/transition/", v.ResidencyTransitionView.as_view(), name="residency_transition"),
    *crud("agreements", "agreement", v.AgreementListView, v.AgreementDetailView, v.AgreementEditView,
          v.AgreementDeleteView),
    *crud("commitments", "commitment", v.CommitmentListView, v.CommitmentDetailView, v.CommitmentEditView,
          v.CommitmentDeleteView),
]
