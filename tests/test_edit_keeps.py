"""An edit page saved as rendered changes nothing, whatever its editor's scope reaches.

A record's links (its enterprise, its department, its members …) may lie outside the scope of
someone who may still edit the record: a project of one's zone whose enterprise another zone
registered, a zone whose owning department is the city's. Before ``ScopedModelForm`` offered the
current links, such a select showed no value: a required one refused the unchanged save ("选择一个
有效的选项"), an optional one was saved blank, a many-to-many lost the rows it did not list.

Generated over every edit route: the factory's record, opened by the first member of the cast who
may edit it, with the scope layer made to offer nothing (``offered`` → none), so that no link is
reachable; the page is submitted as a browser would and the record must be saved unchanged.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from feidi.core import audit
from feidi.core.views import ObjectMixin
from feidi.testing.factories import make_for

from .test_roles import submit_as_rendered
from .test_scope_outside import APP_NAMESPACES
from .test_scope_outside import _walk

pytestmark = pytest.mark.long


def edit_routes():
    from django.urls import get_resolver

    routes = []
    for namespace, pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        if (namespace in APP_NAMESPACES and view_class is not None and issubclass(view_class, ObjectMixin)
                and getattr(view_class, "model", None) is not None and pattern.name.endswith("_edit")
                and set(pattern.pattern.converters) == {"pk"}):
            routes.append(pytest.param(f"{namespace}:{pattern.name}", view_class, id=f"{namespace}:{pattern.name}"))
    return routes


ROUTES = edit_routes()


def test_the_walk_finds_the_edit_pages():
    names = {p.values[0] for p in ROUTES}
    assert {"projects:project_edit", "registry:zone_edit", "registry:organization_edit"} <= names
    assert len(names) >= 20


# Zone A's offices and the city's statistics bureau beside the cast's own users: most edit pages are
# an office's work.
OFFICES = (("project_office", "dept_a"), ("service_office", "dept_a"), ("policy_office", "dept_a"),
           ("statistics", "dept_a"), ("tech_bureau", "dept_a"), ("statistics", "city"))


def _editors(cast, client_for):
    from django.test import Client

    from feidi.testing.cast import _user

    yield from (client_for(name) for name in cast.users())
    for code, department in OFFICES:
        client = Client()
        client.force_login(_user(f"{department}_{code}", f"{department} {code}", roles=[code],
                                 department=getattr(cast, department)))
        yield client


def _links(obj) -> dict:
    """The record's fields with its many-to-many links, as the audit trail reads them."""
    return audit.snapshot(type(obj)._base_manager.get(pk=obj.pk))


# Routes whose factory record refuses any save for a reason of its own, said on the page (the
# factory's lot is of a supply not published).
REFUSED = {"auctions:lot_edit": "只能以已发布的科技成果作为拍品"}


@pytest.mark.parametrize("route,view_class", ROUTES)
@pytest.mark.sweep("pages")
def test_an_unchanged_save_keeps_links_the_editor_cannot_reach(route, view_class, cast, client_for, monkeypatch,
                                                               settings):
    settings.INTEL_FEED_HOSTS = ["news.zone-a.local"]  # the factory's feed: a source is saved only on an allowed host
    obj = make_for(view_class.model, cast)
    url = reverse(route, kwargs={"pk": obj.pk})
    editor = next((c for c in _editors(cast, client_for) if c.get(url).status_code == 200), None)
    if editor is None:
        pytest.skip(f"no member of the cast edits {route}")
    before = _links(obj)
    monkeypatch.setattr("feidi.core.forms.offered", lambda queryset, user: queryset.none())
    response = submit_as_rendered(editor, url)
    if route in REFUSED:
        assert REFUSED[route] in response.content.decode()
        return
    assert response.status_code == 302, (route, re.findall(r"(?:invalid-feedback|alert-danger)[^>]*>(.{0,300})", response.content.decode()))
    after = _links(obj)
    changed = {k: (before.get(k), after.get(k)) for k in before.keys() | after.keys()
               if before.get(k) != after.get(k) and k not in ("version", "updated_at")}
    assert not changed, f"{route} saved unchanged changed {changed}"
