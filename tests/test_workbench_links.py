"""我的待办 and the home cards lead to lists of exactly what they count, and waiting work reaches
whoever may act on it.

Generated over the registered groups (``workbench.declared_keys``): a world where every group
waits for somebody and where each list also holds rows the group does not count (closed, answered,
not due, someone else's); for every group of every user, the list behind its "全部 N 项" link must
count N. The same for every card of the home page that shows a number.
"""

from __future__ import annotations

import datetime as dt
import re

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


def list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    found = re.search(r"共 <strong>(\d+)</strong> 条", response.content.decode())
    assert found, f"{url} is not a list"
    return int(found.group(1))


def staff(username, role, department):
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User

    user = User(username=username, full_name=username, department=department, password_changed_at=timezone.now())
    do_create_user(user, password=None, roles=[Role.objects.get(code=role)], acting_user=None)
    return User.objects.get(pk=user.pk)


def unit(name, parent):
    from feidi.accounts.actions import do_save_department
    from feidi.accounts.models import Department

    return do_save_department(Department(name=name, kind=Department.Kind.BUREAU, parent=parent), acting_user=None)


@pytest.fixture
def offices(cast):
    """Zone A's offices: the 政策兑现办 under the 经济发展局, the 安商办, the 项目办, a 挂点干部."""
    from feidi.services.models import Assignment

    economy = unit("经济发展局", cast.dept_a)
    cadre = staff("cadre", "service_cadre", cast.dept_a_bureau)
    make_for(Assignment, cast)
    Assignment.objects.filter(organization=cast.org_a1).update(cadre=cadre)
    return {"policy": staff("policy", "policy_office", unit("政策兑现办", economy)),
            "service": staff("service", "service_office", unit("安商办", cast.dept_a)),
            # the zone's 项目办, a bureau beside the others (as in the demo): it follows their problems
            "pmo": staff("pmo", "project_office", unit("项目办", cast.dept_a)),
            "cadre": cadre}


