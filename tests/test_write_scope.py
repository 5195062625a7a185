"""Writes reach their record through the scope of the action, not through what the user sees.

The user who found the hole: someone holding a city-wide read-only role (市领导) and, besides, every
business permission in its own zone's administration only. It sees zone A's records; it must change
none of them — through the API or the pages. Generated over the OpenAPI description: every write on
one record declares its action (``model_of(..., action=...)``) and is called with a body valid for
its schema, so a new route is covered without being listed here.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feidi.testing.factories import make_for

WRITES = {"post", "put", "patch", "delete"}


def _business_permissions() -> list[str]:
    from feidi.accounts.roles import STANDARD_ROLES

    return sorted({p for _, duty, _, perms, *_ in STANDARD_ROLES.values() if not duty for p in perms})


def _user_editing_in(cast, name: str, department) -> object:
    """A user who sees the whole city and holds every business permission within ``department``."""
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.actions import do_save_role
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.accounts.roles import resolve_permissions
    from feidi.core.scope import DataScope

    editor = Role.objects.filter(code=f"{name}_editor").first() or do_save_role(
        Role(code=f"{name}_editor", name=f"{department.name}全部业务", data_scope=DataScope.DEPT_TREE),
        permissions=resolve_permissions(_business_permissions()), acting_user=None)
    user = User(username=name, full_name=f"{department.name}干部", department=department)
    return do_create_user(user, password="Cast#Passw0rd!", roles=[Role.objects.get(code="city_leader"), editor],
                          acting_user=None)


@pytest.fixture
def crossing(cast):
    """Sees zone A (city-wide view), may act only in zone B."""
    return _user_editing_in(cast, "crossing", cast.dept_b)


@pytest.fixture
def insider(cast):
    """The same roles, acting in zone A: the control that the write route is reachable at all."""
    return _user_editing_in(cast, "insider", cast.dept_a)


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- a body valid for the operation's schema ---------------------------------------------------------

def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example(schema: dict, components: dict):
    """The plainest value ``schema`` accepts (required properties only)."""
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [b for b in schema[key] if _resolve(b, components).get("type") != "null"]
            return example(branches[0], components)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: example(props[name], components) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(float(schema.get("minimum", 1)), 1.0)
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return "2026-06-01"
    if schema.get("format") == "date-time":
        return "2026-06-01T09:00:00+08:00"
    return "测" * max(int(schema.get("minLength", 1)), 1)


def _operations():
    from feidi.core.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            if method in WRITES and "{pk}" in path:
                body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                yield pytest.param(path, method, op, example(body, components) if body else None,
                                   id=f"{method.upper()} {path}")


OPERATIONS = list(_operations())


def test_the_generator_finds_the_writes():
    ids = {p.id for p in OPERATIONS}
    assert {"PATCH /api/v1/registry/organizations/{pk}", "POST /api/v1/registry/residencies/{pk}/transition",
            "POST /api/v1/techmarket/challenges/{pk}/award", "POST /api/v1/projects/projects/{pk}/transition"} <= ids


@pytest.mark.parametrize("path,method,op,body", OPERATIONS)
def test_every_write_on_a_record_declares_its_action(path, method, op, body):
    assert op.get("x-feidi-action"), (f"{method.upper()} {path} must declare the action whose scope reaches its "
                                      "record: openapi_extra=model_of(label, action=...)")


def _call(client, method, url, body):
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(url, data=data, content_type="application/json")


@pytest.mark.parametrize("path,method,op,body", [p for p in OPERATIONS if p.values[2].get("x-feidi-action") != "view"])
def test_a_write_reaches_only_records_in_the_actions_scope(path, method, op, body, cast, crossing, insider):
    model = apps.get_model(op["x-feidi-model"])
    obj = make_for(model, cast)
    url = path.replace("{pk}", str(obj.pk))
    assert _client(crossing).get(reverse(f"{model._meta.app_label}:{model._meta.model_name}_detail",
                                         kwargs={"pk": obj.pk})).status_code == 200, "the crossing user sees it"
    before = model._base_manager.filter(pk=obj.pk).values().first()
    response = _call(_client(crossing), method, url, body)
    assert response.status_code in (403, 404), (path, response.status_code, response.content[:300])
    assert {"code", "message"} <= set(response.json())
    assert model._base_manager.filter(pk=obj.pk).values().first() == before, f"{method.upper()} {path} changed it"
    # the same call as someone whose roles cover zone A reaches the record (the check is not vacuous)
    response = _call(_client(insider), method, url, body)
    assert response.status_code != 404, (path, response.content[:300])


# --- the pages --------------------------------------------------------------------------------------

def test_the_pages_refuse_the_crossing_user_too(cast, crossing, client):
    """Multi-action pages reach the record through the posted action's scope."""
    from feidi.projects.models import Project
    from feidi.registry.models import Residency

    c = _client(crossing)
    project = make_for(Project, cast)
    stage = project.stage
    response = c.post(reverse("projects:project_act", kwargs={"pk": project.pk}),
                      {"action": "transition", "to_stage": "talking", "on": "2026-11-02"})
    assert response.status_code == 404
    assert Project.objects.get(pk=project.pk).stage == stage

    residency = cast.residency_a1
    status = residency.status
    response = c.post(reverse("registry:residency_transition", kwargs={"pk": residency.pk}),
                      {"status": "confirmed", "on": "2026-11-02"})
    assert response.status_code == 404
    assert Residency.objects.get(pk=residency.pk).status == status
    response = c.post(reverse("registry:organization_edit", kwargs={"pk": cast.org_a1.pk}), {"name": "改名"})
    assert response.status_code == 404


