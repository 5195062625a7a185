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
