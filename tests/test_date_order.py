"""Dates that keep an order (``core.models.DatesInOrder``), tried from the outside: a record's own pair
of dates, a record's date against its parent's, a parent moved past its children's — on the pages,
the API and the steps alike; and the publishing steps that would show what has already passed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from feidi.auctions import actions as auctions
from feidi.auctions.models import Auction
from feidi.auctions.models import Lot
from feidi.challenges import actions as challenges
from feidi.challenges.models import JointMilestone
from feidi.challenges.models import JointProject
from feidi.core.actions import guarded_update
from feidi.core.models import DictItem
from feidi.projects import actions as projects
from feidi.projects.models import Dispatch
from feidi.projects.models import Task
from feidi.registry.models import Organization
from feidi.registry.models import OrganizationLabel
from feidi.registry.models import Residency
from feidi.techmarket import actions as techmarket
from feidi.techmarket.models import Demand
from feidi.techmarket.models import Supply
from feidi.testing.factories import make_for
from tests.test_roles import _Form

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def rendered(client, url) -> dict:
    """The form's fields as the page renders them (what a browser would send unchanged)."""
    parser = _Form()
    parser.feed(client.get(url).content.decode())
    data: dict = {}
    for k, v in parser.data:
        data.setdefault(k, []).append(v)
    return data


def errors_of(response) -> str:
    return response.content.decode()