@pytest.fixture
def world(cast, offices):
    """Every group waits for somebody, beside rows of the same lists that wait for nobody."""
    from feidi.challenges.models import Application as ChallengeApplication
    from feidi.challenges.models import Challenge
    from feidi.challenges.models import Review
    from feidi.core.models import DictItem
    from feidi.core.models import ImportJob
    from feidi.policies import models as pm
    from feidi.projects.actions import do_save_project
    from feidi.projects.models import Alert
    from feidi.projects.models import Problem
    from feidi.projects.models import Project
    from feidi.projects.models import ProjectSettings
    from feidi.projects.models import Task
    from feidi.services.actions import do_accept_appeal
    from feidi.services.actions import do_close_appeal
    from feidi.services.actions import do_file_appeal
    from feidi.services.actions import do_reply_appeal
    from feidi.services.actions import do_suspend_appeal
    from feidi.services.models import Appeal
    from feidi.services.models import ServiceSettings
    from feidi.techmarket.models import Push
    from feidi.techmarket.models import Supply

    cadre = offices["cadre"]
    today = timezone.localdate()
    # appeals: one submitted, one in hand, one closed and not rated
    first = make_for(Appeal, cast)
    ServiceSettings.objects.filter(department=cast.dept_a).update(office_head=offices["service"])
    category = DictItem.objects.get(type__code="appeal_category", code="land")
    second, third, fourth = (do_file_appeal(Appeal(organization=cast.org_a1, category=category, title=title,
                                                   content="内容"), acting_user=cast.ent_a)
                             for title in ("甲区用工诉求", "甲区融资诉求", "甲区水电诉求"))
    assert first.owner == second.owner == third.owner == fourth.owner == cadre
    do_accept_appeal(second, acting_user=cadre)
    do_close_appeal(do_accept_appeal(third, acting_user=cadre), "已解决", acting_user=cadre)
    # …the first one not accepted for days (late: its 安商办主任 sees it too); one suspended for the
    # enterprise's material, answered; one of an enterprise nobody serves (its 安商办主任's)
    Appeal.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - dt.timedelta(days=20))
    do_suspend_appeal(do_accept_appeal(fourth, acting_user=cadre), "请补充用电容量证明", acting_user=cadre)
    do_reply_appeal(Appeal.objects.get(pk=fourth.pk), "已上传容量证明", public=True, acting_user=cast.ent_a)
    unserved = do_file_appeal(Appeal(organization=cast.org_a2, category=category, title="乙企业用地诉求",
                                     content="内容"), acting_user=cast.ent_b)
    assert unserved.owner == offices["service"]
    # tasks: one of the 招商局 (nobody named), one named to the clerk, one done
    task = make_for(Task, cast)
    Task.objects.create(project=task.project, department=cast.dept_a, decision="甲区办事员的事项",
                        owner_department=cast.dept_a, owner=cast.clerk, deadline=today + dt.timedelta(days=3))
    Task.objects.create(project=task.project, department=cast.dept_a, decision="已办完的事项",
                        owner_department=cast.dept_a_bureau, deadline=today, status=Task.Status.DONE)
    # problems: one past due, one far off, one solved
    problem = make_for(Problem, cast)
    Problem.objects.filter(pk=problem.pk).update(deadline=today - dt.timedelta(days=1))
    for deadline, status in ((today + dt.timedelta(days=60), Problem.Status.OPEN), (today, Problem.Status.SOLVED)):
        Problem.objects.create(project=problem.project, department=cast.dept_a, description="另一问题",
                               owner_department=cast.dept_a_bureau, deadline=deadline, status=status)
    # …one of a unit where nobody may solve problems (the 党政办): the zone's 项目办 follows it up
    Problem.objects.create(project=problem.project, department=cast.dept_a, description="空域申请需协调",
                           owner_department=unit("党政办", cast.dept_a), deadline=today - dt.timedelta(days=10))
    # one needing the leadership's decision: the zone's leader instructs it (and one already instructed waits for nobody)
    Problem.objects.create(project=problem.project, department=cast.dept_a, description="用地指标需领导协调",
                           owner_department=cast.dept_a_bureau, deadline=today + dt.timedelta(days=30),
                           needs_leadership=True)
    Problem.objects.create(project=problem.project, department=cast.dept_a, description="已批示的问题",
                           owner_department=cast.dept_a_bureau, deadline=today + dt.timedelta(days=30),
                           needs_leadership=True, instruction="请国土局协调", instructed_at=timezone.now())
    # alerts: on the clerk's project (led by the leader), on the investment officer's, one resolved
    make_for(Alert, cast)
    other = do_save_project(Project(name="甲区另一项目", zone=cast.zone_a), acting_user=cast.invest)
    Alert.objects.create(project=other, department=cast.dept_a, rule="milestone", subject="2", message="另一预警")
    Alert.objects.create(project=other, department=cast.dept_a, rule="problem", subject="3", message="已解除",
                         resolved_at=timezone.now())
    # leads: one about to return to the pool, one fresh
    days = ProjectSettings.for_department(cast.invest.department_id).pool_after_days
    stale = do_save_project(Project(name="甲区久未跟进线索", zone=cast.zone_a), acting_user=cast.invest)
    Project.objects.filter(pk=stale.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=days - 3))
    do_save_project(Project(name="甲区新线索", zone=cast.zone_a), acting_user=cast.invest)
    # pushes: one waiting for both sides, one answered by both
    push = make_for(Push, cast)
    supply = Supply.objects.create(title="甲研究院另一成果", organization=cast.institution_a, description="成果",
                                   field=push.supply.field, department=cast.dept_a, created_by=cast.inst_a)
    Push.objects.create(demand=push.demand, supply=supply, direction="to_demander", score=1, rank=2,
                        department=cast.dept_a, demand_feedback="interested", supply_feedback="not_interested")
    # a challenge under review: one application to score, one withdrawn
    application = make_for(ChallengeApplication, cast)
    Challenge.objects.filter(pk=application.challenge_id).update(status=Challenge.Status.REVIEW)
    application.challenge.experts.add(cast.expert)
    ChallengeApplication.objects.create(challenge=application.challenge, applicant=cast.institution,
                                        proposal="撤回的方案", department=cast.dept_a,
                                        status=ChallengeApplication.Status.WITHDRAWN)
    # …and another whose every application is scored: 定榜 is next
    scored = Challenge.objects.create(title="甲区第二榜单", demand=application.challenge.demand, bounty=1,
                                      deadline=today - dt.timedelta(days=5), criteria=application.challenge.criteria,
                                      department=cast.dept_a, created_by=cast.tech, status=Challenge.Status.REVIEW)
    scored.experts.add(cast.expert)
    Review.objects.create(application=ChallengeApplication.objects.create(
        challenge=scored, applicant=cast.institution_a, proposal="已评审的方案", department=cast.dept_a),
        expert=cast.expert, scores={"技术先进性": 80, "团队实力": 70}, total=76, department=cast.dept_a)
    # imports: one awaiting its uploader, one done
    job = make_for(ImportJob, cast)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.AWAITING, warning_count=2)
    ImportJob.objects.create(user=cast.clerk, kind="organizations", title="单位", filename="已完成.xlsx",
                             status=ImportJob.Status.DONE)
    # policies: an open application of the 管委会's item, one paid; a payment to confirm, one confirmed
    open_application = make_for(pm.Application, cast)
    pm.Application.objects.create(item=open_application.item, organization=cast.org_a2, period="2026",
                                  department=cast.dept_a, handling_department=cast.dept_a,
                                  status=pm.Application.Status.PAID, created_by=cast.ent_b)
    payment = make_for(pm.Payment, cast)
    pm.Payment.objects.create(item=payment.item, organization=cast.org_a2, period="2025", amount=1,
                              department=cast.dept_a, status=pm.Payment.Status.CONFIRMED)
    return offices


