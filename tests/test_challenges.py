"""揭榜挂帅 through the pages and the API: publish → apply alone and as a consortium → expert
scores → award → joint project with its parties → milestones → acceptance → transfer, and the
refusals on the way (after the deadline, twice, an enterprise, an expert not invited, two awards)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from feidi.accounts.models import User
from feidi.challenges import actions as challenges
from feidi.challenges.actions import add_months
from feidi.challenges.models import Application
from feidi.challenges.models import Challenge
from feidi.challenges.models import JointMilestone
from feidi.challenges.models import JointParty
from feidi.challenges.models import JointProject
from feidi.challenges.models import Review
from feidi.core.actions import ConflictError
from feidi.core.models import AuditRecord
from feidi.core.models import DictItem
from feidi.core.models import Notification
from feidi.techmarket.models import Demand
from feidi.techmarket.models import IndexChange

CRITERIA = "技术先进性 40\n团队实力 30\n实施方案可行性 30"
PARTNER = "长三角G60科创走廊联席会议办公室"


def today():
    return timezone.localdate()


@pytest.fixture
def demand(cast):
    return Demand.objects.create(
        organization=cast.org_a1, title="钙钛矿/晶硅叠层组件封装可靠性攻关", kind=Demand.Kind.KEY_CORE,
        description="叠层组件湿热老化（DH1000）后效率衰减不超过5%，满足IEC 61215。",
        field=DictItem.objects.get(type__code="tech_field", code="photovoltaic"), budget=Decimal("8000000"),
        status=Demand.Status.PUBLISHED, published_at=timezone.now(), department=cast.dept_a, created_by=cast.ent_a)


def make_expert(username, name):
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.testing.cast import PASSWORD

    dept = User.objects.get(username="expert").department
    user = User(username=username, full_name=name, department=dept)
    return do_create_user(user, password=PASSWORD, roles=[Role.objects.get(code="tech_expert")], acting_user=None) \
        or User.objects.get(username=username)


def post_challenge(client, demand, **extra):
    data = {"demand": demand.pk, "title": "叠层组件封装揭榜", "bounty": "5000000",
            "deadline": (today() + dt.timedelta(days=30)).isoformat(), "criteria": CRITERIA,
            "conditions": "具备中试线验证条件", "joint": "on", "joint_partner": PARTNER, "_form_token": extra.pop("token", "")}
    data.update(extra)
    return client.post(reverse("challenges:challenge_add"), data)


def apply(client, challenge, proposal, **extra):
    return client.post(reverse("challenges:application_add") + f"?challenge={challenge.pk}",
                       {"challenge": challenge.pk, "proposal": proposal, "budget": "4500000", "period_months": "18",
                        **extra})


def score(client, application, values, comment=""):
    data = {f"c{i}": v for i, v in enumerate(values)}
    data["comment"] = comment
    return client.post(reverse("challenges:review", args=[application.pk]), data)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages] if hasattr(response, "wsgi_request") else []


@pytest.fixture
def experts(cast):
    return [cast.expert, make_expert("expert2", "第二专家")]


@pytest.fixture
def open_challenge(cast, demand, experts, client_for):
    tech = client_for("tech")
    response = post_challenge(tech, demand, experts=[e.pk for e in experts])
    assert response.status_code == 302, response.content.decode()[:2000]
    challenge = Challenge.objects.get(demand=demand)
    response = tech.post(reverse("challenges:challenge_publish", args=[challenge.pk]))
    assert response.status_code == 302
    challenge.refresh_from_db()
    return challenge


def test_criteria_weights_must_sum_to_100_and_the_demand_must_be_published(cast, demand, client_for):
    tech = client_for("tech")
    response = post_challenge(tech, demand, criteria="技术先进性 40\n团队实力 30\n实施方案可行性 20")
    assert response.status_code == 200
    assert "评审指标权重合计应为 100" in response.content.decode()
    response = post_challenge(tech, demand, criteria="技术先进性 四十")
    assert "第 1 行应为“指标名称 权重”" in response.content.decode()
    response = post_challenge(tech, demand, joint_partner="")
    assert "协同发榜须填写协同发榜单位" in response.content.decode()
    assert not Challenge.objects.exists()
    Demand.objects.filter(pk=demand.pk).update(status=Demand.Status.DRAFT)
    demand.refresh_from_db()
    with pytest.raises(ValidationError, match="只有已发布的技术需求才能张榜"):
        challenges.do_save_challenge(Challenge(demand=demand, title="x", bounty=1, deadline=today(),
                                               criteria=[{"name": "a", "weight": 100}]), acting_user=cast.tech)
    # An enterprise does not publish challenges.
    assert client_for("ent_a").get(reverse("challenges:challenge_add")).status_code == 403


def test_publish_sets_the_demand_to_challenge_and_reindexes_it(cast, demand, open_challenge, client_for):
    demand.refresh_from_db()
    assert open_challenge.status == Challenge.Status.OPEN and open_challenge.published_at is not None
    assert open_challenge.joint and open_challenge.joint_partner == PARTNER
    assert open_challenge.criteria == [{"name": "技术先进性", "weight": 40}, {"name": "团队实力", "weight": 30},
                                       {"name": "实施方案可行性", "weight": 30}]
    assert demand.status == Demand.Status.CHALLENGE
    assert IndexChange.objects.filter(kind="demand", doc_id=demand.pk).exists()
    assert AuditRecord.objects.filter(model="challenges.challenge", object_id=str(open_challenge.pk),
                                      action="transition").exists()
    # The invited experts are told.
    assert Notification.objects.filter(user=cast.expert, title__contains=open_challenge.title).exists()
    # Publishing again loses: the challenge is no longer a draft.
    response = client_for("tech").post(reverse("challenges:challenge_publish", args=[open_challenge.pk]))
    assert "该榜单已发榜或已撤榜" in " ".join(messages_of(response))
    # The published challenge is on every market user's 榜单, with its bounty in 万元 and the badge.
    page = client_for("inst").get(reverse("challenges:challenge_list")).content.decode()
    assert open_challenge.title in page and "500" in page and "协同发榜" in page
    detail = client_for("inst").get(open_challenge.get_absolute_url()).content.decode()
    assert "剩 <span class=\"text-orange\">30</span> 天" in detail and "我要揭榜" in detail
    assert "技术先进性" in detail and "实施方案可行性" in detail


def test_the_whole_flow(cast, demand, open_challenge, experts, client_for):
    challenge = open_challenge
    inst_a, inst, tech = client_for("inst_a"), client_for("inst"), client_for("tech")
    expert1 = client_for("expert")
    from django.test import Client

    expert2 = Client()
    expert2.force_login(experts[1])

    # 甲研究院 applies alone; 某大学 leads a consortium with 甲研究院 and an enterprise.
    assert inst_a.get(reverse("challenges:application_add") + f"?challenge={challenge.pk}").status_code == 200
    assert apply(inst_a, challenge, "原子层沉积阻隔层方案").status_code == 302
    response = apply(inst, challenge, "界面钝化+柔性封装联合方案", member_institutions=[cast.institution_a.pk],
                     member_codes=cast.org_a2.uscc)
    assert response.status_code == 302, response.content.decode()[:3000]
    alone = Application.objects.get(challenge=challenge, applicant=cast.institution_a)
    consortium = Application.objects.get(challenge=challenge, applicant=cast.institution)
    assert not alone.is_consortium
    assert set(consortium.members.all()) == {cast.institution_a, cast.org_a2}

    # Twice is refused.
    response = apply(inst_a, challenge, "再来一份")
    assert response.status_code == 200 and "每个单位只能提交一份申请" in response.content.decode()
    assert Application.objects.filter(challenge=challenge).count() == 2

    # Experts score once the review starts (the staff may end the call early).
    response = score(expert1, alone, [90, 80, 70])
    assert "不在评审阶段" in response.content.decode()
    assert tech.post(reverse("challenges:challenge_start_review", args=[challenge.pk])).status_code == 302
    challenge.refresh_from_db()
    # ended early, the call closes today and its deadline says so (it read 揭榜截止 a month on, beside 评审中)
    assert challenge.status == Challenge.Status.REVIEW and challenge.deadline == today()

    # Weighted totals by hand: 90×0.4+80×0.3+70×0.3 = 81; 70×0.4+90×0.3+85×0.3 = 80.5;
    # expert 2: 80×0.4+70×0.3+60×0.3 = 71 on the lone application → its score (81+71)/2 = 76.
    assert score(expert1, alone, [90, 80, 70], "方案扎实").status_code == 302
    assert score(expert1, consortium, [70, 90, 85]).status_code == 302
    assert score(expert2, alone, [80, 70, 60]).status_code == 302
    alone.refresh_from_db()
    assert Review.objects.get(application=alone, expert=cast.expert).total == Decimal("81.00")
    assert Review.objects.get(application=consortium, expert=cast.expert).total == Decimal("80.50")
    assert alone.score == Decimal("76.00")
    # Re-scoring updates the expert's review: 85×0.4+75×0.3+65×0.3 = 76 → (81+76)/2 = 78.5.
    assert score(expert2, alone, [85, 75, 65]).status_code == 302
    alone.refresh_from_db()
    assert Review.objects.filter(application=alone).count() == 2
    assert alone.score == Decimal("78.50")
    # expert 2 alone on the consortium: 90×0.4+95×0.3+80×0.3 = 88.5 → (80.5+88.5)/2 = 84.5.
    assert score(expert2, consortium, [90, 95, 80]).status_code == 302
    consortium.refresh_from_db()
    assert consortium.score == Decimal("84.50")
    # Out of range is a field error on the sheet.
    response = score(expert1, alone, [101, 80, 70])
    assert response.status_code == 200 and "100" in response.content.decode()

    # The staff sees the applications ranked by score; the institution sees only its own.
    page = tech.get(challenge.get_absolute_url()).content.decode()
    assert page.index("某大学") < page.index("甲研究院</a>") and "84.50" in page and "78.50" in page
    page = inst.get(challenge.get_absolute_url()).content.decode()
    assert "本单位的揭榜申请" in page and "78.50" not in page
    # With two experts on the challenge the staff still get each application once.
    page = tech.get(consortium.get_absolute_url()).content.decode()
    assert "84.50" in page and page.count("第二专家") == 1
    listed = tech.get("/api/v1/techmarket/applications").json()
    assert sorted(a["id"] for a in listed["items"]) == sorted([alone.pk, consortium.pk])
    assert tech.get(f"/api/v1/techmarket/applications/{alone.pk}").status_code == 200
    assert len(tech.get(reverse("challenges:application_list")).content.decode().split(alone.get_absolute_url())) == 2

    # Award the consortium: it wins, the other is 未入选, the challenge 已定榜, the project is set up.
    response = tech.post(reverse("challenges:challenge_award", args=[challenge.pk]),
                         {"application": consortium.pk})
    project = JointProject.objects.get(challenge=challenge)
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    alone.refresh_from_db()
    consortium.refresh_from_db()
    challenge.refresh_from_db()
    assert (consortium.status, alone.status, challenge.status) == ("awarded", "rejected", "awarded")
    assert project.application == consortium and project.budget == Decimal("5000000")
    assert project.starts_on == today() and project.ends_on == add_months(today(), 18)
    parties = {(p.organization_id, p.role) for p in project.parties.all()}
    assert parties == {(cast.org_a1.pk, "demander"), (cast.institution.pk, "lead"),
                       (cast.institution_a.pk, "member"), (cast.org_a2.pk, "member")}
    for user in (cast.ent_a, cast.inst, cast.inst_a, cast.ent_b):
        assert Notification.objects.filter(user=user, title__contains="定榜").exists(), user
    # A second award loses.
    response = tech.post(reverse("challenges:challenge_award", args=[challenge.pk]), {"application": alone.pk})
    assert "已定榜" in " ".join(messages_of(response))
    assert JointProject.objects.filter(challenge=challenge).count() == 1

    # The parties see their project: the enterprise, the lead and the member.
    for name in ("ent_a", "inst", "inst_a", "ent_b"):
        page = client_for(name).get(project.get_absolute_url())
        assert page.status_code == 200, name
        assert "需求方（出题企业）" in page.content.decode()

    # Milestones, then acceptance: refused with an open milestone and no note.
    url = reverse("challenges:milestone_add", args=[project.pk])
    response = tech.post(url, {"title": "中试线样品", "due_on": "明年三月"})  # a step's form refuses by field
    assert "计划完成：" in " ".join(messages_of(response)) and not project.milestones.exists()
    tech.post(url, {"title": "中试线样品", "due_on": (today() + dt.timedelta(days=90)).isoformat()})
    tech.post(url, {"title": "湿热老化测试报告", "due_on": (today() + dt.timedelta(days=180)).isoformat()})
    first, second = project.milestones.order_by("due_on")
    assert tech.post(reverse("challenges:milestone_done", args=[project.pk, first.pk]),
                     {"done_on": today().isoformat()}).status_code == 302
    accept = reverse("challenges:jointproject_accept", args=[project.pk])
    response = tech.post(accept, {"passed": "1", "accepted_on": today().isoformat(), "acceptance_note": ""})
    assert "尚有 1 个节点未完成" in " ".join(messages_of(response))
    project.refresh_from_db()
    assert project.status == JointProject.Status.ACTIVE
    tech.post(reverse("challenges:milestone_done", args=[project.pk, second.pk]), {})
    second.refresh_from_db()
    assert second.done_on == today()
    response = tech.post(accept, {"passed": "1", "accepted_on": today().isoformat(), "acceptance_note": "指标全部达到"})
    project.refresh_from_db()
    demand.refresh_from_db()
    assert (project.status, project.acceptance, project.accepted_on) == ("accepted", "passed", today())
    assert demand.status == Demand.Status.SOLVED
    # No second acceptance.
    response = tech.post(accept, {"passed": "0", "accepted_on": today().isoformat(), "acceptance_note": "x"})
    assert "已验收" in " ".join(messages_of(response))

    # Transfer to the home project: the tech bureau must see it.
    from feidi.accounts.models import Role
    from feidi.projects.models import Project
    from feidi.testing.factories import make_for

    home = make_for(Project, cast)
    Project.objects.filter(pk=home.pk).update(channel="enclave")
    transfer = reverse("challenges:jointproject_transfer", args=[project.pk])
    # Another zone's project is not the tech bureau's to link.
    from feidi.projects.actions import do_save_project

    elsewhere = do_save_project(Project(name="乙区转化项目", zone=cast.zone_b, investor="乙区投资方",
                                        owner=cast.other_pmo), acting_user=cast.other_pmo)
    with pytest.raises(PermissionDenied, match="无权查看"):
        challenges.do_mark_transferred(project, elsewhere, acting_user=cast.tech)
    # Its own zone's pipeline it reads (the 科技局 role has projects.view_project).
    assert Role.objects.get(code="tech_bureau").permissions.filter(codename="view_project").exists()
    tech = client_for("tech")
    assert f'<option value="{home.pk}">{home.name}</option>' in tech.get(project.get_absolute_url()).content.decode()
    response = tech.post(transfer, {"home_project": home.pk, "transferred_on": today().isoformat()})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.home_project == home and project.transferred_on == today()
    page = tech.get(project.get_absolute_url()).content.decode()
    assert home.name in page and home.get_absolute_url() in page
    response = tech.post(transfer, {"home_project": home.pk, "transferred_on": today().isoformat()})
    assert "该项目已标记转化落地" in " ".join(messages_of(response))
    assert JointProject.objects.filter(home_project=home).count() == 1
    assert list(home.joint_projects.all()) == [project]


def test_refusals(cast, demand, open_challenge, experts, client_for):
    challenge = open_challenge
    # An enterprise cannot apply, neither by the page nor by the action.
    ent = client_for("ent_a")
    assert ent.get(reverse("challenges:application_add") + f"?challenge={challenge.pk}").status_code == 403
    with pytest.raises(PermissionDenied, match="只有高校、科研院所可以揭榜"):
        challenges.do_apply(Application(challenge=challenge, proposal="x"), acting_user=cast.ent_a)
    # Staff of the bureau do not apply either.
    response = apply(client_for("tech"), challenge, "局里也来揭榜")
    assert "只有高校、科研院所可以揭榜" in response.content.decode()
    # Withdrawn, then submitted again while the call is open.
    inst = client_for("inst")
    assert apply(inst, challenge, "方案一").status_code == 302
    mine = Application.objects.get(challenge=challenge, applicant=cast.institution)
    assert inst.post(reverse("challenges:application_withdraw", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.status == Application.Status.WITHDRAWN
    assert apply(inst, challenge, "方案二").status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.proposal) == ("submitted", "方案二")
    # Another institution cannot withdraw it.
    assert client_for("inst_a").post(reverse("challenges:application_withdraw", args=[mine.pk])).status_code == 404
    # After the deadline nobody applies.
    Challenge.objects.filter(pk=challenge.pk).update(deadline=today() - dt.timedelta(days=1))
    response = apply(client_for("inst_a"), challenge, "迟到的方案")
    assert "已过揭榜截止日期" in response.content.decode()
    assert not Application.objects.filter(applicant=cast.institution_a).exists()
    # The sweep starts the review of challenges past their deadline.
    assert challenges.start_due_reviews() == 1
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.REVIEW
    # An expert not invited on the challenge is refused (the page does not even show him the application).
    outsider = make_expert("expert3", "未受邀专家")
    from django.test import Client

    c = Client()
    c.force_login(outsider)
    assert score(c, mine, [80, 80, 80]).status_code == 404
    with pytest.raises(PermissionDenied, match="不是该榜单的评审专家"):
        challenges.do_review(mine, {"技术先进性": 80, "团队实力": 80, "实施方案可行性": 80}, acting_user=outsider)
    with pytest.raises(ValidationError):
        challenges.do_review(mine, {"技术先进性": 80, "团队实力": 80}, acting_user=cast.expert)
    # a score as the score sheet takes it: one decimal place at most (the API stored 1e-300 and 99.999)
    for odd in (1e-300, 99.999, 80.05):
        with pytest.raises(ValidationError, match="最多保留一位小数"):
            challenges.do_review(mine, {"技术先进性": odd, "团队实力": 80, "实施方案可行性": 80}, acting_user=cast.expert)
    # Only the staff with award rights awards.
    with pytest.raises(PermissionDenied):
        challenges.do_award(challenge, mine, acting_user=cast.expert)


def test_an_institution_sees_only_its_own_applications(cast, open_challenge, client_for):
    inst, inst_a = client_for("inst"), client_for("inst_a")
    apply(inst, open_challenge, "某大学的方案")
    apply(inst_a, open_challenge, "甲研究院的方案")
    mine = Application.objects.get(applicant=cast.institution)
    theirs = Application.objects.get(applicant=cast.institution_a)
    page = inst.get(reverse("challenges:application_list")).content.decode()
    assert mine.get_absolute_url() in page and theirs.get_absolute_url() not in page
    assert inst.get(theirs.get_absolute_url()).status_code == 404
    assert inst.get(mine.get_absolute_url()).status_code == 200
    page = inst.get(open_challenge.get_absolute_url()).content.decode()
    assert "某大学" in page and theirs.get_absolute_url() not in page
    # The enterprise that posted the demand sees the challenge, not the applications.
    page = client_for("ent_a").get(open_challenge.get_absolute_url()).content.decode()
    assert mine.get_absolute_url() not in page and theirs.get_absolute_url() not in page
    # The staff and the invited experts see both.
    for name in ("tech", "expert"):
        page = client_for(name).get(reverse("challenges:application_list")).content.decode()
        assert mine.get_absolute_url() in page and theirs.get_absolute_url() in page, name
    body = inst.get("/api/v1/techmarket/applications").json()
    assert [a["id"] for a in body["items"]] == [mine.pk]


def test_api(cast, demand, open_challenge, experts, client_for):
    inst, tech, expert = client_for("inst"), client_for("tech"), client_for("expert")
    body = inst.get("/api/v1/techmarket/challenges").json()
    assert open_challenge.pk in [c["id"] for c in body["items"]]
    one = inst.get(f"/api/v1/techmarket/challenges/{open_challenge.pk}").json()
    assert one["bounty"] == "5000000.00" or Decimal(one["bounty"]) == Decimal("5000000")
    assert one["criteria"][0] == {"name": "技术先进性", "weight": 40} and one["joint"] is True
    response = inst.post(f"/api/v1/techmarket/challenges/{open_challenge.pk}/apply",
                         json.dumps({"proposal": "API 揭榜方案", "period_months": 24,
                                     "member_ids": [cast.institution_a.pk]}), content_type="application/json")
    assert response.status_code == 201, response.content
    app_id = response.json()["id"]
    assert response.json()["member_ids"] == [cast.institution_a.pk]
    # an enterprise joins by its credit code, as on the page; an id outside the institutions'
    # directory is refused alike whether it exists or not
    for ids in ([cast.org_b1.pk], [10**9]):
        refused = inst.post(f"/api/v1/techmarket/challenges/{open_challenge.pk}/apply",
                            json.dumps({"proposal": "x", "member_ids": ids}), content_type="application/json")
        assert refused.status_code == 422 and "member_ids" in refused.json()["fields"]
        assert "不在高校、院所名录中" in refused.json()["fields"]["member_ids"][0]
    refused = inst.post(f"/api/v1/techmarket/challenges/{open_challenge.pk}/apply",
                        json.dumps({"proposal": "x", "member_usccs": ["91361100MA35X0000A"]}),
                        content_type="application/json")
    assert refused.status_code == 422 and "member_usccs" in refused.json()["fields"]
    again = inst.post(f"/api/v1/techmarket/challenges/{open_challenge.pk}/apply",
                      json.dumps({"proposal": "再来"}), content_type="application/json")
    assert again.status_code == 422 and "只能提交一份" in again.json()["message"]
    ent = client_for("ent_a").post(f"/api/v1/techmarket/challenges/{open_challenge.pk}/apply",
                                   json.dumps({"proposal": "企业揭榜"}), content_type="application/json")
    assert ent.status_code == 403
    challenges.do_start_review(open_challenge, acting_user=cast.tech)
    response = expert.post(f"/api/v1/techmarket/applications/{app_id}/review",
                           json.dumps({"scores": {"技术先进性": 90, "团队实力": 80, "实施方案可行性": 70}, "comment": "好"}),
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert Decimal(response.json()["total"]) == Decimal("81")
    assert Decimal(inst.get(f"/api/v1/techmarket/applications/{app_id}").json()["score"]) == Decimal("81")
    response = tech.post(f"/api/v1/techmarket/challenges/{open_challenge.pk}/award",
                         json.dumps({"application_id": app_id, "budget": "3000000"}), content_type="application/json")
    assert response.status_code == 201, response.content
    project = response.json()
    assert Decimal(project["budget"]) == Decimal("3000000")
    assert {(p["organization_id"], p["role"]) for p in project["parties"]} == {
        (cast.org_a1.pk, "demander"), (cast.institution.pk, "lead"), (cast.institution_a.pk, "member")}
    again = tech.post(f"/api/v1/techmarket/challenges/{open_challenge.pk}/award",
                      json.dumps({"application_id": app_id}), content_type="application/json")
    assert again.status_code in (409, 422)
    listed = client_for("inst_a").get("/api/v1/techmarket/jointprojects").json()
    assert [p["id"] for p in listed["items"]] == [project["id"]]
    assert client_for("inst_a").get(f"/api/v1/techmarket/jointprojects/{project['id']}").status_code == 200
    assert client_for("other_clerk").get(f"/api/v1/techmarket/jointprojects/{project['id']}").status_code in (403, 404)


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                    reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_awards_at_once_one_wins(cast, demand, experts):
    import threading

    from django.db import connections

    challenge = challenges.do_save_challenge(Challenge(
        demand=demand, title="并发定榜", bounty=Decimal("1000000"), deadline=today() + dt.timedelta(days=3),
        criteria=[{"name": "技术", "weight": 100}]), acting_user=cast.tech, experts=experts)
    challenges.do_publish_challenge(challenge, acting_user=cast.tech)
    a = challenges.do_apply(Application(challenge=challenge, proposal="甲"), acting_user=cast.inst_a)
    b = challenges.do_apply(Application(challenge=challenge, proposal="乙"), acting_user=cast.inst)
    challenges.do_start_review(challenge, acting_user=cast.tech)
    results, barrier = [], threading.Barrier(2)

    def award(application):
        try:
            barrier.wait()
            results.append(challenges.do_award(Challenge.objects.get(pk=challenge.pk), application,
                                               acting_user=cast.tech))
        except (ConflictError, ValidationError) as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=award, args=(x,)) for x in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [r for r in results if isinstance(r, JointProject)]
    lost = [r for r in results if isinstance(r, ConflictError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "已定榜" in str(lost[0])
    assert JointProject.objects.filter(challenge=challenge).count() == 1
    assert Application.objects.filter(challenge=challenge, status="awarded").count() == 1
    assert JointParty.objects.filter(project=won[0], role="lead").count() == 1


def test_a_search_across_the_parties_lists_a_project_once(cast, client_for):
    """The joint projects' search reaches the parties' names (a to-many relation): a project whose
    title and both parties hold the word is one row, ranked, in the page and the export."""
    from feidi.testing.factories import make_for

    project = make_for(JointProject, cast)
    word = "甲"
    assert word in project.title and all(word in p.organization.name for p in project.parties.all())
    c = client_for("tech")
    page = c.get(reverse("challenges:jointproject_list"), {"q": word})
    assert [o.pk for o in page.context["page"].object_list] == [project.pk]
    assert page.context["paginator"].count == 1 and page.context["by_relevance"]
    by_party = c.get(reverse("challenges:jointproject_list"), {"q": cast.institution_a.name})
    assert [o.pk for o in by_party.context["page"].object_list] == [project.pk]
    # a to-many field listed before another would rank the project's rows apart (the party that
    # holds the word above the one that does not): such a field finds, it does not rank
    from feidi.challenges.filtersets import JointProjectFilterSet
    from feidi.registry.models import Organization

    class PartiesFirst(JointProjectFilterSet):
        search_fields = ("parties__organization__name", "title")

    Organization.objects.filter(pk=cast.institution_a.pk).update(name="乙研究院")
    found = PartiesFirst({"q": word}, queryset=JointProject.objects.all(), user=cast.tech).qs
    assert list(found.order_by("-search_rank", "-pk").values_list("pk", flat=True)) == [project.pk]


def test_milestones_and_acceptance_rules(cast, client_for):
    from feidi.testing.factories import make_for

    project = make_for(JointProject, cast)
    JointMilestone.objects.create(project=project, title="样机", due_on=today())
    with pytest.raises(ValidationError, match="须在验收意见中说明"):
        challenges.do_accept_joint_project(project, passed=True, acting_user=cast.tech)
    with pytest.raises(PermissionDenied):
        challenges.do_accept_joint_project(project, passed=True, note="x", acting_user=cast.inst_a)
    project = challenges.do_accept_joint_project(project, passed=False, note="样机未达指标，节点未完成",
                                                 acting_user=cast.tech)
    assert (project.status, project.acceptance) == ("failed", "failed")
    with pytest.raises(ValidationError, match="不能再调整节点"):
        challenges.do_add_milestone(project, title="补充", due_on=today(), acting_user=cast.tech)
    page = client_for("inst_a").get(project.get_absolute_url()).content.decode()
    assert "验收不通过" in page and "样机未达指标" in page


def check_the_demo_batch():
    """Run by tests/test_demo.py after `feidi demo` (one load of the whole demo for every module)."""
    from feidi.demo import techmarket
    from feidi.demo import techmarket_challenges

    assert techmarket.load() == {} and techmarket_challenges.load() == {}
    assert Challenge.objects.filter(sample=True).count() == 9
    assert not Challenge.objects.filter(sample=False).exists()
    statuses = sorted(Challenge.objects.values_list("status", flat=True))
    assert statuses.count("awarded") == 3 and statuses.count("open") == 3 and statuses.count("review") == 2
    assert Challenge.objects.filter(joint=True).count() >= 5
    assert JointProject.objects.count() == 3 and JointProject.objects.filter(status="accepted").count() == 2
    # one accepted project transferred to the home pipeline project it became (亥博)
    assert list(JointProject.objects.filter(home_project__isnull=False).values_list("home_project__name", flat=True)) \
        == ["亥博光伏胶带国产化量产项目"]
    assert AuditRecord.objects.filter(model="challenges.challenge", action="create").count() == 9
    for project in JointProject.objects.all():
        assert project.parties.filter(role="demander").count() == 1 and project.parties.filter(role="lead").count() == 1
    reviewed = Application.objects.filter(score__isnull=False)
    assert reviewed.exists() and all(r.score == r.reviews.get().total for r in reviewed)
    from django.test import Client

    c = Client()
    c.force_login(User.objects.get(username="tech"))
    for url in [reverse("challenges:challenge_list"), reverse("challenges:jointproject_list"),
                reverse("challenges:application_list"),
                *[x.get_absolute_url() for x in Challenge.objects.all()],
                *[x.get_absolute_url() for x in JointProject.objects.all()]]:
        assert c.get(url).status_code == 200, url


def test_pages_cost_the_same_whatever_the_number_of_rows(cast, demand, experts, client_for,
                                                         django_assert_max_num_queries):
    """Lists and the challenge page: no query per row (applications, parties, milestones)."""
    from feidi.testing.cast import make_org

    def batch(n):
        for i in range(n):
            d = Demand.objects.create(organization=cast.org_a1, title=f"需求{n}-{i}", description="x",
                                      field=demand.field, status=Demand.Status.PUBLISHED, department=cast.dept_a)
            c = challenges.do_save_challenge(Challenge(demand=d, title=f"榜单{n}-{i}", bounty=Decimal(10**6),
                                                       deadline=today() + dt.timedelta(days=5),
                                                       criteria=[{"name": "技术", "weight": 100}]),
                                             acting_user=cast.tech, experts=experts)
            challenges.do_publish_challenge(c, acting_user=cast.tech)
            apps = [create_app(c, make_org(f"研究所{n}-{i}-{j}", None, kind="institute"), [cast.org_a2])
                    for j in range(2)]
            challenges.do_start_review(c, acting_user=cast.tech)
            for j, a in enumerate(apps):
                challenges.do_review(a, {"技术": 80 + j}, acting_user=cast.expert)
            project = challenges.do_award(Challenge.objects.get(pk=c.pk), a, acting_user=cast.tech)
            challenges.do_add_milestone(project, title="节点", due_on=today(), acting_user=cast.tech)
        return c

    def create_app(challenge, org, members):
        from feidi.core.actions import create_object

        return create_object(Application(challenge=challenge, applicant=org, proposal="方案", department=cast.dept_a),
                             acting_user=cast.tech, m2m={"members": members})

    first = batch(2)
    tech = client_for("tech")
    urls = [reverse("challenges:challenge_list"), reverse("challenges:application_list"),
            reverse("challenges:jointproject_list"), first.get_absolute_url()]
    costs = {}
    for url in urls:
        tech.get(url)
        with django_assert_max_num_queries(40) as counted:
            assert tech.get(url).status_code == 200
        costs[url] = len(counted.captured_queries)
    batch(6)
    tech.get(urls[0])  # the writes moved the to-do counts' generation on: recounted once, not per row
    for url in urls[:3]:
        with django_assert_max_num_queries(costs[url]):
            assert tech.get(url).status_code == 200


def test_edit_a_joint_project_and_the_home_project_side(cast, client_for):
    from django.template.loader import render_to_string

    from feidi.accounts.models import Role
    from feidi.projects.models import Project
    from feidi.testing.factories import make_for

    project = make_for(JointProject, cast)
    tech = client_for("tech")
    url = reverse("challenges:jointproject_edit", args=[project.pk])
    assert tech.get(url).status_code == 200
    response = tech.post(url, {"title": "叠层封装联合攻关（二期）", "budget": "6000000", "starts_on": "2026-01-01",
                               "ends_on": "2025-12-31", "goals": "", "_version": project.version})
    assert "计划完成日期不能早于开始日期" in response.content.decode()
    response = tech.post(url, {"title": "叠层封装联合攻关（二期）", "budget": "6000000", "starts_on": "2026-01-01",
                               "ends_on": "2027-12-31", "goals": "样机", "incubated_in": cast.enclave.pk,
                               "_version": project.version})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.budget, project.incubated_in) == ("叠层封装联合攻关（二期）", Decimal("6000000"),
                                                                      cast.enclave)
    assert client_for("inst_a").get(url).status_code == 403  # a party sees, the bureau edits
    home = make_for(Project, cast)
    cast.tech.roles.add(Role.objects.get(code="project_office"))
    challenges.do_mark_transferred(project, home, acting_user=cast.tech, on=dt.date(2026, 6, 1))
    # The home project's side: what its page shows through the partial, for whom.
    html = render_to_string("challenges/_jointproject_home.html",
                            {"joint_projects": challenges.joint_projects_for(home, cast.tech)})
    assert project.get_absolute_url() in html and "2026-06-01 转化落地" in html
    assert not challenges.joint_projects_for(home, cast.invest).exists()  # no techmarket permission
    assert not challenges.joint_projects_for(home, cast.inst).exists()  # not a party


def test_yes_no_filters_take_true_and_false_as_every_flag_does(cast, open_challenge, client_for):
    c = client_for("inst")
    for query in ("open_only=true", "joint=false", "open_only=false"):
        assert c.get(f"/api/v1/techmarket/challenges?{query}").status_code == 200, query
    ids = [x["id"] for x in c.get("/api/v1/techmarket/challenges?open_only=true").json()["items"]]
    assert open_challenge.pk in ids
    assert c.get("/api/v1/techmarket/jointprojects?transferred=true").status_code == 200


def test_a_negative_criterion_weight_is_said_as_such():
    """团队 -60 was reported as 第 2 行应为“指标名称 权重” (a format error): the weight is said to be negative."""
    from feidi.challenges.forms import CriteriaField

    for text in ("技术先进性 40\n团队 -60", "技术先进性 40\n团队：－20%"):
        with pytest.raises(ValidationError) as refused:
            CriteriaField().to_python(text)
        assert refused.value.messages == ["第 2 行的权重不能为负数"]
