from django.urls import path

from feidi.core import declare

from . import views as v

app_name = "registry"


urlpatterns = [
    *declare.urls("registry"),
    path("organizations/import/", v.OrganizationImportView.as_view(), name="organization_import"),
    path("people/<int:pk>/reveal/", v.PersonRevealView.as_view(), name="person_reveal"),
    path("residencies/<int:pk>/transition/", v.ResidencyTransitionView.as_view(), name="residency_transition"),
]