def test_an_appeal_is_handled_only_within_the_handlers_scope(cast, crossing, insider):
    from feidi.services.models import Appeal

    appeal = make_for(Appeal, cast)
    url = reverse("services:appeal_act", kwargs={"pk": appeal.pk})
    assert _client(crossing).post(url, {"action": "accept"}).status_code == 404
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.SUBMITTED
    api = f"/api/v1/services/appeals/{appeal.pk}/actions"
    assert _call(_client(crossing), "post", api, {"action": "accept"}).status_code == 404
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.SUBMITTED
    response = _call(_client(insider), "post", api, {"action": "accept"})
    assert response.status_code == 200, response.content
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.ACCEPTED


def test_records_created_through_references_stay_in_the_creators_scope(cast, crossing):
    """Filing an appeal for, or adding a project to, a zone one only sees is refused, and nothing stays."""
    from feidi.services.models import Appeal

    before = Appeal.objects.count()
    response = _call(_client(crossing), "post", "/api/v1/services/appeals",
                     {"organization_id": cast.org_a1.pk, "category": "land", "title": "代填诉求", "content": "用地"})
    assert response.status_code == 403, response.content
    assert Appeal.objects.count() == before


def test_records_derived_from_another_land_in_the_deriving_users_scope(cast, crossing):
    """A lead made from a news item or a target, a target made from a news item, is a record the
    user files: into a zone or a chain the user only sees it is refused — by the API as by the page
    (the action checks, whoever calls it) — and nothing stays, the item unchanged."""
    import datetime as dt

    from django.core.exceptions import PermissionDenied

    from feidi.chains import actions as chain_actions
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import Target
    from feidi.intel import actions as intel_actions
    from feidi.intel.models import NewsItem
    from feidi.projects.models import Project

    item = intel_actions.do_add_item(acting_user=crossing, title="丁锂科技新建正极材料项目", analyse=False,
                                     text="丁锂科技拟投资50亿元新建正极材料项目。", published_on=dt.date(2026, 12, 3))
    assert item.department_id == cast.dept_b.pk
    projects, status = Project.objects.count(), item.status
    response = _call(_client(crossing), "post", f"/api/v1/intel/items/{item.pk}/lead",
                     {"zone_id": cast.zone_a.pk, "name": "探针线索"})
    assert response.status_code == 403, response.content
    page = _client(crossing).post(reverse("intel:newsitem_lead", args=[item.pk]), {"zone": cast.zone_a.pk})
    assert page.status_code in (302, 403)
    assert Project.objects.count() == projects and NewsItem.objects.get(pk=item.pk).status == status

    chain_a = chain_actions.do_save_chain(Chain(name="甲区锂电", department=cast.dept_a), acting_user=None)
    segment_a = chain_actions.do_save_segment(Segment(chain=chain_a, name="正极材料", order=1), acting_user=None)
    with pytest.raises(PermissionDenied):
        intel_actions.do_item_to_target(item, segment_a, acting_user=crossing, organization=cast.org_b1)
    assert not Target.objects.filter(segment=segment_a).exists()

    chain_b = chain_actions.do_save_chain(Chain(name="乙区锂电", department=cast.dept_b), acting_user=None)
    segment_b = chain_actions.do_save_segment(Segment(chain=chain_b, name="电芯", order=2), acting_user=None)
    target = chain_actions.do_save_target(Target(segment=segment_b, organization=cast.org_b1, reason="补链"), acting_user=crossing)
    response = _client(crossing).post(reverse("chains:target_lead", args=[target.pk]), {"zone": cast.zone_a.pk})
    assert Project.objects.count() == projects and Target.objects.get(pk=target.pk).status == target.status

    response = _call(_client(crossing), "post", f"/api/v1/intel/items/{item.pk}/lead",
                     {"zone_id": cast.zone_b.pk, "name": "本区线索"})  # the control: its own zone takes it
    assert response.status_code == 201, response.content
    assert Project.objects.get(pk=response.json()["project_id"]).zone == cast.zone_b


