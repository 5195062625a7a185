"""我的待办: each kind of waiting work reaches the user who must act on it — and nobody else —
with its count in the navigation, the overdue first, and a link that opens the record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from feidi.core import workbench
from feidi.testing.factories import make_for


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def groups(user) -> dict[str, workbench.Todo]:
    return {t.key: t for t in workbench.for_user(user, limit=workbench.MORE)}


@pytest.fixture
def cadre(cast):
    """The enterprise's 挂点干部: an appeal it files goes to him first."""
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.services.models import Assignment

    user = User(username="cadre", full_name="挂点干部甲", department=cast.dept_a_bureau,
                password_changed_at=timezone.now())
    do_create_user(user, password=None, roles=[Role.objects.get(code="service_cadre")], acting_user=None)
    make_for(Assignment, cast)
    Assignment.objects.filter(organization=cast.org_a1).update(cadre=user)
    return User.objects.get(pk=user.pk)


def file_appeal(cast):
    from feidi.services.models import Appeal

    return make_for(Appeal, cast)


def test_a_filed_appeal_waits_for_its_cadre_until_accepted_then_runs_against_its_deadline(cast, cadre, client):
    from feidi.services.actions import do_accept_appeal
    from feidi.services.models import Appeal

    appeal = file_appeal(cast)
    assert appeal.owner == cadre
    todo = groups(cadre)["appeal_accept"]
    assert todo.count == 1 and todo.items[0].url == appeal.get_absolute_url() and todo.action == "受理"
    for other in (cast.leader, cast.other_clerk, cast.invest, cast.ent_b, cast.inst, cast.auditor):
        assert "appeal_accept" not in groups(other)
    do_accept_appeal(appeal, acting_user=cadre)
    now = groups(cadre)
    assert "appeal_accept" not in now and now["appeal_handle"].count == 1 and not now["appeal_handle"].urgent
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    handle = groups(cadre)["appeal_handle"]
    assert handle.urgent == 1 and handle.items[0].overdue
    assert workbench.for_user(cadre)[0].key == "appeal_handle"  # the overdue group leads
    client.force_login(cadre)
    page = client.get(reverse("workbench")).content.decode()
    assert "办理中的诉求" in page and appeal.get_absolute_url() in page and "已逾期" in page


def test_a_suspended_appeal_the_enterprise_answered_waits_to_resume_and_is_never_late(cast, cadre):
    """Suspension stops the clock (resuming moves the deadline by the days waited): past its stored
    deadline, an answered suspended appeal waits to be resumed, not as overdue."""
    from feidi.services.models import Appeal
    from feidi.services.models import AppealEvent

    appeal = file_appeal(cast)
    now = timezone.now()
    Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.SUSPENDED, suspended_at=now - dt.timedelta(days=3),
                                               deadline=now - dt.timedelta(days=1), owner=cadre)
    AppealEvent.objects.create(appeal=appeal, kind="reply", user=cast.ent_a, text="材料已补充")
    handle = groups(cadre)["appeal_handle"]
    assert handle.count == 1 and handle.urgent == 0
    assert handle.items[0].due is None and not handle.items[0].overdue and "待恢复办理" in handle.items[0].note


def test_the_enterprise_is_asked_to_rate_a_closed_appeal_once(cast, cadre):
    from feidi.services.actions import do_accept_appeal
    from feidi.services.actions import do_close_appeal
    from feidi.services.actions import do_rate_appeal
    from feidi.services.models import Appeal

    appeal = do_accept_appeal(file_appeal(cast), acting_user=cadre)
    appeal = do_close_appeal(appeal, "已协调解决", acting_user=cadre)
    assert groups(cast.ent_a)["appeal_rate"].count == 1
    assert "appeal_rate" not in groups(cast.ent_b)  # another enterprise of the same zone
    do_rate_appeal(Appeal.objects.get(pk=appeal.pk), 5, acting_user=cast.ent_a)
    assert "appeal_rate" not in groups(cast.ent_a)


def test_dispatch_tasks_go_to_their_owner_or_the_owning_unit_and_overdue_ones_lead(cast):
    from feidi.projects.models import Task

    today = timezone.localdate()
    task = make_for(Task, cast)  # owned by the zone's 招商局, no named owner
    Task.objects.filter(pk=task.pk).update(deadline=today - dt.timedelta(days=2))
    mine = groups(cast.invest)["task_due"]
    assert mine.count == 1 and mine.urgent == 1 and mine.items[0].overdue
    assert "task_due" not in groups(cast.other_pmo)
    Task.objects.filter(pk=task.pk).update(owner=cast.clerk)
    assert "task_due" not in groups(cast.invest) and groups(cast.clerk)["task_due"].count == 1
    Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE)
    assert "task_due" not in groups(cast.clerk)


