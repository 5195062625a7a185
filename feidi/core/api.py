"""The REST API at /api/v1/: django-ninja, session or token authentication, the same data scopes.

Errors are JSON ``{"code": ..., "message": ..., "fields": {...}}`` — every error, a server error
included, never Django's HTML error page. Routers of every app are added in ``feidi.api``; they read
rows only through ``scoped_list``/``scoped_get`` and write only through the apps' actions.

A route that writes reaches its object through the scope of the action it performs
(``scoped_get(request, Model, pk, action="change")``, ``"award"``, ``"transition"`` …) and declares
that action in its OpenAPI operation (``model_of("app.model", action=...)``): a user who sees a
record but whose roles grant the action only elsewhere gets 404, as on the pages.
``tests/test_scope_outside.py`` calls every declared write as such a user. A write that moves
its record must also leave it within that scope (``create_within_scope``, inside its transaction).

Every body is read as strictly as the pages' forms read theirs (``StrictInput``): unknown keys
refused, text stripped, a required text left blank refused, booleans and ids of their JSON types.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import logging
import re
from decimal import Decimal
from types import UnionType
from typing import Annotated
from typing import Any
from typing import Union
from typing import get_args
from typing import get_origin

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import DataError
from django.http import Http404
from django.http import RawPostDataException
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop
from ninja import Field
from ninja import NinjaAPI
from ninja import Schema
from ninja.errors import AuthenticationError
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import APIKeyHeader
from ninja.security import SessionAuth
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from .actions import ConflictError
from .fields import MAX_ID

log = logging.getLogger(__name__)

Id = Annotated[int, Field(ge=1, le=MAX_ID, description="记录编号")]


class TokenAuth(APIKeyHeader):
    """``Authorization: Bearer fd_…`` personal tokens (only their hash is stored)."""

    param_name = "Authorization"

    def authenticate(self, request, key):
        from feidi.accounts.models import ApiToken

        if not key or not key.startswith("Bearer "):
            return None
        value = key[7:].strip()
        token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(value)).first()
        if token is None:
            return None
        now = timezone.now()
        if token.expires_at and token.expires_at <= now:
            raise AuthRefused(gettext("令牌已过期，请在“我的令牌”中重新签发"))
        if token.user.is_admin_duty:
            return None  # administrator duties sign in with a second factor, never by token
        refuse_if_barred(token.user)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request.user = token.user
        return token.user


class CsrfSessionAuth(SessionAuth):
    """Browser sessions, with the CSRF check on writes — and the same bars as the pages."""

    def __call__(self, request):
        # who calls is settled before the CSRF check: a request with no signed-in session (no
        # credentials, or a bogus or revoked token) is answered 401 on a write as on a read,
        # not with the CSRF refusal meant for a browser session
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        refuse_if_barred(user)
        return user


class AuthRefused(Exception):
    """A known caller who may not use the API now, and why (answered 401 with the reason)."""


def refuse_if_barred(user) -> None:
    """Disabled, locked, or bound to change an expired or reset password first: the API refuses
    exactly as the pages send such a user to the password page."""
    if not user.is_active:
        raise AuthRefused(gettext("账号已停用"))
    if user.is_locked():
        raise AuthRefused(gettext("账号已锁定，请稍后再试或联系安全管理员解锁"))
    if user.must_change_password or user.password_expired():
        raise AuthRefused(gettext("密码已过期或须修改，请登录网页修改密码后再使用接口"))


class ErrorSchema(Schema):
    """Every error answer of the API."""

    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class StrictInput(Schema):
    """What every request body is read as, as strictly as the pages' forms read theirs. ``FeidiAPI``
    puts each operation's body schema on this base when its router is added, so no route can read
    a body more leniently (``tests/test_api_writes.py`` checks every operation):

    - a key the schema does not name — misspelt, or a field no one may write (``id``, ``kind`` of
      an organization) — is refused (``extra_forbidden``), never silently dropped;
    - text is stripped as Django's ``CharField`` strips it (a password as its password fields
      take it, unstripped); a required text (no default, or a ``min_length``) left blank is
      refused with the forms' message, and a NUL character with Django's
      (``ProhibitNullCharactersValidator``);
    - an integer is a JSON integer and a yes/no a JSON ``true``/``false``: ``true`` is not the
      id 1 and ``"yes"`` publishes nothing;
    - a date is ``YYYY-MM-DD`` and a date-time ISO 8601 (``iso_date``, ``iso_datetime``), whatever
      the schema's annotation: never a number or a numeric text read as seconds since 1970;
    - a choice of an enumeration not among its values is refused listing its values and labels;
    - a decimal is taken at its field's places (``2.5E+2`` → ``250.00``): the value stored, and
      the one a write answers.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _read_strictly(cls, value, info):
        annotation, required, _ = _field_rules(cls, info.field_name)
        value = _strict(annotation, value, strip="password" not in info.field_name)
        if isinstance(value, str) and not value and required:
            raise ValueError(str(forms.Field.default_error_messages["required"]))
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _as_stored(cls, value, info):
        places = _field_rules(cls, info.field_name)[2]
        if isinstance(value, Decimal) and places is not None and value.is_finite():
            if not value:
                value = abs(value)  # −0 is 0 (it was stored and shown as -0.00)
            try:
                return value.quantize(Decimal(1).scaleb(-places))
            except ArithmeticError:  # beyond the context's digits: the field's bounds refused it already
                return value
        return value