def everyone(cast, offices):
    return {**cast.users(), **offices}


def test_every_source_declares_its_groups():
    keys = workbench.declared_keys()
    assert all(getattr(source, "keys", ()) for source in workbench._SOURCES)
    assert {"policy_application", "appeal_handle", "push_answer", "import_confirm", "lead_stale"} <= set(keys)


def test_every_groups_link_lists_exactly_what_it_counts(cast, world, client):
    seen = {}
    for name, user in everyone(cast, world).items():
        client.force_login(user)
        for todo in workbench.for_user(user, limit=0):
            seen.setdefault(todo.key, []).append(name)
            if not todo.listed:  # the one form to fill (this month's report)
                assert todo.count == 1 and client.get(todo.url).status_code == 200
                continue
            assert list_count(client, todo.url) == todo.count, (name, todo.key, todo.url)
    missing = set(workbench.declared_keys()) - set(seen)
    assert not missing, f"the world leaves these groups empty: {missing}"


def open_work(cast, today):
    """Each group's open records — work somebody has to do next, whoever it is — with the group's
    own condition of what waits for a user: (model, waiting, the open records)."""
    from django.db.models import Exists
    from django.db.models import OuterRef
    from django.db.models import Q

    from feidi.challenges import todos as challenge_todos
    from feidi.challenges.models import Application as ChallengeApplication
    from feidi.challenges.models import Challenge
    from feidi.challenges.models import Review
    from feidi.core import imports
    from feidi.core.models import ImportJob
    from feidi.policies import models as pm
    from feidi.policies import todos as policy_todos
    from feidi.projects import todos as project_todos
    from feidi.projects.models import Alert
    from feidi.projects.models import Problem
    from feidi.projects.models import Project
    from feidi.projects.models import Stage
    from feidi.projects.models import Task
    from feidi.services import todos as service_todos
    from feidi.services.models import Appeal
    from feidi.techmarket.models import Push
    from feidi.techmarket.todos import pushes_to_answer

    unscored = Q(Exists(Challenge.experts.through.objects.filter(challenge_id=OuterRef("challenge_id")).filter(
        ~Exists(Review.objects.filter(application_id=OuterRef(OuterRef("pk")), expert_id=OuterRef("user_id"))))))
    to_score = Q(status="submitted", challenge__status="review") & unscored
    stale = timezone.now() - dt.timedelta(days=project_todos.pool_days(cast.invest) - project_todos.WARN_DAYS)
    return {
        "appeal_accept": (Appeal, service_todos.appeals_to_accept, Q(status="submitted")),
        "appeal_handle": (Appeal, service_todos.appeals_to_handle,
                          Q(status__in=("accepted", "handling")) | service_todos.answered_after_suspension()),
        "appeal_rate": (Appeal, service_todos.appeals_to_rate, Q(status="closed", rating__isnull=True)),
        "task_due": (Task, project_todos.tasks_due, Q(status="open")),
        "problem_due": (Problem, project_todos.problems_due,
                        Q(status="open", deadline__lte=today + dt.timedelta(days=project_todos.SOON_DAYS))),
        "problem_instruct": (Problem, project_todos.problems_to_instruct,
                             Q(status="open", needs_leadership=True, instructed_at__isnull=True)),
        "alert_open": (Alert, project_todos.alerts_mine, Q(resolved_at__isnull=True)),
        "lead_stale": (Project, project_todos.leads_stale,
                       Q(stage=Stage.LEAD, owner__isnull=False, last_activity_at__lt=stale)),
        "push_answer": (Push, pushes_to_answer, Q(demand_feedback="") | Q(supply_feedback="")),
        "review_score": (ChallengeApplication, challenge_todos.applications_to_score, to_score),
        # a challenge under review waits on its experts while one of its applications does, then on 定榜
        "challenge_award": (Challenge, challenge_todos.challenges_to_award, Q(status="review") & ~Q(
            pk__in=ChallengeApplication.objects.filter(to_score).values("challenge_id"))),
        "import_confirm": (ImportJob, imports.imports_to_confirm, Q(status="awaiting")),
        "policy_application": (pm.Application, policy_todos.applications_to_handle,
                               Q(status__in=pm.Application.OPEN)),
        "policy_payment": (pm.Payment, policy_todos.payments_to_confirm, Q(status="pending")),
    }


