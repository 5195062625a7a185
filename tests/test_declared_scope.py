"""Every record type declared with ``core.declare`` keeps its records inside their scope.

Generated over ``declare.REGISTRY``: a record of zone A (made by the test factories) is not found by
a staff user of zone B who holds every permission of the model, nor by another enterprise's user —
the detail, edit and delete pages answer 404 (403 for a user without the permission), the list does
not show it. A newly declared model is covered without anyone writing a test.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from feidi.core import declare
from feidi.testing.factories import make_for

from .test_scope_outside import _public, narrow_markers


def _declared():
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — loading the URL conf imports every app's declarations
    return [pytest.param(d, id=label) for label, d in sorted(declare.REGISTRY.items()) if d.prefix]


DECLARED = _declared()


def test_the_apps_declare_their_models():
    labels = {p.values[0].model._meta.label_lower for p in DECLARED}
    assert {"registry.zone", "registry.organization", "registry.person"} <= labels


def _routed_patterns(patterns=None, prefix="", namespace=None):
    from django.urls import URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routed_patterns(pattern.url_patterns, prefix + str(pattern.pattern),
                                        pattern.namespace or namespace)
        elif namespace not in (None, "api"):
            yield prefix + str(pattern.pattern), f"{namespace}:{pattern.name}"


def test_every_routed_page_is_reached_at_its_own_path():
    """The declared pages and the views that route themselves (``declare.route``) come together in
    each app's URL list: no route may shadow another — a path filled in for each pattern resolves to
    that pattern's own name."""
    import re

    from django.urls import resolve

    routes = list(_routed_patterns())
    assert len(routes) > 300
    assert len({name for _, name in routes}) == len(routes), "a URL name routed twice"
    for route, name in routes:
        sample = "/" + re.sub(r"<int:\w+>", "7", re.sub(r"<str:\w+>", "sample", route))
        assert resolve(sample).view_name == name, (route, name)


def test_a_url_name_is_routed_once():
    from django.views.generic import View

    @declare.route("probe/", "probe", app_label="probe")
    class Probe(View):
        pass

    try:
        with pytest.raises(ValueError, match="probe:probe is routed already"):
            @declare.route("probe/again/", "probe", app_label="probe")
            class ProbeAgain(View):
                pass
        assert [str(p.pattern) for p in declare.urls("probe")] == ["probe/"]
    finally:
        del declare.ROUTES["probe", "probe"]


def _staff_of_zone_b(cast, model):
    """A zone-B staff user whose role grants every permission of ``model`` over zone B's tree."""
    from feidi.accounts.models import Role
    from feidi.core.context import acting
    from feidi.core.scope import DataScope
    from feidi.testing.cast import _user

    name = model._meta.model_name
    role = Role.objects.create(code=f"declared-{name}", name=f"declared {name}", data_scope=DataScope.ZONE_TREE)
    role.permissions.set(Permission.objects.filter(content_type__app_label=model._meta.app_label,
                                                   codename__endswith=f"_{name}"))
    with acting("cli"):
        return _user(f"zone_b_{name}", "乙区员工", roles=[role.code], department=cast.dept_b)


@pytest.mark.parametrize("declaration", DECLARED)
def test_declared_records_stay_in_their_scope(declaration, cast, client):
    model = declaration.model
    obj = make_for(model, cast)
    if _public(obj):
        pytest.skip("published to every signed-in user by design")
    app, name = model._meta.app_label, model._meta.model_name
    outsiders = {"zone B staff": (_staff_of_zone_b(cast, model), {404}), "another enterprise": (cast.ent_b, {403, 404})}
    for who, (user, answers) in outsiders.items():
        client.force_login(user)
        for kind in ("detail", "edit", "delete"):
            if kind not in declaration.pages:
                continue
            response = client.get(reverse(f"{app}:{name}_{kind}", kwargs={"pk": obj.pk}))
            assert response.status_code in answers, (who, kind, response.status_code)
        response = client.get(reverse(f"{app}:{name}_list"))
        assert response.status_code in (200, 403), (who, response.status_code)
        if response.status_code == 200:
            page = response.content.decode()
            for marker in narrow_markers(obj):
                assert marker not in page, f"{who} finds {marker!r} in {app}:{name}_list"