@functools.cache
def _field_rules(schema: type, name: str) -> tuple:
    """What ``StrictInput`` asks of a field, read from its declaration once a schema, not once a
    request: its annotation, whether a blank text is refused (required, or a ``min_length``), and
    its decimal places."""
    info = schema.model_fields[name]
    required = info.is_required() or (_constraint(info, "min_length") or 0) > 0
    return info.annotation, required, _constraint(info, "decimal_places")


@functools.lru_cache(maxsize=1024)
def _given_options(annotation) -> list:
    """The types other than None a value of ``annotation`` may take (``_options``), once a type."""
    return [t for t in _options(annotation) if t is not type(None)]


def _options(annotation) -> list:
    """The types a field's annotation admits: ``Annotated`` unwrapped, a union spread out."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _options(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return [t for arg in get_args(annotation) for t in _options(arg)]
    return [annotation]


def _constraint(field_info, name: str):
    """A bound (``min_length``, ``decimal_places``) a field declares, wherever its annotation puts it."""
    def walk(metadata, annotation):
        for item in metadata:
            found = getattr(item, name, None)
            if found is not None:
                return found
            found = walk(getattr(item, "metadata", ()), None)
            if found is not None:
                return found
        if annotation is not None:
            origin = get_origin(annotation)
            if origin is Annotated:
                base, *more = get_args(annotation)
                return walk(more, base)
            if origin in (Union, UnionType):
                return next((f for arg in get_args(annotation) if (f := walk((), arg)) is not None), None)
        return None

    return walk(field_info.metadata, field_info.annotation)


NUMBERS = {int: "int_type", float: "float_type", Decimal: "decimal_type"}


def _strict(annotation, value, *, strip: bool = True):
    """``value`` as a JSON body gives it, read as ``StrictInput`` says: text stripped (unless not
    ``strip``), a NUL refused, a boolean only where a yes/no is asked and nowhere else, an integer
    only as a JSON integer, a date only in ISO 8601, a choice among its enumeration's values."""
    if value is None:
        return value
    try:
        options = _given_options(annotation)
    except TypeError:  # an annotation that cannot be a key
        options = [t for t in _options(annotation) if t is not type(None)]
    if options and all(t in (dt.date, dt.datetime) for t in options):
        # whatever the schema's annotation says (a plain ``dt.date`` of a generated form body too)
        return iso_datetime(value) if dt.date not in options else iso_date(value, or_datetime=dt.datetime in options)
    if len(options) == 1 and isinstance(options[0], type) and issubclass(options[0], enum.Enum):
        return _choice_of(options[0], value)
    if isinstance(value, bool):
        if bool not in options and Any not in options:
            number = next((NUMBERS[t] for t in options if t in NUMBERS), None)
            if number is not None:
                raise PydanticCustomError(number, "not a number")
        return value
    if options and all(t is bool for t in options):
        raise PydanticCustomError("bool_type", "not a boolean")
    if options and all(t is int for t in options) and not isinstance(value, int):
        raise PydanticCustomError("int_type", "not an integer")
    if isinstance(value, str):
        if str not in options:
            return value
        if "\x00" in value:
            raise ValueError(str(ProhibitNullCharactersValidator.message))
        return value.strip() if strip else value
    for option in options:
        origin, args = get_origin(option), get_args(option)
        if origin is list and args and isinstance(value, list):
            return [_strict(args[0], item, strip=strip) for item in value]
        if origin is dict and len(args) == 2 and isinstance(value, dict):
            return {key: _strict(args[1], item, strip=strip) for key, item in value.items()}
    return value


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")


