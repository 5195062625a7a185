"""Appeals API: file, list, act; and the measures the monthly ranking reads."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Field
from ninja import Router
from ninja import Schema
from ninja import Status

from feidi.core import declare
from feidi.core.api import Date
from feidi.core.api import Id
from feidi.core.api import create_within_scope
from feidi.core.api import field
from feidi.core.api import model_of
from feidi.core.api import referenced
from feidi.core.api import require_perm
from feidi.core.api import scoped_get
from feidi.core.api import scoped_list
from feidi.core.models import DictItem
from feidi.registry.models import Organization

from . import actions
from . import measures
from .filtersets import AppealFilterSet
from .models import Appeal
from .models import AppealEvent
from .models import Visit

router = Router(tags=["企业服务 services"])


class AppealSchema(Schema):
    id: int
    organization_id: int
    category: str = Field(alias="category.code")
    title: str
    status: str
    level: int
    owner_id: int | None
    deadline: dt.datetime | None
    submitted_at: dt.datetime
    closed_at: dt.datetime | None
    rating: int | None


class AppealIn(Schema):
    organization_id: field(Appeal, "organization")
    category: str = Field(..., max_length=50, description="诉求类别代码（字典 appeal_category）")
    title: field(Appeal, "title", min_length=1)
    content: field(Appeal, "content", min_length=1)


class ActionIn(Schema):
    action: str = Field(..., max_length=20, description="accept、return、start、reply、note、suspend、resume、close、rate")
    text: field(AppealEvent, "text") = ""
    rating: int | None = Field(None, ge=1, le=5, description="评价：1–5 星")
    outcome: str = Field("", max_length=50, description="办结时的服务成效：字典“服务成效”（service_outcome）的编码，如 land、order")


declare.api_routes(router, Appeal, AppealSchema, path="/appeals", list_summary="企业诉求列表", filterset=AppealFilterSet,
                   related=("category",), detail_summary="诉求详情")


@router.post("/appeals", response={201: AppealSchema}, summary="提交诉求", openapi_extra=model_of("services.appeal"))
def file_appeal(request, payload: AppealIn):
    require_perm(request, "services.add_appeal")
    org = referenced(request, Organization, payload.organization_id, "organization_id")
    category = DictItem.objects.filter(type__code="appeal_category", code=payload.category, active=True).first()
    if category is None:
        raise ValidationError({"category": [gettext("未知的诉求类别：{category}").format(category=payload.category)]})
    appeal = Appeal(organization=org, category=category, title=payload.title, content=payload.content)
    return Status(201, create_within_scope(request, Appeal, lambda: actions.do_file_appeal(appeal, acting_user=request.user)))


def _outcome(code: str):
    if not code:
        return None
    found = DictItem.objects.filter(type__code="service_outcome", active=True, code=code).first()
    if found is None:
        raise ValidationError({"outcome": [f"未知的服务成效：{code}"]})
    return found


@router.post("/appeals/{pk}/actions", response=AppealSchema, summary="办理操作（受理、办结、评价…）",
             openapi_extra=model_of("services.appeal", action="handle"))
def act(request, pk: Id, payload: ActionIn):
    from .views import available_actions

    appeal = scoped_get(request, Appeal, pk, action=actions.scope_action(payload.action, request.user),
                        perm="services.view_appeal")
    if payload.action not in available_actions(appeal, request.user):
        from .forms import AppealActionForm

        label = AppealActionForm.ACTIONS.get(payload.action)
        raise ValidationError({"action": [
            gettext("该诉求当前为“{status}”，不能{action}").format(status=appeal.get_status_display(), action=label)
            if label else gettext("没有“{action}”这一操作，可选：{choices}").format(
                action=payload.action, choices="、".join(AppealActionForm.ACTIONS))]})
    user, text = request.user, payload.text
    handlers = {
        "accept": lambda: actions.do_accept_appeal(appeal, acting_user=user),
        "return": lambda: actions.do_return_appeal(appeal, text, acting_user=user),
        "start": lambda: actions.do_start_appeal(appeal, acting_user=user),
        "reply": lambda: actions.do_reply_appeal(appeal, text, public=True, acting_user=user),
        "note": lambda: actions.do_reply_appeal(appeal, text, public=False, acting_user=user),
        "suspend": lambda: actions.do_suspend_appeal(appeal, text, acting_user=user),
        "resume": lambda: actions.do_resume_appeal(appeal, acting_user=user),
        "close": lambda: actions.do_close_appeal(appeal, text, acting_user=user, outcome=_outcome(payload.outcome)),
        "rate": lambda: actions.do_rate_appeal(appeal, payload.rating or 0, text, acting_user=user),
    }
    if payload.action not in handlers:
        raise ValidationError({"action": [gettext("转办与会办请在页面上选择部门办理")]})
    handlers[payload.action]()
    appeal.refresh_from_db()
    return appeal


class VisitSchema(Schema):
    id: int
    organization_id: int
    cadre_id: int
    visited_on: dt.date
    notes: str
    appeal_ids: list[int]
    version: int

    @staticmethod
    def resolve_appeal_ids(obj):
        return [appeal.pk for appeal in obj.appeals.all()]


declare.api_routes(router, Visit, VisitSchema, path="/visits", list_summary="走访记录（挂点干部上门走访企业）",
                   related=("organization",), prefetch=("appeals",), detail_summary="走访详情",
                   create_summary="登记走访（走访干部默认为本人）", update_summary="修改走访（只改提交的字段；带 version 防止覆盖）",
                   delete_summary="删除走访")


class MeasureSchema(Schema):
    key: str
    label: str
    count: int
    accepted: int
    closed: int
    on_time: int
    on_time_rate: float | None
    avg_accept_workdays: float | None
    avg_close_workdays: float | None
    escalated: dict[str, int]
    satisfaction: float | None


@router.get("/measures", response=list[MeasureSchema], summary="诉求办理指标（按类别/部门/小组/干部）",
            openapi_extra=model_of("services.appeal"))
def appeal_measures(request, by: str = "category", start: Date | None = None, end: Date | None = None):
    if by not in measures.GROUPINGS:
        raise ValidationError({"by": [gettext("可选：{join}").format(join='、'.join(measures.GROUPINGS))]})
    return measures.compute(scoped_list(request, Appeal), by=by, start=start, end=end)