def test_a_parent_moved_past_its_childrens_dates_is_refused_on_its_own_field(cast, client_for):
    # an enterprise founded after it was labelled: the founding date is refused on its page
    org = cast.org_a1
    Organization.objects.filter(pk=org.pk).update(established_on=dt.date(2015, 3, 1))
    label = DictItem.objects.filter(type__code="org_label").first()
    OrganizationLabel.objects.create(organization=org, label=label, since=dt.date(2018, 6, 1), department=cast.dept_a)
    client = client_for("clerk")
    url = reverse("registry:organization_edit", kwargs={"pk": org.pk})
    data = rendered(client, url)
    data["established_on"] = ["2019-01-01"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "成立日期不能晚于单位标签的认定日期（2018-06-01）" in errors_of(response)
    org.refresh_from_db()
    assert org.established_on == dt.date(2015, 3, 1)
    # and the label before the founding is refused on the label's page
    url = reverse("registry:organizationlabel_edit", kwargs={"pk": OrganizationLabel.objects.get(organization=org).pk})
    data = rendered(client, url)
    data["since"] = ["2014-12-31"]
    response = client.post(url, data)
    assert response.status_code == 200 and "认定日期不能早于单位的成立日期（2015-03-01）" in errors_of(response)


def test_a_form_says_the_pair_on_the_date_it_shows(cast, client_for):
    # the residency's form shows 开始洽谈 only: moving it after the 确定入驻日期 is said on it
    org = cast.org_a1
    residency = make_for(Residency, cast)
    Residency.objects.filter(pk=residency.pk).update(negotiating_since=dt.date(2025, 1, 6),
                                                     confirmed_on=dt.date(2025, 3, 2), status="confirmed")
    client = client_for("clerk")
    url = reverse("registry:residency_edit", kwargs={"pk": residency.pk})
    data = rendered(client, url)
    data["negotiating_since"] = ["2025-04-01"]
    response = client.post(url, data)
    assert response.status_code == 200
    page = errors_of(response)
    assert "确定入驻日期不能早于开始洽谈（2025-04-01）" in page
    assert 'id="id_negotiating_since"' in page and "is-invalid" in page
    residency.refresh_from_db()
    assert residency.negotiating_since == dt.date(2025, 1, 6) and org.pk == residency.organization_id
    # a step written by a conditional update keeps the order too
    residency.refresh_from_db()
    with pytest.raises(ValidationError, match="退出日期不能早于入驻日期"):
        guarded_update(residency, {"entered_on": dt.date(2025, 4, 1), "exited_on": dt.date(2025, 3, 31)},
                       where={}, conflict="x", acting_user=cast.clerk)


def test_a_meetings_tasks_fall_in_or_after_its_week_and_it_is_held_in_its_week(cast, client_for):
    from tests.test_projects import key_project

    project = key_project(cast, name="调度项目")
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    last_monday = monday - dt.timedelta(days=7)
    meeting = Dispatch.objects.create(department=cast.dept_a, week_start=last_monday, title="上周调度会")
    with pytest.raises(ValidationError, match=f"完成时限不能早于调度会的周（周一）（{last_monday.isoformat()}）"):
        projects.do_record_decision(Task(dispatch=meeting, project=project, decision="补办手续",
                                         owner_department=cast.dept_a_bureau, deadline=last_monday - DAY),
                                    acting_user=cast.leader)
    task = projects.do_record_decision(Task(dispatch=meeting, project=project, decision="补办手续",
                                            owner_department=cast.dept_a_bureau, deadline=last_monday + 5 * DAY),
                                       acting_user=cast.leader)
    from django.test import Client

    from feidi.testing.cast import _user

    office = _user("pmo_a", "甲区项目办", roles=["project_office"], department=cast.dept_a)
    client = Client()
    client.force_login(office)
    # the meeting moved to a week after its task's deadline: refused on the week
    url = reverse("projects:dispatch_edit", kwargs={"pk": meeting.pk})
    data = rendered(client, url)
    data["week_start"] = [(monday + 7 * DAY).isoformat()]
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"周（周一）不能晚于调度任务的完成时限（{task.deadline.isoformat()}）" in errors_of(response)
    # 召开日期 outside its week
    data = rendered(client, url)
    data["held_on"] = [(last_monday - DAY).isoformat()]
    response = client.post(url, data)
    assert response.status_code == 200 and "不在该周" in errors_of(response)
    # marked held today, a week later, without a day of its own: refused, nothing changes
    response = client.post(reverse("projects:dispatch_hold", kwargs={"pk": meeting.pk}), {"notes": "纪要"}, follow=True)
    assert "请先在编辑页填写实际召开日期，再标记已召开" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Dispatch.Status.PREPARED and meeting.held_on is None
    # the day it was held entered on its page, then marked held: that day is kept
    Dispatch.objects.filter(pk=meeting.pk).update(held_on=last_monday + 3 * DAY)
    meeting.refresh_from_db()
    projects.do_hold_dispatch(meeting, acting_user=office)
    meeting.refresh_from_db()
    assert meeting.status == Dispatch.Status.HELD and meeting.held_on == last_monday + 3 * DAY
    # a held meeting is not dated in the future
    this_week = Dispatch.objects.create(department=cast.dept_a, week_start=monday, title="本周调度会",
                                        held_on=monday + 6 * DAY)
    if monday + 6 * DAY > today:
        with pytest.raises(ValidationError, match="不能晚于今天"):
            projects.do_hold_dispatch(this_week, acting_user=office, held_on=monday + 6 * DAY)
    held = projects.do_hold_dispatch(this_week, acting_user=office)  # a planned day to come: held today
    assert held.held_on == today


def test_a_joint_projects_milestones_are_not_done_before_it_began(cast, client_for):
    project = make_for(JointProject, cast)
    JointProject.objects.filter(pk=project.pk).update(starts_on=dt.date(2026, 1, 1))
    project.refresh_from_db()
    with pytest.raises(ValidationError, match="计划完成不能早于联合攻关项目的开始日期（2026-01-01）"):
        challenges.do_add_milestone(project, title="立项", due_on=dt.date(2025, 12, 1), acting_user=cast.tech)
    milestone = challenges.do_add_milestone(project, title="样机", due_on=dt.date(2026, 6, 30), acting_user=cast.tech)
    client = client_for("tech")
    response = client.post(reverse("challenges:milestone_done", kwargs={"pk": project.pk, "milestone": milestone.pk}),
                           {"done_on": "2025-12-20"}, follow=True)
    assert "实际完成不能早于联合攻关项目的开始日期（2026-01-01）" in response.content.decode()
    assert JointMilestone.objects.get(pk=milestone.pk).done_on is None
    challenges.do_complete_milestone(milestone, acting_user=cast.tech, done_on=dt.date(2026, 3, 2))
    # the project's start moved after its done milestone: refused on the start
    url = reverse("challenges:jointproject_edit", kwargs={"pk": project.pk})
    data = rendered(client, url)
    data["starts_on"] = ["2026-04-01"]
    response = client.post(url, data)
    assert response.status_code == 200
    page = errors_of(response)
    assert "开始日期不能晚于攻关节点的实际完成（2026-03-02）" in page
    assert "开始日期不能晚于攻关节点的计划完成（2026-06-30）" not in page  # the earliest child is said, once
    project.refresh_from_db()
    assert project.starts_on == dt.date(2026, 1, 1)


def test_a_demand_is_not_published_with_a_deadline_passed(cast, client_for):
    from tests.test_techmarket import demand

    today = timezone.localdate()
    draft = demand(cast, deadline=today - DAY)
    response = client_for("ent_a").post(reverse("techmarket:demand_publish", args=[draft.pk]), follow=True)
    assert f"截止日期（{(today - DAY).isoformat()}）已过，请先修改截止日期再发布" in response.content.decode()
    assert Demand.objects.get(pk=draft.pk).status == Demand.Status.DRAFT
    draft.deadline = today + 30 * DAY
    published = techmarket.do_publish_demand(techmarket.do_save_demand(draft, acting_user=cast.ent_a),
                                             acting_user=cast.ent_a)
    assert published.status == Demand.Status.PUBLISHED
    # its deadline passes on its own: the demand can still be edited; moved to another past day, it cannot
    Demand.objects.filter(pk=published.pk).update(deadline=today - 2 * DAY)
    published.refresh_from_db()
    published.title = "钙钛矿叠层电池封装技术需求（补充）"
    techmarket.do_save_demand(published, acting_user=cast.ent_a)
    published.refresh_from_db()
    published.deadline = today - DAY
    with pytest.raises(ValidationError, match="截止日期已过"):
        techmarket.do_save_demand(published, acting_user=cast.ent_a)


def test_a_lot_is_not_over_before_its_auction_is_published(cast):
    from tests.test_auction import make_supply

    now = timezone.now()
    auction = auctions.do_save_auction(Auction(title="甲区科技成果拍卖会"), acting_user=cast.tech)
    base = {"auction": auction, "start_price": Decimal("1000000"), "reserve_price": Decimal("1000000"),
            "increment": Decimal("50000")}
    with pytest.raises(ValidationError, match="结束时间须晚于当前时间"):
        auctions.do_save_lot(Lot(supply=make_supply(cast, "已过成果"), opens_at=now - 3 * DAY, closes_at=now - 2 * DAY,
                                 **base), acting_user=cast.tech)
    # opened an hour ago on a draft: it is 竞价中 as the auction is published
    lot = auctions.do_save_lot(Lot(supply=make_supply(cast, "甲成果"), opens_at=now - dt.timedelta(hours=1),
                                   closes_at=now + DAY, **base), acting_user=cast.tech)
    # a draft's lot past its opening can still be moved (it has not opened: the auction is not published)
    lot.closes_at = now + 2 * DAY
    lot = auctions.do_save_lot(lot, acting_user=cast.tech)
    assert lot.closes_at == now + 2 * DAY
    Lot.objects.filter(pk=lot.pk).update(opens_at=now - 2 * DAY, closes_at=now - DAY)
    with pytest.raises(ValidationError, match="以下拍品的结束时间已过，请先修改拍品的时间：甲成果"):
        auctions.do_publish_auction(auction, acting_user=cast.tech)
    assert Auction.objects.get(pk=auction.pk).status == Auction.Status.DRAFT
    lot.refresh_from_db()
    lot.opens_at, lot.closes_at = now + dt.timedelta(hours=1), now + DAY
    auctions.do_save_lot(lot, acting_user=cast.tech)
    assert auctions.do_publish_auction(auction, acting_user=cast.tech).status == Auction.Status.PUBLISHED
    assert Supply.objects.filter(title="已过成果").exists()  # the refused lot's supply is untouched


def test_a_child_falls_within_its_parents_span_at_both_ends(cast):
    from feidi.registry.models import Agreement
    from feidi.registry.models import Commitment

    project = make_for(JointProject, cast)
    JointProject.objects.filter(pk=project.pk).update(starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 6, 30))
    project.refresh_from_db()
    with pytest.raises(ValidationError, match="计划完成不能晚于联合攻关项目的计划完成日期（2027-06-30）"):
        challenges.do_add_milestone(project, title="验收", due_on=dt.date(2029, 1, 1), acting_user=cast.tech)
    challenges.do_add_milestone(project, title="验收", due_on=dt.date(2027, 6, 1), acting_user=cast.tech)
    project.ends_on = dt.date(2027, 3, 31)  # the plan shortened under its milestones
    with pytest.raises(ValidationError, match="计划完成日期不能早于攻关节点的计划完成（2027-06-01）"):
        challenges.do_save_joint_project(project, acting_user=cast.tech)
    agreement = Agreement.objects.create(title="共建协议", party_a="甲", party_b="乙", signed_on=dt.date(2022, 5, 16),
                                         valid_until=dt.date(2027, 1, 1), department=cast.dept_a)
    with pytest.raises(ValidationError, match="完成时限不能晚于合作协议的有效期至（2027-01-01）"):
        Commitment(agreement=agreement, content="共建园区", owner="甲方", due_on=dt.date(2040, 1, 1),
                   department=cast.dept_a).full_clean()
    Commitment.objects.create(agreement=agreement, content="共建园区", owner="甲方", due_on=dt.date(2026, 6, 30),
                              department=cast.dept_a)
    agreement.valid_until = dt.date(2026, 1, 1)
    with pytest.raises(ValidationError, match="有效期至不能早于协议承诺的完成时限（2026-06-30）"):
        agreement.full_clean()