def iso_date(value, *, or_datetime: bool = False):
    """A day as the API takes one, as the forms and the imports do: ``YYYY-MM-DD`` and nothing
    else. pydantic's own reading took a number or a numeric text as seconds since 1970 ("86400"
    was 1970-01-02, "-0" 1970-01-01) and a date-time at midnight as its day; a date-time is
    taken only where the field takes one too (``or_datetime``)."""
    if isinstance(value, dt.date) and (or_datetime or not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str):
        if ISO_DATE.fullmatch(value):
            return value
        if ISO_DATETIME.fullmatch(value):
            if or_datetime:
                return value
            raise PydanticCustomError("date_from_datetime_inexact", "a date, not a date-time")
    raise PydanticCustomError("date_type", "not an ISO 8601 date")


def iso_datetime(value):
    """A moment as the API takes one: an ISO 8601 date-time (``2026-03-05T09:00:00+08:00``; the
    server's time zone where none is given), never a number of seconds nor a bare day."""
    if isinstance(value, dt.datetime) or isinstance(value, str) and ISO_DATETIME.fullmatch(value):
        return value
    raise PydanticCustomError("datetime_type", "not an ISO 8601 date-time")


# The API's date types: every date of an input — a body's field, a query parameter — is one of these
# (``field`` gives them for a model's date columns; ``StrictInput`` reads any body's date so).
Date = Annotated[dt.date, BeforeValidator(iso_date)]
DateTime = Annotated[dt.datetime, BeforeValidator(iso_datetime)]


def choices_text(choices: type[enum.Enum]) -> str:
    """The values of an enumeration as a refusal lists them: ``enterprise（企业）、…`` (a Django
    ``Choices``' labels, in the caller's language)."""
    return "、".join(f"{m.value}（{m.label}）" if hasattr(m, "label") else str(m.value) for m in choices)


def _choice_of(choices: type[enum.Enum], value):
    """``value`` if it is one of ``choices``' values; else refused listing them in Chinese (pydantic
    says "Input should be 'enterprise', … or 'investor'", in English)."""
    if isinstance(value, choices) or any(value == m.value and type(value) is type(m.value) for m in choices):
        return value
    raise ValueError(gettext("应为以下之一：{choices}").format(choices=choices_text(choices)))


_STRICT: dict[type, type] = {}


def strict_body(schema: type) -> type:
    """``schema`` read as a ``StrictInput`` (itself when it is one already): a subclass of the same
    name and module, so the OpenAPI description and the errors' field names stay as they were. (A
    schema nested in a body would need the same; no body nests one.)"""
    if issubclass(schema, StrictInput):
        return schema
    if schema not in _STRICT:
        _STRICT[schema] = type(schema.__name__, (StrictInput, schema), {
            "__module__": schema.__module__, "__qualname__": schema.__qualname__, "__doc__": schema.__doc__,
            "model_config": {**schema.model_config, **StrictInput.model_config}})
    return _STRICT[schema]


def _strict_bodies(operation) -> None:
    """Every body schema of ``operation`` read as a ``StrictInput`` (``strict_body``): ninja's model
    of the operation's body parameters is replaced by one whose fields are the strict schemas."""
    from pydantic import BaseModel

    models = []
    for params in operation.models:
        if getattr(params, "__ninja_param_source__", None) != "body" or hasattr(params, "__ninja_body_params__"):
            models.append(params)
            continue
        changed = {name: strict_body(f.annotation) for name, f in params.model_fields.items()
                   if isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel)
                   and not issubclass(f.annotation, StrictInput)}
        if changed:
            params = type(params.__name__, (params,), {
                "__module__": params.__module__, "__annotations__": changed,
                **{name: params.model_fields[name] for name in changed}})
        models.append(params)
    operation.models = models


