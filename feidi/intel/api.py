"""招商情报 API: list and read items (with their extracted fields and reasons), add one, turn one
into a lead or a target, the daily ranked list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
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
from feidi.projects.models import Project

from . import actions
from .filtersets import NewsItemFilterSet
from .models import NewsItem

router = Router(tags=["招商情报 intel"])


class NewsItemSchema(Schema):
    id: int
    title: str
    source: str
    source_kind: str
    doc_kind: str
    url: str
    published_on: dt.date
    status: str
    score: int
    reasons: list
    org_name: str
    organization_id: int | None
    event_type: str
    amount: Decimal | None
    chain_name: str
    chain_id: int | None
    segment_id: int | None
    duplicate_of_id: int | None
    project_id: int | None
    target_id: int | None


class NewsItemFullSchema(NewsItemSchema):
    text: str
    extraction: dict


class NewsItemIn(Schema):
    title: field(NewsItem, "title") = ""
    text: field(NewsItem, "text", min_length=1)
    source: field(NewsItem, "source") = ""
    doc_kind: field(NewsItem, "doc_kind") = "news"
    url: field(NewsItem, "url") = ""
    published_on: field(NewsItem, "published_on") | None = None


class LeadIn(Schema):
    zone_id: Id
    name: field(Project, "name", description="线索名称（默认由情报生成）") = ""


class TargetIn(Schema):
    segment_id: Id


declare.api_routes(router, NewsItem, NewsItemSchema, path="/items", list_summary="招商情报列表（支持页面上的筛选条件）",
                   filterset=NewsItemFilterSet, order_by=("-published_on", "-pk"))


@router.get("/daily", response=list[NewsItemSchema], summary="每日情报（按评分排序，相同报道只列一条）",
            openapi_extra=model_of("intel.newsitem"))
def daily(request, day: Date | None = None, days: int = 1):
    require_perm(request, "intel.view_newsitem")
    return list(actions.daily_list(request.user, day, days=min(max(days, 1), 31))[:100])


declare.api_routes(router, NewsItem, NewsItemFullSchema, path="/items", detail_summary="情报详情（含抽取字段及其位置）",
                   name="item")


@router.post("/items", response={201: NewsItemFullSchema, 200: NewsItemFullSchema},
             summary="录入情报（分析在任务队列中进行）",
             description="新录入返回 201；本部门已录入过相同正文时不再重复录入，返回 200 与已有的那条情报"
                         "（提交的各字段仍按相同规则检查）。",
             openapi_extra=model_of("intel.newsitem"))
def add_item(request, payload: NewsItemIn):
    require_perm(request, "intel.add_newsitem")
    if payload.doc_kind not in dict(NewsItem._meta.get_field("doc_kind").choices):
        raise ValidationError({"doc_kind": [gettext("类型无效")]})
    item = create_within_scope(request, NewsItem, lambda: actions.do_add_item(
        acting_user=request.user, title=payload.title, text=payload.text, source=payload.source,
        doc_kind=payload.doc_kind, url=payload.url, published_on=payload.published_on,
        source_kind="api"))
    return Status(200 if getattr(item, "stored_before", False) else 201, item)


@router.post("/items/{pk}/lead", response={201: dict}, summary="转为招商线索",
             openapi_extra=model_of("intel.newsitem", action="change"))
def to_lead(request, pk: Id, payload: LeadIn):
    from feidi.registry.models import Zone

    item = scoped_get(request, NewsItem, pk, action="change")
    zone = referenced(request, Zone, payload.zone_id, "zone_id")
    project = actions.do_item_to_lead(item, zone, acting_user=request.user, name=payload.name)
    return Status(201, {"project_id": project.pk})


@router.post("/items/{pk}/target", response={201: dict}, summary="加入招商目标库",
             openapi_extra=model_of("intel.newsitem", action="change"))
def to_target(request, pk: Id, payload: TargetIn):
    from feidi.chains.models import Segment

    item = scoped_get(request, NewsItem, pk, action="change")
    segment = referenced(request, Segment, payload.segment_id, "segment_id")
    target = actions.do_item_to_target(item, segment, acting_user=request.user)
    return Status(201, {"target_id": target.pk})
