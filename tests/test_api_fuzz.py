"""The whole API under a property-based fuzz (``feidi.testing.fuzz``): as a zone clerk and as an
enterprise user, valid and invalid requests to every operation, on the database the suite runs on.
Any 5xx, an error not in the JSON shape or a success off its documented schema fails.

``FEIDI_FUZZ_EXAMPLES`` (default 6) is the number of generated requests per operation, mode and
user; ``FEIDI_FUZZ_EXAMPLES=60 pytest tests/test_api_fuzz.py -s`` is the longer run quoted in the
issue notes.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from django.apps import apps
from django.urls import reverse

from feidi.testing.factories import make_for

pytestmark = pytest.mark.long  # handed out first (conftest.py)


def _path_ids(cast) -> dict[str, list[int]]:
    from feidi.core.api import api

    ids: dict[str, list[int]] = {}
    for path, methods in api.get_openapi_schema()["paths"].items():
        if "{pk}" not in path:
            continue
        for op in methods.values():
            label = op.get("x-feidi-model")
            if label:
                ids[path] = [make_for(apps.get_model(label), cast).pk]
                break
    return ids


@pytest.mark.sweep("queries")
def test_no_generated_request_gets_a_server_error(cast):
    from feidi.accounts.models import ApiToken
    from feidi.testing.fuzz import fuzz

    users = {name: ApiToken.issue(getattr(cast, name), "fuzz")[1] for name in ("clerk", "ent_a")}
    report = fuzz(users, examples=int(os.environ.get("FEIDI_FUZZ_EXAMPLES", "6")), path_ids=_path_ids(cast))
    print(report.summary())
    details = "\n".join(f"{f.kind} {f.status} {f.operation} as {f.user}: {f.detail}\n  {f.reproduce}"
                        for f in report.findings[:20])
    assert not report.findings, f"{report.summary()}\n{details}"
    assert report.cases > 0


def test_schema_names_are_unique():
    """Two request or response schemas of one name would be one component in the OpenAPI description,
    and one of the two operations would be described with the other's body."""
    from ninja import Schema

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    import feidi.api  # noqa: F401  (every router's schemas)

    names: dict[str, set[str]] = {}
    for cls in walk(Schema):
        if cls.__module__.startswith("feidi."):
            names.setdefault(cls.__name__, set()).add(cls.__module__)
    clashes = {name: mods for name, mods in names.items() if len(mods) > 1}
    assert not clashes, clashes


@pytest.mark.parametrize("page", ["0", "-1", "99999999999999999999", "abc"])
def test_out_of_range_pages_and_ids_are_client_errors(page, client_for, cast):
    c = client_for("clerk")
    response = c.get("/api/v1/registry/organizations", {"page": page})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    response = c.get(f"/api/v1/registry/organizations/{page.lstrip('-')}99999999999999999999")
    assert 400 <= response.status_code < 500 and "code" in response.json()


