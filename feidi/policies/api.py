"""惠企政策 API: the library, the matches (an enterprise's own, an item's enterprises), applications
and their steps, payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Field
from ninja import Router
from ninja import Schema
from ninja import Status

from feidi.core import declare
from feidi.core.api import Id
from feidi.core.api import create_within_scope
from feidi.core.api import field
from feidi.core.api import model_of
from feidi.core.api import require_perm
from feidi.core.api import scoped_get

from . import actions
from .filtersets import ApplicationFilterSet
from .filtersets import MatchFilterSet
from .filtersets import PaymentFilterSet
from .filtersets import PolicyFilterSet
from .filtersets import PolicyItemFilterSet
from .models import Application
from .models import Match
from .models import Payment
from .models import Policy
from .models import PolicyItem

router = Router(tags=["惠企政策 policies"])


class PolicySchema(Schema):
    id: int
    title: str
    issuer: str
    number: str
    issued_on: dt.date
    effective_from: dt.date | None
    effective_until: dt.date | None
    active: bool
    text: str


class PolicyConditionSchema(Schema):
    id: int
    kind: str
    text: str
    needs_check: bool

    @staticmethod
    def resolve_text(obj):
        return str(obj)


class PolicyItemSchema(Schema):
    id: int
    policy_id: int
    number: str
    title: str
    mode: str
    period: str
    amount_kind: str
    amount_fixed: Decimal | None
    amount_rate: Decimal | None
    amount_cap: Decimal | None
    materials: list[str] = Field(alias="material_list")
    matched_at: dt.datetime | None
    conditions: list[PolicyConditionSchema]


class PolicyMatchSchema(Schema):
    id: int
    item_id: int
    organization_id: int
    status: str
    missing: str | None
    needs_check: bool
    estimated_amount: Decimal | None
    computed_at: dt.datetime

    @staticmethod
    def resolve_missing(obj):
        return str(obj.missing) if obj.missing_id else None


class PolicyApplicationSchema(Schema):
    id: int
    item_id: int
    organization_id: int
    period: str
    amount: Decimal | None
    status: str
    level: int
    deadline: dt.datetime | None
    prefilled: dict
    materials: dict
    note: str


MATERIAL_NOTE_MAX = 500  # as the page's form takes a material's note (``ApplicationForm``)


class PolicyApplicationIn(Schema):
    item_id: field(Application, "item")
    organization_id: field(Application, "organization")
    amount: field(Application, "amount") | None = None
    materials: dict[str, Annotated[str, Field(max_length=MATERIAL_NOTE_MAX)]] = Field(
        default_factory=dict, description=f"每项申报材料的说明（每项最多 {MATERIAL_NOTE_MAX} 字）")


class PolicyActionIn(Schema):
    action: str = Field(..., max_length=20, description="advance（办理通过，进入下一步）或 return（退回）")
    note: field(Application, "note") = ""


class PolicyPaymentSchema(Schema):
    id: int
    item_id: int
    organization_id: int
    period: str
    amount: Decimal
    status: str
    confirmed_at: dt.datetime | None
    paid_on: dt.date | None


declare.api_routes(router, Policy, PolicySchema, path="/policies", list_summary="政策库", filterset=PolicyFilterSet,
                   detail_summary="政策详情")


declare.api_routes(router, PolicyItem, PolicyItemSchema, path="/items", list_summary="政策条款（含条件）",
                   filterset=PolicyItemFilterSet, prefetch=("conditions",), detail_summary="条款详情", name="item")


@router.post("/items/{pk}/refresh", response=dict, summary="重新匹配该条款",
             openapi_extra=model_of("policies.policyitem", action="change"))
def refresh_item(request, pk: Id):
    from .matching import refresh_item as refresh

    return refresh(scoped_get(request, PolicyItem, pk, action="change"))


declare.api_routes(router, Match, PolicyMatchSchema, path="/matches", list_summary="匹配结果（企业用户只见本企业）",
                   filterset=MatchFilterSet, related=("missing__label", "missing__zone", "missing__indicator",
                                                      "missing__talent_tier"), detail_summary="匹配详情")


declare.api_routes(router, Application, PolicyApplicationSchema, path="/applications", list_summary="政策申报",
                   filterset=ApplicationFilterSet, detail_summary="申报详情")


@router.post("/applications", response={201: PolicyApplicationSchema}, summary="提交申报",
             openapi_extra=model_of("policies.application"))
def apply(request, payload: PolicyApplicationIn):
    require_perm(request, "policies.add_application")
    match = (Match.objects.visible_to(request.user).select_related("item__policy", "organization")
             .filter(item_id=payload.item_id, organization_id=payload.organization_id).first())
    if match is None:
        raise ValidationError({"item_id": [gettext("该企业不在条款 {item} 的匹配名单中或不在您的范围").format(
            item=payload.item_id)]})
    unknown = [name for name in payload.materials if name not in match.item.material_list()]
    if unknown:  # never silently dropped: the caller meant it for a material this item does not ask
        raise ValidationError({"materials": [gettext("该条款没有这些申报材料：{names}（应为：{wanted}）").format(
            names="、".join(unknown), wanted="、".join(match.item.material_list()) or gettext("无"))]})
    missing = [m for m in match.item.material_list() if not payload.materials.get(m, "").strip()]
    if missing:
        raise ValidationError({"materials": [gettext("缺少申报材料：{names}").format(names="、".join(missing))]})
    app = Application(item=match.item, organization=match.organization, amount=payload.amount,
                      materials={m: payload.materials[m] for m in match.item.material_list()})
    return Status(201, create_within_scope(request, Application, lambda: actions.do_apply(app, acting_user=request.user)))


@router.post("/applications/{pk}/actions", response=PolicyApplicationSchema, summary="办理申报（通过或退回）",
             openapi_extra=model_of("policies.application", action="handle"))
def act(request, pk: Id, payload: PolicyActionIn):
    app = scoped_get(request, Application, pk, action="handle", perm="policies.handle_application")
    if app.status not in Application.OPEN:
        raise ValidationError({"action": [gettext("该申报当前不能办理")]})
    if payload.action == "advance":
        actions.do_advance_application(app, payload.note, acting_user=request.user)
    elif payload.action == "return":
        actions.do_return_application(app, payload.note, acting_user=request.user)
    else:
        raise ValidationError({"action": [gettext("可选：advance、return")]})
    app.refresh_from_db()
    return app


declare.api_routes(router, Payment, PolicyPaymentSchema, path="/payments", list_summary="政策兑现记录", filterset=PaymentFilterSet)