def test_a_joint_project_is_not_transferred_before_it_began_nor_started_before_its_call(cast, demand, client_for):
    from feidi.challenges.models import Challenge
    project = make_for(JointProject, cast)
    JointProject.objects.filter(pk=project.pk).update(starts_on=dt.date(2026, 4, 12))
    project.refresh_from_db()
    from tests.test_projects import lead

    home = lead(cast, name="转化项目")
    with pytest.raises(ValidationError, match="转化落地日期不能早于开始日期（2026-04-12）"):
        challenges.do_mark_transferred(project, home, acting_user=cast.tech, on=dt.date(2020, 1, 1))
    assert JointProject.objects.get(pk=project.pk).home_project_id is None
    # a call published on a day: the project it awards does not begin before it
    challenge = Challenge(demand=demand, title="榜单", bounty=Decimal("1000000"), deadline=dt.date(2026, 12, 31),
                          criteria=[{"name": "技术", "weight": 100}], department=cast.dept_a,
                          published_at=timezone.make_aware(dt.datetime(2026, 3, 2, 9, 30)))
    challenge.save()
    project.challenge = challenge
    project.starts_on = dt.date(2000, 1, 1)
    project.ends_on = dt.date(2002, 1, 1)
    JointMilestone.objects.filter(project=project).delete()
    with pytest.raises(ValidationError, match="开始日期不能早于揭榜挂帅榜单的发榜时间（2026-03-02）"):
        project.full_clean()
    # published at 07:30 Beijing (23:30 UTC the day before): its day is 3 March, as the zone reads it
    Challenge.objects.filter(pk=challenge.pk).update(published_at=timezone.make_aware(dt.datetime(2026, 3, 2, 7, 30)))
    project.starts_on, project.ends_on = dt.date(2026, 3, 1), dt.date(2027, 3, 1)
    with pytest.raises(ValidationError, match="发榜时间（2026-03-02）"):
        project.full_clean()
    project.starts_on = dt.date(2026, 3, 2)
    project.full_clean()