@pytest.mark.parametrize("amount", ["1e30", "99999999999999999999", "12345678901234567.89", "0.001", "-5", "NaN"])
def test_a_bid_beyond_the_money_fields_range_is_refused_and_the_lot_keeps_working(amount, cast, client_for):
    """Once an amount past the column's precision was committed on SQLite and every page of its lot
    failed for ever: the schema and the form now hold the column's bounds on both databases."""
    from tests.test_auction import make_market

    auction, (lot,) = make_market(cast)
    a = client_for("ent_a")
    response = a.post(f"/api/v1/techmarket/lots/{lot.pk}/bids", data=json.dumps({"amount": amount}),
                      content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid", response.content
    response = a.post(reverse("auctions:lot_bid", kwargs={"pk": lot.pk}), {"amount": amount})
    assert response.status_code in (200, 302)
    assert not lot.bids.exists()
    assert a.get(reverse("auctions:lot_detail", kwargs={"pk": lot.pk})).status_code == 200
    assert a.get(f"/api/v1/techmarket/lots/{lot.pk}").status_code == 200


def test_patch_refuses_null_for_a_field_that_cannot_be_empty(cast, client_for):
    c = client_for("clerk")
    url = f"/api/v1/registry/organizations/{cast.org_a1.pk}"
    for name in ("name", "region", "address", "description"):
        response = c.patch(url, data=json.dumps({name: None}), content_type="application/json")
        assert response.status_code == 422 and name in json.dumps(response.json()["fields"]), response.content
    response = c.patch(url, data=json.dumps({"land_area_mu": None, "region": "上饶"}), content_type="application/json")
    assert response.status_code == 200, response.content


def test_a_server_error_in_the_api_answers_in_the_json_shape(cast, client_for, monkeypatch):
    from feidi.registry import api as registry_api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(registry_api, "_filtered", broken)
    response = client_for("clerk").get("/api/v1/registry/organizations")
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "server_error" and "boom" not in response.content.decode()


# --- what the outside probe of the API found: answers a client can act on, in Chinese -------------------

@pytest.mark.parametrize("value", ["9223372036854775808", "-9223372036854775809", "1" * 30, "0"])
def test_an_id_filter_beyond_what_a_key_holds_is_the_filters_error(value, cast, client_for):
    c = client_for("leader")
    response = c.get("/api/v1/services/appeals", {"organization": value})
    assert response.status_code == 422 and "organization" in response.json()["fields"], response.content
    assert c.get(reverse("services:appeal_list"), {"organization": value}).status_code == 200


def test_a_transition_to_no_stage_is_a_field_error(cast, client_for):
    from feidi.projects.actions import do_save_project
    from feidi.projects.models import Project

    project = do_save_project(Project(name="阶段探针项目", zone=cast.zone_a, owner=cast.invest), acting_user=cast.invest)
    for stage in ("xyz", "", " ", "1e400"):
        response = client_for("invest").post(f"/api/v1/projects/projects/{project.pk}/transition",
                                             data=json.dumps({"to_stage": stage}), content_type="application/json")
        assert response.status_code == 422 and "to_stage" in response.json()["fields"], response.content


def test_a_form_body_to_a_json_operation_is_refused_in_chinese(cast, client_for):
    from django.test import Client

    from feidi.accounts.models import ApiToken

    session = Client(enforce_csrf_checks=True)  # the CSRF check reads a multipart body as a form first
    session.force_login(cast.ent_a)
    session.cookies["csrftoken"] = "k" * 32
    response = session.post("/api/v1/services/appeals", {"a": "1"}, headers={"X-CSRFToken": "k" * 32})
    assert response.status_code == 415 and "JSON" in response.json()["message"], response.content
    token = ApiToken.issue(cast.ent_a, "probe")[1]
    response = session.post("/api/v1/services/appeals", "a=1", content_type="application/x-www-form-urlencoded",
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and "JSON" in response.json()["message"]


def test_schema_errors_name_the_body_key_and_are_chinese(cast, client_for):
    response = client_for("ent_a").post("/api/v1/services/appeals", data=json.dumps({"organization_id": "x"}),
                                        content_type="application/json")
    fields = response.json()["fields"]
    assert response.status_code == 422 and fields["organization_id"] == ["应为整数"] and fields["category"] == ["必填"]
    response = client_for("clerk").get("/api/v1/registry/organizations", {"page_size": 5000})
    assert response.json()["fields"]["page_size"] == ["不能大于1000"]


def test_a_model_fields_error_is_named_by_the_body_key_sent(cast, client_for):
    response = client_for("invest").post("/api/v1/projects/projects", data=json.dumps(
        {"name": "别区项目", "zone_id": cast.zone_b.pk}), content_type="application/json")
    assert response.status_code in (403, 422)
    if response.status_code == 422:
        assert "zone" not in response.json().get("fields", {}), response.content


@pytest.mark.parametrize("method, path, status", [
    ("get", "/api/v1/nope", 404), ("get", "/api/v1/techmarket/lots/1/bids/", 404),
    ("put", "/api/v1/services/appeals", 405), ("delete", "/api/v1/services/appeals/1", 405),
])
def test_an_unknown_path_or_method_under_the_api_answers_json(method, path, status, cast, client_for):
    response = getattr(client_for("clerk"), method)(path)
    assert response.status_code == status and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert {"code", "message"} <= set(body) and re.search(r"[\u4e00-\u9fff]", body["message"])
    if status == 405:
        assert "GET" in response["Allow"] or "POST" in response["Allow"]


def test_a_taken_credit_code_names_its_holder_only_within_the_callers_scope(cast, client_for):
    def attempt(user, zone):
        return client_for(user).post("/api/v1/registry/organizations", data=json.dumps(
            {"name": "代码探针公司", "uscc": cast.org_a2.uscc, "kind": "enterprise", "zone_id": zone.pk}),
            content_type="application/json")

    outside = attempt("other_clerk", cast.zone_b)
    assert outside.status_code == 422 and cast.org_a2.name not in json.dumps(outside.json(), ensure_ascii=False)
    assert "不在您的管理范围" in outside.json()["fields"]["uscc"][0]
    inside = attempt("clerk", cast.zone_a)
    assert inside.status_code == 422 and cast.org_a2.name in inside.json()["fields"]["uscc"][0]


@pytest.mark.parametrize("amount", ["9999999999999999.99", "1234567890123456", "0.0000000000000001"])
def test_a_number_no_database_keeps_exactly_is_refused_on_every_path(amount, cast):
    """SQLite keeps 15 significant digits: 9999999999999999.99 was stored as 1E+16, which its
    column could not read back, and every list holding the row failed."""
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from feidi.registry.actions import do_save_organization

    cast.org_a1.registered_capital = Decimal(amount)
    with pytest.raises(ValidationError) as refused:
        do_save_organization(cast.org_a1, acting_user=cast.clerk)
    assert "有效位数" in str(refused.value) or "小数位数" in str(refused.value) or "过大" in str(refused.value)


def test_a_deeply_nested_body_to_a_refused_write_is_still_a_json_answer(cast, client_for):
    response = client_for("ent_a").post("/api/v1/services/appeals", data="[" * 5000 + "]" * 5000,
                                        content_type="application/json")
    assert 400 <= response.status_code < 500 and response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_off_the_calendar_is_a_field_error(day, cast, client_for):
    response = client_for("leader").get("/api/v1/intel/daily", {"day": day})
    assert response.status_code in (403, 422), response.content


def test_a_busy_database_answers_503_to_retry_on_pages_and_the_api_never_500(cast, client_for, monkeypatch):
    """SQLite's one writer taken past the busy timeout (a large import), PostgreSQL's lock timeout:
    the request is refused for a moment, not failed — 503 with Retry-After, nothing changed, a page
    of its own that reads nothing from the database."""
    from django.db import OperationalError

    from feidi.core.views import list_view_class
    from feidi.registry import api as registry_api

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(registry_api, "_filtered", busy)
    response = client_for("clerk").get("/api/v1/registry/organizations")
    assert response.status_code == 503 and response["Retry-After"] == "5" and response.json()["code"] == "busy"
    monkeypatch.setattr(list_view_class("registry:organization_list"), "build_queryset", busy)
    page = client_for("clerk").get(reverse("registry:organization_list"))
    assert page.status_code == 503 and page["Retry-After"] == "5" and "系统正忙" in page.content.decode()
    monkeypatch.setattr(registry_api, "_filtered", lambda *a, **k: (_ for _ in ()).throw(OperationalError("no such table: x")))
    assert client_for("clerk").get("/api/v1/registry/organizations").status_code == 500  # a fault stays one


def test_head_on_the_api_answers_as_get_without_a_body_and_sort_links_replace_the_order(cast, client_for):
    c = client_for("clerk")
    get, head = c.get("/api/v1/registry/organizations"), c.head("/api/v1/registry/organizations")
    assert (get.status_code, head.status_code) == (200, 200) and head.content == b""
    assert c.head("/api/v1/registry/organizations/999999").status_code == 404
    page = c.get(reverse("registry:organization_list"), {"sort": "name", "q": "甲"}).content.decode()
    assert "sort=name&amp;sort=" not in page and "q=%E7%94%B2&amp;sort=" in page
