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

from .test_scope_outside import _public
from .test_scope_outside import narrow_markers


def _declared():
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — loading the URL conf imports every app's declarations
    return [pytest.param(d, id=label) for label, d in sorted(declare.REGISTRY.items()) if d.prefix]


DECLARED = _declared()


def test_the_apps_declare_their_models():
    labels = {p.values[0].model._meta.label_lower for p in DECLARED}
    assert {"registry.zone", "registry.organization", "registry.person"} <= labels


def test_a_page_adds_to_the_generic_context_through_its_hooks():
    """One way to give a detail page its own parts: ``get_extra_context(obj)``, ``editable``/``deletable``
    (or ``offer_edit``/``offer_delete``) for its buttons; a list page's ``get_extra_context(rows)`` likewise.
    A page that overrode ``get_context_data`` instead could drop the generic keys or the permission
    check behind the 编辑 button."""
    from feidi.core.views import ObjectDetailView
    from feidi.core.views import ObjectListView

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    overriding = sorted(f"{c.__module__}.{c.__qualname__}" for base in (ObjectDetailView, ObjectListView)
                        for c in subclasses(base) if "get_context_data" in c.__dict__)
    assert overriding == []


def test_a_new_record_opened_from_its_parents_page_is_prefilled_only_with_a_parent_the_user_sees(cast, client_for):
    """``prefill`` (a qualification label added from its enterprise's page): the enterprise is chosen
    when the user sees it; another zone's id in the address is ignored, not set behind the form."""
    import re

    clerk = client_for("clerk")
    url = reverse("registry:organizationlabel_add")

    def chosen(org) -> list[str]:
        page = clerk.get(f"{url}?organization={org.pk}").content.decode()
        return re.findall(r'<option value="(\d+)"[^>]*selected', page)

    assert chosen(cast.org_a1) == [str(cast.org_a1.pk)]
    assert chosen(cast.org_b1) == []


def _routed_patterns(patterns=None, prefix="", namespace=None):
    from django.urls import URLResolver
    from django.urls import get_resolver

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


def test_a_menu_three_apps_fill_lists_each_entry_once_in_the_apps_order():
    """科技大市场 is filled by the market, 揭榜挂帅 and the auctions, each adding its declared record
    types: the market's dashboard and pushes where it put them, no entry twice, every entry a page."""
    from feidi.core.navigation import MENUS

    names = [item.url_name for item in MENUS["techmarket"].items]
    assert len(names) == len(set(names)), names
    assert names == ["techmarket:overview", "techmarket:demand_list", "techmarket:supply_list", "techmarket:push_list",
                     "techmarket:talent_list", "techmarket:thesaurusentry_list", "challenges:challenge_list",
                     "challenges:application_list", "challenges:jointproject_list", "auctions:auction_list",
                     "auctions:lot_list", "auctions:registration_list", "auctions:bid_list"]
    for item in MENUS["techmarket"].items:
        reverse(item.url_name)
        app, page = item.url_name.split(":")
        if item.perm and page.endswith("_list"):
            assert item.perm == f"{app}.view_{page[:-5]}", item


def test_an_action_page_is_routed_beside_its_record_and_refuses_without_changing_it(cast, client_for):
    """``declare.action``: the page sits at ``<prefix>/<pk>/<verb>/``, answers POST only, and a refused
    action (here: publishing a demand already published) is a message on the record's page."""
    from django.contrib.messages import get_messages

    from feidi.techmarket.models import Demand

    demand = make_for(Demand, cast)
    url = reverse("techmarket:demand_publish", kwargs={"pk": demand.pk})
    assert url == f"/techmarket/demands/{demand.pk}/publish/"
    c = client_for("ent_a")
    assert c.get(url).status_code == 405
    first = c.post(url)
    assert first.status_code == 302 and first.url == demand.get_absolute_url()
    demand.refresh_from_db()
    published_at = demand.published_at
    assert demand.status == Demand.Status.PUBLISHED and published_at is not None
    second = c.post(url)
    refused = [str(m) for m in get_messages(second.wsgi_request)]
    demand.refresh_from_db()
    assert second.url == demand.get_absolute_url() and refused and demand.published_at == published_at


