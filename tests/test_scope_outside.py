"""Data scope tested from the outside, generated over the URL conf and the OpenAPI schema.

For every page and API operation that shows records, a record of zone A (or of enterprise A) must
be invisible to a user of another zone, another enterprise and an institution: lists and exports
do not contain it, detail/edit/delete/action routes answer 403 or 404 and change nothing.
A new route is covered automatically; a model without a factory fails the test.
"""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls import reverse

from feidi.core.views import ObjectListView
from feidi.core.views import ObjectMixin
from feidi.testing.factories import make_for

pytestmark = pytest.mark.long  # a minute or more on one core: handed out first (conftest.py)

OUTSIDERS = ("other_clerk", "other_pmo", "ent_b", "inst")
APP_NAMESPACES = {"core", "accounts", "registry", "services", "chains", "projects", "indicators", "techmarket",
                  "challenges", "auctions", "policies", "intel"}


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace, p


def scoped_routes():
    routes = []
    for namespace, pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        if namespace not in APP_NAMESPACES or view_class is None or getattr(view_class, "model", None) is None:
            continue
        kind = "list" if issubclass(view_class, ObjectListView) else "object" if issubclass(view_class, ObjectMixin) else None
        if kind == "object" and "pk" not in pattern.pattern.converters:
            continue  # an add form: creating in one's own scope is not a leak
        if kind:
            routes.append(pytest.param(f"{namespace}:{pattern.name}", view_class, kind, id=f"{namespace}:{pattern.name}"))
    return routes


ROUTES = scoped_routes()
CONVERTERS = {f"{ns}:{p.name}": set(p.pattern.converters) for ns, p in _walk(get_resolver().url_patterns)}


def _converters(route: str) -> set[str]:
    return CONVERTERS.get(route, set())


def test_the_route_walk_finds_the_pages():
    names = {p.values[0] for p in ROUTES}
    assert {"registry:organization_list", "registry:organization_detail", "registry:person_reveal",
            "core:auditrecord_list"} <= names


def _visible_in_xlsx(content: bytes, marker: str) -> bool:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            if any(marker in str(cell) for cell in row):
                return True
    return False


def _detail_url(obj) -> str | None:
    try:
        return reverse(f"{obj._meta.app_label}:{obj._meta.model_name}_detail", kwargs={"pk": obj.pk})
    except Exception:  # no detail page
        return None


def narrow_markers(obj) -> list[str]:
    """What would betray the record on an outsider's page: its name as shown, its detail link."""
    return [m for m in (str(obj), _detail_url(obj)) if m]


def broad_markers(obj) -> list[str]:
    """Any trace of the record, for the insider's check."""
    extra = [getattr(obj, f, None) for f in ("name", "title", "username", "full_name", "label", "note")]
    if getattr(obj, "organization_id", None):  # rows listed under their enterprise (values, members …)
        extra.append(obj.organization.name)
    return narrow_markers(obj) + [str(v) for v in extra if isinstance(v, str) and len(v) >= 2]


def _public(obj) -> bool:
    scope = type(obj).scope
    return scope.public is not None and type(obj).objects.filter(scope.public, pk=obj.pk).exists()


@pytest.mark.sweep("queries")
@pytest.mark.parametrize("route,view_class,kind", ROUTES)
def test_outsiders_never_see_zone_a_records(route, view_class, kind, cast, client_for):
    obj = make_for(view_class.model, cast)
    if _public(obj):
        pytest.skip("published to every signed-in user by design")
    if kind == "list":
        url = reverse(route)
        for name in OUTSIDERS:
            c = client_for(name)
            response = c.get(url)
            assert response.status_code in (200, 403), (name, response.status_code)
            if response.status_code == 200:
                page = response.content.decode()
                for marker in narrow_markers(obj):
                    assert marker not in page, f"{name} sees {marker!r} in {route}"
                export = c.get(url, {"export": "xlsx"})
                if export.status_code == 200 and export["Content-Type"].startswith("application/vnd"):
                    assert not _visible_in_xlsx(export.content, str(obj)), f"{name} exports {obj!r}"
        return
    extra = {name: 0 for name in _converters(route) if name != "pk"}  # e.g. an attachment id: the record decides
    url = reverse(route, kwargs={"pk": obj.pk, **extra})
    before = type(obj)._base_manager.filter(pk=obj.pk).values().first()
    for name in OUTSIDERS:
        c = client_for(name)
        response = c.get(url)
        if response.status_code == 405:
            response = c.post(url, {})
        assert response.status_code in (403, 404), (name, route, response.status_code)
        response = c.post(url, {"name": "改名", "status": "exited"})
        assert response.status_code in (403, 404, 405), (name, route, response.status_code)
    after = type(obj)._base_manager.filter(pk=obj.pk).values().first()
    assert after == before, f"an outsider changed {route}"


@pytest.mark.sweep("queries")
@pytest.mark.parametrize("route,view_class,kind", [r for r in ROUTES if r.values[0].endswith(("_list", "_detail"))])
def test_someone_inside_sees_it(route, view_class, kind, cast, client_for):
    """The outside test is not vacuous: an insider of the cast does see the record. The cast is
    asked in turn and the first who sees it ends the search (one insider is the claim)."""
    obj = make_for(view_class.model, cast)
    url = reverse(route) if kind == "list" else reverse(route, kwargs={"pk": obj.pk})

    def sees(name: str) -> bool:
        response = client_for(name).get(url)
        return response.status_code == 200 and (
            kind != "list" or any(m in response.content.decode() for m in broad_markers(obj)))

    assert any(sees(name) for name in cast.users()), f"nobody in the cast sees {obj!r} at {route}"


