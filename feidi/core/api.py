"""The REST API at /api/v1/: django-ninja, session or token authentication, the same data scopes.

Errors are JSON ``{"code": ..., "message": ..., "fields": {...}}``. Routers of every app are added
in ``feidi.api``; they read rows only through ``scoped_list``/``scoped_get`` and write only through
the apps' actions.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, SessionAuth

from .actions import ConflictError


class TokenAuth(APIKeyHeader):
    """``Authorization: Bearer fd_…`` personal tokens (only their hash is stored)."""

    param_name = "Authorization"

    def authenticate(self, request, key):
        from feidi.accounts.models import ApiToken

        if not key or not key.startswith("Bearer "):
            return None
        value = key[7:].strip()
        token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(value)).first()
        if token is None or not token.user.is_active or token.user.is_locked():
            return None
        now = timezone.now()
        if token.expires_at and token.expires_at <= now:
            return None
        if token.user.is_admin_duty:
            return None  # administrator duties sign in with a second factor, never by token
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request.user = token.user
        return token.user


class CsrfSessionAuth(SessionAuth):
    """Browser sessions, with the CSRF check on writes."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api = NinjaAPI(
    title="飞地 Feidi API",
    version="1",
    description="经开区与双向飞地运营平台接口。所有数据按调用者的角色与数据范围过滤。",
    auth=[TokenAuth(), CsrfSessionAuth()],
    urls_namespace="api",
)


def error(request, status: int, code: str, message: str, fields: dict | None = None):
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return api.create_response(request, body, status=status)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", "记录不存在或无权查看")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error(request, 403, "forbidden", str(exc) or "没有权限")


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return error(request, 401, "unauthorized", "未登录或令牌无效")


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    fields = {k: [str(m) for m in v] for k, v in getattr(exc, "message_dict", {}).items()}
    return error(request, 422, "invalid", "；".join(exc.messages), fields or None)


@api.exception_handler(NinjaValidationError)
def _invalid_payload(request, exc):
    fields = {}
    for e in exc.errors:
        loc = ".".join(str(p) for p in e.get("loc", [])[1:]) or "body"
        fields.setdefault(loc, []).append(e.get("msg", "无效"))
    return error(request, 422, "invalid", "请求数据格式错误", fields)


@api.exception_handler(ConflictError)
def _conflict(request, exc):
    return error(request, 409, "conflict", str(exc))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return error(request, exc.status_code, "error", str(exc))


def model_of(label: str) -> dict:
    """OpenAPI extension naming the model an operation serves; the outside-in scope tests use it
    to check every operation as another zone's and another enterprise's user."""
    return {"x-feidi-model": label}


def require_perm(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied("没有权限")


def scoped_list(request, model, action: str = "view"):
    """The rows of ``model`` this caller may see (403 without the model's view permission)."""
    require_perm(request, f"{model._meta.app_label}.{action}_{model._meta.model_name}")
    return model.objects.visible_to(request.user, action)


def scoped_get(request, model, pk, action: str = "view"):
    try:
        return scoped_list(request, model, action).get(pk=pk)
    except (model.DoesNotExist, ValueError):
        raise Http404 from None
