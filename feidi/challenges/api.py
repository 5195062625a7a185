"""揭榜挂帅 API: challenges (list with the page's filters, read), applying (揭榜), the experts'
scores, the award, applications and joint projects. Rows through ``scoped_list``/``scoped_get``
(an institution sees only its own applications), writes through the actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext
from ninja import Field
from ninja import Router
from ninja import Schema
from ninja import Status

from feidi.core import declare
from feidi.core.api import Id
from feidi.core.api import field
from feidi.core.api import model_of
from feidi.core.api import scoped_get
from feidi.core.api import scoped_list

from . import actions
from .filtersets import ApplicationFilterSet
from .filtersets import ChallengeFilterSet
from .filtersets import JointProjectFilterSet
from .models import Application
from .models import Challenge
from .models import JointProject
from .models import Review

router = Router(tags=["科技大市场 techmarket"])

CHALLENGE, APPLICATION = model_of("challenges.challenge"), model_of("challenges.application")
JOINT = model_of("challenges.jointproject")


class Criterion(Schema):
    name: str
    weight: float | int


class ChallengeSchema(Schema):
    id: int
    demand_id: int
    enterprise_id: int = Field(alias="demand.organization_id")
    enterprise_name: str = Field(alias="demand.organization.name")
    title: str
    bounty: Decimal
    deadline: dt.date
    days_left: int
    criteria: list[Criterion]
    conditions: str
    joint: bool
    joint_partner: str
    status: str
    status_label: str = Field(alias="get_status_display")
    published_at: dt.datetime | None
    sample: bool

    @staticmethod
    def resolve_days_left(obj):
        from django.utils import timezone

        return (obj.deadline - timezone.localdate()).days


class ApplicationSchema(Schema):
    id: int
    challenge_id: int
    applicant_id: int
    applicant_name: str = Field(alias="applicant.name")
    member_ids: list[int]
    proposal: str
    budget: Decimal | None
    period_months: int
    status: str
    status_label: str = Field(alias="get_status_display")
    score: Decimal | None
    created_at: dt.datetime

    @staticmethod
    def resolve_member_ids(obj):
        return sorted(m.pk for m in obj.members.all())


class ApplyIn(Schema):
    proposal: field(Application, "proposal", min_length=1)
    budget: field(Application, "budget") | None = None
    period_months: field(Application, "period_months") = 12
    member_ids: list[Id] = Field([], max_length=50, description="联合体成员：高校、院所的编号（与页面的名录相同）")
    member_usccs: list[Annotated[str, Field(max_length=40)]] = Field(
        [], max_length=50, description="联合体成员：其他单位（企业等）的统一社会信用代码")


class ReviewIn(Schema):
    scores: dict[Annotated[str, Field(max_length=50)], Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]] = (
        Field(..., max_length=50, description="各评审指标 0–100 分"))
    comment: field(Review, "comment") = ""


class ReviewSchema(Schema):
    id: int
    application_id: int
    expert_id: int
    scores: dict
    total: Decimal
    comment: str
    application_score: Decimal | None

    @staticmethod
    def resolve_application_score(obj):
        return Application.objects.filter(pk=obj.application_id).values_list("score", flat=True).first()


class AwardIn(Schema):
    application_id: Id
    budget: field(JointProject, "budget") | None = None
    starts_on: field(JointProject, "starts_on") | None = None
    title: field(JointProject, "title") = ""


class PartySchema(Schema):
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    role: str


class MilestoneSchema(Schema):
    id: int
    title: str
    due_on: dt.date
    done_on: dt.date | None


class JointProjectSchema(Schema):
    id: int
    title: str
    challenge_id: int | None
    application_id: int | None
    budget: Decimal
    starts_on: dt.date
    ends_on: dt.date
    status: str
    status_label: str = Field(alias="get_status_display")
    acceptance: str
    accepted_on: dt.date | None
    incubated_in_id: int | None
    home_project_id: int | None
    transferred_on: dt.date | None
    parties: list[PartySchema]
    milestones: list[MilestoneSchema]

    @staticmethod
    def resolve_parties(obj):
        return list(obj.parties.select_related("organization"))


def applications(request):
    # Application's scope reaches the challenge's experts through a join (one row per expert).
    return scoped_list(request, Application).distinct()


def _application(request, pk: Id) -> Application:
    try:
        return applications(request).get(pk=pk)
    except (Application.DoesNotExist, ValueError):
        raise Http404 from None


declare.api_routes(router, Challenge, ChallengeSchema, path="/challenges", list_summary="揭榜挂帅榜单（status、joint、q 筛选）",
                   filterset=ChallengeFilterSet, related=("demand__organization",), order_by=("-created_at", "-pk"),
                   detail_summary="榜单详情")


@router.post("/challenges/{pk}/apply", response={201: ApplicationSchema},
             summary="揭榜：本机构独立揭榜，或作为牵头单位与 member_ids 组成联合体",
             openapi_extra=model_of("challenges.challenge", action="view"))
def apply(request, pk: Id, payload: ApplyIn):
    from .forms import member_directory
    from .forms import members_by_code

    challenge = scoped_get(request, Challenge, pk, action="view", perm="challenges.add_application")
    # the page's rule: institutions from the directory, any other member by its credit code (an id
    # outside the directory is refused alike whether or not it exists)
    members = list(member_directory(request.user).filter(pk__in=payload.member_ids))
    unknown = sorted(set(payload.member_ids) - {m.pk for m in members})
    if unknown:
        raise ValidationError({"member_ids": [gettext(
            "编号{ids}不在高校、院所名录中：其他单位请在 member_usccs 中按统一社会信用代码填写").format(
            ids="、".join(str(i) for i in unknown[:10]))]})
    try:
        members += members_by_code(payload.member_usccs)
    except ValidationError as exc:
        raise ValidationError({"member_usccs": exc.messages}) from None
    application = Application(challenge=challenge, proposal=payload.proposal, budget=payload.budget,
                              period_months=payload.period_months)
    return Status(201, actions.do_apply(application, acting_user=request.user, members=members))


declare.api_routes(router, Application, ApplicationSchema, path="/applications",
                   list_summary="揭榜申请（机构只看到本单位的申请）", filterset=ApplicationFilterSet,
                   queryset=applications, related=("applicant",), prefetch=("members",),
                   order_by=("challenge_id", "-score", "pk"))


@router.get("/applications/{pk}", response=ApplicationSchema, summary="揭榜申请详情", openapi_extra=APPLICATION)
def get_application(request, pk: Id):
    return _application(request, pk)


@router.post("/applications/{pk}/review", response=ReviewSchema,
             summary="专家评分：各评审指标 0–100 分，再次提交即修改本人的评分",
             openapi_extra=model_of("challenges.application", action="view"))
def review(request, pk: Id, payload: ReviewIn):
    application = _application(request, pk)
    return actions.do_review(application, payload.scores, acting_user=request.user, comment=payload.comment)


@router.post("/challenges/{pk}/award", response={201: JointProjectSchema},
             summary="定榜：选定中榜申请，生成联合攻关项目",
             openapi_extra=model_of("challenges.challenge", action="award"))
def award(request, pk: Id, payload: AwardIn):
    challenge = scoped_get(request, Challenge, pk, action="award")
    application = Application.objects.filter(challenge=challenge, pk=payload.application_id).first()
    if application is None:
        raise ValidationError({"application_id": [gettext("该申请不属于本榜单")]})
    project = actions.do_award(challenge, application, acting_user=request.user, budget=payload.budget,
                               starts_on=payload.starts_on, title=payload.title)
    return Status(201, project)


declare.api_routes(router, JointProject, JointProjectSchema, path="/jointprojects",
                   list_summary="联合攻关项目（参与单位可见本项目）", filterset=JointProjectFilterSet,
                   order_by=("-starts_on", "-pk"), list_name="list_joint_projects", detail_summary="联合攻关项目详情",
                   name="joint_project")