def test_pages_that_pick_their_place_by_a_parameter_write_only_where_the_user_may(cast, crossing):
    """The pages that choose where they write from a parameter — the month report's enterprise,
    the indicator import's codes, the map's zone, the ranking's rule, a commitment's agreement —
    take only places within the user's add scope: a city-wide viewer editing in zone B wrote
    zone A's figures, replaced its parcels, recomputed its ranking and filed under its agreement.
    Each is refused and nothing changes; the user's own zone still takes them."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from feidi.core.models import AuditRecord
    from feidi.indicators.models import IndicatorValue
    from feidi.indicators.models import Parcel
    from feidi.indicators.models import RankingRule
    from feidi.indicators.models import RankingRun
    from feidi.registry.models import Agreement
    from feidi.registry.models import Commitment

    client = _client(crossing)
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    before = AuditRecord.objects.count()
    client.post(f"/indicators/report/?org={cast.org_a1.pk}&period={month:%Y-%m}",
                {"org": cast.org_a1.pk, "period": f"{month:%Y-%m}", "v_revenue": "100", "v_tax": "10", "v_employees": "5"})
    assert not IndicatorValue.objects.filter(organization=cast.org_a1).exists()
    csv = f"统一社会信用代码,企业名称,月份,从业人员\\n{cast.org_a1.uscc},{cast.org_a1.name},{month:%Y-%m},5\\n".encode()
    client.post("/indicators/import/", {"file": SimpleUploadedFile("指标.csv", csv)})
    assert not IndicatorValue.objects.filter(organization=cast.org_a1).exists()
    geojson = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"SR-9","area_mu":1},'
               '"geometry":{"type":"Polygon","coordinates":[[[117.9,28.4],[117.91,28.4],[117.91,28.41],[117.9,28.4]]]}}]}')
    response = client.post("/indicators/maps/zone/", {"zone": cast.zone_a.pk,
                                                      "file": SimpleUploadedFile("地块.geojson", geojson.encode())})
    assert response.status_code == 403 and not Parcel.objects.filter(zone=cast.zone_a).exists()
    rule = RankingRule.objects.get_or_create(department=cast.dept_a, name="甲区月调度排名")[0]
    response = client.post("/indicators/ranking/compute/", {"rule": rule.pk, "month": f"{month:%Y-%m}"})
    assert response.status_code == 403 and not RankingRun.objects.filter(rule=rule).exists()
    agreement = Agreement.objects.create(title="甲区合作协议", party_a="上饶市", party_b="松江区",
                                         signed_on=dt.date(2024, 5, 1), department=cast.dept_a)
    client.post(f"/registry/commitments/add/?agreement={agreement.pk}",
                {"agreement": agreement.pk, "content": "代填承诺", "owner": "上饶市", "due_on": "2027-01-01", "status": "open"})
    assert not Commitment.objects.filter(agreement=agreement).exists()
    assert AuditRecord.objects.filter(pk__gt=0).count() == before  # nothing written, nothing audited
    # the control: zone B's own enterprise takes the month report
    response = client.post(f"/indicators/report/?org={cast.org_b1.pk}&period={month:%Y-%m}",
                           {"org": cast.org_b1.pk, "period": f"{month:%Y-%m}", "v_revenue": "100", "v_tax": "10",
                            "v_employees": "5", "confirm": "on"})
    assert IndicatorValue.objects.filter(organization=cast.org_b1).exists(), response.content.decode()[-3000:]


@pytest.mark.parametrize("value", ["99999999999999999999999999", "-99999999999999999999999", "abc", "１２"])
def test_an_id_no_key_holds_is_a_form_error_never_a_failure(cast, client_for, value):
    """A relation posted as an id no key holds, or as no number at all, is refused as a choice
    (the form's own error), on a form with a single and a multiple relation and on the
    one-click actions — it answered 500 (the driver's overflow, int('abc'))."""
    from feidi.projects.models import InvestmentTrip

    c = client_for("invest")
    before = InvestmentTrip.objects.count()
    response = c.post("/projects/trips/add/", {"destination": "深圳", "purpose": "外出招商", "set_out_on": "2026-11-01",
                                               "members": [value], "organizations": [value], "leader": value})
    assert response.status_code == 200
    assert InvestmentTrip.objects.count() == before
    response = c.post("/projects/pipeline/add/", {"name": "探针项目", "zone": value, "task_force": [value]})
    assert response.status_code == 200


def test_an_import_files_no_row_where_the_user_may_not_add(cast, crossing, insider):
    """A spreadsheet row naming a park the user only sees lands nowhere: the import is refused whole,
    the row reported with the unit it would have belonged to — by the page, the API and the bulk path
    of the organizations alike (a 科技局 cadre who sees the city filed enterprises and projects into
    another zone's park through the import the add page refuses). The user's own park takes them."""
    import io

    import xlsxwriter
    from django.core.files.uploadedfile import SimpleUploadedFile

    from feidi.lib import uscc
    from feidi.projects.models import Project
    from feidi.registry.models import Organization

    def book(header, rows):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, header)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, row)
        workbook.close()
        return SimpleUploadedFile("导入.xlsx", buffer.getvalue())

    client = _client(crossing)
    orgs, projects = Organization.objects.count(), Project.objects.count()
    mine, theirs = uscc.make("91361100MA359001"), uscc.make("91361100MA359002")
    header = ["名称", "统一社会信用代码", "类型", "所在园区"]
    page = client.post(reverse("registry:organization_import"), {"file": book(header, [
        ["本区新企业", mine, "企业", cast.zone_b.name], ["越区新企业", theirs, "企业", cast.zone_a.name]])})
    text = page.content.decode()
    assert "第 3 行" in text and "不在您可新增的数据范围内" in text and cast.dept_a.name in text, text[-3000:]
    assert '<td class="text-nowrap">第 3 行</td><td>所在园区</td>' in text  # on the column that placed it
    assert Organization.objects.count() == orgs  # refused whole: the good row is not kept either
    api = client.post("/api/v1/core/imports", {"kind": "organizations", "file": book(
        header, [["越区新企业", theirs, "企业", cast.zone_a.name]])})
    assert api.json()["status"] == "refused" and "不在您可新增的数据范围内" in str(api.json()), api.content
    assert Organization.objects.count() == orgs
    project_page = client.post(reverse("projects:project_import"), {"file": book(
        ["项目名称", "落地园区", "投资方", "来源渠道"], [["越区项目", cast.zone_a.name, "某集团", "以商招商"]])})
    assert "不在您可新增的数据范围内" in project_page.content.decode()
    assert Project.objects.count() == projects
    # the control: the same file within the user's own park is stored
    client.post(reverse("registry:organization_import"), {"file": book(header, [["本区新企业", mine, "企业", cast.zone_b.name]])})
    assert Organization.objects.filter(uscc=mine, zone=cast.zone_b).exists()