class FeidiAPI(NinjaAPI):
    """The API whose OpenAPI description also says what every error looks like: each operation
    answers its documented success or an ``ErrorSchema`` body (``default``), so a client and the
    schema fuzz test can check every answer against the description. Every body is read as a
    ``StrictInput``: an operation's body schema is put on that base as its router is added."""

    def add_router(self, prefix, router, **kwargs):
        if not isinstance(router, str):
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    _strict_bodies(operation)
        super().add_router(prefix, router, **kwargs)

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorSchema"] = ErrorSchema.model_json_schema()
        error_response = {"description": "错误：code 为错误类型，message 为说明，fields 为各字段的错误",
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorSchema"}}}}
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                operation.setdefault("responses", {}).setdefault("default", error_response)
        return schema


api = FeidiAPI(
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
    return error(request, 404, "not_found", gettext("记录不存在或无权查看"))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error(request, 403, "forbidden", str(exc) or gettext("没有权限"))


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return error(request, 401, "unauthorized", gettext("未登录或令牌无效"))


@api.exception_handler(AuthRefused)
def _refused(request, exc):
    return error(request, 401, "unauthorized", str(exc))


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    if not hasattr(exc, "error_dict"):
        return error(request, 422, "invalid", "；".join(exc.messages))
    sent = _body(request)
    general, fields = [], {}
    for key, messages in exc.message_dict.items():
        if key == NON_FIELD_ERRORS:  # of no field: said in the message alone
            general.extend(messages)
            continue
        # a model's or a form's field (``zone``) named as the body sent it (``zone_id``)
        if key not in sent:
            key = next((k for k in (f"{key}_id", f"{key}_ids", f"{key.removesuffix('s')}_ids") if k in sent), key)
        fields.setdefault(key, []).extend(_choice_said(key, str(m), sent.get(key)) for m in messages)
    return error(request, 422, "invalid", "；".join([*general, *(m for said in fields.values() for m in said)]),
                 fields or None)


def _choice_said(key: str, message: str, sent) -> str:
    """Django's refusal of a choice — "选择一个有效的选项：该选择不在可用的选项中。", naming neither
    the field nor the value nor why — said with the body's key, the value sent and the reason; any
    other message as it is. (The forms' fields raise it; the API reads their errors as text.)"""
    record = str(forms.ModelChoiceField.default_error_messages["invalid_choice"])
    option = str(forms.ChoiceField.default_error_messages["invalid_choice"])
    if message == record:
        return gettext("{field} 为 {value}：该记录不存在、不在您的范围，或不能选作此项").format(
            field=key, value=sent if sent is not None and not isinstance(sent, (dict, list)) else "—")
    for value in (sent if isinstance(sent, list) else [sent]):
        if value is not None and not isinstance(value, (dict, list)) and message == option % {"value": value}:
            if isinstance(sent, list):
                return gettext("{field} 中的 {value}：该记录不存在、不在您的范围，或不能选作此项").format(
                    field=key, value=value)
            return gettext("{field} 为 {value}：不是可选的值").format(field=key, value=value)
    return message


def _body(request) -> dict:
    """The top-level keys and values of a JSON body (none for any other body)."""
    import json

    if not request.content_type or "json" not in request.content_type:
        return {}
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, RecursionError, RawPostDataException):  # nested past the parser's depth
        return {}
    return body if isinstance(body, dict) else {}


# What a schema's check says, by pydantic's error type, in Chinese (the library's own text is
# English); ``{…}`` are the error's context values. A type not listed is "格式不正确".
SCHEMA_MESSAGES = {
    "missing": gettext_noop("必填"),
    "int_parsing": gettext_noop("应为整数"), "int_type": gettext_noop("应为整数"),
    "int_from_float": gettext_noop("应为整数"), "int_parsing_size": gettext_noop("数值超出允许范围"),
    "float_parsing": gettext_noop("应为数字"), "float_type": gettext_noop("应为数字"),
    "decimal_parsing": gettext_noop("应为数字"), "decimal_type": gettext_noop("应为数字"),
    "finite_number": gettext_noop("应为有限的数字"),
    "decimal_max_digits": gettext_noop("数字总位数不能超过{max_digits}位"),
    "decimal_max_places": gettext_noop("小数不能超过{decimal_places}位"),
    "decimal_whole_digits": gettext_noop("整数部分不能超过{whole_digits}位"),
    "less_than_equal": gettext_noop("不能大于{le}"), "less_than": gettext_noop("应小于{lt}"),
    "greater_than_equal": gettext_noop("不能小于{ge}"), "greater_than": gettext_noop("应大于{gt}"),
    "string_too_long": gettext_noop("不能超过{max_length}个字符"),
    "string_too_short": gettext_noop("至少{min_length}个字符"),
    "string_type": gettext_noop("应为文本"), "string_unicode": gettext_noop("不是有效的 UTF-8 文本"),
    "string_pattern_mismatch": gettext_noop("格式不正确"),
    "bool_parsing": gettext_noop("应为 true 或 false"), "bool_type": gettext_noop("应为 true 或 false"),
    "date_parsing": gettext_noop("应为日期，如 2026-03-05"), "date_type": gettext_noop("应为日期，如 2026-03-05"),
    "date_from_datetime_parsing": gettext_noop("应为日期，如 2026-03-05"),
    "date_from_datetime_inexact": gettext_noop("应为日期，如 2026-03-05（不带时刻）"),
    "datetime_parsing": gettext_noop("应为日期时间，如 2026-03-05T09:00:00+08:00"),
    "datetime_type": gettext_noop("应为日期时间，如 2026-03-05T09:00:00+08:00"),
    "datetime_from_date_parsing": gettext_noop("应为日期时间，如 2026-03-05T09:00:00+08:00"),
    "literal_error": gettext_noop("应为以下之一：{expected}"), "enum": gettext_noop("应为以下之一：{expected}"),
    "list_type": gettext_noop("应为数组"), "too_long": gettext_noop("最多{max_length}项"),
    "too_short": gettext_noop("至少{min_length}项"),
    "dict_type": gettext_noop("应为对象"), "model_type": gettext_noop("应为对象"),
    "model_attributes_type": gettext_noop("应为对象"),
    "json_invalid": gettext_noop("不是有效的 JSON"), "json_type": gettext_noop("应为 JSON"),
    "extra_forbidden": gettext_noop("不认识的字段"),
    "url_parsing": gettext_noop("应为网址"), "url_type": gettext_noop("应为网址"),
}


def schema_message(e: dict) -> str:
    """One schema error as the caller reads it: our own validators' messages (Chinese already)
    as they are, the library's by type."""
    kind = e.get("type", "")
    if kind in ("value_error", "assertion_error"):
        ctx_error = (e.get("ctx") or {}).get("error")
        if ctx_error is not None and str(ctx_error):
            return str(ctx_error)
    template = SCHEMA_MESSAGES.get(kind)
    if template is None:
        return gettext("格式不正确")
    values = {k: str(v) for k, v in (e.get("ctx") or {}).items()}
    if "expected" in values:  # pydantic's "'a', 'b' or 'c'": the values alone, listed in Chinese
        values["expected"] = "、".join(v.strip().strip("'") for v in values["expected"].replace(" or ", ", ").split(", "))
    try:
        return gettext(template).format(**values)
    except (KeyError, IndexError):
        return gettext(template).split("{")[0].rstrip("：")


def schema_field(loc) -> str:
    """The parameter an error is about, as the caller named it: a body field by its own key
    (``organization_id``, not ``payload.organization_id``), a query or path parameter by its name."""
    parts = [str(p) for p in loc]
    if not parts:
        return "body"
    if parts[0] == "body":
        return ".".join(parts[2:]) or "body"
    return ".".join(parts[1:]) or parts[0]


@api.exception_handler(NinjaValidationError)
def _invalid_payload(request, exc):
    fields = {}
    for e in exc.errors:
        fields.setdefault(schema_field(e.get("loc", [])), []).append(schema_message(e))
    return error(request, 422, "invalid", gettext("请求数据格式错误"), fields)


@api.exception_handler(ConflictError)
def _conflict(request, exc):
    return error(request, 409, "conflict", str(exc))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    # raised by the library only (a body it cannot parse, a session write without its CSRF token),
    # in English: said in Chinese by what it is
    log.info("API %s at %s %s: %s", exc.status_code, request.method, request.path, exc)
    if exc.status_code == 403:
        return error(request, 403, "csrf", gettext("以登录会话调用写操作时须带 X-CSRFToken 请求头（或改用令牌）"))
    return error(request, exc.status_code, "unreadable_body", gettext(
        "请求体无法解析：请以 JSON 发送（Content-Type: application/json）"))


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error(request, 413, "too_large", gettext("请求体过大（不能超过{size}），请分批提交").format(
        size=filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)))


