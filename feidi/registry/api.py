"""Registry API: the same FilterSets and actions as the pages, the same scopes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Field
from ninja import Query
from ninja import Router
from ninja import Schema
from ninja import Status
from ninja.pagination import paginate

from feidi.core import declare
from feidi.core.api import MAX_ID
from feidi.core.api import Date
from feidi.core.api import Id
from feidi.core.api import Pages
from feidi.core.api import create_within_scope
from feidi.core.api import field
from feidi.core.api import filtered
from feidi.core.api import model_of
from feidi.core.api import referenced
from feidi.core.api import require_perm
from feidi.core.api import scoped_get
from feidi.core.api import scoped_list

from . import actions
from .filtersets import OrganizationFilterSet
from .forms import holder_shown
from .forms import uscc_taken
from .models import Organization
from .models import Person
from .models import Residency
from .models import Zone

router = Router(tags=["主体库 registry"])


def _filtered(request, model, filterset_class):
    return filtered(request, scoped_list(request, model), filterset_class)


class ZoneSchema(Schema):
    id: int
    name: str
    short_name: str
    kind: str = Field(..., alias="kind.label")
    host_region: str
    parent_id: int | None
    area_km2: Decimal | None
    is_enclave: bool


class OrganizationSchema(Schema):
    id: int
    name: str
    uscc: str
    kind: str
    industry_code: str
    zone_id: int | None
    region: str
    land_area_mu: Decimal | None
    employees: int | None
    established_on: dt.date | None
    version: int


class OrganizationIn(Schema):
    name: field(Organization, "name", min_length=1)
    uscc: field(Organization, "uscc", min_length=1)
    kind: Organization.Kind = Organization.Kind.ENTERPRISE
    industry_code: field(Organization, "industry_code") = ""
    zone_id: field(Organization, "zone") | None = None
    region: field(Organization, "region") = ""
    address: field(Organization, "address") = ""
    land_area_mu: field(Organization, "land_area_mu") | None = None
    employees: field(Organization, "employees") | None = None
    established_on: field(Organization, "established_on") | None = None
    description: field(Organization, "description") = ""


class OrganizationPatch(Schema):
    """只修改提交的字段；不能为空的字段不能提交 null。"""

    name: field(Organization, "name", min_length=1) = None
    industry_code: field(Organization, "industry_code") = None
    zone_id: field(Organization, "zone") | None = None
    region: field(Organization, "region") = None
    address: field(Organization, "address") = None
    land_area_mu: field(Organization, "land_area_mu") | None = None
    employees: field(Organization, "employees") | None = None
    description: field(Organization, "description") = None
    version: field(Organization, "version") = None


class PersonSchema(Schema):
    id: int
    name: str
    kind: str
    organization_id: int | None
    title: str
    phone: str = Field(..., description="脱敏显示")
    field: str

    @staticmethod
    def resolve_phone(obj):
        return str(obj.phone)


class ResidencySchema(Schema):
    id: int
    organization_id: int
    enclave_id: int
    status: str
    negotiating_since: dt.date | None
    confirmed_on: dt.date | None
    entered_on: dt.date | None
    exited_on: dt.date | None


class ResidencyTransitionIn(Schema):
    status: Residency.Status
    on: Date | None = None
    note: field(Residency, "note") = ""


declare.api_routes(router, Zone, ZoneSchema, path="/zones", list_summary="园区与飞地列表", detail_summary="园区详情",
                   related=("kind",))


@router.get("/organizations", response=list[OrganizationSchema], summary="单位列表", openapi_extra=model_of("registry.organization"))
@paginate(Pages, page_size=50)
def list_organizations(request, q: str = "", kind: str = "", zone: int | None = Query(None, ge=1, le=MAX_ID), industry: str = "",
                       sort: str = "name"):
    from .tables import OrganizationTable

    qs = _filtered(request, Organization, OrganizationFilterSet)
    return qs.order_by(OrganizationTable.order_field(sort, Organization) or "name", "pk")


declare.api_routes(router, Organization, OrganizationSchema, path="/organizations", detail_summary="单位详情")


def _zone_for(request, zone_id):
    """The zone the body names, among those the caller sees (else a 422 naming ``zone_id``)."""
    if zone_id is None:
        return None
    return referenced(request, Zone, zone_id, "zone_id")


@router.post("/organizations", response={201: OrganizationSchema}, summary="新增单位", openapi_extra=model_of("registry.organization"))
def create_organization(request, payload: OrganizationIn):
    require_perm(request, "registry.add_organization")
    data = payload.dict()
    zone = _zone_for(request, data.pop("zone_id"))
    org = Organization(**data, zone=zone, department_id=request.user.department_id)
    from feidi.lib import uscc

    org.uscc = uscc.normalize(org.uscc)
    name = holder_shown(org.uscc, request.user)
    if name is not None:
        raise ValidationError({"uscc": uscc_taken(org.uscc, name).messages})
    return Status(201, create_within_scope(
        request, Organization, lambda: actions.do_save_organization(org, acting_user=request.user)))


@router.patch("/organizations/{pk}", response=OrganizationSchema, summary="修改单位",
              openapi_extra=model_of("registry.organization", action="change"))
def update_organization(request, pk: Id, payload: OrganizationPatch):
    org = scoped_get(request, Organization, pk, action="change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    if "zone_id" in data:
        org.zone = _zone_for(request, data.pop("zone_id"))
    for key, value in data.items():
        setattr(org, key, value)
    return create_within_scope(request, Organization, lambda: actions.do_save_organization(
        org, acting_user=request.user, expected_version=version), action="change")


declare.api_routes(router, Organization, OrganizationSchema, path="/organizations", delete_summary="删除单位")


declare.api_routes(router, Person, PersonSchema, path="/people", list_summary="人员列表（号码脱敏）",
                   detail_summary="人员详情（号码脱敏）")


declare.api_routes(router, Residency, ResidencySchema, path="/residencies", list_summary="飞地入驻列表")


@router.post("/residencies/{pk}/transition", response=ResidencySchema, summary="变更入驻状态",
             openapi_extra=model_of("registry.residency", action="change"))
def transition_residency(request, pk: Id, payload: ResidencyTransitionIn):
    res = scoped_get(request, Residency, pk, action="change")
    return actions.do_transition_residency(res, payload.status, on=payload.on, note=payload.note,
                                           acting_user=request.user)