def test_problems_near_or_past_their_deadline_wait_for_the_unit_that_can_solve_them(cast):
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.projects.models import Problem

    pmo = User(username="pmo", full_name="甲区项目办", department=cast.dept_a, password_changed_at=timezone.now())
    do_create_user(pmo, password=None, roles=[Role.objects.get(code="project_office")], acting_user=None)
    pmo = User.objects.get(pk=pmo.pk)
    today = timezone.localdate()
    problem = make_for(Problem, cast)  # owned by the zone's 招商局, under the 项目办's zone
    Problem.objects.filter(pk=problem.pk).update(deadline=today + dt.timedelta(days=60))
    assert "problem_due" not in groups(pmo)  # not due yet
    Problem.objects.filter(pk=problem.pk).update(deadline=today - dt.timedelta(days=1))
    todo = groups(pmo)["problem_due"]
    assert todo.count == 1 and todo.urgent == 1
    assert "problem_due" not in groups(cast.other_pmo)  # another zone's 项目办
    assert "problem_due" not in groups(cast.leader)  # sees it, cannot solve it


def test_a_lead_about_to_return_to_the_pool_asks_its_owner_for_a_follow_up(cast):
    from feidi.projects.actions import do_save_project
    from feidi.projects.models import Project
    from feidi.projects.models import ProjectSettings

    lead = do_save_project(Project(name="隔膜线索", zone=cast.zone_a), acting_user=cast.invest)
    assert lead.owner == cast.invest
    assert "lead_stale" not in groups(cast.invest)
    days = ProjectSettings.for_department(cast.invest.department_id).pool_after_days
    Project.objects.filter(pk=lead.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=days - 3))
    todo = groups(cast.invest)["lead_stale"]
    assert todo.count == 1 and "退回公海" in todo.items[0].note
    assert "lead_stale" not in groups(cast.clerk)


def test_a_push_waits_for_each_side_until_that_side_answers(cast):
    """Either side marks its side of a push, whichever way it was pushed (``do_mark_push``): the
    demander of a demand pushed to a supplier is asked too."""
    from feidi.techmarket.models import Push

    push = make_for(Push, cast)  # a demand pushed to the supplier (the institute)
    assert groups(cast.inst_a)["push_answer"].count == 1
    assert groups(cast.ent_a)["push_answer"].count == 1  # the demand's own enterprise
    assert "push_answer" not in groups(cast.inst)  # another institution
    assert "push_answer" not in groups(cast.ent_b)  # another enterprise
    Push.objects.filter(pk=push.pk).update(supply_feedback=Push.Feedback.INTERESTED)
    assert "push_answer" not in groups(cast.inst_a)
    assert groups(cast.ent_a)["push_answer"].count == 1
    Push.objects.filter(pk=push.pk).update(demand_feedback=Push.Feedback.NOT_INTERESTED)
    assert "push_answer" not in groups(cast.ent_a)


def test_an_expert_scores_each_application_of_a_challenge_under_review_once(cast):
    from feidi.challenges.models import Application
    from feidi.challenges.models import Challenge
    from feidi.challenges.models import Review

    application = make_for(Application, cast)
    challenge = application.challenge
    challenge.experts.add(cast.expert)
    assert "review_score" not in groups(cast.expert)  # the call is not under review yet
    Challenge.objects.filter(pk=challenge.pk).update(status=Challenge.Status.REVIEW)
    todo = groups(cast.expert)["review_score"]
    assert todo.count == 1 and todo.items[0].url == reverse("challenges:review", args=[application.pk])
    assert "review_score" not in groups(cast.tech)
    make_for(Review, cast)
    assert "review_score" not in groups(cast.expert)


def test_an_enterprise_is_asked_for_last_months_required_indicators_until_it_reports_them(cast):
    from feidi.indicators import engine
    from feidi.indicators.models import Indicator
    from feidi.indicators.models import IndicatorValue

    period = engine.add_months(timezone.localdate().replace(day=1), -1)
    todo = groups(cast.ent_a)["month_report"]
    assert todo.action == "填报" and f"period={period:%Y-%m}" in todo.url
    required = Indicator.objects.filter(active=True, required=True)
    IndicatorValue.objects.bulk_create([IndicatorValue(organization=cast.org_a1, indicator=i, period=period, value=1,
                                                       source="enterprise") for i in required])
    assert "month_report" not in groups(cast.ent_a)
    assert "month_report" in groups(cast.ent_b)
    assert "month_report" not in groups(cast.inst)  # an institution reports no indicators