@api.exception_handler(RawPostDataException)
def _form_body(request, exc):
    # a form or multipart body sent to an operation that reads JSON (the session's CSRF check has
    # read it as a form first)
    return error(request, 415, "unsupported_media_type", gettext(
        "该接口只接受 JSON 请求体（Content-Type: application/json）"))


@api.exception_handler(DataError)
def _out_of_range(request, exc):
    # a value the database cannot hold that slipped past the schema's bounds: the caller's input
    log.warning("API input out of range at %s %s: %s", request.method, request.path, exc)
    return error(request, 422, "invalid", gettext("数值超出允许范围"))


@api.exception_handler(Exception)
def _server_error(request, exc):
    """Anything else is our fault: logged with its traceback, answered in the same JSON shape —
    but a database busy for a moment (``middleware.database_busy``) is 503 with ``Retry-After``."""
    from .busy import RETRY_AFTER
    from .busy import database_busy

    if database_busy(exc):
        log.warning("database busy at %s %s: %s", request.method, request.path, exc)
        answer = error(request, 503, "busy", gettext("系统正忙（如正在导入大批数据），本次操作未完成，数据未被修改，请稍后重试"))
        answer["Retry-After"] = str(RETRY_AFTER)
        return answer
    log.error("API error at %s %s", request.method, request.path, exc_info=exc)
    return error(request, 500, "server_error", gettext("服务器内部错误，已记录，请稍后重试或联系管理员"))


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def model_of(label: str, action: str | None = None) -> dict:
    """OpenAPI extension naming the model an operation serves and, for a write on one record, the
    action whose scope reaches that record (``change``, ``delete``, ``award`` …; ``view`` for a
    route that takes part in a record it only sees: applying to a published challenge, bidding on
    a lot). The outside-in scope tests read both to check every operation as another zone's user,
    another enterprise's, and a user who sees the record but may act on it only elsewhere."""
    extra = {"x-feidi-model": label}
    if action is not None:
        extra["x-feidi-action"] = action
    return extra


