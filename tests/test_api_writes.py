"""What an API write takes and where it lands: every body read as strictly as the pages' forms read
theirs (``core.api.StrictInput``), and every update kept within the scope of its action.

The defects an outside probe of /api/v1/ found, each checked as a class: generated over the
operations of the OpenAPI description (every update, every body schema and its fields), with the
probe's own requests as examples.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.test import Client

from feidi.testing.factories import make_for
from tests.test_write_scope import _user_editing_in

REQUIRED = "这个字段是必填项。"  # what the forms say of a required field left blank


def _schema():
    from feidi.core.api import api

    return api.get_openapi_schema()


def _updates():
    """Every operation that updates one record: PATCH or PUT through the ``change`` scope."""
    return [pytest.param(path, method, op["x-feidi-model"], id=f"{method.upper()} {path}")
            for path, methods in _schema()["paths"].items() for method, op in methods.items()
            if method in ("patch", "put") and op.get("x-feidi-action") == "change"]


def _body_schemas():
    """The body schema of every operation that takes one, as the API reads it."""
    from feidi.core.api import api

    found = {}
    for prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for params in operation.models:
                    if getattr(params, "__ninja_param_source__", None) != "body":
                        continue
                    for field in params.model_fields.values():
                        if isinstance(field.annotation, type):
                            path = f"/{prefix.strip('/')}{operation.path}"
                            found[f"{'/'.join(operation.methods)} {path}"] = field.annotation
    return found


def send(client, method: str, url: str, body=None, **extra):
    return getattr(client, method)(url, data=json.dumps(body if body is not None else {}),
                                   content_type="application/json", **extra)


def _row(obj) -> dict:
    return type(obj)._base_manager.filter(pk=obj.pk).values().get()


# --- 1a: an update lands within the scope of its action ----------------------------------------------

UPDATES = _updates()


def test_the_update_walk_finds_the_generic_and_the_hand_written_updates():
    ids = {p.id for p in UPDATES}
    assert {"PATCH /api/v1/services/visits/{pk}", "PATCH /api/v1/registry/organizations/{pk}"} <= ids


@pytest.mark.parametrize("path,method,label", UPDATES)
def test_every_api_update_refuses_a_record_that_would_land_outside_its_scope(path, method, label, cast,
                                                                                monkeypatch):
    """Called by a user who may change the record, with a body that changes nothing: allowed; then
    with every landing place refused (``ScopedQuerySet.lands_within`` empty, as for a record moved
    to another cadre or zone): 403 and nothing written."""
    from feidi.core.models import AuditRecord
    from feidi.core.scope import ScopedQuerySet

    record = make_for(apps.get_model(label), cast)
    client = Client()
    client.force_login(_user_editing_in(cast, "insider", cast.dept_a))
    url = path.replace("{pk}", str(record.pk))
    allowed = send(client, method, url)
    assert allowed.status_code == 200, allowed.content
    before, audits = _row(record), AuditRecord.objects.count()
    monkeypatch.setattr(ScopedQuerySet, "lands_within", lambda self, user, action, **kw: self.none())
    refused = send(client, method, url)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden", refused.content
    assert _row(record) == before and AuditRecord.objects.count() == audits


def _cadre(cast, name="cadre_a"):
    """A 挂点干部 (own records only) serving enterprise A1."""
    import datetime as dt

    from feidi.core.context import acting
    from feidi.services.actions import do_assign_cadre
    from feidi.services.models import Assignment
    from feidi.testing.cast import _user
    from feidi.testing.factories import _service_group

    with acting("cli"):
        cadre = _user(name, f"{name} 挂点干部", roles=["service_cadre"], department=cast.dept_a)
        do_assign_cadre(Assignment(organization=cast.org_a1, cadre=cadre, group=_service_group(cast),
                                   since=dt.date(2025, 1, 1)), acting_user=None)
    return cadre


def test_a_cadre_cannot_hand_a_visit_to_someone_else_through_the_api(cast):
    """The probe's case: a cadre's own visit PATCHed to another user left the cadre's scope (200)."""
    from feidi.services.models import Visit

    cadre = _cadre(cast)
    c = Client()
    c.force_login(cadre)
    made = send(c, "post", "/api/v1/services/visits",
                {"organization_id": cast.org_a1.pk, "visited_on": "2026-11-30", "notes": "走访"})
    assert made.status_code == 201, made.content
    visit = Visit.objects.get(pk=made.json()["id"])
    assert visit.cadre == cadre
    moved = send(c, "patch", f"/api/v1/services/visits/{visit.pk}", {"cadre_id": cast.clerk.pk})
    assert moved.status_code == 403, moved.content
    visit.refresh_from_db()
    assert visit.cadre == cadre and c.get(f"/api/v1/services/visits/{visit.pk}").status_code == 200


