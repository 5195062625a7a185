"""揭榜挂帅 pages: the 榜单 list and page, applications, the experts' score sheet, the award, and
the joint research projects with their milestones, acceptance and transfer to a home project."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views.generic import TemplateView

from feidi.core import declare
from feidi.core.views import REFUSALS
from feidi.core.views import ObjectActionView
from feidi.core.views import ObjectDetailView
from feidi.core.views import ObjectEditView
from feidi.core.views import ObjectListView
from feidi.core.views import ObjectMixin
from feidi.core.views import refusal_text
from feidi.techmarket.models import Demand

from . import actions
from .filtersets import ApplicationFilterSet
from .filtersets import ChallengeFilterSet
from .filtersets import JointProjectFilterSet
from .forms import AcceptanceForm
from .forms import ApplicationForm
from .forms import AwardForm
from .forms import ChallengeForm
from .forms import JointProjectForm
from .forms import MilestoneForm
from .forms import ReviewForm
from .forms import TransferForm
from .models import Application
from .models import Challenge
from .models import JointMilestone
from .models import JointParty
from .models import JointProject
from .models import Review
from .tables import ApplicationTable
from .tables import ChallengeTable
from .tables import JointProjectTable


def ranked(applications):
    """Applications by score (unscored last), with their consortium size."""
    return (applications.select_related("applicant").annotate(member_count=Count("members", distinct=True),
                                                              review_count=Count("reviews", distinct=True))
            .order_by(F("score").desc(nulls_last=True), "created_at"))


# The record types' declarations (pages and URLs; the generated scope test walks them); the
# views below that are registered for them replace the generic pages.
declare.model(Challenge, "challenges", form=ChallengeForm, filterset=ChallengeFilterSet, table=ChallengeTable,
              select_related=("demand__organization", "demand__field"),
              pages=("list", "add", "detail", "edit"),
              menu=declare.Entry("techmarket", gettext_noop("揭榜挂帅"), org_users=True))
declare.model(Application, "applications", form=ApplicationForm, filterset=ApplicationFilterSet,
              table=ApplicationTable, select_related=("applicant", "challenge"),
              pages=("list", "add", "detail"),
              menu=declare.Entry("techmarket", gettext_noop("揭榜申请"), org_users=True))
declare.model(JointProject, "jointprojects", form=JointProjectForm, filterset=JointProjectFilterSet,
              table=JointProjectTable, select_related=("home_project",), pages=("list", "detail", "edit"),
              menu=declare.Entry("techmarket", gettext_noop("联合攻关"), org_users=True))


# --- challenges ------------------------------------------------------------------------------------

@declare.view(Challenge, "list")
class ChallengeListView(ObjectListView):
    """The 榜单: open challenges first, as cards on a phone."""

    template_name = "challenges/challenge_list.html"
    partial_template = "challenges/_challenge_rows.html"
    title = _("揭榜挂帅")

    def base_queryset(self, user):
        return super().base_queryset(user).annotate(
            application_count=Count("applications", filter=~Q(applications__status="withdrawn"), distinct=True))

    def get_extra_context(self, rows):
        return {"today": timezone.localdate()}


@declare.view(Challenge, "detail")
class ChallengeDetailView(ObjectDetailView):
    template_name = "challenges/challenge_detail.html"

    def editable(self, c):
        return c.status in (Challenge.Status.DRAFT, Challenge.Status.OPEN)

    def get_extra_context(self, c):
        user = self.request.user
        today = timezone.localdate()
        org_id = user.organization_id
        visible = Application.objects.visible_to(user).filter(challenge=c).distinct()
        if org_id:
            visible = visible.filter(applicant_id=org_id)  # an institution sees its own application only
        apps = list(ranked(visible))
        is_expert = c.experts.filter(pk=user.pk).exists()
        my_reviews = set(Review.objects.filter(application__challenge=c, expert=user).values_list("application_id",
                                                                                                   flat=True))
        submitted = [a for a in apps if a.status == Application.Status.SUBMITTED]
        own = Application.objects.filter(challenge=c, applicant_id=org_id).first() if org_id else None
        can_apply = (bool(org_id) and user.organization.kind in actions.INSTITUTION_KINDS
                     and user.has_perm("challenges.add_application") and c.status == Challenge.Status.OPEN
                     and c.deadline >= today and (own is None or own.status == Application.Status.WITHDRAWN))
        can_award = user.has_perm("challenges.award_challenge") and c.status == Challenge.Status.REVIEW and submitted
        can_publish = user.has_perm("challenges.publish_challenge")
        return dict(
            today=today, days_left=(c.deadline - today).days, demand=c.demand,
            criteria=c.criteria, weight_total=sum(x["weight"] for x in c.criteria or []),
            applications=apps, is_expert=is_expert, my_reviews=my_reviews, own=own, can_apply=can_apply,
            show_ranking=not org_id, experts=list(c.experts.all()),
            can_publish=can_publish and c.status == Challenge.Status.DRAFT,
            can_start_review=can_publish and c.status == Challenge.Status.OPEN,
            can_close=can_publish and c.status in (Challenge.Status.DRAFT, Challenge.Status.OPEN, Challenge.Status.REVIEW),
            award_form=AwardForm(applications=ranked(Application.objects.filter(
                challenge=c, status=Application.Status.SUBMITTED))) if can_award else None,
            joint_projects=JointProject.objects.visible_to(user).filter(challenge=c),
        )


@declare.view(Challenge, "edit")
class ChallengeEditView(ObjectEditView):
    prefill = {"demand": Demand}

    def save_object(self, form, obj, *, creating, expected_version):
        return actions.do_save_challenge(obj, acting_user=self.request.user, expected_version=expected_version,
                                         experts=form.cleaned_data.get("experts"))


ChallengePublishView = declare.action(Challenge, "publish", actions.do_publish_challenge, _("已发榜，榜单进入揭榜期"),
                                      permission_action="publish")
ChallengeStartReviewView = declare.action(Challenge, "review", actions.do_start_review, _("揭榜结束，进入专家评审"),
                                          permission_action="publish", name="challenge_start_review")


@declare.route("challenges/<int:pk>/close/", "challenge_close")
class ChallengeCloseView(ObjectActionView):
    model = Challenge
    permission_action = "publish"
    success = _("已撤榜")

    def act(self, obj):
        return actions.do_close_challenge(obj, acting_user=self.request.user, reason=self.request.POST.get("reason", ""))


@declare.route("challenges/<int:pk>/award/", "challenge_award")
class ChallengeAwardView(ObjectActionView):
    model = Challenge
    permission_action = "award"
    success = _("已定榜，联合攻关项目已立项")

    form_class = AwardForm

    def form_kwargs(self, obj):
        return {"applications": Application.objects.filter(challenge=obj).annotate(member_count=Count("members"))}

    def act(self, obj):
        d = self.posted(obj)
        return actions.do_award(obj, d["application"], acting_user=self.request.user, budget=d["budget"],
                                starts_on=d["starts_on"], title=d["title"])

    def target(self, obj, result):
        return result.get_absolute_url() if result is not None else obj.get_absolute_url()


# --- applications ----------------------------------------------------------------------------------


class _Applications:
    """Application's scope reaches a challenge's experts through a join: one row per expert of
    the challenge for the staff, so the rows are made distinct."""

    def base_queryset(self, user):
        return super().base_queryset(user).distinct()


@declare.view(Application, "list")
class ApplicationListView(_Applications, ObjectListView):
    empty_hint = gettext_lazy("榜单发布后，揭榜单位在榜单页面提交揭榜申请。")
    title = _("揭榜申请")
    offer_add = False  # 揭榜 from the challenge's page

    def base_queryset(self, user):
        return super().base_queryset(user).annotate(member_count=Count("members", distinct=True))


@declare.view(Application, "detail")
class ApplicationDetailView(_Applications, ObjectDetailView):
    template_name = "challenges/application_detail.html"
    detail_fields = ("challenge", "applicant", "budget", "period_months", "status", "score", "created_at")

    def fields(self, obj):
        from feidi.lib.money import human

        rows = super().fields(obj)
        for row in rows:
            if row["name"] == "budget":
                row["value"], row["label"] = (human(obj.budget) if obj.budget is not None else "—"), gettext("申请经费")
        return rows

    offer_edit = offer_delete = False

    def get_extra_context(self, a):
        user = self.request.user
        reviews = Review.objects.visible_to(user).filter(application=a).select_related("expert")
        return dict(
            members=list(a.members.all()), reviews=reviews, criteria=a.challenge.criteria,
            can_withdraw=(user.organization_id == a.applicant_id and a.status == Application.Status.SUBMITTED
                          and a.challenge.status == Challenge.Status.OPEN),
            can_review=(user.has_perm("challenges.add_review") and a.challenge.status == Challenge.Status.REVIEW
                        and a.status == Application.Status.SUBMITTED
                        and a.challenge.experts.filter(pk=user.pk).exists()),
            list_url=a.challenge.get_absolute_url(),
        )


@declare.view(Application, "edit")
class ApplicationEditView(ObjectEditView):
    """揭榜 from the challenge's page (``?challenge=<id>``)."""

    template_name = "challenges/application_form.html"
    prefill = {"challenge": Challenge}

    def new_object(self):
        obj = super().new_object()
        if obj.challenge_id is None:
            raise Http404(gettext("请从榜单页面揭榜"))
        return obj

    def render_form(self, form, obj, token=""):
        response = super().render_form(form, obj, token)
        response.context_data.update(title=gettext("揭榜：{challenge}").format(
            challenge=obj.challenge), challenge=obj.challenge,
                                     cancel_url=obj.challenge.get_absolute_url())
        return response

    def save_object(self, form, obj, *, creating, expected_version):
        try:
            return actions.do_apply(obj, acting_user=self.request.user, members=form.members())
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from None


