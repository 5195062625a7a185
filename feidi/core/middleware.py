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


class ApiAnswersMiddleware:
    """Every answer under ``/api/`` is the API's JSON (``ErrorSchema``): a path no route serves
    (404) or a method its route does not take (405) is answered in that shape and in Chinese,
    never with the site's HTML page (the allowed methods kept in ``Allow``). HEAD is answered as
    GET without its body (RFC 9110), as the pages are: the API's routes declare GET alone. A page's
    405 (a form's POST address opened by a link) is the site's page, not an empty answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        head = request.method == "HEAD" and request.path.startswith("/api/")
        if head:
            request.method = "GET"
        response = self.get_response(request)
        if head:
            response.content = b""
        if (response.status_code in (404, 405) and request.path.startswith("/api/")
                and not response.get("Content-Type", "").startswith("application/json")):
            from django.utils.translation import gettext

            from .api import error

            if response.status_code == 404:
                return error(request, 404, "not_found", gettext("接口不存在：请核对路径（见 /api/v1/docs）"))
            allowed = response.get("Allow", "")
            answer = error(request, 405, "method_not_allowed",
                           gettext("该接口不支持 {method} 方法（支持：{allowed}）").format(
                               method=request.method, allowed=allowed or "—"))
            if allowed:
                answer["Allow"] = allowed
            return answer
        if response.status_code == 405 and not response.content and request.method != "HEAD":
            # a page that only takes a form's POST, opened by its address: the site's page, in Chinese,
            # not the browser's own blank error
            from django.shortcuts import render

            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response


class BusyDatabaseMiddleware:
    """A page whose database was busy answers 503 with ``Retry-After`` and says that nothing was
    changed (its transaction rolled back) — never the 500 of a fault. The page is plain: the site's
    layout would read the database again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from .busy import RETRY_AFTER
        from .busy import database_busy

        if not database_busy(exception):
            return None
        import logging

        from django.http import HttpResponse
        from django.template.loader import render_to_string

        logging.getLogger(__name__).warning("database busy at %s %s: %s", request.method, request.path, exception)
        response = HttpResponse(render_to_string("503.html", request=None), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
