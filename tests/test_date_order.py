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
                                            owner_department=cast.dept_a_bureau, deadline=last_monday + 2 * DAY),
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
    assert "不在该周" in response.content.decode()
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