def test_a_record_points_where_it_places_only_at_what_its_user_may_place_under(cast, crossing, insider):
    """The relations that decide whose view a record falls into (``placed_by``: an enclave's 派出园区,
    its parent park and operator; a person's unit; a talent's enclave) take only rows the
    writer may place records under — its own zone's, or ones it may change. A city-wide viewer editing
    in zone B moved an enclave of its own under zone A (twenty residencies changed hands) and a person
    under zone A's enterprise; refused on the field, on the page as by the action. A relation left as
    it was is kept whoever saves, and the user's own zone takes them."""
    from django.core.exceptions import ValidationError

    from feidi.registry import actions as registry
    from feidi.registry.models import Person
    from feidi.registry.models import Zone

    enclave = Zone.objects.create(name="乙区上海飞地", kind=cast.zone_b.kind, department=cast.dept_b, host_region="上海市松江区",
                                  home_zone=cast.zone_b)
    enclave.home_zone = cast.zone_a
    with pytest.raises(ValidationError) as refused:
        registry.do_save_zone(enclave, acting_user=crossing)
    assert "home_zone" in refused.value.message_dict and "不能作为派出园区" in str(refused.value)
    assert Zone.objects.get(pk=enclave.pk).home_zone_id == cast.zone_b.pk
    enclave.refresh_from_db()
    enclave.name = "乙区上海飞地（更名）"
    registry.do_save_zone(enclave, acting_user=crossing)  # its own zone: kept

    person = Person.objects.get(pk=cast.person_b1.pk)
    page = _client(crossing).post(reverse("registry:person_edit", args=[person.pk]), {
        "name": person.name, "kind": person.kind, "organization": cast.org_a1.pk, "title": "副总",
        "_version": person.version})
    assert page.status_code == 200 and "不能作为所在单位" in page.content.decode()
    person.refresh_from_db()
    assert person.organization_id == cast.org_b1.pk and person.department_id == cast.dept_b.pk
    # a person moved within the user's zone follows the unit's department
    person.organization = cast.org_b1
    registry.do_save_person(person, acting_user=crossing)
    # the insider places in zone A
    mine = Zone.objects.create(name="甲区上海飞地", kind=cast.zone_a.kind, department=cast.dept_a, host_region="上海市")
    mine.home_zone = cast.zone_a
    registry.do_save_zone(mine, acting_user=insider)
    assert Zone.objects.get(pk=mine.pk).home_zone_id == cast.zone_a.pk


