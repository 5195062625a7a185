from django.urls import path

from feidi.core import declare

from . import views as v

app_name = "services"

urlpatterns = [
    path("appeals/", v.AppealListView.as_view(), name="appeal_list"),
    path("appeals/measures/", v.AppealMeasuresView.as_view(), name="appeal_measures"),
    path("appeals/add/", v.AppealEditView.as_view(), name="appeal_add"),
    path("appeals/<int:pk>/", v.AppealDetailView.as_view(), name="appeal_detail"),
    path("appeals/<int:pk>/act/", v.AppealActionView.as_view(), name="appeal_act"),
    path("appeals/<int:pk>/attach/", v.AppealAttachView.as_view(), name="appeal_attach"),
    path("appeals/<int:pk>/files/<int:attachment>/", v.AppealAttachmentView.as_view(), name="appeal_file"),
    *declare.urls("services"),
]