@declare.route("applications/<int:pk>/withdraw/", "application_withdraw")
class ApplicationWithdrawView(_Applications, ObjectActionView):
    model = Application
    permission_action = "change"
    success = _("已撤回揭榜申请")
    rule = actions.do_withdraw_application


@declare.route("applications/<int:pk>/review/", "review")
class ReviewView(_Applications, ObjectMixin, TemplateView):
    """The expert's score sheet for one application (scoring again updates the review)."""

    model = Application
    permission_action = "add"
    template_name = "challenges/review_form.html"

    def get_permission(self) -> str:
        return "challenges.add_review"

    def render(self, application, form):
        c = application.challenge
        return self.render_to_response(self.get_context_data(
            title=gettext("评分：{applicant}").format(
                applicant=application.applicant), application=application, challenge=c, form=form,
            weights=c.criteria, cancel_url=application.get_absolute_url()))

    def get(self, request, *args, **kwargs):
        application = self.get_object()
        review = Review.objects.filter(application=application, expert=request.user).first()
        criteria = application.challenge.criteria
        return self.render(application, ReviewForm(criteria=criteria, initial=ReviewForm.initial_for(criteria, review)))

    def post(self, request, *args, **kwargs):
        application = self.get_object()
        form = ReviewForm(request.POST, criteria=application.challenge.criteria)
        if form.is_valid():
            try:
                review = actions.do_review(application, form.scores(), acting_user=request.user,
                                           comment=form.cleaned_data["comment"])
            except REFUSALS as exc:
                form.add_error(None, refusal_text(exc))
            else:
                messages.success(request, gettext("已保存评分：加权得分 {total}").format(total=review.total))
                return redirect(application.challenge.get_absolute_url())
        return self.render(application, form)