def test_a_relation_the_write_names_itself_in_does_not_place_the_record(cast, crossing):
    """A new record — or one moved to another department — lands by the writer's own scope alone:
    naming oneself 挂点领导 or a member of the 专班 of a project filed into a zone one only sees was
    enough for it to land there (the check counted the relations one works by, which the write set)."""
    from django.core.exceptions import PermissionDenied

    from feidi.core.actions import refuse_outside_scope
    from feidi.projects.actions import do_save_project
    from feidi.projects.models import Project

    with pytest.raises(PermissionDenied), transaction.atomic():
        project = do_save_project(Project(name="自任挂点领导的项目", zone=cast.zone_a, investor="某集团", leader=crossing),
                                  acting_user=crossing)
        refuse_outside_scope(project, crossing, "add")
    assert not Project.objects.filter(name="自任挂点领导的项目").exists()
    mine = do_save_project(Project(name="本区项目", zone=cast.zone_b, investor="某集团", leader=crossing),
                           acting_user=crossing)
    refuse_outside_scope(mine, crossing, "add")  # its own zone: kept
    # moved into zone A with oneself in the 专班: the move is checked strictly
    mine = Project.objects.get(pk=mine.pk)
    mine.zone = cast.zone_a
    with pytest.raises(PermissionDenied), transaction.atomic():
        moved = do_save_project(mine, acting_user=crossing)
        refuse_outside_scope(moved, crossing, "change")
    assert Project.objects.get(pk=mine.pk).zone_id == cast.zone_b.pk


def test_zone_trees_have_no_loops(cast):
    """A park placed under its own sub-park, or two enclaves each the other's 派出园区, counted parks
    twice or never (统计查询 read 10 of 11): refused on the field."""
    from django.core.exceptions import ValidationError

    from feidi.registry import actions as registry
    from feidi.registry.models import Zone

    part = Zone.objects.create(name="分区一", kind=cast.zone_a.kind, host_region="上饶", parent=cast.zone_a,
                               department=cast.dept_a)
    top = Zone.objects.get(pk=cast.zone_a.pk)
    top.parent = part
    with pytest.raises(ValidationError, match="下级园区"):
        registry.do_save_zone(top, acting_user=None)
    part.home_zone = top
    registry.do_save_zone(part, acting_user=None)
    top = Zone.objects.get(pk=cast.zone_a.pk)
    top.home_zone = part
    with pytest.raises(ValidationError, match="循环"):
        registry.do_save_zone(top, acting_user=None)
