"""Where a 情报来源 may point: a feed's host in ``FEIDI_INTEL_FEED_HOSTS``, a folder inside one of
``FEIDI_INTEL_FOLDERS`` (the operator's bounds; ``sources.py`` reads, ``models.Source`` checks)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from feidi.lib.robots import host_allowed

FEED = "feed"  # models.Source.Kind.FEED


def feed_host(url: str) -> tuple[str, int | None]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"location": gettext("订阅源地址应以 http:// 或 https:// 开头")})
    if parts.username or parts.password:
        raise ValidationError({"location": gettext("订阅源地址中不能包含用户名或密码")})
    try:
        return parts.hostname.lower(), parts.port
    except ValueError:
        raise ValidationError({"location": gettext("端口号无效")}) from None


def allowed_host(host: str, port: int | None) -> bool:
    allowed = settings.INTEL_FEED_HOSTS
    return host_allowed(host, port, allowed) or host_allowed(host, None, allowed)


def allowed_folders() -> list[Path]:
    return [Path(r).resolve() for r in settings.INTEL_FOLDERS]


def inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def check_location(kind: str, location: str) -> str:
    """The location, normalised, when the operator allows it; else a ``ValidationError`` on the
    ``location`` field saying why, in Chinese."""
    if kind == FEED:
        host, port = feed_host(location)
        if not allowed_host(host, port):
            allowed = "、".join(settings.INTEL_FEED_HOSTS) or gettext("（未配置）")
            raise ValidationError({"location": gettext(
                "该地址不在运维允许的订阅源主机内：{host}；允许的主机：{allowed}（FEIDI_INTEL_FEED_HOSTS）").format(
                    host=host, allowed=allowed)})
        return location
    path = Path(location)
    if not path.is_absolute():
        raise ValidationError({"location": gettext("请填写服务器上的绝对路径")})
    resolved = path.resolve()
    roots = allowed_folders()
    if not inside(resolved, roots):
        allowed = "、".join(str(r) for r in roots) or gettext("（未配置）")
        raise ValidationError({"location": gettext(
            "该目录不在运维允许的范围内；允许的目录：{allowed}（FEIDI_INTEL_FOLDERS）").format(allowed=allowed)})
    if not resolved.is_dir():
        raise ValidationError({"location": gettext("目录不存在：{path}").format(path=location)})
    return str(resolved)