@pytest.fixture
def demand(cast):
    from tests.test_techmarket import demand as make

    return make(cast, deadline=timezone.localdate() + 60 * DAY)


def test_an_enterprise_reports_no_month_before_it_was_founded(cast, client_for):
    from django.contrib.auth.models import Permission  # noqa: F401 (the statistician role below)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from feidi.accounts.models import Role
    from feidi.indicators import actions as indicators
    from feidi.indicators.models import IndicatorValue
    from tests.test_indicators import month_values
    from tests.test_indicators import sheet

    Organization.objects.filter(pk=cast.org_a1.pk).update(established_on=dt.date(2016, 3, 14))
    org = Organization.objects.get(pk=cast.org_a1.pk)
    with pytest.raises(ValidationError, match="该企业成立于2016-03-14，没有1990年1月的数据"):
        indicators.report_month(org, dt.date(1990, 1, 1), month_values(revenue="100", tax="10", employees="5"),
                                acting_user=cast.ent_a)
    indicators.report_month(org, dt.date(2016, 3, 1), month_values(revenue="100", tax="10", employees="5"),
                            acting_user=cast.ent_a)  # the month it was founded in
    cast.clerk.roles.add(Role.objects.get(code="statistics"))
    data = sheet([[org.uscc, "", "1985-01", 100, 10, 5], [cast.org_a2.uscc, "", "1985-01", 100, 10, 5]])
    page = client_for("clerk").post(reverse("indicators:import"),
                                    {"file": SimpleUploadedFile("指标.xlsx", data)}).content.decode()
    assert "该企业成立于2016-03-14，没有1985年1月的数据" in page and "第 2 行" in page and "第 3 行" not in page
    assert not IndicatorValue.objects.filter(period=dt.date(1985, 1, 1)).exists()  # the whole file refused


