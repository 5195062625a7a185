"""Pipeline API: list and read projects, register leads, move them, claim from the pool; key-project
alerts; the biweekly report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Field
from ninja import Router
from ninja import Schema
from ninja import Status
from ninja.pagination import paginate

from feidi.core import declare
from feidi.core.api import Date
from feidi.core.api import Id
from feidi.core.api import Pages
from feidi.core.api import create_within_scope
from feidi.core.api import field
from feidi.core.api import filtered
from feidi.core.api import model_of
from feidi.core.api import require_perm
from feidi.core.api import scoped_get
from feidi.core.api import scoped_list

from . import actions
from .filtersets import ProjectFilterSet
from .models import Alert
from .models import Project
from .models import Report
from .models import StageRecord

router = Router(tags=["招商项目 projects"])


class ProjectSchema(Schema):
    id: int
    name: str
    zone_id: int
    investor: str
    stage: str
    stage_label: str = Field(alias="get_stage_display")
    channel: str
    segment_id: int | None
    owner_id: int | None
    leader_id: int | None
    signed_amount: Decimal | None
    planned_investment: Decimal | None
    fixed_asset_investment: Decimal | None
    foreign_investment: Decimal | None
    signed_on: dt.date | None
    started_on: dt.date | None
    produced_on: dt.date | None
    is_key: bool
    key_level: str


class ProjectIn(Schema):
    name: field(Project, "name", min_length=1)
    zone_id: field(Project, "zone")
    investor: field(Project, "investor") = ""
    industry_code: field(Project, "industry_code") = ""
    segment_id: field(Project, "segment") | None = None
    channel: field(Project, "channel") = "other"
    introducer: field(Project, "introducer") = ""
    signed_amount: field(Project, "signed_amount") | None = None
    planned_investment: field(Project, "planned_investment") | None = None
    is_key: bool = False
    key_level: field(Project, "key_level") = ""
    description: field(Project, "description") = ""


class ProjectTransitionIn(Schema):
    to_stage: str = Field(..., max_length=16, description="目标阶段代码")
    on: Date | None = None
    note: field(StageRecord, "note") = ""


class AlertSchema(Schema):
    id: int
    project_id: int
    rule: str
    message: str
    raised_at: dt.datetime
    resolved_at: dt.datetime | None


class ReportSchema(Schema):
    id: int
    title: str
    year: int
    number: int
    as_of: dt.date
    docx_url: str
    xlsx_url: str

    @staticmethod
    def resolve_docx_url(obj):
        from django.urls import reverse

        return reverse("projects:report_file", kwargs={"pk": obj.pk, "kind": "docx"})

    @staticmethod
    def resolve_xlsx_url(obj):
        from django.urls import reverse

        return reverse("projects:report_file", kwargs={"pk": obj.pk, "kind": "xlsx"})


class ReportIn(Schema):
    as_of: Date  # the data's cut-off day, e.g. the 15th or the month's last day


@router.get("/projects", response=list[ProjectSchema], summary="招商项目列表（支持页面上的全部筛选条件）",
            openapi_extra=model_of("projects.project"))
@paginate(Pages, page_size=50)
def list_projects(request, q: str = "", stage: str = "", is_key: bool | None = None):
    qs = scoped_list(request, Project)
    if is_key is not None:
        qs = qs.filter(is_key=is_key)
    return filtered(request, qs, ProjectFilterSet, exclude=("is_key",)).order_by("-created_at", "-pk")


declare.api_routes(router, Project, ProjectSchema, path="/projects", detail_summary="项目详情")


@router.post("/projects", response={201: ProjectSchema}, summary="登记线索",
             openapi_extra=model_of("projects.project"))
def create_project(request, payload: ProjectIn):
    from .forms import ProjectImportForm

    require_perm(request, "projects.add_project")
    data = payload.dict()
    data["zone"], data["segment"] = data.pop("zone_id"), data.pop("segment_id")
    form = ProjectImportForm(data, instance=Project(owner=request.user), user=request.user)
    if not form.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    return Status(201, create_within_scope(
        request, Project, lambda: actions.do_save_project(form.instance, acting_user=request.user)))


@router.post("/projects/{pk}/transition", response=ProjectSchema, summary="推进阶段（逐级，或终止）",
             openapi_extra=model_of("projects.project", action="transition"))
def transition(request, pk: Id, payload: ProjectTransitionIn):
    project = scoped_get(request, Project, pk, action="transition")
    return actions.do_transition_project(project, payload.to_stage, acting_user=request.user, on=payload.on,
                                         note=payload.note)


@router.post("/projects/{pk}/claim", response=ProjectSchema, summary="从公海认领线索",
             openapi_extra=model_of("projects.project", action="claim"))
def claim(request, pk: Id):
    project = scoped_get(request, Project, pk, action="claim")
    return actions.do_claim_project(project, acting_user=request.user)


@router.get("/alerts", response=list[AlertSchema], summary="项目预警（默认只列未解除的）",
            openapi_extra=model_of("projects.alert"))
@paginate(Pages, page_size=50)
def list_alerts(request, open: bool = True):  # noqa: A002 (the query parameter's name)
    qs = scoped_list(request, Alert)
    return qs.filter(resolved_at__isnull=True) if open else qs


declare.api_routes(router, Report, ReportSchema, path="/reports", list_summary="半月专报")


@router.post("/reports/biweekly", response={201: ReportSchema}, summary="生成本期半月专报",
             openapi_extra=model_of("projects.report"))
def generate_report(request, payload: ReportIn):
    from .reports import ReportDateError
    from .reports import generate_biweekly
    from .views import zone_department

    require_perm(request, "projects.dispatch_project")
    try:
        return Status(201, generate_biweekly(zone_department(request.user), payload.as_of, acting_user=request.user))
    except ReportDateError as exc:
        raise ValidationError({"as_of": [str(exc)]}) from None
