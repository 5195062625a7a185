"""Registry API: the same FilterSets and actions as the pages, the same scopes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import QueryDict
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from feidi.core.api import model_of, require_perm, scoped_get, scoped_list

from . import actions
from .filtersets import OrganizationFilterSet, PersonFilterSet, ResidencyFilterSet, ZoneFilterSet
from .models import Organization, Person, Residency, Zone

router = Router(tags=["主体库 registry"])


def _filtered(request, model, filterset_class):
    qs = scoped_list(request, model)
    params = QueryDict(mutable=True)
    params.update({k: v for k, v in request.GET.items() if k not in {"page", "page_size"}})
    fs = filterset_class(params, queryset=qs, user=request.user)
    if not fs.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in fs.errors.items()})
    return fs.qs


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
    name: str
    uscc: str
    kind: Organization.Kind = Organization.Kind.ENTERPRISE
    industry_code: str = ""
    zone_id: int | None = None
    region: str = ""
    address: str = ""
    land_area_mu: Decimal | None = None
    employees: int | None = None
    established_on: dt.date | None = None
    description: str = ""


class OrganizationPatch(Schema):
    name: str | None = None
    industry_code: str | None = None
    zone_id: int | None = None
    region: str | None = None
    address: str | None = None
    land_area_mu: Decimal | None = None
    employees: int | None = None
    description: str | None = None
    version: int | None = None


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


class TransitionIn(Schema):
    status: Residency.Status
    on: dt.date | None = None
    note: str = ""


@router.get("/zones", response=list[ZoneSchema], summary="园区与飞地列表", openapi_extra=model_of("registry.zone"))
@paginate(PageNumberPagination, page_size=50)
def list_zones(request, q: str = "", kind: int | None = None):
    return _filtered(request, Zone, ZoneFilterSet).select_related("kind")


@router.get("/zones/{pk}", response=ZoneSchema, summary="园区详情", openapi_extra=model_of("registry.zone"))
def get_zone(request, pk: int):
    return scoped_get(request, Zone, pk)


@router.get("/organizations", response=list[OrganizationSchema], summary="单位列表", openapi_extra=model_of("registry.organization"))
@paginate(PageNumberPagination, page_size=50)
def list_organizations(request, q: str = "", kind: str = "", zone: int | None = None, industry: str = "",
                       sort: str = "name"):
    from .tables import OrganizationTable

    qs = _filtered(request, Organization, OrganizationFilterSet)
    return qs.order_by(OrganizationTable.order_field(sort) or "name", "pk")


@router.get("/organizations/{pk}", response=OrganizationSchema, summary="单位详情", openapi_extra=model_of("registry.organization"))
def get_organization(request, pk: int):
    return scoped_get(request, Organization, pk)


def _zone_for(request, zone_id):
    if zone_id is None:
        return None
    return scoped_get(request, Zone, zone_id)


@router.post("/organizations", response={201: OrganizationSchema}, summary="新增单位", openapi_extra=model_of("registry.organization"))
def create_organization(request, payload: OrganizationIn):
    require_perm(request, "registry.add_organization")
    data = payload.dict()
    zone = _zone_for(request, data.pop("zone_id"))
    org = Organization(**data, zone=zone, department_id=request.user.department_id)
    from feidi.lib import uscc

    org.uscc = uscc.normalize(org.uscc)
    clash = Organization.objects.filter(uscc=org.uscc).first()
    if clash is not None:
        raise ValidationError({"uscc": [f"统一社会信用代码 {org.uscc} 已被“{clash.name}”使用"]})
    return Status(201, actions.do_save_organization(org, acting_user=request.user))


@router.patch("/organizations/{pk}", response=OrganizationSchema, summary="修改单位", openapi_extra=model_of("registry.organization"))
def update_organization(request, pk: int, payload: OrganizationPatch):
    org = scoped_get(request, Organization, pk)
    require_perm(request, "registry.change_organization")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    if "zone_id" in data:
        org.zone = _zone_for(request, data.pop("zone_id"))
    for key, value in data.items():
        setattr(org, key, value)
    return actions.do_save_organization(org, acting_user=request.user, expected_version=version)


@router.delete("/organizations/{pk}", response={204: None}, summary="删除单位", openapi_extra=model_of("registry.organization"))
def delete_organization(request, pk: int):
    from feidi.core.actions import delete_object

    org = scoped_get(request, Organization, pk)
    require_perm(request, "registry.delete_organization")
    delete_object(org, acting_user=request.user)
    return Status(204, None)


@router.get("/people", response=list[PersonSchema], summary="人员列表（号码脱敏）", openapi_extra=model_of("registry.person"))
@paginate(PageNumberPagination, page_size=50)
def list_people(request, q: str = "", kind: str = ""):
    return _filtered(request, Person, PersonFilterSet)


@router.get("/people/{pk}", response=PersonSchema, summary="人员详情（号码脱敏）", openapi_extra=model_of("registry.person"))
def get_person(request, pk: int):
    return scoped_get(request, Person, pk)


@router.get("/residencies", response=list[ResidencySchema], summary="飞地入驻列表", openapi_extra=model_of("registry.residency"))
@paginate(PageNumberPagination, page_size=50)
def list_residencies(request, q: str = "", enclave: int | None = None, status: str = ""):
    return _filtered(request, Residency, ResidencyFilterSet)


@router.post("/residencies/{pk}/transition", response=ResidencySchema, summary="变更入驻状态", openapi_extra=model_of("registry.residency"))
def transition_residency(request, pk: int, payload: TransitionIn):
    res = scoped_get(request, Residency, pk)
    require_perm(request, "registry.change_residency")
    return actions.do_transition_residency(res, payload.status, on=payload.on, note=payload.note,
                                           acting_user=request.user)