def test_an_import_waiting_for_its_uploaders_confirmation(cast):
    from feidi.core.models import ImportJob

    job = make_for(ImportJob, cast)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.AWAITING, warning_count=3)
    todo = groups(cast.clerk)["import_confirm"]
    assert todo.count == 1 and "3条提醒" in todo.items[0].note
    assert "import_confirm" not in groups(cast.leader)


def test_the_navigation_shows_the_count_and_the_home_page_the_groups(cast, cadre, client, client_for):
    file_appeal(cast)
    client.force_login(cadre)
    page = client.get(reverse("home")).content.decode()
    assert 'data-todo="appeal_accept"' in page and "feidi-todo-count" in page
    assert workbench.count_for(cadre) == sum(t.count for t in workbench.for_user(cadre)) == 1
    other = client_for("other_clerk").get(reverse("home")).content.decode()
    assert 'data-todo="appeal_accept"' not in other
    empty = client_for("auditor").get(reverse("workbench"))
    assert empty.status_code == 200 and "暂无待办" in empty.content.decode()


def test_the_list_behind_a_group_shows_the_same_rows(cast, cadre, client, client_for):
    """“全部 N 项” opens a list filtered to what the group counted (``mine``)."""
    from feidi.projects.models import Task

    appeal = file_appeal(cast)
    client.force_login(cadre)
    assert appeal.title in client.get(groups(cadre)["appeal_accept"].url).content.decode()
    assert appeal.title not in client_for("leader").get(groups(cadre)["appeal_accept"].url).content.decode()
    task = make_for(Task, cast)
    Task.objects.filter(pk=task.pk).update(owner=cast.clerk)
    mine = client_for("clerk").get(groups(cast.clerk)["task_due"].url).content.decode()
    assert task.decision[:10] in mine
    assert task.decision[:10] not in client_for("leader").get(reverse("projects:task_list") + "?mine=true").content.decode()


def test_the_home_overview_counts_what_the_user_sees(cast, client_for):
    """The overview's cards and chart (one grouped read of the visible organizations by kind and
    zone) give each kind's count and each zone's, named by its short name."""
    from feidi.registry.models import Organization
    from feidi.registry.models import Residency

    for who in ("leader", "other_clerk"):
        user = getattr(cast, who)
        context = client_for(who).get(reverse("home")).context
        cards = {c["label"]: c for c in context["cards"]}
        visible = Organization.objects.visible_to(user)
        assert cards["单位总数"]["value"] == visible.count() > 0
        assert cards["企业"]["value"] == visible.filter(kind=Organization.Kind.ENTERPRISE).count()
        chart = dict(zip(context["chart"]["categories"], context["chart"]["series"][0]["data"], strict=True))
        assert chart == {(z.short_name or z.name): visible.filter(zone=z).count()
                         for z in {o.zone for o in visible if o.zone_id}}
        if "飞地已入驻" in cards:
            res = Residency.objects.visible_to(user)
            assert cards["飞地已入驻"]["value"] == res.filter(status=Residency.Status.RESIDENT).count()


# --- the count in the navigation follows every write at once ---------------------------------------


def test_the_count_in_the_navigation_drops_when_one_acts_and_rises_when_work_arrives(cast, cadre, client):
    """The count is cached per user, under a generation any write to a table a source reads moves
    on: the conditional updates of an appeal's steps, a new appeal, a page's action — the page
    landed on shows the new count, not the one of a minute ago."""
    from feidi.core.models import DictItem
    from feidi.services.actions import do_accept_appeal
    from feidi.services.actions import do_file_appeal
    from feidi.services.models import Appeal

    first = file_appeal(cast)
    assert workbench.count_for(cadre) == 1  # cached
    category = DictItem.objects.get(type__code="appeal_category", code="land")
    do_file_appeal(Appeal(organization=cast.org_a1, category=category, title="甲区第二诉求", content="内容"),
                   acting_user=cast.ent_a)
    assert workbench.count_for(cadre) == 2  # new work: at once
    do_accept_appeal(first, acting_user=cadre)
    assert workbench.count_for(cadre) == 2  # accepted: now in hand, still waiting
    client.force_login(cadre)
    enterprise = workbench.count_for(cast.ent_a)  # cached
    landed = client.post(reverse("services:appeal_act", kwargs={"pk": first.pk}), {"action": "close", "text": "已解决"},
                         follow=True)
    assert Appeal.objects.get(pk=first.pk).status == "closed"
    assert landed.context["todo_count"] == workbench.count_for(cadre) == 1  # acted: on the page landed on
    assert workbench.count_for(cast.ent_a) == enterprise + 1  # …and the enterprise is asked to rate it, at once