def test_a_finished_record_is_not_edited_nor_given_parts(cast):
    from feidi.projects.models import Milestone
    from feidi.projects.models import Stage
    from tests.test_projects import lead

    project = make_for(JointProject, cast)
    JointProject.objects.filter(pk=project.pk).update(status=JointProject.Status.ACCEPTED)
    project.refresh_from_db()
    project.budget = Decimal("1")
    with pytest.raises(ValidationError, match="项目已验收，不能再修改"):
        challenges.do_save_joint_project(project, acting_user=cast.tech)
    p = projects.do_transition_project(lead(cast), Stage.TERMINATED, acting_user=cast.invest, note="投资方战略调整")
    p.signed_amount = Decimal("999")
    with pytest.raises(ValidationError, match="项目已终止，不能再修改"):
        projects.do_save_project(p, acting_user=cast.invest)
    with pytest.raises(ValidationError, match="项目已终止，不能再登记或修改项目节点"):
        projects.do_save_part(Milestone(project=p, name="开工", planned_on=timezone.localdate()),
                              acting_user=cast.invest)
    assert not Milestone.objects.filter(project=p).exists()


def test_an_appeal_step_refused_says_the_state_in_chinese(cast, client_for):
    from feidi.testing.factories import _assignment

    _assignment(cast)
    ent = client_for("ent_a")
    pk = ent.post("/api/v1/services/appeals", {"organization_id": cast.org_a1.pk, "category": "approval",
                                               "title": "环评批复", "content": "请加快环评批复"},
                  content_type="application/json").json()["id"]
    r = client_for("leader").post(f"/api/v1/services/appeals/{pk}/actions", {"action": "close", "text": "x"},
                                  content_type="application/json")
    assert r.status_code == 422 and r.json()["fields"]["action"] == ["该诉求当前为“已提交”，不能办结"], r.content
    r = client_for("leader").post(f"/api/v1/services/appeals/{pk}/actions", {"action": "finish", "text": "x"},
                                  content_type="application/json")
    assert r.status_code == 422 and "没有“finish”这一操作" in r.json()["fields"]["action"][0], r.content