# --- joint projects --------------------------------------------------------------------------------


@declare.view(JointProject, "list")
class JointProjectListView(ObjectListView):
    title = _("联合攻关项目")

    def base_queryset(self, user):
        lead = JointParty.objects.filter(project=OuterRef("pk"), role=JointParty.Role.LEAD).values(
            "organization__name")[:1]
        return super().base_queryset(user).annotate(
            lead_name=Subquery(lead), milestone_count=Count("milestones", distinct=True),
            done_count=Count("milestones", filter=Q(milestones__done_on__isnull=False), distinct=True))


@declare.view(JointProject, "detail")
class JointProjectDetailView(ObjectDetailView):
    template_name = "challenges/jointproject_detail.html"

    offer_delete = False

    def editable(self, p):
        return p.status == JointProject.Status.ACTIVE

    def get_extra_context(self, p):
        user = self.request.user
        today = timezone.localdate()
        milestones = list(p.milestones.all())
        can_change = user.has_perm("challenges.change_jointproject")
        extra = dict(
            today=today, parties=p.parties.select_related("organization"), milestones=milestones,
            done=sum(1 for m in milestones if m.done_on), open_count=sum(1 for m in milestones if not m.done_on),
            elapsed=_elapsed(p, today),
            can_milestones=can_change and p.status == JointProject.Status.ACTIVE,
            milestone_form=MilestoneForm(),
            can_accept=user.has_perm("challenges.accept_jointproject") and p.status == JointProject.Status.ACTIVE,
            accept_form=AcceptanceForm(initial={"accepted_on": today, "passed": "1"}),
            can_transfer=(user.has_perm("challenges.transfer_jointproject") and p.home_project_id is None
                          and p.status in (JointProject.Status.ACTIVE, JointProject.Status.ACCEPTED)),
            home_project=_visible_home(p, user),
        )
        if extra["can_transfer"]:
            extra["transfer_form"] = TransferForm(user=user, initial={"transferred_on": today})
        return extra