def test_an_api_list_documents_and_checks_its_filterset_parameters(cast, client_for):
    """``declare.api_routes(list_summary=…)``: the list's query parameters are its filterset's — shown in
    the OpenAPI document with their labels (a date range as its two ends, a record as an id) and
    checked by the same filterset as the page (a bad value is a 422 naming the parameter)."""
    from feidi.core.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/intel/items"]["get"]
    documented = {p["name"]: p for p in operation["parameters"]}
    assert {"q", "status", "published_on_after", "published_on_before", "page"} <= set(documented)
    zones = api.get_openapi_schema()["paths"]["/api/v1/registry/zones"]["get"]["parameters"]
    kind = next(p for p in zones if p["name"] == "kind")
    assert kind["schema"]["anyOf"][0]["type"] == "integer" and kind["description"] == "类型"
    c = client_for("invest")
    assert c.get("/api/v1/intel/items?status=nonsense").status_code == 422
    assert "status" in c.get("/api/v1/intel/items?status=nonsense").json().get("fields", {})
    assert c.get("/api/v1/registry/zones?kind=0").status_code == 422
    assert c.get("/api/v1/intel/items?status=new").status_code == 200


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_a_yes_no_filter_offers_all_first_not_unknown(cast):
    """Every list's yes/no filter (a ``BooleanFilter``'s select) reads 全部 while it does not filter:
    Django's own first choice is 未知 (unknown), which reads as a value of the field."""
    from django import forms

    from feidi.core.filters import ScopedFilterSet

    _declared()
    checked = 0
    for filterset in set(_subclasses(ScopedFilterSet)):
        if filterset._meta.model is None:
            continue
        form = filterset(queryset=filterset._meta.model._default_manager.none(), user=cast.leader).form
        for name, field in form.fields.items():
            if isinstance(field.widget, forms.NullBooleanSelect):
                checked += 1
                assert dict(field.widget.choices)["unknown"] == "全部", (filterset.__name__, name)
                assert '<option value="unknown" selected>全部</option>' in str(form[name]), str(form[name])
    assert checked >= 5


def _staff_of_zone_b(cast, model):
    """A zone-B staff user whose role grants the model permissions of ``model`` (view, add, change,
    delete) over zone B's tree — not its other permissions, which may belong to another of the three
    administrators' duties (unlock_user is the security administrator's)."""
    from feidi.accounts.models import Role
    from feidi.core.context import acting
    from feidi.core.scope import DataScope
    from feidi.testing.cast import _user

    name = model._meta.model_name
    role = Role.objects.create(code=f"declared-{name}", name=f"declared {name}", data_scope=DataScope.ZONE_TREE)
    role.permissions.set(Permission.objects.filter(content_type__app_label=model._meta.app_label,
                                                   codename__in=[f"{a}_{name}" for a in
                                                                 model._meta.default_permissions]))
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


def _service_office(name, department):
    from django.test import Client

    from feidi.core.context import acting
    from feidi.testing.cast import _user

    with acting("cli"):
        user = _user(name, f"{name} 安商办", roles=["service_office"], department=department)
    client = Client()
    client.force_login(user)
    return user, client


def test_the_api_writes_a_declared_record_through_its_page_and_its_form(cast):
    """``declare.api_routes(create_summary=…, update_summary=…)`` for 走访记录: the body is the page's
    form (ids as ``<field>_id``/``_ids``), its errors are the form's in Chinese under the body's key,
    the record is saved by the page's own edit view (the cadre defaults to the caller, the audit row
    is written), a stale version is refused, and another zone's cadre cannot reach the record."""
    from feidi.core.models import AuditRecord
    from feidi.services.models import Visit

    office, c = _service_office("svc_a", cast.dept_a)
    url = "/api/v1/services/visits"
    bad = c.post(url, {"organization_id": cast.org_a1.pk, "notes": "x"}, content_type="application/json")
    assert bad.status_code == 422 and "visited_on" in bad.json()["fields"]
    outside = c.post(url, {"organization_id": cast.org_b1.pk, "visited_on": "2026-11-30", "notes": "走访"},
                     content_type="application/json")
    assert outside.status_code == 422 and "organization_id" in outside.json()["fields"]
    made = c.post(url, {"organization_id": cast.org_a1.pk, "visited_on": "2026-11-30", "notes": "了解扩产用地需求"},
                  content_type="application/json")
    assert made.status_code == 201, made.content
    visit = Visit.objects.get(pk=made.json()["id"])
    assert visit.cadre == office and visit.department_id == cast.org_a1.department_id
    assert AuditRecord.objects.filter(model="services.visit", object_id=str(visit.pk)).exists()
    changed = c.patch(f"{url}/{visit.pk}", {"notes": "已对接用地", "version": visit.version},
                      content_type="application/json")
    assert changed.status_code == 200 and changed.json()["notes"] == "已对接用地"
    assert changed.json()["visited_on"] == "2026-11-30"  # what was not sent is kept
    stale = c.patch(f"{url}/{visit.pk}", {"notes": "覆盖", "version": visit.version},
                    content_type="application/json")
    assert stale.status_code == 409
    visit.refresh_from_db()
    assert visit.notes == "已对接用地"
    _, other = _service_office("svc_b", cast.dept_b)
    assert other.patch(f"{url}/{visit.pk}", {"notes": "乙区"}, content_type="application/json").status_code == 404
