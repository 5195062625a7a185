"""Chain API: chains, the chain map's data and the gap list."""

from __future__ import annotations

from decimal import Decimal

from ninja import Router
from ninja import Schema

from feidi.core.api import Id
from feidi.core.api import model_of
from feidi.core.api import scoped_get
from feidi.core.api import scoped_list

from . import gaps
from .models import Chain

router = Router(tags=["产业链 chains"])


class ChainSchema(Schema):
    id: int
    name: str
    leader_id: int | None
    weak_enterprises: int
    weak_output: Decimal


class GapSchema(Schema):
    chain_id: int
    chain: str
    segment_id: int
    segment: str
    state: str
    action: str
    enterprises: int
    output: Decimal
    pipeline: int
    targets: list[str]


@router.get("/chains", response=list[ChainSchema], summary="产业链", openapi_extra=model_of("chains.chain"))
def list_chains(request):
    return scoped_list(request, Chain)


@router.get("/chains/{pk}/map", summary="产业链图谱数据（节点、连线、缺链状态）", openapi_extra=model_of("chains.chain"))
def chain_map(request, pk: Id):
    chain = scoped_get(request, Chain, pk)
    return gaps.map_data(chain, gaps.analyse(chain, request.user))


@router.get("/gaps", response=list[GapSchema], summary="缺链补链清单", openapi_extra=model_of("chains.chain"))
def gap_list(request):
    out = []
    for chain in scoped_list(request, Chain):
        for item in gaps.proposals(gaps.analyse(chain, request.user), request.user):
            out.append({"chain_id": chain.pk, "chain": chain.name, "segment_id": item["segment"].pk,
                        "segment": item["segment"].name, "state": item["state_label"], "action": item["action"],
                        "enterprises": item["count"], "output": item["output"], "pipeline": item["pipeline_count"],
                        "targets": [t.organization.name for t in item["targets"]]})
    return out