def _elapsed(p, today) -> int:
    total = (p.ends_on - p.starts_on).days or 1
    return max(0, min(100, round((today - p.starts_on).days * 100 / total)))


def _visible_home(p, user):
    if p.home_project_id is None:
        return None
    from feidi.projects.models import Project

    return Project.objects.visible_to(user).filter(pk=p.home_project_id).first()


@declare.view(JointProject, "edit")
class JointProjectEditView(ObjectEditView):
    save_rule = actions.do_save_joint_project


@declare.route("jointprojects/<int:pk>/accept/", "jointproject_accept")
class JointProjectAcceptView(ObjectActionView):
    model = JointProject
    permission_action = "accept"

    form_class = AcceptanceForm

    def act(self, obj):
        d = self.posted(obj)
        project = actions.do_accept_joint_project(obj, passed=d["passed"], on=d["accepted_on"],
                                                  note=d["acceptance_note"], acting_user=self.request.user)
        self.success = gettext("验收结论已登记：{status}").format(status=project.get_status_display())
        return project


@declare.route("jointprojects/<int:pk>/transfer/", "jointproject_transfer")
class JointProjectTransferView(ObjectActionView):
    model = JointProject
    permission_action = "transfer"
    success = _("已标记转化落地")

    form_class = TransferForm

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def act(self, obj):
        d = self.posted(obj)
        return actions.do_mark_transferred(obj, d["home_project"], on=d["transferred_on"],
                                           acting_user=self.request.user)


@declare.route("jointprojects/<int:pk>/milestones/add/", "milestone_add")
class MilestoneAddView(ObjectActionView):
    model = JointProject
    permission_action = "change"
    success = _("已新增节点")

    form_class = MilestoneForm

    def act(self, obj):
        return actions.do_add_milestone(obj, acting_user=self.request.user, **self.posted(obj))


@declare.route("jointprojects/<int:pk>/milestones/<int:milestone>/done/", "milestone_done")
class MilestoneDoneView(ObjectActionView):
    model = JointProject
    permission_action = "change"
    success = _("节点已完成")

    def act(self, obj):
        milestone = JointMilestone.objects.filter(project=obj, pk=self.kwargs["milestone"]).first()
        if milestone is None:
            raise Http404(gettext("节点不存在"))
        raw = self.request.POST.get("done_on") or ""
        try:
            done_on = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise ValidationError(gettext("日期格式不正确")) from None
        return actions.do_complete_milestone(milestone, acting_user=self.request.user, done_on=done_on,
                                             note=self.request.POST.get("note", ""))
