"""What an outside fuzzer of /api/v1/ found, each checked as a class:

- every date of every input (a body's field, a query parameter) is ISO 8601 and nothing else —
  found by walking every operation's input models, not by listing the routes;
- text over its bound is refused on its field, never stored cut;
- a duplicate intel text is checked like a new one, then answered 200 with the item stored before;
- a route listing related records checks the permission of the records it lists;
- a refused choice names the field and the value, an enumeration's refusal lists its labels in Chinese.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from feidi.lib import uscc

DATE = "应为日期，如 2026-03-05"
DATE_NOT_MOMENT = "应为日期，如 2026-03-05（不带时刻）"
DATETIME = "应为日期时间，如 2026-03-05T09:00:00+08:00"


def send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


# --- 1: every date of every input is ISO 8601 ---------------------------------------------------------

def _input_dates() -> list:
    """(operation, model, path, kind) for every date or date-time an operation reads — a body's
    fields (as the API reads the body), its query and path parameters — walked through nested schemas."""
    from pydantic import BaseModel

    import feidi.api  # noqa: F401 (adds every app's router)
    from feidi.core.api import _options
    from feidi.core.api import api

    found = []

    def walk(op, root, model, path):
        for name, info in model.model_fields.items():
            options = [t for t in _options(info.annotation) if t is not type(None)]
            nested = [t for t in options if isinstance(t, type) and issubclass(t, BaseModel)]
            for schema in nested:
                walk(op, root, schema, (*path, info.alias or name))
            dated = {t for t in options if t in (dt.date, dt.datetime)}
            if dated:
                kind = dt.date if dt.datetime not in dated else dt.datetime
                found.append(pytest.param(root, (*path, info.alias or name), kind, id=f"{op} {name}"))

    for prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                op = f"{'/'.join(operation.methods)} /{prefix.strip('/')}{operation.path}"
                for params in operation.models:
                    walk(op, params, params, ())
    return found


DATED = _input_dates()


def _nested(path: tuple, value) -> dict:
    for key in reversed(path):
        value = {key: value}
    return value


def _said(model, path: tuple, value) -> list[str]:
    """What the API says of ``value`` given at ``path`` of ``model`` (nothing when it takes it)."""
    from pydantic import ValidationError

    from feidi.core.api import schema_message

    try:
        model.model_validate(_nested(path, value))
    except ValidationError as exc:
        return [schema_message(e) for e in exc.errors() if tuple(str(p) for p in e["loc"]) == path]
    return []


def test_the_walk_finds_the_dates_the_fuzzer_reached():
    ids = " | ".join(p.id for p in DATED)
    for where in ("POST /services/visits visited_on", "POST /projects/reports/biweekly as_of",
                  "POST /registry/organizations established_on", "POST /techmarket/demands deadline",
                  "POST /projects/projects/{pk}/transition on", "POST /intel/items published_on",
                  "GET /intel/daily day", "GET /services/measures start"):
        assert where in ids, where


@pytest.mark.parametrize("model,path,kind", DATED)
def test_no_date_of_any_input_takes_anything_but_iso_8601(model, path, kind):
    """A Unix timestamp as text ("86400" was 1970-01-02), "-0" (1970-01-01), a number; for a day, a
    date-time (a midnight one was taken as its day); for a date-time, a bare day."""
    for value in ("86400", "-0", "0", 86400, 0, -0.0, True, "2026/03/05", "20260305", "2026-3-5", "今天"):
        said = _said(model, path, value)
        assert said and said[0] in (DATE, DATETIME), (path, value, said)
    if kind is dt.date:
        assert _said(model, path, "2026-12-01T00:00:00Z") == [DATE_NOT_MOMENT]
        assert _said(model, path, "2026-03-05") == []
        assert _said(model, path, "2026-02-30") == [DATE]
    else:
        assert _said(model, path, "2026-12-01") == [DATETIME]
        assert _said(model, path, "2026-03-05T09:00:00+08:00") == []


def test_a_moment_is_an_iso_8601_date_time_whatever_a_body_annotates():
    """No input takes a date-time yet: the rule the next one gets, by the API's type or by a plain
    annotation in a body (``StrictInput``)."""
    from pydantic import create_model

    from feidi.core.api import DateTime
    from feidi.core.api import StrictInput

    Moments = create_model("Moments", __base__=StrictInput, typed=(DateTime | None, None),
                           plain=(dt.datetime | None, None))

    for name in ("typed", "plain"):
        for value in ("86400", "-0", 0, "2026-12-01", "2026-12-01T9:00"):
            assert _said(Moments, (name,), value) == [DATETIME], (name, value)
        for value in ("2026-12-01T09:00:00Z", "2026-12-01 09:00", "2026-12-01T09:00:00.5+08:00"):
            assert _said(Moments, (name,), value) == [], (name, value)


def test_the_fuzzers_dates_are_422_naming_the_field(cast, client_for):
    clerk = client_for("clerk")
    response = send(clerk, "post", "/api/v1/services/visits", {"organization_id": cast.org_a1.pk, "visited_on": "86400"})
    assert response.status_code == 422 and response.json()["fields"] == {"visited_on": [DATE]}
    response = send(clerk, "post", "/api/v1/projects/reports/biweekly", {"as_of": "-0"})
    assert response.status_code == 422 and response.json()["fields"] == {"as_of": [DATE]}
    response = send(client_for("invest"), "post", "/api/v1/intel/items",
                    {"text": "甲区某企业拟扩产", "published_on": "2026-12-01T00:00:00Z"})
    assert response.status_code == 422 and response.json()["fields"] == {"published_on": [DATE_NOT_MOMENT]}
    response = client_for("leader").get("/api/v1/intel/daily", {"day": "86400"})
    assert response.status_code == 422 and response.json()["fields"] == {"day": [DATE]}
    from feidi.projects.models import Report
    from feidi.services.models import Visit

    assert not Visit.objects.filter(visited_on__year=1970).exists() and not Report.objects.exists()


# --- 2: over-long text is refused, not cut ----------------------------------------------------------

def _news_item(cast):
    from feidi.intel.models import NewsItem
    from feidi.testing.factories import make_for

    return make_for(NewsItem, cast)


def test_a_lead_name_over_its_bound_is_refused_on_every_path(cast, client_for):
    from django.core.exceptions import ValidationError

    from feidi.intel import actions
    from feidi.projects.models import Project

    item = _news_item(cast)
    response = send(client_for("invest"), "post", f"/api/v1/intel/items/{item.pk}/lead",
                    {"zone_id": cast.zone_a.pk, "name": "项" * 201})
    assert response.status_code == 422 and list(response.json()["fields"]) == ["name"], response.content
    with pytest.raises(ValidationError) as refused:  # the page's path: the action keeps the name whole
        actions.do_item_to_lead(item, cast.zone_a, acting_user=cast.invest, name="项" * 201)
    assert "name" in refused.value.message_dict
    assert not Project.objects.filter(name__startswith="项项").exists()
    project = actions.do_item_to_lead(item, cast.zone_a, acting_user=cast.invest, name="项" * 200)
    assert project.name == "项" * 200


def test_a_material_note_over_500_characters_is_refused_not_cut(cast, client_for):
    from feidi.policies.models import Application

    body = {"item_id": 1, "organization_id": cast.org_a1.pk, "materials": {"高新技术企业证书": "证" * 501}}
    response = send(client_for("ent_a"), "post", "/api/v1/policies/applications", body)
    assert response.status_code == 422, response.content
    assert response.json()["fields"] == {"materials.高新技术企业证书": ["不能超过500个字符"]}
    assert not Application.objects.exists()


def test_a_handlers_note_over_its_column_is_refused_not_cut(cast):
    from django.core.exceptions import ValidationError

    from feidi.policies import actions
    from feidi.policies.models import Application
    from feidi.testing.factories import make_for

    application = make_for(Application, cast)
    for act in (actions.do_return_application, actions.do_advance_application):
        with pytest.raises(ValidationError) as refused:
            act(application, "意" * 301, acting_user=cast.clerk)
        assert "note" in refused.value.message_dict
    application.refresh_from_db()
    assert application.note == "甲区申报"


# --- 3: a duplicate intel text is checked first, then answered 200 ------------------------------------

def test_a_duplicate_intel_text_is_validated_and_answered_with_the_item_stored_before(cast, client_for):
    from feidi.intel.models import NewsItem

    invest = client_for("invest")
    body = {"text": "甲区某光伏企业拟投资5亿元扩建组件产线", "published_on": "2026-01-05"}
    first = send(invest, "post", "/api/v1/intel/items", body)
    assert first.status_code == 201, first.content
    again = send(invest, "post", "/api/v1/intel/items", {**body, "published_on": "9999-12-31"})
    assert again.status_code == 422 and list(again.json()["fields"]) == ["published_on"], again.content
    again = send(invest, "post", "/api/v1/intel/items", {**body, "title": "另一标题"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"], again.content
    assert NewsItem.objects.filter(text=body["text"]).count() == 1


# --- 4: related records are listed only with their own permission ------------------------------------

def test_matches_list_only_records_the_caller_may_view(cast, client_for):
    from tests.test_techmarket import demand
    from tests.test_techmarket import supply

    supply(cast, publish=True)
    wanted = demand(cast, publish=True)
    expert = client_for("expert")
    assert not cast.expert.has_perm("techmarket.view_supply")
    assert expert.get(f"/api/v1/techmarket/demands/{wanted.pk}").status_code == 200
    assert expert.get("/api/v1/techmarket/supplies").status_code == 403
    response = expert.get(f"/api/v1/techmarket/demands/{wanted.pk}/matches")
    assert response.status_code == 403, response.content
    response = client_for("ent_a").get(f"/api/v1/techmarket/demands/{wanted.pk}/matches")
    assert response.status_code == 200 and response.json(), response.content


def test_a_lots_bids_need_the_bids_permission(cast, client_for, monkeypatch):
    from feidi.auctions.models import Lot
    from feidi.testing.factories import make_for

    lot = make_for(Lot, cast)
    client = client_for("tech")
    assert client.get(f"/api/v1/techmarket/lots/{lot.pk}/bids").status_code == 200
    has_perm = type(cast.tech).has_perm
    monkeypatch.setattr(type(cast.tech), "has_perm",
                        lambda self, perm, obj=None: perm != "auctions.view_bid" and has_perm(self, perm, obj))
    assert client.get(f"/api/v1/techmarket/lots/{lot.pk}").status_code == 200
    assert client.get(f"/api/v1/techmarket/lots/{lot.pk}/bids").status_code == 403


# --- 5: refusals name the field and the value, in Chinese ---------------------------------------------

def test_a_refused_record_choice_names_the_field_and_the_value(cast, client_for):
    response = send(client_for("invest"), "post", "/api/v1/projects/projects", {"name": "别处项目", "zone_id": 987654})
    assert response.status_code == 422, response.content
    said = response.json()["fields"]["zone_id"]
    assert len(said) == 1 and "zone_id" in said[0] and "987654" in said[0] and "不在您的范围" in said[0], said
    assert "987654" in response.json()["message"]
    response = send(client_for("clerk"), "post", "/api/v1/services/visits",
                    {"organization_id": 987655, "cadre_id": 987656, "visited_on": "2026-01-05"})
    assert response.status_code == 422, response.content
    fields = response.json()["fields"]
    for key, value in (("organization_id", "987655"), ("cadre_id", "987656")):
        assert fields[key] == [f"{key} 为 {value}：该记录不存在、不在您的范围，或不能选作此项"], fields
    assert "选择一个有效的选项：该选择不在可用的选项中。" not in json.dumps(response.json(), ensure_ascii=False)


def test_an_enumerations_refusal_lists_its_labels_in_chinese(cast, client_for):
    from feidi.core.api import schema_message
    from feidi.registry.models import Organization

    response = send(client_for("clerk"), "post", "/api/v1/registry/organizations",
                    {"name": "某单位", "uscc": uscc.make("91361100MA38R0990"), "kind": "nobody"})
    assert response.status_code == 422, response.content
    said = response.json()["fields"]["kind"]
    assert said == ["应为以下之一：" + "、".join(f"{k.value}（{k.label}）" for k in Organization.Kind)], said
    assert " or " not in said[0] and "'" not in said[0]
    assert schema_message({"type": "enum", "ctx": {"expected": "'a', 'b' or 'c'"}}) == "应为以下之一：a、b、c"
    assert schema_message({"type": "literal_error", "ctx": {"expected": "'x' or 'y'"}}) == "应为以下之一：x、y"