def test_every_open_record_waits_for_somebody_who_may_act_on_it(cast, world):
    """Open work waits on nobody when no active user's list holds it (an appeal of an enterprise
    nobody serves, a problem of a unit where nobody may solve it, a challenge whose scoring is done):
    for every group, each open record of the world is on some active user's list."""
    from feidi.accounts.models import User

    today = timezone.localdate()
    work = open_work(cast, today)
    # a form to fill, no rows: last month's report, this week's dispatch meeting, the biweekly report
    forms = {key for key in workbench.declared_keys() if key in ("month_report", "dispatch_week", "report_due")}
    assert set(work) == set(workbench.declared_keys()) - forms, "say what the new group's open records are"
    users = list(User.objects.filter(is_active=True).select_related("department"))
    for key, (model, waiting, condition) in work.items():
        records = set(model.objects.filter(condition).values_list("pk", flat=True))
        assert records, f"the world has no open record of {key}"
        waits = set()
        for user in users:
            waits |= set(waiting(model.objects.visible_to(user).filter(pk__in=records), user, today)
                         .values_list("pk", flat=True))
        assert records <= waits, f"{key}: {sorted(records - waits)} wait for nobody"


def test_the_list_behind_a_group_says_it_is_filtered(cast, world, client):
    client.force_login(world["cadre"])
    todo = {t.key: t for t in workbench.for_user(world["cadre"])}["appeal_handle"]
    page = client.get(todo.url).content.decode()
    assert "已按办理中的诉求筛选" in page