# --- 3a, 3b, strict types: every body read as a StrictInput ------------------------------------------

BODIES = _body_schemas()


def test_every_body_schema_is_read_as_an_input():
    from feidi.core.api import StrictInput

    assert len(BODIES) > 15
    lenient = sorted(op for op, schema in BODIES.items() if not issubclass(schema, StrictInput))
    assert not lenient, lenient


def _fields(kinds: set) -> list:
    """(operation, schema, field) for every body field whose type admits only ``kinds`` (and null)."""
    from feidi.core.api import _options

    found = []
    for op, schema in sorted(BODIES.items()):
        for name, field in schema.model_fields.items():
            options = {t for t in _options(field.annotation) if t is not type(None)}
            if options and options <= kinds:
                found.append(pytest.param(schema, name, id=f"{op} {name}"))
    return found


def _errors(schema, body: dict) -> dict[str, list[str]]:
    from pydantic import ValidationError

    from feidi.core.api import schema_message

    try:
        schema.model_validate(body)
    except ValidationError as exc:
        return {".".join(str(p) for p in e["loc"]): [schema_message(e)] for e in exc.errors()}
    return {}


@pytest.mark.parametrize("schema,name", _fields({int}))
def test_no_integer_in_a_body_takes_a_boolean_or_a_string(schema, name):
    for value in (True, False, "1", 1.0):
        assert _errors(schema, {name: value}).get(name) == ["应为整数"], (name, value)


@pytest.mark.parametrize("schema,name", _fields({bool}))
def test_no_yes_no_in_a_body_takes_anything_but_true_or_false(schema, name):
    for value in ("yes", "true", 1, 0, "on"):
        assert _errors(schema, {name: value}).get(name) == ["应为 true 或 false"], (name, value)
    assert name not in _errors(schema, {name: True})


@pytest.mark.parametrize("schema,name", _fields({str}))
def test_every_text_in_a_body_is_stripped_and_a_nul_refused(schema, name):
    """As the forms take text: stripped (a password as given), a NUL refused, a required text left
    blank refused with the forms' message."""
    from feidi.core.api import _constraint

    field = schema.model_fields[name]
    read = schema.__pydantic_validator__.validate_assignment(schema.model_construct(), name, " x\u3000")
    assert getattr(read, name) == (" x\u3000" if "password" in name else "x")
    errors = _errors(schema, {name: "\x00"})
    assert errors.get(name) == ["不能包含空字符（\\x00）"], errors
    blank = _errors(schema, {name: " \t\u3000"}).get(name)
    if field.is_required() or (_constraint(field, "min_length") or 0) > 0:
        assert blank == [REQUIRED]
    else:
        assert blank is None


def _dated() -> list:
    """(schema, field) for every body field that takes a date or a date-time (and nothing else but null)."""
    import datetime as dt

    return _fields({dt.date}) + _fields({dt.datetime})


@pytest.mark.parametrize("schema,name", _dated())
def test_no_date_in_a_body_takes_a_number(schema, name):
    """A number is no date: pydantic read 0 as 1970-01-01 (seconds since the epoch) while 123 was refused."""
    for value in (0, -0.0, 946080000, 1.5):
        assert _errors(schema, {name: value}).get(name) == ["应为日期，如 2026-03-05"], (name, value)