def _api_operations():
    from feidi.core.api import api

    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            ops.append(pytest.param(path, method, op.get("x-feidi-model"), id=f"{method.upper()} {path}"))
    return ops


# /core/stats/* answer over every subject's records through the same scope layer: tested subject by
# subject from the outside in tests/test_stats_query.py
UNSCOPED_API = {"/api/v1/accounts/me", "/api/v1/core/dictionaries/{type_code}", "/api/v1/core/stats/subjects",
                "/api/v1/core/stats/query", "/api/v1/core/todos"}  # 我的待办: each group's own, tests/test_workbench*.py


@pytest.mark.sweep("queries")
@pytest.mark.parametrize("path,method,model_label", _api_operations())
def test_api_outsiders_never_see_zone_a_records(path, method, model_label, cast, client_for):
    if path in UNSCOPED_API:
        return
    assert model_label, f"{method.upper()} {path} does not name its model (openapi_extra=model_of(...))"
    model = apps.get_model(model_label)
    obj = make_for(model, cast)
    url = path.replace("{pk}", str(obj.pk))
    for name in OUTSIDERS:
        c = client_for(name)
        call = getattr(c, method)
        response = call(url, data="{}", content_type="application/json") if method != "get" else call(url)
        if "{pk}" in path:
            assert response.status_code in (403, 404, 422), (name, method, path, response.status_code)
        elif method == "get":
            assert response.status_code in (200, 403), (name, path, response.status_code)
            if response.status_code == 200:
                body = response.json()
                if isinstance(body, list) or "rows" in body:
                    # An aggregate over what the caller sees: the only rows are zone A's, so nothing.
                    rows = body if isinstance(body, list) else body["rows"]
                    assert rows == [], f"{name} gets aggregates of {obj!r} through {path}"
                else:
                    ids = [item["id"] for item in body["items"]]
                    assert obj.pk not in ids, f"{name} sees {obj!r} through {path}"
        else:
            assert response.status_code in (403, 404, 422), (name, method, path, response.status_code)
        if response.status_code >= 400:
            body = response.json()
            assert {"code", "message"} <= set(body), body


def _publish(obj) -> None:
    """Put ``obj`` in the first state its Scope publishes (e.g. status published, or its auction's)."""
    for lookup, value in type(obj).scope.public.children:
        *path, last = lookup.split("__")
        if last == "in":
            last, value = path.pop(), value[0]
        target = obj
        for step in path:
            target = getattr(target, step)
        type(target)._base_manager.filter(pk=target.pk).update(**{last: value})


def _published_by_status(model) -> bool:
    """Rows published by a state (not readable by everyone whatever they hold, like dictionaries)."""
    public = getattr(getattr(model, "scope", None), "public", None)
    return public is not None and all("status" in lookup for lookup, _ in public.children)


def _writes_the_record(view_class) -> bool:
    """The view changes its own record (edit, publish, close …), rather than reading it or taking
    part in it through another record (registering for an auction, bidding on a lot)."""
    view = view_class()
    view.kwargs = {"pk": 1}
    return view.scope_action() != "view"


WRITE_ROUTES = [r for r in ROUTES if r.values[2] == "object" and _published_by_status(r.values[1].model)
                and _writes_the_record(r.values[1])]


def test_published_models_have_write_routes_to_check():
    assert {"techmarket:demand_edit", "techmarket:supply_publish", "challenges:challenge_edit",
            "auctions:lot_edit"} <= {r.values[0] for r in WRITE_ROUTES}


@pytest.mark.parametrize("route,view_class,kind", WRITE_ROUTES)
def test_published_records_are_read_only_to_outsiders(route, view_class, kind, cast, client_for):
    """Published rows are seen by every signed-in user, but another zone's staff holding every
    market permission, another enterprise and another institution change nothing through them."""
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User

    tech_b = User(username="tech_b", full_name="乙区科技局干部", department=cast.dept_b)
    do_create_user(tech_b, password="Cast#Passw0rd!", roles=[Role.objects.get(code="tech_bureau")], acting_user=None)
    obj = make_for(view_class.model, cast)
    _publish(obj)
    extra = {name: 0 for name in _converters(route) if name != "pk"}
    url = reverse(route, kwargs={"pk": obj.pk, **extra})
    before = type(obj)._base_manager.filter(pk=obj.pk).values().first()
    for name in ("tech_b", "ent_b", "inst"):
        c = client_for(name) if name != "tech_b" else None
        if c is None:
            from django.test import Client

            c = Client()
            c.force_login(tech_b)
        assert c.get(_detail_url(obj)).status_code == 200, f"{name} should see the published {obj!r}"
        response = c.get(url)
        assert response.status_code in (403, 404, 405), (name, route, response.status_code)
        response = c.post(url, {"title": "改名", "name": "改名", "status": "closed", "amount": "99999999"})
        assert response.status_code in (403, 404, 405), (name, route, response.status_code)
    after = type(obj)._base_manager.filter(pk=obj.pk).values().first()
    assert after == before, f"an outsider changed the published record through {route}"
