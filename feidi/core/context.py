"""Who is acting, from where and through which channel: set once per request, command or job.

The audit trail reads it, so actions need not thread the source address through every call.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

SOURCES = {"ui": _("界面"), "api": _("接口"), "import": _("导入"), "cli": _("命令行"), "job": _("后台任务"),
           "system": _("系统")}


@dataclass(frozen=True)
class ActingContext:
    source: str = "system"
    address: str = ""
    user_agent: str = ""


_DEFAULT = ActingContext()
_current: contextvars.ContextVar[ActingContext] = contextvars.ContextVar("feidi_context", default=_DEFAULT)  # noqa: B039 (frozen)


def current() -> ActingContext:
    return _current.get()


@contextmanager
def acting(source: str, address: str = "", user_agent: str = ""):
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    token = _current.set(ActingContext(source=source, address=address, user_agent=user_agent[:200]))
    try:
        yield
    finally:
        _current.reset(token)


def client_address(request) -> str:
    from django.conf import settings

    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")