def test_a_negative_zero_is_stored_and_answered_as_zero(cast, client_for):
    from feidi.registry.models import Organization

    response = send(client_for("clerk"), "patch", f"/api/v1/registry/organizations/{cast.org_a1.pk}",
                    {"land_area_mu": "-0"})
    assert response.status_code == 200 and response.json()["land_area_mu"] == "0.00", response.content
    assert str(Organization.objects.get(pk=cast.org_a1.pk).land_area_mu) == "0.00"


def test_a_body_over_the_limit_is_413_in_chinese_not_500(cast, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = send(client_for("clerk"), "patch", f"/api/v1/registry/organizations/{cast.org_a1.pk}",
                    {"name": "甲", "padding": "a" * 20_000})
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert "请求体过大" in response.json()["message"]


def test_a_page_holds_the_page_size_asked_up_to_the_documented_maximum(cast, client_for):
    from feidi.core.api import PAGE_SIZE_MAX
    from feidi.registry.models import Organization
    from feidi.testing.cast import make_org

    for i in range(105 - Organization.objects.visible_to(cast.clerk).count()):
        make_org(f"分页单位{i}", cast.zone_a)
    total = Organization.objects.visible_to(cast.clerk).count()
    assert total > 100
    page = client_for("clerk").get("/api/v1/registry/organizations", {"page_size": PAGE_SIZE_MAX}).json()
    assert page["count"] == total and len(page["items"]) == total


def test_a_step_dated_in_the_future_or_before_the_step_before_is_refused(cast, client_for):
    """A residency's 入驻 is what has happened (not next year), and is not before its 开始洽谈; a
    visit likewise is one made, not planned."""
    import datetime as dt

    from django.utils import timezone

    from feidi.registry.actions import do_transition_residency
    from feidi.registry.models import Residency
    from feidi.testing.cast import make_org

    today = timezone.localdate()
    res = Residency.objects.create(organization=make_org("日期次序企业", cast.zone_a), enclave=cast.enclave,
                                   status=Residency.Status.NEGOTIATING, negotiating_since=today - dt.timedelta(days=30),
                                   department=cast.dept_a)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="将来的日期"):
        do_transition_residency(res, "confirmed", on=today + dt.timedelta(days=1), acting_user=cast.leader)
    with pytest.raises(ValidationError, match="不能早于开始洽谈"):
        do_transition_residency(res, "confirmed", on=today - dt.timedelta(days=31), acting_user=cast.leader)
    with pytest.raises(ValidationError, match="不是有效的日期|早于"):
        do_transition_residency(res, "confirmed", on=dt.date(1, 1, 1), acting_user=cast.leader)
    res.refresh_from_db()
    assert res.status == "negotiating" and res.confirmed_on is None
    do_transition_residency(res, "confirmed", on=today, acting_user=cast.leader)
    res.refresh_from_db()
    assert res.status == "confirmed" and res.confirmed_on == today


def test_unknown_and_read_only_keys_are_refused_naming_the_key(cast, client_for):
    from feidi.registry.models import Organization

    c = client_for("clerk")
    url = f"/api/v1/registry/organizations/{cast.org_a1.pk}"
    version = Organization.objects.get(pk=cast.org_a1.pk).version
    for body in ({"kind": "university"}, {"uscc": cast.org_b1.uscc}, {"id": 5}, {"bogus": 1}):
        response = send(c, "patch", url, body)
        key = next(iter(body))
        assert response.status_code == 422 and response.json()["fields"] == {key: ["不认识的字段"]}, response.content
    assert Organization.objects.get(pk=cast.org_a1.pk).version == version
    created = send(c, "post", "/api/v1/registry/organizations",
                   {"name": "探针公司", "uscc": cast.org_a2.uscc, "zone_id": cast.zone_a.pk, "bogus": 1})
    assert created.status_code == 422 and created.json()["fields"] == {"bogus": ["不认识的字段"]}