def test_a_record_created_in_a_finished_state_says_what_finished_it(cast, client_for):
    """A problem was created 已解决 with no 解决情况, a task 已完成 with no 办理结果, a residency 已入驻 with
    today stamped as the day it entered: each is refused on the field that is missing."""
    from feidi.projects.models import Problem
    from tests.test_projects import key_project

    project = key_project(cast, name="问题项目")
    with pytest.raises(ValidationError, match="请填写解决情况"):
        projects.do_save_part(Problem(project=project, description="用地指标", owner_department=cast.dept_a_bureau,
                                      deadline=timezone.localdate(), status=Problem.Status.SOLVED),
                              acting_user=cast.invest)
    with pytest.raises(ValidationError, match="请填写办理结果"):
        projects.do_save_part(Task(project=project, decision="补办手续", owner_department=cast.dept_a_bureau,
                                   deadline=timezone.localdate(), status=Task.Status.DONE), acting_user=cast.invest)
    client = client_for("clerk")
    url = reverse("registry:residency_add")
    page = client.get(url).content.decode()
    assert all(f'name="{name}"' in page for name in ("confirmed_on", "entered_on", "exited_on"))
    data = rendered(client, url)
    data.update({"organization": [str(cast.org_a2.pk)], "enclave": [str(cast.enclave.pk)], "status": ["resident"],
                 "negotiating_since": ["2025-03-01"]})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "登记为“已入驻”的记录须填写入驻日期" in response.content.decode()
    assert not Residency.objects.filter(organization=cast.org_a2).exists()
    data["entered_on"] = ["2025-06-01"]
    assert client.post(url, data).status_code == 302
    assert Residency.objects.get(organization=cast.org_a2).entered_on == dt.date(2025, 6, 1)


def test_numbers_and_spans_that_contradict_each_other_are_refused(cast):
    """A project's 固定资产投资 or 利用外资 above its 计划总投资 (parts above the whole); a benefit share
    running before its agreement was signed or past its end, or two shares of one enterprise over the
    same months (its output would be split twice)."""
    from feidi.indicators.models import BenefitShare
    from feidi.projects.models import Project
    from feidi.registry.models import Agreement
    from feidi.registry.models import Zone

    project = Project(name="部分大于整体", zone=cast.zone_a, planned_investment=Decimal("5"),
                      fixed_asset_investment=Decimal("50"), foreign_investment=Decimal("3"), department=cast.dept_a)
    with pytest.raises(ValidationError, match="固定资产投资不能超过计划总投资"):
        project.full_clean()
    agreement = Agreement.objects.create(title="共建协议", party_a="甲", party_b="乙", signed_on=dt.date(2022, 5, 16),
                                         valid_until=dt.date(2037, 5, 15), department=cast.dept_a)
    enclave = Zone.objects.get(pk=cast.enclave.pk)

    def share(since, until, **kw):
        return BenefitShare(agreement=agreement, organization=cast.org_a1, home_zone=cast.zone_a, enclave_zone=enclave,
                            output_share_home=Decimal(60), tax_share_home=Decimal(60), since=since, until=until,
                            department=cast.dept_a, **kw)

    with pytest.raises(ValidationError, match="起始月份不能早于协议签署的月份（2022-05）"):
        share(dt.date(1990, 1, 1), dt.date(2030, 12, 1)).full_clean()
    with pytest.raises(ValidationError, match="截止月份须填写且不能晚于该月"):
        share(dt.date(2022, 5, 1), dt.date(2050, 12, 1)).full_clean()
    first = share(dt.date(2022, 5, 1), dt.date(2026, 12, 1))
    first.full_clean()
    first.save()
    with pytest.raises(ValidationError, match="该企业2022-05起已有利益共享安排，期间不能重叠"):
        share(dt.date(2026, 1, 1), dt.date(2027, 12, 1)).full_clean()
    share(dt.date(2027, 1, 1), dt.date(2030, 12, 1)).full_clean()  # after it: fine
    # from the agreement's end: not signed after a month shared under it, nor ending before one
    agreement.signed_on = dt.date(2022, 6, 1)
    with pytest.raises(ValidationError, match="自2022-05起执行，签署日期不能晚于该月"):
        agreement.full_clean()
    agreement.signed_on = dt.date(2022, 5, 31)  # within the month: the share's month still holds
    agreement.valid_until = dt.date(2026, 11, 30)
    with pytest.raises(ValidationError, match="执行至2026-12，有效期不能早于该月"):
        agreement.full_clean()
    agreement.valid_until = dt.date(2026, 12, 1)
    agreement.full_clean()
    BenefitShare.objects.filter(pk=first.pk).update(until=None)
    with pytest.raises(ValidationError, match="未填截止月份的利益共享"):
        agreement.full_clean()