def require_perm(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(gettext("没有权限"))


def scoped_list(request, model, action: str = "view"):
    """The rows of ``model`` this caller may see (403 without the model's view permission)."""
    require_perm(request, f"{model._meta.app_label}.{action}_{model._meta.model_name}")
    return model.objects.visible_to(request.user, action)


def scoped_get(request, model, pk, action: str | None = None, *, perm: str | None = None):
    """The one row ``pk`` of ``model`` the caller may reach for ``action`` (404 otherwise; 403
    without the permission ``perm``, by default ``<app>.<action>_<model>``).

    A write request must name its action: defaulting a write to ``view`` is exactly the hole of
    reaching another zone's record through what one can see, so it is refused as a programming
    error (and the generated scope test, which calls every write route, fails on it)."""
    if action is None:
        if request.method in WRITE_METHODS:
            raise ImproperlyConfigured(
                f"{request.method} {request.path}: scoped_get in a write route must name its action")
        action = "view"
    require_perm(request, perm or f"{model._meta.app_label}.{action}_{model._meta.model_name}")
    if not 1 <= int(pk) <= MAX_ID:
        raise Http404
    try:
        return model.objects.visible_to(request.user, action).get(pk=pk)
    except (model.DoesNotExist, ValueError):
        raise Http404 from None


def referenced(request, model, pk, field: str):
    """The record ``pk`` of ``model`` that the payload's ``field`` names, among those the caller sees;
    a 422 naming ``field`` otherwise (another zone's record is as unknown as a missing one)."""
    found = model.objects.visible_to(request.user).filter(pk=pk).first() if pk is not None else None
    if found is None:
        from django.utils.text import capfirst

        raise ValidationError({field: [gettext("{name} {pk} 不存在或不在您的范围").format(
            name=capfirst(model._meta.verbose_name), pk=pk)]})
    return found


PAGE_SIZE_MAX = 1000


class Pages(PageNumberPagination):
    """Page-number pagination with bounded input: a page past any table's end is an empty page, not
    an OFFSET the database cannot hold. A page holds what ``page_size`` asks, up to the documented
    ``PAGE_SIZE_MAX`` (ninja's own cap, 100, cut a page of 1,000 short: a client reading ``count``
    against its page size stopped after the first)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=10_000_000, description="页码")
        page_size: int | None = Field(None, ge=1, le=PAGE_SIZE_MAX, description=f"每页条数（最多 {PAGE_SIZE_MAX}）")

    def __init__(self, *, page_size: int = settings.NINJA_PAGINATION_PER_PAGE, **kwargs):
        super().__init__(page_size=page_size, max_page_size=PAGE_SIZE_MAX, **kwargs)


# Text columns have no length in the database; an API body still gets a sane bound.
TEXT_MAX = 100_000


def field(model, name: str, **overrides):
    """The API type of ``model.name`` with the model's own bounds, so a schema accepts only what
    the column holds on both databases: a CharField's length, a DecimalField's digits and places,
    an integer column's range, the field's min/max validators; a relation is an ``Id``, a date a
    ``Date`` (ISO 8601 only).
    ``overrides`` are given to pydantic's Field (e.g. ``description``)."""
    from django.core.validators import MaxValueValidator
    from django.core.validators import MinValueValidator
    from django.db import models
    from django.db.backends.base.operations import BaseDatabaseOperations

    f = model._meta.get_field(name)
    kwargs: dict = {"description": str(f.verbose_name)}
    if f.is_relation:
        kwargs.update(ge=1, le=MAX_ID)
        kind = int
    elif isinstance(f, models.DecimalField):
        from feidi.lib.cells import EXACT_DIGITS

        kind = Decimal
        digits = min(f.max_digits, EXACT_DIGITS)  # what every database keeps exactly
        bound = Decimal(10) ** (digits - f.decimal_places) - Decimal(10) ** -f.decimal_places
        kwargs.update(max_digits=digits, decimal_places=f.decimal_places, ge=-bound, le=bound)
    elif isinstance(f, models.BooleanField):
        kind = bool
    elif isinstance(f, models.IntegerField):
        kind = int
        low, high = BaseDatabaseOperations.integer_field_ranges[f.get_internal_type()]
        kwargs.update(ge=low, le=high)
    elif isinstance(f, models.DateTimeField):
        kind = DateTime
    elif isinstance(f, models.DateField):
        kind = Date
    elif isinstance(f, models.FloatField):
        kind = float
        kwargs.update(allow_inf_nan=False)
    else:
        kind = str
        kwargs["max_length"] = f.max_length or TEXT_MAX
    for validator in f.validators:
        if isinstance(validator, MinValueValidator):
            kwargs["ge"] = max(kwargs.get("ge", validator.limit_value), validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            kwargs["le"] = min(kwargs.get("le", validator.limit_value), validator.limit_value)
    kwargs.update(overrides)
    return Annotated[kind, Field(**kwargs)]


def create_within_scope(request, model, make, action: str = "add"):
    """Run ``make()`` — the create (or, with ``action="change"``, the update) action — and keep its
    record only if it lands within the scope of the roles that let the caller perform ``action`` on
    ``model`` (``ScopedQuerySet.lands_within``; otherwise 403 and nothing stays: the record, its
    audit row and its notifications roll back together). A city-wide viewer who adds only in its
    own bureau cannot file into, nor move a record into, another zone through references it merely
    sees."""
    from django.db import transaction

    with transaction.atomic():
        obj = make()
        moved = hasattr(obj, "department_id") and getattr(obj, "_department_before", obj.department_id) != obj.department_id
        if not model.objects.lands_within(request.user, action, strict=action == "add" or moved).filter(pk=obj.pk).exists():
            message = gettext("不能在您的数据范围之外新增{verbose_name}") if action == "add" else gettext(
                "不能把{verbose_name}移到您的数据范围之外")
            raise PermissionDenied(message.format(verbose_name=model._meta.verbose_name))
    return obj


def filtered(request, qs, filterset_class, *, exclude: tuple[str, ...] = ()):
    """``qs`` narrowed by the query string through the list page's own FilterSet (the pages and the
    API filter alike); an invalid filter value is a 422 naming the parameter. ``exclude`` names
    parameters the route reads itself."""
    from django.http import QueryDict

    skip = {"page", "page_size", *exclude}
    params = QueryDict(mutable=True)
    params.update({k: v for k, v in request.GET.items() if k not in skip})
    fs = filterset_class(params, queryset=qs, user=request.user)
    if not fs.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in fs.errors.items()})
    return fs.qs