def test_required_text_left_blank_is_refused_and_text_is_stored_stripped(cast, client_for):
    from feidi.registry.models import Organization
    from feidi.testing.cast import make_uscc

    c = client_for("clerk")
    code = make_uscc("310115")  # from the cast's own sequence: never another test's organization
    for name in ("   ", "\t", "\u3000"):
        response = send(c, "post", "/api/v1/registry/organizations",
                        {"name": name, "uscc": code, "zone_id": cast.zone_a.pk})
        assert response.status_code == 422 and response.json()["fields"] == {"name": [REQUIRED]}, response.content
        response = send(c, "patch", f"/api/v1/registry/organizations/{cast.org_a1.pk}", {"name": name})
        assert response.status_code == 422 and response.json()["fields"] == {"name": [REQUIRED]}
    made = send(c, "post", "/api/v1/registry/organizations",
                {"name": " 探针公司 ", "uscc": code, "zone_id": cast.zone_a.pk})
    assert made.status_code == 201, made.content
    assert made.json()["name"] == "探针公司" == Organization.objects.get(pk=made.json()["id"]).name
    appeal = send(client_for("ent_a"), "post", "/api/v1/services/appeals",
                  {"organization_id": cast.org_a1.pk, "category": "land", "title": "   ", "content": "\u3000"})
    assert appeal.status_code == 422 and appeal.json()["fields"] == {"title": [REQUIRED], "content": [REQUIRED]}


def test_a_boolean_is_not_an_id(cast, client_for):
    response = send(client_for("ent_a"), "post", "/api/v1/services/appeals",
                    {"organization_id": True, "category": "land", "title": "用地", "content": "扩建"})
    assert response.status_code == 422 and response.json()["fields"] == {"organization_id": ["应为整数"]}


# --- 3b, 3c: a visit's appeals -------------------------------------------------------------------------

def _appeal(cast, org, title):
    from feidi.core.models import DictItem
    from feidi.services.actions import do_file_appeal
    from feidi.services.models import Appeal

    category = DictItem.objects.get(type__code="appeal_category", code="land")
    return do_file_appeal(Appeal(organization=org, category=category, title=title, content="扩建用地"),
                          acting_user=cast.ent_a if org == cast.org_a1 else cast.ent_b)


def test_a_visit_takes_its_appeals_by_the_key_it_answers_them_with(cast):
    from tests.test_declared_scope import _service_office

    _, c = _service_office("svc_a", cast.dept_a)
    mine = _appeal(cast, cast.org_a1, "甲企业用地")
    made = send(c, "post", "/api/v1/services/visits", {"organization_id": cast.org_a1.pk, "visited_on": "2026-11-30",
                                                       "notes": "走访", "appeal_ids": [mine.pk]})
    assert made.status_code == 201 and made.json()["appeal_ids"] == [mine.pk], made.content
    read = c.get(f"/api/v1/services/visits/{made.json()['id']}").json()
    back = {key: read[key] for key in ("organization_id", "cadre_id", "visited_on", "notes", "appeal_ids", "version")}
    again = send(c, "patch", f"/api/v1/services/visits/{read['id']}", {**back, "notes": "再次走访"})
    assert again.status_code == 200 and again.json()["appeal_ids"] == [mine.pk], again.content
    old = send(c, "patch", f"/api/v1/services/visits/{read['id']}", {"appeals_ids": []})
    assert old.status_code == 422 and "appeals_ids" in old.json()["fields"]


def test_a_visit_records_only_the_appeals_of_the_enterprise_visited(cast):
    from feidi.services.forms import VisitForm
    from feidi.services.models import Visit
    from tests.test_declared_scope import _service_office

    office, c = _service_office("svc_a", cast.dept_a)
    other = _appeal(cast, cast.org_a2, "乙企业用地")
    response = send(c, "post", "/api/v1/services/visits", {
        "organization_id": cast.org_a1.pk, "visited_on": "2026-11-30", "notes": "走访", "appeal_ids": [other.pk]})
    assert response.status_code == 422 and "乙企业用地" in response.json()["fields"]["appeal_ids"][0], response.content
    assert not Visit.objects.filter(organization=cast.org_a1, notes="走访").exists()
    form = VisitForm({"organization": cast.org_a1.pk, "cadre": office.pk, "visited_on": "2026-11-30",
                      "notes": "走访", "appeals": [other.pk]}, instance=Visit(), user=office)
    assert not form.is_valid() and "乙企业用地" in form.errors["appeals"][0]