def test_the_second_round_of_contradictions_is_refused(cast, client_for):
    """A task due before its meeting was held; a joint project accepted before a milestone it accepts
    was done; a project's step dated before the step it leaves, or terminated before it was signed; an
    在谈 residency carrying an 入驻日期."""
    from feidi.projects.models import Stage
    from feidi.projects.models import StageGate
    from tests.test_projects import key_project

    project = key_project(cast, name="第二轮项目")
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    held = Dispatch.objects.create(department=cast.dept_a, week_start=monday, title="本周调度会", held_on=monday + DAY,
                                   status=Dispatch.Status.HELD)
    with pytest.raises(ValidationError, match="完成时限不能早于调度会的召开日期"):
        projects.do_record_decision(Task(dispatch=held, project=project, decision="补办手续",
                                         owner_department=cast.dept_a_bureau, deadline=monday),
                                    acting_user=cast.leader)
    joint = make_for(JointProject, cast)
    JointProject.objects.filter(pk=joint.pk).update(starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 12, 31))
    joint.refresh_from_db()
    milestone = challenges.do_add_milestone(joint, title="样机", due_on=dt.date(2026, 6, 1), acting_user=cast.tech)
    challenges.do_complete_milestone(milestone, acting_user=cast.tech, done_on=dt.date(2026, 5, 12))
    with pytest.raises(ValidationError, match="验收日期不能早于攻关节点的实际完成（2026-05-12）"):
        challenges.do_accept_joint_project(joint, passed=True, acting_user=cast.tech, on=dt.date(2026, 5, 1))
    StageGate.objects.all().delete()
    project = projects.do_transition_project(project, Stage.NEGOTIATING, acting_user=cast.invest,
                                             on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="日期不能早于进入“洽谈”的日期（2026-03-01）"):
        projects.do_transition_project(project, Stage.SIGNED, acting_user=cast.invest, on=dt.date(2026, 2, 1))
    project = projects.do_transition_project(project, Stage.SIGNED, acting_user=cast.invest, on=dt.date(2026, 4, 1))
    with pytest.raises(ValidationError, match="日期不能早于签约日期（2026-04-01）"):
        projects.do_transition_project(project, Stage.TERMINATED, acting_user=cast.invest, note="撤资",
                                       on=dt.date(1999, 1, 1))
    with pytest.raises(ValidationError, match="“在谈”的记录不能有入驻日期"):
        Residency(organization=cast.org_a2, enclave=cast.enclave, status="negotiating",
                  entered_on=dt.date(2024, 7, 1), department=cast.dept_a).full_clean()