def test_the_count_follows_bulk_writes_and_links_of_any_source(cast):
    """Tasks closed by a bulk update, a push answered, an expert invited (a many-to-many link): the
    cached counts of every source follow; a write to a table no source reads leaves them cached."""
    from feidi.challenges.models import Application
    from feidi.challenges.models import Challenge
    from feidi.core.models import Notification
    from feidi.projects.models import Task
    from feidi.techmarket.models import Push

    task = make_for(Task, cast)  # the 招商局's
    assert workbench.count_for(cast.invest) == 1
    Task.objects.create(project=task.project, department=cast.dept_a, decision="另一事项", owner=cast.invest,
                        owner_department=cast.dept_a_bureau, deadline=timezone.localdate())
    assert workbench.count_for(cast.invest) == 2
    Task.objects.filter(project=task.project).update(status=Task.Status.DONE)
    assert workbench.count_for(cast.invest) == 0

    push = make_for(Push, cast)
    assert workbench.count_for(cast.inst_a) == 1
    Push.objects.filter(pk=push.pk).update(supply_feedback=Push.Feedback.INTERESTED)
    assert workbench.count_for(cast.inst_a) == 0

    application = make_for(Application, cast)
    Challenge.objects.filter(pk=application.challenge_id).update(status=Challenge.Status.REVIEW)
    assert workbench.count_for(cast.expert) == 0
    application.challenge.experts.add(cast.expert)
    assert workbench.count_for(cast.expert) == 1

    before = workbench.generation()
    Notification.objects.create(user=cast.clerk, title="无关的消息")
    assert workbench.generation() == before


def test_every_source_says_which_models_decide_what_waits():
    """A source's declared models are what ``watch`` follows: without them its count would lag."""
    tables = workbench.watched_tables()
    for source in workbench._SOURCES:
        models = getattr(source, "models", None)
        assert models, f"{source.__module__}.{source.__name__} declares no models (workbench.declares(models=…))"
        assert {m._meta.db_table for m in models} <= tables


# --- work that waited on nobody -------------------------------------------------------------------


def test_a_problem_waits_for_whoever_may_solve_it_whichever_unit_answers_for_it(cast):
    """As in the demo: the 项目办 is a bureau beside the 党政办, the 经济发展局 and the 招商局, whose
    staff may not edit problems. Their overdue problems wait for the 项目办, who may; the 招商局's
    officer, who may only report his own unit's solved, is asked for that one."""
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.actions import do_save_department
    from feidi.accounts.models import Department
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.projects.models import Problem

    def bureau(name):
        return do_save_department(Department(name=name, kind=Department.Kind.BUREAU, parent=cast.dept_a),
                                  acting_user=None)

    project_user = User(username="project", full_name="项目办主任", department=bureau("项目办"),
                        password_changed_at=timezone.now())
    do_create_user(project_user, password=None, roles=[Role.objects.get(code="project_office")], acting_user=None)
    project_user = User.objects.get(pk=project_user.pk)
    problem = make_for(Problem, cast)  # the 招商局's
    today = timezone.localdate()
    for unit in (bureau("党政办"), bureau("经济发展局")):
        Problem.objects.create(project=problem.project, department=cast.dept_a, description=f"{unit}的问题",
                               owner_department=unit, deadline=today - dt.timedelta(days=3))
    Problem.objects.filter(pk=problem.pk).update(deadline=today - dt.timedelta(days=3))
    todo = groups(project_user)["problem_due"]
    assert todo.count == 3 and todo.urgent == 3
    assert {item.note for item in todo.items} == {"责任单位：党政办", "责任单位：经济发展局", "责任单位：招商局"}
    # 招商局's officer, who may not edit problems, reports his own unit's solved: asked for that one only
    mine = groups(cast.invest)["problem_due"]
    assert mine.count == 1 and [item.note for item in mine.items] == ["责任单位：招商局"]
    assert "problem_due" not in groups(cast.other_pmo)


