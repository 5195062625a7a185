"""The market's API: demands and supplies (list with the pages' filters, read, create, publish,
close), their matches, and the pushes with their feedback. Rows come through ``scoped_list`` /
``scoped_get``; writes reach their record through the ``change`` scope and go through the actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Field
from ninja import Query
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
from feidi.core.api import scoped_list

from . import actions
from .filtersets import DemandFilterSet
from .filtersets import PushFilterSet
from .filtersets import SupplyFilterSet
from .models import Demand
from .models import Push
from .models import Supply

router = Router(tags=["科技大市场 techmarket"])

PUSH = model_of("techmarket.push")


class MarketSchema(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    title: str
    description: str
    keywords: str
    field_id: int
    field_label: str = Field(alias="field.label")
    segment_id: int | None
    chain_id: int | None
    status: str
    status_label: str = Field(alias="get_status_display")
    published_at: dt.datetime | None

    @staticmethod
    def resolve_chain_id(obj):
        return obj.segment.chain_id if obj.segment_id else None


class DemandSchema(MarketSchema):
    kind: str
    budget: Decimal | None
    deadline: dt.date | None


class SupplySchema(MarketSchema):
    patents: list[str] = Field(alias="patent_numbers")
    maturity: str
    transfer_mode: str
    asking_price: Decimal | None


class MarketIn(Schema):
    # staff only: an organization's user always writes for its own
    organization_id: field(Demand, "organization") | None = None
    title: field(Demand, "title", min_length=1)
    description: field(Demand, "description", min_length=1)
    keywords: field(Demand, "keywords") = ""
    field_id: field(Demand, "field")
    segment_id: field(Demand, "segment") | None = None
    publish: bool = False


class DemandIn(MarketIn):
    kind: field(Demand, "kind") = Demand.Kind.KEY_CORE
    budget: field(Demand, "budget") | None = None
    deadline: field(Demand, "deadline") | None = None


class SupplyIn(MarketIn):
    patents: list[Annotated[str, Field(max_length=30)]] = Field([], max_length=200, description="专利号")
    maturity: field(Supply, "maturity") = "pilot_small"
    transfer_mode: field(Supply, "transfer_mode") = "license"
    asking_price: field(Supply, "asking_price") | None = None


class MatchSchema(Schema):
    id: int
    title: str
    organization_name: str
    score: float = Field(description="相关性得分：只用于同一需求（或成果）的结果排序，不同查询之间不可比")
    share: float | None = Field(None, description="匹配度：对方覆盖本方按区分度加权的关键词的比例（0–1）")
    terms: list[str]
    fields: list[str]


class PushSchema(Schema):
    id: int
    demand_id: int
    demand_title: str = Field(alias="demand.title")
    supply_id: int
    supply_title: str = Field(alias="supply.title")
    direction: str
    score: float = Field(description="相关性得分：只用于同一需求（或成果）的推送排序，不同推送之间不可比")
    share: float | None = Field(None, description="匹配度：推送时对方覆盖本方按区分度加权的关键词的比例（0–1）")
    rank: int
    reasons: dict
    created_at: dt.datetime
    demand_feedback: str
    supply_feedback: str


class MarkIn(Schema):
    interested: bool


def _create(request, model, form_class, payload, save, publish):
    require_perm(request, f"techmarket.add_{model._meta.model_name}")
    data = payload.dict()
    do_publish = data.pop("publish")
    data["organization"], data["field"], data["segment"] = (data.pop("organization_id"), data.pop("field_id"),
                                                            data.pop("segment_id"))
    if request.user.organization_id and data["organization"] not in (None, request.user.organization_id):
        # an enterprise or an institution posts for itself: another organization named is refused, never dropped
        raise ValidationError({"organization_id": [gettext("只能以本单位名义发布（本单位编号 {pk}）").format(
            pk=request.user.organization_id)]})
    if "patents" in data:
        data["patents"] = "\n".join(data["patents"])
    instance = model(organization=request.user.organization) if request.user.organization_id else model()
    form = form_class(data, instance=instance, user=request.user)
    if not form.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})

    def make():
        obj = save(form.instance, acting_user=request.user)
        return publish(obj, acting_user=request.user) if do_publish else obj

    return Status(201, create_within_scope(request, model, make))


def _matches(visible, matches):
    """Of ``matches``, the records among ``visible`` (``scoped_list`` of the records matched: 403
    without their view permission — an expert who reads demands only was given the supplies matched
    to one, titles and institutions, while the supplies' own list refused him)."""
    rows = visible.filter(pk__in=[m.id for m in matches]).select_related("organization")
    by_pk = {r.pk: r for r in rows}
    return [{"id": m.id, "title": by_pk[m.id].title, "organization_name": by_pk[m.id].organization.name,
             "score": m.score, "share": reasons.get("share"), "terms": list(reasons.get("terms") or []),
             "fields": list(reasons.get("fields") or [])}
            for m, reasons in ((m, m.reasons or {}) for m in matches) if m.id in by_pk]


# --- demands and supplies ---------------------------------------------------------------------------

def _market_routes(model, plural: str, noun: str, schema, payload_in, filterset_class, form: str, close: str,
                   matched: str, counterpart, match):
    """The routes of demands or supplies — list, read, create, publish, close, matches — named
    ``list_demands``, ``get_demand`` … as when each was written out."""
    name = model._meta.model_name
    save, publish, close_it = (getattr(actions, f"do_{verb}_{name}") for verb in ("save", "publish", "close"))
    about, change = model_of(f"techmarket.{name}"), model_of(f"techmarket.{name}", action="change")

    def route(method: str, path: str, fn, **options):
        fn.__name__ = fn.__qualname__ = fn.__name__.replace("items", plural).replace("item", name)
        getattr(router, method)(f"/{plural}{path}", **options)(fn)

    def create_item(request, payload):
        from . import forms

        return _create(request, model, getattr(forms, form), payload, save, publish)

    def publish_item(request, pk: Id):
        return publish(scoped_get(request, model, pk, action="change"), acting_user=request.user)

    def close_item(request, pk: Id):
        return close_it(scoped_get(request, model, pk, action="change"), acting_user=request.user)

    def item_matches(request, pk: Id, k: int = Query(10, ge=1, le=50, description="条数（1–50）")):
        from . import matching

        visible = scoped_list(request, counterpart)  # checked before any matching is done
        return _matches(visible, getattr(matching, match)(scoped_get(request, model, pk), k=k))

    create_item.__annotations__["payload"] = payload_in  # ninja reads the body's schema from it
    declare.api_routes(router, model, schema, path=f"/{plural}", list_summary=f"{noun}列表（支持页面上的全部筛选条件）",
                       filterset=filterset_class, related=("organization", "field", "segment"),
                       order_by=("-created_at", "-pk"), detail_summary=f"{noun}详情")
    route("post", "", create_item, response={201: schema}, summary=f"登记{noun}（publish=true 同时发布）",
          openapi_extra=about)
    route("post", "/{pk}/publish", publish_item, response=schema, summary=f"发布{noun}", openapi_extra=change)
    route("post", "/{pk}/close", close_item, response=schema, summary=f"{close}{noun}", openapi_extra=change)
    route("get", "/{pk}/matches", item_matches, response=list[MatchSchema], summary=matched, openapi_extra=about)


_market_routes(Demand, "demands", "技术需求", DemandSchema, DemandIn, DemandFilterSet, "DemandForm", "关闭",
               "为该需求推荐的科技成果（含匹配理由）", Supply, "supplies_for_demand")
_market_routes(Supply, "supplies", "科技成果", SupplySchema, SupplyIn, SupplyFilterSet, "SupplyForm", "下架",
               "与该成果匹配的技术需求（含匹配理由）", Demand, "demands_for_supply")


# --- pushes -----------------------------------------------------------------------------------------

declare.api_routes(router, Push, PushSchema, path="/pushes", list_summary="匹配推送（本单位收到与发出的）", filterset=PushFilterSet,
                   related=("demand", "supply"), order_by=("-created_at", "rank", "-pk"), detail_summary="推送详情")


@router.post("/pushes/{pk}/mark", response=PushSchema, summary="反馈推送：感兴趣 / 不感兴趣（本单位一方）",
             openapi_extra=model_of("techmarket.push", action="feedback"))
def mark_push(request, pk: Id, payload: MarkIn):
    from . import push

    obj = scoped_get(request, Push, pk, action="feedback")
    return push.do_mark_push(obj, interested=payload.interested, acting_user=request.user)