def test_a_policy_application_waits_for_whoever_may_handle_it_and_tells_them(cast, offices):
    """The item is the 管委会's (nobody there may handle applications): the 政策兑现办 under the
    经济发展局 and the 安商办 may, as the application's page offers them 办理通过 and 退回 — so
    both see it waiting and both are told; those who may not handle it neither."""
    from feidi.core.models import Notification
    from feidi.policies import models as pm
    from feidi.policies.actions import do_advance_application
    from feidi.policies.actions import do_apply
    from feidi.policies.views import application_actions

    match = make_for(pm.Match, cast)
    application = do_apply(pm.Application(item=match.item, organization=match.organization, amount=1000),
                           acting_user=cast.ent_a)
    assert application.handling_department == cast.dept_a
    handlers = {offices["policy"], offices["service"]}
    for user in (*cast.users().values(), *offices.values()):
        may_act = bool(application_actions(application, user)) and pm.Application.objects.visible_to(
            user, "handle").filter(pk=application.pk).exists()
        waiting = {t.key: t.count for t in workbench.for_user(user, limit=0)}.get("policy_application", 0)
        told = Notification.objects.filter(user=user, url=application.get_absolute_url()).exists()
        assert may_act == (user in handlers) == bool(waiting) == told, user.username
    assert not Notification.objects.filter(user=cast.other_clerk).exists()
    do_advance_application(application, acting_user=offices["policy"])  # accepted: the next step waits for them
    for user in handlers:
        assert Notification.objects.filter(user=user, title__contains="待审核").exists()
        assert {t.key for t in workbench.for_user(user)} >= {"policy_application"}


def test_a_task_of_a_unit_reaches_the_people_over_and_under_it(cast, offices):
    """A task named to a unit with nobody named waits for those of its line who may do it: the
    unit's own staff, those over it (the 管委会's clerk) and those under it; not a sibling office."""
    from feidi.projects.models import Task

    make_for(Task, cast)  # the 招商局's
    sub = staff("sub_invest", "investment", unit("招商一科", cast.dept_a_bureau))
    for user in (cast.invest, cast.clerk, sub):
        assert {t.key for t in workbench.for_user(user)} >= {"task_due"}, user.username
    assert "task_due" not in {t.key for t in workbench.for_user(offices["service"])}
    assert "task_due" not in {t.key for t in workbench.for_user(cast.other_clerk)}


def test_every_card_with_a_number_links_to_a_list_of_that_many(cast, world, client):
    from feidi.registry.models import OrganizationLabel

    label = OrganizationLabel.objects.create(organization=cast.org_a1, label_id=_label_id("above_scale"),
                                             since=dt.date(2020, 1, 1), until=timezone.localdate(),
                                             department=cast.dept_a)
    OrganizationLabel.objects.create(organization=cast.org_a2, label=label.label, since=dt.date(2020, 1, 1),
                                     until=timezone.localdate() - dt.timedelta(days=1), department=cast.dept_a)
    checked = set()
    for name, user in everyone(cast, world).items():
        client.force_login(user)
        for card in client.get(reverse("home")).context["cards"]:
            if isinstance(card["value"], int):
                assert list_count(client, card["url"]) == card["value"], (name, card)
                checked.add(str(card["label"]))
    assert {"单位总数", "规上", "飞地已入驻", "有效资质", "联系人"} <= checked


def _label_id(code):
    from feidi.core.models import DictItem

    return DictItem.objects.get(type__code="org_label", code=code).pk


def test_a_label_valid_until_today_is_valid_and_one_ended_yesterday_is_not(cast, client_for):
    from feidi.registry.models import OrganizationLabel

    today = timezone.localdate()
    kinds = {}
    for org, until in ((cast.org_a1, today), (cast.org_a2, today - dt.timedelta(days=1))):
        kinds[org.pk] = OrganizationLabel.objects.create(organization=org, label_id=_label_id("listed"),
                                                         since=dt.date(2020, 1, 1), until=until,
                                                         department=cast.dept_a)
    valid = OrganizationLabel.objects.valid_on(today)
    assert kinds[cast.org_a1.pk] in valid and kinds[cast.org_a2.pk] not in valid
    cards = {str(c["label"]): c for c in client_for("leader").get(reverse("home")).context["cards"]}
    assert cards["上市"]["value"] == 1
    own = {str(c["label"]): c for c in client_for("ent_a").get(reverse("home")).context["cards"]}
    assert "上市" in own["有效资质"]["hint"]