# --- 3d: a write answers the value stored ---------------------------------------------------------------

@pytest.mark.parametrize("given", ["2.5E+2", 250, 2.5e2, "250.0"])
def test_a_write_answers_the_number_as_stored(given, cast, client_for):
    from feidi.registry.models import Organization

    response = send(client_for("clerk"), "patch", f"/api/v1/registry/organizations/{cast.org_a1.pk}",
                    {"land_area_mu": given})
    assert response.status_code == 200 and response.json()["land_area_mu"] == "250.00", response.content
    assert str(Organization.objects.get(pk=cast.org_a1.pk).land_area_mu) == "250.00"


# --- 4: a body's id out of reach, a lenient filter ------------------------------------------------------

def test_an_unreachable_id_in_a_body_is_a_field_error_not_a_missing_record(cast, client_for):
    from feidi.registry.models import Organization

    c = client_for("clerk")
    created = send(c, "post", "/api/v1/registry/organizations",
                   {"name": "越界公司", "uscc": cast.org_a2.uscc, "zone_id": cast.zone_b.pk})
    assert created.status_code == 422 and "zone_id" in created.json()["fields"], created.content
    changed = send(c, "patch", f"/api/v1/registry/organizations/{cast.org_a1.pk}", {"zone_id": cast.zone_b.pk})
    assert changed.status_code == 422 and "zone_id" in changed.json()["fields"], changed.content
    assert Organization.objects.get(pk=cast.org_a1.pk).zone_id == cast.zone_a.pk


@pytest.mark.parametrize("month", ["abc", "2026-13", "\x00"])
def test_a_month_filter_that_is_not_a_month_is_refused(month, cast, client_for):
    response = client_for("leader").get("/api/v1/indicators/values", {"month": month})
    assert response.status_code == 422 and "month" in response.json()["fields"], response.content
    assert client_for("leader").get("/api/v1/indicators/values", {"month": "2026-03"}).status_code == 200


@pytest.mark.parametrize("where", ["query", "body", "form"])
def test_a_nul_character_is_named_for_what_it_is(where, cast, client_for):
    """Django's zh_Hans text for a NUL ("不允许是用空字符串。") says an empty string is refused."""
    if where == "query":
        body = client_for("clerk").get("/api/v1/registry/organizations", {"q": "\x00"}).json()
    elif where == "body":
        body = send(client_for("ent_a"), "post", "/api/v1/services/appeals",
                    {"organization_id": cast.org_a1.pk, "category": "land", "title": "a\x00b", "content": "扩建"}).json()
    else:
        from feidi.accounts.forms import ApiTokenForm

        body = {"fields": ApiTokenForm({"name": "a\x00b"}).errors}
    said = json.dumps(body, ensure_ascii=False)
    assert "空字符（\\\\x00）" in said and "空字符串" not in said, said


def test_a_commitment_falls_due_after_its_agreement_and_a_policy_ends_after_its_issue(cast):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from feidi.policies.models import Policy
    from feidi.registry.models import Agreement
    from feidi.registry.models import Commitment

    agreement = Agreement.objects.create(title="合作协议", party_a="甲", party_b="乙", signed_on=dt.date(2022, 5, 16),
                                         department=cast.dept_a)
    with pytest.raises(ValidationError, match="不能早于合作协议的签署日期"):
        Commitment(agreement=agreement, content="共建园区", owner="甲方", due_on=dt.date(2001, 1, 1),
                   department=cast.dept_a).full_clean()
    Commitment(agreement=agreement, content="共建园区", owner="甲方", due_on=dt.date(2023, 1, 1),
               department=cast.dept_a).full_clean()
    with pytest.raises(ValidationError, match="有效期至不能早于发布日期（2026-01-01）"):
        Policy(title="奖补办法", issued_on=dt.date(2026, 1, 1), effective_until=dt.date(2025, 1, 1),
               department=cast.dept_a).full_clean()
