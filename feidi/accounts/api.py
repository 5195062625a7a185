"""Accounts API: who am I; users and roles for the 系统管理员 / 安全管理员."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Field
from ninja import Router
from ninja import Schema
from ninja import Status

from feidi.core import declare
from feidi.core.api import Id
from feidi.core.api import field
from feidi.core.api import model_of
from feidi.core.api import referenced
from feidi.core.api import require_perm
from feidi.core.api import scoped_get

from . import actions
from .models import Department
from .models import Role
from .models import User

router = Router(tags=["账号 accounts"])


class MeSchema(Schema):
    id: int
    username: str
    full_name: str
    department_id: int | None
    organization_id: int | None
    roles: list[str]
    permissions: list[str]


@router.get("/me", response=MeSchema, summary="当前用户")
def me(request):
    u = request.user
    return {"id": u.pk, "username": u.username, "full_name": u.full_name, "department_id": u.department_id,
            "organization_id": u.organization_id, "roles": [r.code for r in u.roles.all()],
            "permissions": sorted(u.get_all_permissions())}


class UserSchema(Schema):
    id: int
    username: str
    full_name: str
    department_id: int | None
    organization_id: int | None
    is_active: bool


class UserIn(Schema):
    username: field(User, "username", min_length=1)
    full_name: field(User, "full_name", min_length=1)
    department_id: Id | None = None
    organization_id: Id | None = None
    email: field(User, "email") = ""
    password: str | None = Field(None, max_length=128)


class DepartmentSchema(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None


class RoleSchema(Schema):
    id: int
    code: str
    name: str
    duty: str
    data_scope: str


class RoleAssignIn(Schema):
    roles: list[Annotated[str, Field(max_length=50)]] = Field(..., max_length=50)


declare.api_routes(router, Department, DepartmentSchema, path="/departments", list_summary="部门树", page_size=200)


declare.api_routes(router, User, UserSchema, path="/users", list_summary="用户列表（系统管理员）")


@router.post("/users", response={201: UserSchema}, summary="新增用户（系统管理员）", openapi_extra=model_of("accounts.user"))
def create_user(request, payload: UserIn):
    require_perm(request, "accounts.add_user")
    data = payload.dict()
    dept = org = None
    if data["department_id"] is not None:
        dept = referenced(request, Department, data["department_id"], "department_id")
    if data["organization_id"] is not None:
        from feidi.registry.models import Organization

        org = Organization.objects.filter(pk=data["organization_id"]).first()
        if org is None:
            raise ValidationError({"organization_id": [gettext("单位 {value} 不存在").format(
                value=data['organization_id'])]})
    if User.objects.filter(username=data["username"]).exists():
        raise ValidationError({"username": [gettext("用户名已存在")]})
    user = User(username=data["username"], full_name=data["full_name"], email=data["email"], department=dept,
                organization=org, must_change_password=True)
    return Status(201, actions.do_create_user(user, password=data["password"], acting_user=request.user))


declare.api_routes(router, Role, RoleSchema, path="/roles", list_summary="角色列表", page_size=100)


@router.put("/users/{pk}/roles", response=UserSchema, summary="分配角色（安全管理员）",
            openapi_extra=model_of("accounts.user", action="view"))
def assign_roles(request, pk: Id, payload: RoleAssignIn):
    require_perm(request, "accounts.assign_roles")
    user = scoped_get(request, User, pk, action="view")
    roles = list(Role.objects.filter(code__in=payload.roles))
    unknown = sorted(set(payload.roles) - {r.code for r in roles})
    if unknown:
        raise ValidationError({"roles": [gettext("未知角色：{join}").format(join='、'.join(unknown))]})
    return actions.do_set_user_roles(user, roles, acting_user=request.user)
