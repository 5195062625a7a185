"""The two halves of a two-way enclave are one undertaking: the leaders of the home zone see the
enclave their city's bureau runs, its residencies, the joint projects incubated there and the home
project they became, the shared benefits; the bureau sees the home zone and the home project;
another zone sees none of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from feidi.accounts import actions as account_actions
from feidi.accounts.models import Department
from feidi.accounts.models import Role
from feidi.accounts.models import User
from feidi.core.models import DictItem
from feidi.registry import actions as registry_actions
from feidi.registry.models import Residency
from feidi.registry.models import Zone


@pytest.fixture
def enclave(cast):
    bureau = account_actions.do_save_department(Department(name="市科技局", kind=Department.Kind.BUREAU,
                                                           parent=cast.city), acting_user=None)
    kind = DictItem.objects.get(type__code="zone_kind", code="tech_enclave")
    zone = registry_actions.do_save_zone(Zone(name="上饶科创（人才）中心", kind=kind, host_region="上海市松江区",
                                              department=bureau, home_zone=cast.zone_a), acting_user=None)
    residency = registry_actions.do_save_residency(Residency(organization=cast.org_b1, enclave=zone,
                                                             department=bureau), acting_user=None)
    operator = account_actions.do_create_user(
        User(username="op", full_name="飞地运营", department=bureau), password="Cast#Passw0rd!",
        roles=[Role.objects.get(code="tech_bureau")], acting_user=None)
    return {"bureau": bureau, "zone": zone, "residency": residency, "operator": operator}


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_home_zone_leader_sees_the_enclave_and_what_passes_between_them(cast, enclave, client_for):
    from feidi.challenges.models import JointProject
    from feidi.projects.actions import do_save_project
    from feidi.projects.models import Project

    leader = client_for("leader")
    assert leader.get(enclave["zone"].get_absolute_url()).status_code == 200
    assert leader.get(enclave["residency"].get_absolute_url()).status_code == 200
    home = do_save_project(Project(name="孵化落地项目", zone=cast.zone_a, incubated_from=enclave["residency"],
                                   channel="enclave"),
                           acting_user=cast.invest)
    joint = JointProject.objects.create(title="飞地联合攻关", budget=1, starts_on=dt.date(2026, 1, 1),
                                        ends_on=dt.date(2027, 1, 1), incubated_in=enclave["zone"], home_project=home,
                                        department=enclave["bureau"])
    assert leader.get(joint.get_absolute_url()).status_code == 200
    operator = _client(enclave["operator"])
    assert operator.get(cast.zone_a.get_absolute_url()).status_code == 200
    assert operator.get(joint.get_absolute_url()).status_code == 200
    # another zone sees none of it
    other = client_for("other_clerk")
    for url in (enclave["zone"].get_absolute_url(), enclave["residency"].get_absolute_url()):
        assert other.get(url).status_code == 404


def test_the_home_zone_sees_the_talents_and_joint_projects_of_its_enclave_and_its_enterprises(cast, enclave,
                                                                                              client_for):
    """A talent introduced through the enclave (its department the bureau's) and a joint project one of
    the zone's enterprises undertakes are the home zone's too: its leader read 共0条 on 引进人才 while
    the bureau saw twelve, and the policy engine qualified his enterprises by those talents."""
    from feidi.challenges.models import JointParty
    from feidi.challenges.models import JointProject
    from feidi.registry.models import Person
    from feidi.techmarket.models import Talent

    person = Person.objects.create(name="张博士", kind=Person.Kind.TALENT, department=enclave["bureau"])
    field = DictItem.objects.filter(type__code="tech_field").first()
    talent = Talent.objects.create(person=person, enclave=enclave["zone"], employer=cast.org_a1, field=field,
                                   department=enclave["bureau"])
    joint = JointProject.objects.create(title="企业牵头攻关", budget=1, starts_on=dt.date(2026, 1, 1),
                                        ends_on=dt.date(2027, 1, 1), department=enclave["bureau"])
    JointParty.objects.create(project=joint, organization=cast.org_a1, role=JointParty.Role.LEAD)
    leader = client_for("leader")
    assert leader.get(talent.get_absolute_url()).status_code == 200
    assert leader.get(joint.get_absolute_url()).status_code == 200
    other = client_for("other_clerk")
    assert other.get(talent.get_absolute_url()).status_code in (403, 404)
    assert other.get(joint.get_absolute_url()).status_code in (403, 404)


def test_the_enclave_links_reach_only_the_linked_zones(cast, enclave):
    from feidi.registry.models import enclave_zones

    own, linked = enclave_zones(cast.leader)
    assert cast.zone_a.pk in own and enclave["zone"].pk in linked and cast.zone_b.pk not in own + linked
    own, linked = enclave_zones(enclave["operator"])
    assert own == [enclave["zone"].pk] and linked == [cast.zone_a.pk]
    assert enclave_zones(cast.other_clerk)[1] == []


def test_the_other_half_is_seen_not_worked_on(cast, enclave, client_for):
    """What a user reaches only through the enclave link is seen, never written: its edit page, its
    residencies' transitions; nor is it a place to file new records into (a project in the enclave,
    by page or API, is refused and nothing stays). The enclave's own operator still edits it."""
    from django.urls import reverse

    from feidi.projects.models import Project

    invest = client_for("invest")  # 招商局 of the home zone: edits registry records of its zone
    zone, residency = enclave["zone"], enclave["residency"]
    assert invest.get(zone.get_absolute_url()).status_code == 200
    edit = reverse("registry:zone_edit", kwargs={"pk": zone.pk})
    assert invest.get(edit).status_code == 404
    assert invest.post(edit, {"name": "改名", "short_name": "改"}).status_code == 404
    moved = invest.post(f"/api/v1/registry/residencies/{residency.pk}/transition",
                        data={"status": "exited", "note": "探测"}, content_type="application/json")
    assert moved.status_code == 404, moved.content
    filed = invest.post("/api/v1/projects/projects", data={"name": "飞地里的线索", "zone_id": zone.pk},
                        content_type="application/json")
    assert filed.status_code == 403, filed.content
    page = invest.post(reverse("projects:project_add"), {"name": "飞地里的线索", "zone": zone.pk, "channel": "other",
                                                          "stage": "lead", "_form_token": "t1"})
    assert page.status_code == 200 and "不在您可新增的数据范围内" in page.content.decode()
    assert not Project.objects.filter(name="飞地里的线索").exists()
    moved = invest.patch(f"/api/v1/registry/organizations/{cast.org_a1.pk}", data={"zone_id": zone.pk},
                         content_type="application/json")
    assert moved.status_code == 403 and "移到您的数据范围之外" in moved.json()["message"], moved.content
    cast.org_a1.refresh_from_db()
    assert cast.org_a1.zone_id == cast.zone_a.pk
    zone.refresh_from_db()
    residency.refresh_from_db()
    assert zone.name == "上饶科创（人才）中心" and residency.status != "exited"
    # and the other way: the bureau sees the home zone, edits only its enclave
    operator = _client(enclave["operator"])
    assert operator.get(reverse("registry:zone_edit", kwargs={"pk": cast.zone_a.pk})).status_code == 404
    assert operator.get(edit).status_code == 200
