"""The market's API: demands and supplies (list with the pages' filters, read, create, publish,
close), their matches, and the pushes with their feedback. Rows come through ``scoped_list`` /
``scoped_get``; writes through the actions (``writable`` decides who may change a record)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from feidi.core.api import model_of, require_perm, scoped_get, scoped_list

from . import actions
from .filtersets import DemandFilterSet, PushFilterSet, SupplyFilterSet
from .models import Demand, Push, Supply

router = Router(tags=["科技大市场 techmarket"])

DEMAND, SUPPLY, PUSH = model_of("techmarket.demand"), model_of("techmarket.supply"), model_of("techmarket.push")


class MarketSchema(Schema):
    id: int
    organization_id: int
    organization_name: str
    title: str
    description: str
    keywords: str
    field_id: int
    field_label: str
    segment_id: int | None
    chain_id: int | None
    status: str
    status_label: str
    published_at: dt.datetime | None

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name

    @staticmethod
    def resolve_field_label(obj):
        return obj.field.label

    @staticmethod
    def resolve_chain_id(obj):
        return obj.segment.chain_id if obj.segment_id else None

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class DemandSchema(MarketSchema):
    kind: str
    budget: Decimal | None
    deadline: dt.date | None


class SupplySchema(MarketSchema):
    patents: list[str]
    maturity: str
    transfer_mode: str
    asking_price: Decimal | None

    @staticmethod
    def resolve_patents(obj):
        return obj.patent_numbers()


class MarketIn(Schema):
    organization_id: int | None = None  # staff only: an organization's user always writes for its own
    title: str
    description: str
    keywords: str = ""
    field_id: int
    segment_id: int | None = None
    publish: bool = False


class DemandIn(MarketIn):
    kind: str = Demand.Kind.KEY_CORE
    budget: Decimal | None = None
    deadline: dt.date | None = None


class SupplyIn(MarketIn):
    patents: list[str] = []
    maturity: str = "pilot_small"
    transfer_mode: str = "license"
    asking_price: Decimal | None = None


class MatchSchema(Schema):
    id: int
    title: str
    organization_name: str
    score: float
    terms: list[str]
    fields: list[str]


class PushSchema(Schema):
    id: int
    demand_id: int
    demand_title: str
    supply_id: int
    supply_title: str
    direction: str
    score: float
    rank: int
    reasons: dict
    created_at: dt.datetime
    demand_feedback: str
    supply_feedback: str

    @staticmethod
    def resolve_demand_title(obj):
        return obj.demand.title

    @staticmethod
    def resolve_supply_title(obj):
        return obj.supply.title


class MarkIn(Schema):
    interested: bool


def _filtered(request, model, filterset_class):
    params = QueryDict(mutable=True)
    params.update({k: v for k, v in request.GET.items() if k not in {"page", "page_size"}})
    qs = scoped_list(request, model).select_related("organization", "field", "segment")
    fs = filterset_class(params, queryset=qs, user=request.user)
    if not fs.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in fs.errors.items()})
    return fs.qs.order_by("-created_at", "-pk")


def _writable(request, model, pk):
    try:
        return actions.writable(model, request.user).get(pk=pk)
    except (model.DoesNotExist, ValueError):
        raise Http404 from None


def _create(request, model, form_class, payload, save, publish):
    require_perm(request, f"techmarket.add_{model._meta.model_name}")
    data = payload.dict()
    do_publish = data.pop("publish")
    data["organization"], data["field"], data["segment"] = (data.pop("organization_id"), data.pop("field_id"),
                                                            data.pop("segment_id"))
    if "patents" in data:
        data["patents"] = "\n".join(data["patents"])
    instance = model(organization=request.user.organization) if request.user.organization_id else model()
    form = form_class(data, instance=instance, user=request.user)
    if not form.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    from django.db import transaction

    with transaction.atomic():
        obj = save(form.instance, acting_user=request.user)
        if do_publish:
            obj = publish(obj, acting_user=request.user)
    return Status(201, obj)


def _matches(request, matches, model):
    rows = model.objects.visible_to(request.user).filter(pk__in=[m.id for m in matches]).select_related("organization")
    by_pk = {r.pk: r for r in rows}
    return [{"id": m.id, "title": by_pk[m.id].title, "organization_name": by_pk[m.id].organization.name,
             "score": m.score, "terms": list((m.reasons or {}).get("terms") or []),
             "fields": list((m.reasons or {}).get("fields") or [])} for m in matches if m.id in by_pk]


# --- demands ----------------------------------------------------------------------------------------

@router.get("/demands", response=list[DemandSchema], summary="技术需求列表（支持页面上的全部筛选条件）",
            openapi_extra=DEMAND)
@paginate(PageNumberPagination, page_size=50)
def list_demands(request):
    return _filtered(request, Demand, DemandFilterSet)


@router.get("/demands/{pk}", response=DemandSchema, summary="技术需求详情", openapi_extra=DEMAND)
def get_demand(request, pk: int):
    return scoped_get(request, Demand, pk)


@router.post("/demands", response={201: DemandSchema}, summary="登记技术需求（publish=true 同时发布）",
             openapi_extra=DEMAND)
def create_demand(request, payload: DemandIn):
    from .forms import DemandForm

    return _create(request, Demand, DemandForm, payload, actions.do_save_demand, actions.do_publish_demand)


@router.post("/demands/{pk}/publish", response=DemandSchema, summary="发布技术需求", openapi_extra=DEMAND)
def publish_demand(request, pk: int):
    require_perm(request, "techmarket.change_demand")
    return actions.do_publish_demand(_writable(request, Demand, pk), acting_user=request.user)


@router.post("/demands/{pk}/close", response=DemandSchema, summary="关闭技术需求", openapi_extra=DEMAND)
def close_demand(request, pk: int):
    require_perm(request, "techmarket.change_demand")
    return actions.do_close_demand(_writable(request, Demand, pk), acting_user=request.user)


@router.get("/demands/{pk}/matches", response=list[MatchSchema], summary="为该需求推荐的科技成果（含匹配理由）",
            openapi_extra=DEMAND)
def demand_matches(request, pk: int, k: int = 10):
    from . import matching

    demand = scoped_get(request, Demand, pk)
    return _matches(request, matching.supplies_for_demand(demand, k=max(1, min(k, 50))), Supply)


# --- supplies ---------------------------------------------------------------------------------------

@router.get("/supplies", response=list[SupplySchema], summary="科技成果列表（支持页面上的全部筛选条件）",
            openapi_extra=SUPPLY)
@paginate(PageNumberPagination, page_size=50)
def list_supplies(request):
    return _filtered(request, Supply, SupplyFilterSet)


@router.get("/supplies/{pk}", response=SupplySchema, summary="科技成果详情", openapi_extra=SUPPLY)
def get_supply(request, pk: int):
    return scoped_get(request, Supply, pk)


@router.post("/supplies", response={201: SupplySchema}, summary="登记科技成果（publish=true 同时发布）",
             openapi_extra=SUPPLY)
def create_supply(request, payload: SupplyIn):
    from .forms import SupplyForm

    return _create(request, Supply, SupplyForm, payload, actions.do_save_supply, actions.do_publish_supply)


@router.post("/supplies/{pk}/publish", response=SupplySchema, summary="发布科技成果", openapi_extra=SUPPLY)
def publish_supply(request, pk: int):
    require_perm(request, "techmarket.change_supply")
    return actions.do_publish_supply(_writable(request, Supply, pk), acting_user=request.user)


@router.post("/supplies/{pk}/close", response=SupplySchema, summary="下架科技成果", openapi_extra=SUPPLY)
def close_supply(request, pk: int):
    require_perm(request, "techmarket.change_supply")
    return actions.do_close_supply(_writable(request, Supply, pk), acting_user=request.user)


@router.get("/supplies/{pk}/matches", response=list[MatchSchema], summary="与该成果匹配的技术需求（含匹配理由）",
            openapi_extra=SUPPLY)
def supply_matches(request, pk: int, k: int = 10):
    from . import matching

    supply = scoped_get(request, Supply, pk)
    return _matches(request, matching.demands_for_supply(supply, k=max(1, min(k, 50))), Demand)


# --- pushes -----------------------------------------------------------------------------------------

@router.get("/pushes", response=list[PushSchema], summary="匹配推送（本单位收到与发出的）", openapi_extra=PUSH)
@paginate(PageNumberPagination, page_size=50)
def list_pushes(request):
    params = QueryDict(mutable=True)
    params.update({k: v for k, v in request.GET.items() if k not in {"page", "page_size"}})
    qs = scoped_list(request, Push).select_related("demand", "supply")
    fs = PushFilterSet(params, queryset=qs, user=request.user)
    if not fs.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in fs.errors.items()})
    return fs.qs.order_by("-created_at", "rank", "-pk")


@router.get("/pushes/{pk}", response=PushSchema, summary="推送详情", openapi_extra=PUSH)
def get_push(request, pk: int):
    return scoped_get(request, Push, pk)


@router.post("/pushes/{pk}/mark", response=PushSchema, summary="反馈推送：感兴趣 / 不感兴趣（本单位一方）",
             openapi_extra=PUSH)
def mark_push(request, pk: int, payload: MarkIn):
    from . import push

    require_perm(request, "techmarket.feedback_push")
    obj = scoped_get(request, Push, pk)
    return push.do_mark_push(obj, interested=payload.interested, acting_user=request.user)
