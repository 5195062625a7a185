"""揭榜挂帅 routes: challenges, applications, the experts' score sheet, joint projects (mounted under
``/techmarket/`` as before the app was cut out of the market)."""

from django.urls import path

from . import views as v

app_name = "challenges"

urlpatterns = [
    path("challenges/", v.ChallengeListView.as_view(), name="challenge_list"),
    path("challenges/add/", v.ChallengeEditView.as_view(), name="challenge_add"),
    path("challenges/<int:pk>/", v.ChallengeDetailView.as_view(), name="challenge_detail"),
    path("challenges/<int:pk>/edit/", v.ChallengeEditView.as_view(), name="challenge_edit"),
    path("challenges/<int:pk>/publish/", v.ChallengePublishView.as_view(), name="challenge_publish"),
    path("challenges/<int:pk>/review/", v.ChallengeStartReviewView.as_view(), name="challenge_start_review"),
    path("challenges/<int:pk>/close/", v.ChallengeCloseView.as_view(), name="challenge_close"),
    path("challenges/<int:pk>/award/", v.ChallengeAwardView.as_view(), name="challenge_award"),
    path("applications/", v.ApplicationListView.as_view(), name="application_list"),
    path("applications/add/", v.ApplicationEditView.as_view(), name="application_add"),
    path("applications/<int:pk>/", v.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/withdraw/", v.ApplicationWithdrawView.as_view(), name="application_withdraw"),
    path("applications/<int:pk>/review/", v.ReviewView.as_view(), name="review"),
    path("jointprojects/", v.JointProjectListView.as_view(), name="jointproject_list"),
    path("jointprojects/<int:pk>/", v.JointProjectDetailView.as_view(), name="jointproject_detail"),
    path("jointprojects/<int:pk>/edit/", v.JointProjectEditView.as_view(), name="jointproject_edit"),
    path("jointprojects/<int:pk>/accept/", v.JointProjectAcceptView.as_view(), name="jointproject_accept"),
    path("jointprojects/<int:pk>/transfer/", v.JointProjectTransferView.as_view(), name="jointproject_transfer"),
    path("jointprojects/<int:pk>/milestones/add/", v.MilestoneAddView.as_view(), name="milestone_add"),
    path("jointprojects/<int:pk>/milestones/<int:milestone>/done/", v.MilestoneDoneView.as_view(),
         name="milestone_done"),
]
