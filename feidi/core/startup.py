"""Checks a serving process makes before it answers anything."""

from __future__ import annotations

import gc
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_collected_static() -> None:
    """With the manifest storage, a missing ``staticfiles.json`` makes every page fail: stop now."""
    backend = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
    if "Manifest" not in backend:
        return
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if not manifest.exists():
        message = (f"静态文件尚未收集（缺少 {manifest}）：请先运行 feidi collectstatic（make setup 会自动执行）。"
                   f" Static files are not collected: run `feidi collectstatic` first.")
        print(message, file=sys.stderr)
        raise ImproperlyConfigured(message)


def freeze_startup_objects() -> None:
    """Put what start-up made (modules, classes, settings, URL patterns, translations) out of the
    garbage collector's sight: it lives as long as the process, yet every full collection walked
    all of it, in the middle of whichever request set it off — 70-80 ms on the chain map's data,
    one request in ten (``gc.freeze``, the use Python's documentation gives for servers). Garbage
    is collected first, so nothing dead is kept."""
    gc.collect()
    gc.freeze()


# Lines ``feidi serve`` prints under its address (the demo's logins, registered by the demo app).
_banner: list = []


def add_banner(lines) -> None:
    """``lines()`` gives text for ``feidi serve`` to print when it starts."""
    if lines not in _banner:
        _banner.append(lines)


def banner() -> list[str]:
    return [line for lines in _banner for line in lines()]
