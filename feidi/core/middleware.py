from __future__ import annotations

from .context import acting
from .context import client_address


class RequestContextMiddleware:
    """Marks every request's writes with its channel (界面 or 接口) and source address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = "api" if request.path.startswith("/api/") else "ui"
        with acting(source, client_address(request), request.META.get("HTTP_USER_AGENT", "")):
            return self.get_response(request)


class NoStoreMiddleware:
    """Nothing a signed-in user was shown stays in a browser's or a proxy's cache (personal numbers,
    appeals, figures): every answer to an authenticated request is ``Cache-Control: no-store``.
    Static files (served before this by whitenoise) keep their long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