def test_a_challenge_whose_applications_are_all_scored_waits_for_its_award(cast):
    """定榜 follows the scoring: while an invited expert still has an application to score the
    challenge waits on him; once every one is scored, on whoever may award it (``tech``)."""
    from feidi.challenges.models import Application
    from feidi.challenges.models import Challenge
    from feidi.challenges.models import Review

    application = make_for(Application, cast)
    challenge = application.challenge
    challenge.experts.add(cast.expert)
    Challenge.objects.filter(pk=challenge.pk).update(status=Challenge.Status.REVIEW)
    assert "review_score" in groups(cast.expert) and "challenge_award" not in groups(cast.tech)
    make_for(Review, cast)  # the expert scores it
    todo = groups(cast.tech)["challenge_award"]
    assert todo.count == 1 and todo.action == "定榜" and todo.items[0].url == challenge.get_absolute_url()
    for other in (cast.expert, cast.leader, cast.inst_a, cast.other_clerk):
        assert "challenge_award" not in groups(other), other.username
    Application.objects.create(challenge=challenge, applicant=cast.institution, proposal="后到的方案",
                               department=cast.dept_a)
    assert "challenge_award" not in groups(cast.tech)  # a new application to score first
    Challenge.objects.filter(pk=challenge.pk).update(status=Challenge.Status.AWARDED)
    assert "review_score" not in groups(cast.expert) and "challenge_award" not in groups(cast.tech)


# --- 站内消息: reading a message is a POST ------------------------------------------------------------


@pytest.fixture
def message(cast):
    from feidi.core.notify import notify

    notify([cast.clerk], "诉求即将超期", "甲光伏科技有限公司：用地诉求", "/registry/zones/", email=False)
    from feidi.core.models import Notification

    return Notification.objects.get(user=cast.clerk)


def test_opening_a_message_changes_nothing_until_the_page_posts_that_it_was_read(cast, message, client_for):
    """GET shows the message and its link and marks nothing (an ``<img src>`` on any page could GET
    it); the page posts the read, as it loads (htmx) or by its button, which follows the link."""
    from feidi.core.models import Notification

    url = reverse("core:notification_open", kwargs={"pk": message.pk})
    c = client_for("clerk")
    page = c.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "甲光伏科技有限公司：用地诉求" in html and 'href="/registry/zones/"' in html
    assert f'hx-post="{url}"' in html and 'hx-trigger="load"' in html and "csrfmiddlewaretoken" in html
    assert Notification.objects.get(pk=message.pk).read_at is None
    assert page.context["unread_notifications"] == 1
    marked = c.post(url, headers={"HX-Request": "true"})  # as the page loads
    assert marked.status_code == 200 and "已读" in marked.content.decode()
    assert Notification.objects.get(pk=message.pk).read_at is not None
    assert c.get(reverse("core:notification_list")).context["unread_notifications"] == 0
    assert "hx-post" not in c.get(url).content.decode()  # read: nothing more to post


def test_the_button_marks_the_message_read_and_follows_its_link(cast, message, client_for):
    from feidi.core.models import Notification

    url = reverse("core:notification_open", kwargs={"pk": message.pk})
    response = client_for("clerk").post(url)
    assert response.status_code == 302 and response.url == "/registry/zones/"
    assert Notification.objects.get(pk=message.pk).read_at is not None


def test_a_post_without_the_csrf_token_or_of_another_users_message_marks_nothing(cast, message):
    from django.test import Client

    from feidi.core.models import Notification

    url = reverse("core:notification_open", kwargs={"pk": message.pk})
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(cast.clerk)
    assert forged.post(url).status_code == 403
    other = Client()
    other.force_login(cast.other_clerk)
    assert other.get(url).status_code == 404 and other.post(url).status_code == 404
    assert Notification.objects.get(pk=message.pk).read_at is None


