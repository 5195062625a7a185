"""揭榜挂帅 routes: challenges, applications, the experts' score sheet, joint projects (mounted under
``/techmarket/`` as before the app was cut out of the market)."""

from django.urls import path

from feidi.core import declare

from . import views as v

app_name = "challenges"

urlpatterns = [
    *declare.urls("challenges"),
    path("challenges/<int:pk>/publish/", v.ChallengePublishView.as_view(), name="challenge_publish"),
    path("challenges/<int:pk>/review/", v.ChallengeStartReviewView.as_view(), name="challenge_start_review"),
    path("challenges/<int:pk>/close/", v.ChallengeCloseView.as_view(), name="challenge_close"),
    path("challenges/<int:pk>/award/", v.ChallengeAwardView.as_view(), name="challenge_award"),
    path("applications/<int:pk>/withdraw/", v.ApplicationWithdrawView.as_view(), name="application_withdraw"),
    path("applications/<int:pk>/review/", v.ReviewView.as_view(), name="review"),
    path("jointprojects/<int:pk>/accept/", v.JointProjectAcceptView.as_view(), name="jointproject_accept"),
    path("jointprojects/<int:pk>/transfer/", v.JointProjectTransferView.as_view(), name="jointproject_transfer"),
    path("jointprojects/<int:pk>/milestones/add/", v.MilestoneAddView.as_view(), name="milestone_add"),
    path("jointprojects/<int:pk>/milestones/<int:milestone>/done/", v.MilestoneDoneView.as_view(),
         name="milestone_done"),
]
