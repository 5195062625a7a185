from __future__ import annotations

from .context import acting, client_address


class RequestContextMiddleware:
    """Marks every request's writes with its channel (界面 or 接口) and source address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = "api" if request.path.startswith("/api/") else "ui"
        with acting(source, client_address(request), request.META.get("HTTP_USER_AGENT", "")):
            return self.get_response(request)