def test_the_weeks_dispatch_and_the_biweekly_report_wait_for_the_project_office_until_made(cast):
    """一周一调度、半月一专报 on the workbench of whoever holds them, while the zone has key projects:
    gone once this week's meeting is prepared and the last cut-off's report generated; nobody
    else's, and no zone without key projects."""
    from feidi.projects.models import Dispatch
    from feidi.projects.models import Project
    from feidi.projects.reports import generate_biweekly
    from feidi.projects.reports import period_end

    pmo = cast.other_pmo
    assert "dispatch_week" not in groups(pmo) and "report_due" not in groups(pmo)  # no key project yet
    Project.objects.create(name="乙区重点项目", zone=cast.zone_b, investor="投资方", department=cast.dept_b, is_key=True,
                           key_level="city", stage="signed")
    cache.clear()
    now = groups(pmo)
    today = timezone.localdate()
    assert now["dispatch_week"].count == 1 and now["report_due"].count == 1
    assert f"截至{period_end(today):%m-%d}" in now["report_due"].items[0].text
    for other in (cast.leader, cast.clerk, cast.invest, cast.ent_a):
        assert not {"dispatch_week", "report_due"} & set(groups(other))
    monday = today - dt.timedelta(days=today.weekday())
    Dispatch.objects.create(week_start=monday, title="本周调度会", department=cast.dept_b)
    generate_biweekly(cast.dept_b, period_end(today), acting_user=pmo)
    cache.clear()
    assert not {"dispatch_week", "report_due"} & set(groups(pmo))


def test_the_api_gives_the_same_to_do_groups_as_the_page(cast, cadre, client):
    """GET /api/v1/core/todos: each group with its count, overdue count, action and first items, as
    /todo/ shows them — for an app or a robot to poll; nothing for another zone's user."""
    from feidi.services.models import Appeal

    appeal = file_appeal(cast)
    Appeal.objects.filter(pk=appeal.pk).update(submitted_at=timezone.now() - dt.timedelta(days=10))
    client.force_login(cadre)
    answer = client.get("/api/v1/core/todos", {"limit": 3}).json()
    page = {t.key: t for t in workbench.for_user(cadre, limit=3)}
    assert [(g["key"], g["count"], g["urgent"]) for g in answer] == [(t.key, t.count, t.urgent) for t in page.values()]
    accept = next(g for g in answer if g["key"] == "appeal_accept")
    assert accept["items"][0]["url"] == appeal.get_absolute_url() and accept["action"] == "受理"
    client.force_login(cast.other_clerk)
    assert all(g["key"] != "appeal_accept" for g in client.get("/api/v1/core/todos").json())
    assert client.get("/api/v1/core/todos", {"limit": 0}).status_code == 422


def test_a_home_without_figures_says_what_its_user_can_do(cast, client_for):
    """An expert's home said only 您的角色暂无可查看的业务数据 while 13 messages waited: a role without
    figures of its own is shown its unread messages and the entries of its menu."""
    from feidi.core.notify import notify

    notify([cast.expert], "邀请您评审榜单", "请在揭榜截止后评审", "/techmarket/challenges/", department=cast.dept_a)
    page = client_for("expert").get("/").content.decode()
    assert "您的角色暂无可查看的业务数据" not in page
    assert "您有 1 条未读消息" in page and reverse("core:notification_list") in page
    assert page.count("btn btn-sm btn-outline-primary feidi-tap") >= 1


def test_the_rhythms_due_days_are_working_days(cast):
    """A week's 调度会 is due on its last working day up to Friday (国庆 from Thursday: Wednesday), a
    week without a working day holds none; the 专报 of a cut-off is due on the first working day after
    it (the report of 30 September on 8 October, not on 国庆; of 31 December on 4 January, 元旦 and
    the weekend counted on the weekday rule while 2027 is not entered)."""
    from feidi.projects.models import Project
    from feidi.projects.todos import _meeting_due
    from feidi.projects.todos import _rhythm

    assert _meeting_due(dt.date(2026, 9, 28)) == dt.date(2026, 9, 30)
    assert _meeting_due(dt.date(2026, 12, 7)) == dt.date(2026, 12, 11)
    assert _meeting_due(dt.date(2026, 10, 5)) == dt.date(2026, 10, 9)  # 10-05…07 rest, 08 and 09 work
    Project.objects.create(name="乙区重点项目", zone=cast.zone_b, investor="投资方", department=cast.dept_b, is_key=True,
                           key_level="city", stage="signed")
    due = {t.key: t.items[0].due for t in _rhythm(cast.other_pmo, dt.date(2026, 10, 3))}
    assert due["report_due"] == dt.date(2026, 10, 8) and "dispatch_week" in due
    due = {t.key: t.items[0].due for t in _rhythm(cast.other_pmo, dt.date(2027, 1, 1))}
    assert due["report_due"] == dt.date(2027, 1, 4)
