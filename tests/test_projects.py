"""The pipeline: one-step transitions behind stage gates, the lead pool, alert rules at their
boundaries, weekly dispatch, import all-or-nothing, and the pages and API from the outside."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from feidi.core.actions import ConflictError
from feidi.core.models import AuditRecord
from feidi.core.models import Notification
from feidi.projects import actions
from feidi.projects.models import Alert
from feidi.projects.models import AnnualPlan
from feidi.projects.models import Dispatch
from feidi.projects.models import Milestone
from feidi.projects.models import MonthlyInvestment
from feidi.projects.models import Problem
from feidi.projects.models import Project
from feidi.projects.models import ProjectEvent
from feidi.projects.models import ProjectSettings
from feidi.projects.models import Stage
from feidi.projects.models import StageRecord
from feidi.projects.models import Task

PDF = b"%PDF-1.4\n%demo\n"


def lead(cast, **fields) -> Project:
    values = {"name": "年产5GWh储能电池项目", "zone": cast.zone_a, "investor": "某新能源集团", "owner": cast.invest,
              "leader": cast.leader, **fields}
    return actions.do_save_project(Project(**values), acting_user=cast.invest, pool=values["owner"] is None)


def evidence(project, kind, user):
    actions.do_attach_evidence(project, kind, SimpleUploadedFile(f"{kind}.pdf", PDF), acting_user=user)


def to_signed(project, user, on=None):
    project = actions.do_transition_project(project, Stage.NEGOTIATING, acting_user=user, on=on)
    project.signed_amount = project.planned_investment = Decimal("800000000")
    project.save()
    evidence(project, "投资协议", user)
    return actions.do_transition_project(project, Stage.SIGNED, acting_user=user, on=on)


# --- transitions ---------------------------------------------------------------------------------

def test_a_new_lead_starts_in_its_first_stage_with_an_open_record(cast):
    p = lead(cast)
    assert p.stage == Stage.LEAD and p.department_id == cast.dept_a.pk
    assert list(p.stage_records.values_list("stage", "left_at")) == [(Stage.LEAD, None)]
    assert ProjectEvent.objects.filter(project=p, kind="create").exists()


@pytest.mark.parametrize("target", [Stage.SIGNED, Stage.STARTED, Stage.PRODUCING, Stage.FULL, Stage.LEAD])
def test_a_lead_cannot_skip_stages(cast, target):
    p = lead(cast)
    with pytest.raises(ValidationError, match="不能从“线索”直接进入"):
        actions.do_transition_project(p, target, acting_user=cast.invest)
    p.refresh_from_db()
    assert p.stage == Stage.LEAD and p.stage_records.count() == 1


def test_the_whole_way_is_walked_one_step_at_a_time_with_dates_and_audit(cast, client_for):
    p = lead(cast)
    day = timezone.localdate() - dt.timedelta(days=30)
    p = to_signed(p, cast.invest, on=day)
    assert p.signed_on == day
    p.fixed_asset_investment = Decimal("600000000")
    p.save()
    evidence(p, "施工许可证", cast.invest)
    p = actions.do_transition_project(p, Stage.STARTED, acting_user=cast.invest, on=day + dt.timedelta(days=5))
    assert p.started_on == day + dt.timedelta(days=5)
    evidence(p, "投产证明", cast.invest)
    p = actions.do_transition_project(p, Stage.PRODUCING, acting_user=cast.invest)
    assert p.produced_on == timezone.localdate()
    records = list(p.stage_records.order_by("entered_at", "pk"))
    assert [r.stage for r in records] == [Stage.LEAD, Stage.NEGOTIATING, Stage.SIGNED, Stage.STARTED, Stage.PRODUCING]
    assert all(r.left_at for r in records[:-1]) and records[-1].left_at is None
    assert AuditRecord.objects.filter(model="projects.project", object_id=str(p.pk), action="transition").count() == 4
    # 达产 needs the project office's role and its acceptance file
    with pytest.raises(ValidationError) as err:
        actions.do_transition_project(p, Stage.FULL, acting_user=cast.invest)
    assert any("项目办" in m for m in err.value.messages) and any("达产验收材料" in m for m in err.value.messages)
    page = client_for("invest").get(p.get_absolute_url())
    assert page.status_code == 200 and "各阶段用时" in page.content.decode()


def test_the_final_and_terminated_stages_go_nowhere(cast):
    p = lead(cast)
    with pytest.raises(ValidationError, match="终止项目须说明原因"):
        actions.do_transition_project(p, Stage.TERMINATED, acting_user=cast.invest, note="  ")
    p = actions.do_transition_project(p, Stage.TERMINATED, acting_user=cast.invest, note="投资方战略调整")
    assert p.terminated_reason == "投资方战略调整"
    for target in (Stage.LEAD, Stage.NEGOTIATING, Stage.TERMINATED):
        with pytest.raises(ValidationError):
            actions.do_transition_project(p, target, acting_user=cast.invest, note="x")


def test_a_gate_names_what_is_missing_and_refuses(cast):
    p = actions.do_transition_project(lead(cast), Stage.NEGOTIATING, acting_user=cast.invest)
    with pytest.raises(ValidationError) as err:
        actions.do_transition_project(p, Stage.SIGNED, acting_user=cast.invest)
    text = "；".join(err.value.messages)
    assert "签约金额" in text and "计划总投资" in text and "投资协议" in text
    assert "签约日期" not in text  # the transition stamps it
    p.refresh_from_db()
    assert p.stage == Stage.NEGOTIATING


def test_transitions_need_the_permission_and_a_date_not_in_the_future(cast):
    p = lead(cast)
    with pytest.raises(PermissionDenied):
        actions.do_transition_project(p, Stage.NEGOTIATING, acting_user=cast.clerk)
    with pytest.raises(ValidationError, match="日期不能晚于今天"):
        actions.do_transition_project(p, Stage.NEGOTIATING, acting_user=cast.invest,
                                      on=timezone.localdate() + dt.timedelta(days=1))


def test_two_officers_moving_the_same_project_cannot_both_win(cast):
    p = lead(cast)
    stale = Project.objects.get(pk=p.pk)
    actions.do_transition_project(p, Stage.NEGOTIATING, acting_user=cast.invest)
    with pytest.raises(ConflictError):
        actions.do_transition_project(stale, Stage.NEGOTIATING, acting_user=cast.leader)
    assert StageRecord.objects.filter(project=p).count() == 2


def test_the_page_moves_a_project_and_shows_the_gate(cast, client_for):
    p = lead(cast)
    c = client_for("invest")
    r = c.post(reverse("projects:project_act", args=[p.pk]), {"action": "transition", "to_stage": "negotiating",
                                                              "on": timezone.localdate().isoformat(), "note": ""})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.stage == Stage.NEGOTIATING
    page = c.get(p.get_absolute_url()).content.decode()
    assert "请先上传佐证材料“投资协议”" in page
    r = c.post(reverse("projects:project_act", args=[p.pk]), {"action": "transition", "to_stage": "started"},
               follow=True)
    assert "不能从“洽谈”直接进入“开工”" in r.content.decode()


# --- the pool ---------------------------------------------------------------------------------------

def test_stale_leads_return_to_the_pool_at_the_configured_day(cast):
    ProjectSettings.objects.create(department=cast.dept_a, pool_after_days=30)
    now = timezone.now()
    old = lead(cast, name="三十一天未跟进")
    fresh = lead(cast, name="二十九天未跟进")
    negotiating = actions.do_transition_project(lead(cast, name="洽谈中"), Stage.NEGOTIATING, acting_user=cast.invest)
    Project.objects.filter(pk__in=[old.pk, negotiating.pk]).update(last_activity_at=now - dt.timedelta(days=30, minutes=1))
    Project.objects.filter(pk=fresh.pk).update(last_activity_at=now - dt.timedelta(days=29, hours=23))
    assert actions.release_stale_leads(now) == 1
    old.refresh_from_db(), fresh.refresh_from_db(), negotiating.refresh_from_db()
    assert old.owner_id is None and old.pooled_at == now and old.in_pool
    assert fresh.owner_id == cast.invest.pk and negotiating.owner_id == cast.invest.pk
    assert ProjectEvent.objects.filter(project=old, kind="pool").exists()
    assert Notification.objects.filter(user=cast.invest, title__contains="退回公海").count() == 1
    assert actions.release_stale_leads(now) == 0  # idempotent


def test_a_follow_up_keeps_a_lead(cast):
    p = lead(cast)
    Project.objects.filter(pk=p.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=40))
    actions.do_follow_up(p, "电话沟通，对方下月来访", acting_user=cast.invest)
    assert actions.release_stale_leads() == 0


def test_one_of_two_claims_wins_and_reassignment_is_logged(cast, client_for):
    p = lead(cast, owner=None)
    assert p.in_pool
    r = client_for("invest").post(reverse("projects:project_act", args=[p.pk]), {"action": "claim"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.owner_id == cast.invest.pk
    with pytest.raises(ConflictError, match="已被他人认领"):
        actions.do_claim_project(Project.objects.get(pk=p.pk), acting_user=cast.invest)
    with pytest.raises(PermissionDenied):
        actions.do_claim_project(p, acting_user=cast.leader)  # a leader does not claim leads
    with pytest.raises(PermissionDenied):
        actions.do_reassign_project(p, cast.leader, acting_user=cast.invest)
    with pytest.raises(ValidationError, match="没有“修改招商项目”的权限，不能担任负责人"):
        actions.do_reassign_project(p, cast.leader, acting_user=cast.leader)  # a leader does not follow leads up
    colleague = _investment_officer(cast, "同事")
    actions.do_reassign_project(p, colleague, acting_user=cast.leader, reason="由同事对接")
    event = ProjectEvent.objects.filter(project=p, kind="reassign").get()
    assert "甲区招商干部" in event.text and "同事" in event.text and "由同事对接" in event.text
    # the officer it was taken from is told, the one it went to too
    assert Notification.objects.filter(user=cast.invest, title__contains="已改派").exists()
    assert Notification.objects.filter(user=colleague, title__contains="改派给您").exists()


def _investment_officer(cast, name):
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User

    officer = User(username="colleague", full_name=name, department=cast.dept_a_bureau,
                   password_changed_at=timezone.now())
    do_create_user(officer, password=None, roles=[Role.objects.get(code="investment")], acting_user=None)
    return User.objects.get(pk=officer.pk)


def test_the_pool_page_lists_only_unowned_leads(cast, client_for):
    lead(cast, name="公海里的线索", owner=None)
    lead(cast, name="有人负责的线索")
    page = client_for("invest").get(reverse("projects:pool")).content.decode()
    assert "公海里的线索" in page and "有人负责的线索" not in page


# --- alerts --------------------------------------------------------------------------------------------

def key_project(cast, **fields):
    return lead(cast, is_key=True, key_level="city", **fields)


def test_milestone_alert_starts_the_day_after_its_planned_date(cast):
    p = key_project(cast)
    m = Milestone.objects.create(project=p, department=cast.dept_a, name="主体封顶", planned_on=dt.date(2026, 6, 30))
    assert actions.current_alerts(dt.date(2026, 6, 30)) == {}
    assert list(actions.current_alerts(dt.date(2026, 7, 1))) == [(p.pk, Alert.Rule.MILESTONE, str(m.pk))]
    m.actual_on = dt.date(2026, 7, 2)
    m.save()
    assert actions.current_alerts(dt.date(2026, 7, 3)) == {}


def test_problem_and_task_alerts_at_their_deadline(cast):
    p = key_project(cast)
    pr = Problem.objects.create(project=p, department=cast.dept_a, description="用电增容", deadline=dt.date(2026, 5, 10),
                                owner_department=cast.dept_a_bureau)
    t = Task.objects.create(project=p, department=cast.dept_a, decision="协调电力公司", deadline=dt.date(2026, 5, 12),
                            owner_department=cast.dept_a_bureau)
    assert actions.current_alerts(dt.date(2026, 5, 10)) == {}
    assert set(actions.current_alerts(dt.date(2026, 5, 11))) == {(p.pk, Alert.Rule.PROBLEM, str(pr.pk))}
    assert set(actions.current_alerts(dt.date(2026, 5, 13))) == {(p.pk, Alert.Rule.PROBLEM, str(pr.pk)),
                                                                 (p.pk, Alert.Rule.TASK, str(t.pk))}
    pr.status = Problem.Status.SOLVED
    pr.save()
    assert set(actions.current_alerts(dt.date(2026, 5, 13))) == {(p.pk, Alert.Rule.TASK, str(t.pk))}


def test_investment_pace_alert_at_the_boundary(cast):
    p = key_project(cast)
    AnnualPlan.objects.create(project=p, department=cast.dept_a, year=2026, planned_investment=Decimal("1200000"))
    for month, amount in ((1, "100000"), (2, "100000"), (3, "99999.99")):
        MonthlyInvestment.objects.create(project=p, department=cast.dept_a, month=dt.date(2026, month, 1),
                                         amount=Decimal(amount))
    # an entry for April does not count before April has passed
    MonthlyInvestment.objects.create(project=p, department=cast.dept_a, month=dt.date(2026, 4, 1),
                                     amount=Decimal("500000"))
    assert actions.current_alerts(dt.date(2026, 1, 31)) == {}  # January: no month has passed
    assert actions.pace_shortfalls(dt.date(2026, 4, 15)) == {}  # in talks: no pace to keep until it is signed
    Project.objects.filter(pk=p.pk).update(stage="signed")
    assert actions.pace_shortfalls(dt.date(2026, 4, 15)) == {
        p.pk: (Decimal("1200000.00"), Decimal("300000.00"), Decimal("299999.99"))}
    MonthlyInvestment.objects.filter(project=p, month=dt.date(2026, 3, 1)).update(amount=Decimal("100000"))
    assert actions.pace_shortfalls(dt.date(2026, 4, 15)) == {}  # exactly on pace
    ProjectSettings.objects.create(department=cast.dept_a, pace_percent=80)
    assert actions.pace_shortfalls(dt.date(2026, 5, 1)) == {}  # 4 months × 80 % = 320,000 < 800,000 done


def test_alerts_are_raised_once_notify_the_leader_and_resolve(cast):
    p = key_project(cast)
    m = Milestone.objects.create(project=p, department=cast.dept_a, name="设备进场", planned_on=dt.date(2026, 3, 1))
    assert actions.evaluate_alerts(dt.date(2026, 3, 5)) == (1, 0)
    assert actions.evaluate_alerts(dt.date(2026, 3, 6)) == (0, 0)
    assert Notification.objects.filter(user=cast.leader, title__contains=p.name).count() == 1
    alert = Alert.objects.get()
    assert alert.resolved_at is None and "设备进场" in alert.message
    m.actual_on = dt.date(2026, 3, 7)
    m.save()
    assert actions.evaluate_alerts(dt.date(2026, 3, 8)) == (0, 1)
    assert Alert.objects.get().resolved_at is not None


def test_an_alert_ends_as_its_problem_is_solved_and_its_days_count_on(cast, django_capture_on_commit_callbacks):
    """Solving the problem (or any write to the project's parts) settles the project's alerts once it
    commits, not at the next hourly run; an open alert says its days late as of the run."""
    p = key_project(cast)
    today = timezone.localdate()
    problem = Problem.objects.create(project=p, department=cast.dept_a, description="废水处理站审批慢",
                                     owner_department=cast.dept_a_bureau, deadline=today - dt.timedelta(days=20))
    actions.evaluate_alerts(today - dt.timedelta(days=1))
    alert = Alert.objects.get(project=p)
    assert "已逾期19天" in alert.message
    actions.evaluate_alerts(today)
    alert.refresh_from_db()
    assert "已逾期20天" in alert.message and alert.resolved_at is None
    Problem.objects.filter(pk=problem.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_resolve_problem(problem, acting_user=cast.invest, resolution="已协调环评批复")
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_a_terminated_project_raises_nothing(cast):
    p = key_project(cast)
    Milestone.objects.create(project=p, department=cast.dept_a, name="开工", planned_on=dt.date(2026, 1, 1))
    actions.do_transition_project(p, Stage.TERMINATED, acting_user=cast.invest, note="企业注销")
    assert actions.current_alerts(dt.date(2026, 6, 1)) == {}


# --- weekly dispatch ----------------------------------------------------------------------------------

def test_the_dispatch_prepares_the_meeting_and_decisions_become_tasks(cast, client_for):
    p = key_project(cast, name="光伏组件项目")
    other = key_project(cast, name="按期推进项目")
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    Milestone.objects.create(project=p, department=cast.dept_a, name="厂房封顶", planned_on=today - dt.timedelta(days=3))
    Milestone.objects.create(project=other, department=cast.dept_a, name="设备调试",
                             planned_on=today - dt.timedelta(days=2), actual_on=today - dt.timedelta(days=1))
    Problem.objects.create(project=p, department=cast.dept_a, description="施工许可办理慢", needs_leadership=True,
                           deadline=today + dt.timedelta(days=5), owner_department=cast.dept_a_bureau)
    dispatch = Dispatch.objects.create(department=cast.dept_a, week_start=monday, title="第一次调度会")
    agenda = actions.dispatch_agenda(dispatch, Project.objects.visible_to(cast.leader), today=today)
    rows = {r["project"].name: r for r in agenda["rows"]}
    assert rows["光伏组件项目"]["late"] and [m.name for m in rows["光伏组件项目"]["late_milestones"]] == ["厂房封顶"]
    assert [m.name for m in rows["按期推进项目"]["reached"]] == ["设备调试"] and not rows["按期推进项目"]["late"]
    assert agenda["rows"][0]["project"] == p  # late first
    r = client_for("leader").get(dispatch.get_absolute_url())
    assert r.status_code == 200 and "施工许可办理慢" in r.content.decode()
    task = actions.do_record_decision(Task(dispatch=dispatch, project=p, decision="住建局三日内办结施工许可",
                                           owner_department=cast.dept_a_bureau, owner=cast.invest,
                                           deadline=today + dt.timedelta(days=3)), acting_user=cast.leader)
    assert task.department_id == cast.dept_a.pk
    assert Notification.objects.filter(user=cast.invest, title__contains="调度任务").exists()
    agenda = actions.dispatch_agenda(dispatch, Project.objects.visible_to(cast.leader), today=today)
    assert [t.decision for t in {r["project"].pk: r for r in agenda["rows"]}[p.pk]["decisions"]] == [
        "住建局三日内办结施工许可"]


# --- import ------------------------------------------------------------------------------------------

def workbook(rows) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["项目名称*", "落地园区*", "投资方", "来源渠道", "计划总投资(元)", "重点项目", "重点级别"])
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


def test_an_import_with_one_bad_row_stores_nothing(cast, client_for):
    c = client_for("invest")
    bad = workbook([["项目一", "上饶经开区", "甲集团", "展会", "100000000", "否", ""],
                    ["项目二", "上饶经开区", "乙集团", "以商招商", "-5", "否", ""],
                    ["项目三", "另一园区", "丙集团", "展会", "1", "否", ""],
                    ["项目四", "上饶经开区", "丁集团", "展会", "1", "也许", ""]])
    r = c.post(reverse("projects:project_import"), {"file": SimpleUploadedFile("p.xlsx", bad)})
    page = r.content.decode()
    assert r.status_code == 200 and not Project.objects.exists()
    import re

    reported = re.findall(r"第 (\d+) 行</td><td>([^<]*)</td>", page)
    assert {(int(row), column) for row, column in reported} == {
        (3, "计划总投资(元)"), (4, "落地园区"), (5, "重点项目")}, reported
    assert "请填写“是”或“否”" in page
    good = workbook([["项目一", "上饶经开区", "甲集团", "展会", "100000000", "是", "区重点"],
                     ["项目二", "上饶经开区", "乙集团", "以商招商", "5", "否", ""]])
    r = c.post(reverse("projects:project_import"), {"file": SimpleUploadedFile("p.xlsx", good)})
    assert r.status_code == 302
    rows = {p.name: p for p in Project.objects.all()}
    assert set(rows) == {"项目一", "项目二"} and rows["项目一"].is_key and rows["项目一"].key_level == "district"
    assert not rows["项目二"].is_key and rows["项目一"].owner_id == cast.invest.pk
    assert rows["项目一"].stage == Stage.LEAD and rows["项目一"].stage_records.count() == 1


# --- pages, API and scope ------------------------------------------------------------------------

def test_pages_render_for_the_zone(cast, client_for):
    p = key_project(cast)
    c = client_for("leader")
    for name in ("projects:dashboard", "projects:project_list", "projects:key_list", "projects:alert_list",
                 "projects:dispatch_list", "projects:task_list", "projects:report_list"):
        r = c.get(reverse(name))
        assert r.status_code == 200, name
    assert p.name in c.get(reverse("projects:key_list")).content.decode()
    assert p.name not in client_for("other_pmo").get(reverse("projects:key_list")).content.decode()


def test_the_dashboard_counts_what_the_user_sees(cast, client_for):
    from feidi.projects.dashboard import figures

    today = timezone.localdate()
    p = key_project(cast)
    to_signed(p, cast.invest, on=today)
    lead(cast, name="另一条线索")
    data = figures(Project.objects.visible_to(cast.leader), today)
    assert data["signed_count"] == 1 and data["signed_amount"] == Decimal("800000000")
    assert dict(data["funnel"])["线索"] == 2 and dict(data["funnel"])["签约"] == 1
    assert figures(Project.objects.visible_to(cast.other_pmo), today)["signed_count"] == 0


def test_the_api_lists_creates_and_moves(cast, client_for):
    c = client_for("invest")
    r = c.post("/api/v1/projects/projects", {"name": "接口登记的线索", "zone_id": cast.zone_a.pk, "investor": "某集团"},
               content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = c.post(f"/api/v1/projects/projects/{pk}/transition", {"to_stage": "signed"}, content_type="application/json")
    assert r.status_code == 422 and "不能从" in r.json()["message"]
    r = c.post(f"/api/v1/projects/projects/{pk}/transition", {"to_stage": "negotiating"},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["stage_label"] == "洽谈"
    assert [i["id"] for i in c.get("/api/v1/projects/projects?stage=negotiating").json()["items"]] == [pk]
    assert client_for("other_pmo").get(f"/api/v1/projects/projects/{pk}").status_code == 404
    r = client_for("other_pmo").post("/api/v1/projects/projects", {"name": "越界", "zone_id": cast.zone_a.pk},
                                     content_type="application/json")
    assert r.status_code == 422 and "zone_id" in r.json()["fields"]


@pytest.mark.parametrize("url_name", ["projects:project_list", "projects:key_list", "projects:pool",
                                      "projects:dashboard", "projects:alert_list", "chains:gap_list"])
def test_pipeline_pages_cost_the_same_whatever_the_number_of_projects(cast, client_for, django_assert_max_num_queries,
                                                                        url_name):
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment

    chain = Chain.objects.create(name="光伏", department=cast.dept_a)
    seg = Segment.objects.create(chain=chain, name="组件", department=cast.dept_a)

    def add(n, start):
        for i in range(start, start + n):
            p = lead(cast, name=f"项目{i}", segment=seg, owner=None if i % 3 == 0 else cast.invest, is_key=i % 2 == 0,
                     key_level="city" if i % 2 == 0 else "")
            Milestone.objects.create(project=p, department=cast.dept_a, name="节点", planned_on=dt.date(2020, 1, 1))
        actions.evaluate_alerts()

    c = client_for("leader" if url_name != "projects:pool" else "invest")
    add(2, 0)
    c.get(reverse(url_name))
    with django_assert_max_num_queries(30) as few:
        assert c.get(reverse(url_name)).status_code == 200
    add(20, 2)
    base = len(few.captured_queries)
    c.get(reverse(url_name))  # the writes moved the to-do counts' generation on: recounted once, not per row
    with django_assert_max_num_queries(base):
        assert c.get(reverse(url_name)).status_code == 200


def test_the_officer_who_enters_a_lead_owns_it_and_no_ownerless_project_moves_past_lead(cast, client_for):
    c = client_for("invest")
    response = c.post(reverse("projects:project_add"), {"name": "招商局登记的线索", "zone": cast.zone_a.pk,
                                                         "channel": "other"})
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(name="招商局登记的线索")
    assert project.owner == cast.invest and not project.in_pool
    # a tip deliberately put in the pool: ownerless, listed in the pool, and it cannot be moved on until claimed
    c.post(reverse("projects:project_add"), {"name": "转交公海的线索", "zone": cast.zone_a.pk, "channel": "other",
                                               "to_pool": "on"})
    pooled = Project.objects.get(name="转交公海的线索")
    assert pooled.owner is None and pooled.in_pool
    assert "转交公海的线索" in c.get(reverse("projects:pool")).content.decode()
    with pytest.raises(ValidationError, match="尚无负责人"):
        actions.do_transition_project(pooled, Stage.NEGOTIATING, acting_user=cast.invest)
    actions.do_claim_project(pooled, acting_user=cast.invest)
    pooled.refresh_from_db()
    assert actions.do_transition_project(pooled, Stage.NEGOTIATING, acting_user=cast.invest).stage == Stage.NEGOTIATING


def test_a_stage_gates_page_names_its_fields_and_a_json_list_reads_as_text(cast, client_for):
    """The gate's required fields by their names on the page (投资方、签约金额), not Python's list of
    keys; any JSON list or object on a detail page reads as text."""
    from feidi.core.tables import format_value
    from feidi.projects.models import StageGate

    gate = StageGate.objects.filter(required_fields__isnull=False).exclude(required_fields=[]).first()
    assert gate is not None
    page = client_for("leader").get(reverse("projects:stagegate_detail", kwargs={"pk": gate.pk})).content.decode()
    assert "[&#x27;" not in page and "['" not in page
    for key in gate.required_fields:
        assert str(StageGate.GATE_FIELDS[key]) in page
    assert format_value(["甲", "乙"]) == "甲、乙" and format_value({"技术": 85}) == "技术：85"
    assert format_value([]) == "—"


# --- a problem reported solved by its responsible unit (责任单位) ----------------------------------

def _staff(cast, username, role, department):
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User

    user = User(username=username, full_name=username, department=department, password_changed_at=timezone.now())
    do_create_user(user, password=None, roles=[Role.objects.get(code=role)], acting_user=None)
    return User.objects.get(pk=user.pk)


def _bureau(cast, name):
    from feidi.accounts.actions import do_save_department
    from feidi.accounts.models import Department

    return do_save_department(Department(name=name, kind=Department.Kind.BUREAU, parent=cast.dept_a), acting_user=None)


def _problem(cast, unit, *, by=None, description="用电增容迟迟未批", deadline=dt.date(2026, 12, 1)):
    p = key_project(cast, name=f"{description}的项目")  # one project a problem: a zone holds one project of a name
    problem = Problem(project=p, description=description, owner_department=unit, deadline=deadline)
    return actions.do_save_part(problem, acting_user=by or cast.invest)


def _client(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_the_responsible_unit_reports_its_problem_solved_from_the_problem_page(cast):
    """招商局 answers for the problem the 项目办 recorded: its officer, who may not change what the
    problem is, reports it solved on the problem's page; the status, day and resolution change and
    nothing else, with an audit row, the project's activity, and a note to whoever recorded it."""
    pmo = _staff(cast, "pmo", "project_office", cast.dept_a)
    problem = _problem(cast, cast.dept_a_bureau, by=pmo)
    c = _client(cast.invest)
    page = c.get(problem.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "填报解决情况" in html and reverse("projects:problem_resolve", args=[problem.pk]) in html
    assert reverse("projects:problem_edit", args=[problem.pk]) not in html  # the 项目办's, not the unit's
    Project.objects.filter(pk=problem.project_id).update(last_activity_at=timezone.now() - dt.timedelta(days=9))
    today = timezone.localdate()

    r = c.post(reverse("projects:problem_resolve", args=[problem.pk]),
               {"resolution": "  已协调供电公司完成增容，送电到位  ", "solved_on": today.isoformat()}, follow=True)
    assert "已填报解决情况" in r.content.decode()
    problem.refresh_from_db()
    assert (problem.status, problem.solved_on, problem.resolution) == (
        Problem.Status.SOLVED, today, "已协调供电公司完成增容，送电到位")
    assert (problem.description, problem.owner_department_id, problem.deadline) == (
        "用电增容迟迟未批", cast.dept_a_bureau.pk, dt.date(2026, 12, 1))
    record = AuditRecord.objects.filter(action="update", object_id=str(problem.pk),
                                        model=problem._meta.label_lower).get()
    assert record.user_id_snapshot == cast.invest.pk
    assert "已协调供电公司完成增容" in record.after and "solved" in record.after and "open" in record.before
    assert Project.objects.get(pk=problem.project_id).last_activity_at > timezone.now() - dt.timedelta(minutes=1)
    note = Notification.objects.get(user=pmo)
    assert "问题已解决" in note.title and "已协调供电公司完成增容" in note.body and note.url == problem.get_absolute_url()

    # solved: the form is gone, and a second report (a stale page, a double click) changes nothing
    assert "填报解决情况" not in c.get(problem.get_absolute_url()).content.decode()
    r = c.post(reverse("projects:problem_resolve", args=[problem.pk]), {"resolution": "再报一次"}, follow=True)
    assert "无需重复填报" in r.content.decode()
    problem.refresh_from_db()
    assert problem.resolution == "已协调供电公司完成增容，送电到位"
    assert AuditRecord.objects.filter(action="update", object_id=str(problem.pk),
                                      model=problem._meta.label_lower).count() == 1


def test_a_unit_reports_only_its_own_problems_and_nobody_outside_reports_any(cast):
    """A bureau answers for its problems, not its neighbours': 招商局's officer sees the 自然资源局's
    problem (the zone's) but is offered no report and is refused one; another zone's staff, an
    enterprise and a leader who may not solve problems reach nothing; the 项目办 reports any unit's."""
    land = _bureau(cast, "自然资源局")
    theirs = _problem(cast, land, description="土地指标未落实")
    url = reverse("projects:problem_resolve", args=[theirs.pk])
    invest = _client(cast.invest)
    page = invest.get(theirs.get_absolute_url())
    assert page.status_code == 200 and "填报解决情况" not in page.content.decode()
    assert invest.post(url, {"resolution": "已解决"}).status_code == 404
    other_zone = _staff(cast, "other_invest", "investment", cast.dept_b)
    assert _client(other_zone).get(theirs.get_absolute_url()).status_code == 404
    assert _client(other_zone).post(url, {"resolution": "已解决"}).status_code == 404
    for name in ("ent_a", "leader", "inst"):
        assert _client(getattr(cast, name)).post(url, {"resolution": "已解决"}).status_code == 403, name
    theirs.refresh_from_db()
    assert theirs.status == Problem.Status.OPEN and theirs.resolution == ""

    pmo = _staff(cast, "pmo", "project_office", cast.dept_a)
    r = _client(pmo).post(url, {"resolution": "自然资源局已下达用地指标"}, follow=True)
    assert "已填报解决情况" in r.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == Problem.Status.SOLVED and theirs.solved_on == timezone.localdate()


def test_a_unit_whose_role_sees_only_its_own_department_reaches_the_problems_it_answers_for(cast):
    """科技局's staff see their own department's records only (本部门及以下); a problem of a project
    filed under the 管委会 that names 科技局 as its responsible unit still reaches them — to see and
    to report solved, not to edit — and 招商局's problem does not."""
    tech_bureau = _bureau(cast, "科技局")
    officer = _staff(cast, "tech_officer", "tech_bureau", tech_bureau)
    ours = _problem(cast, tech_bureau, description="研发中心场地未交付")
    theirs = _problem(cast, cast.dept_a_bureau, description="招商局的问题")
    assert set(Problem.objects.visible_to(officer)) == {ours}
    assert list(actions.resolvable(Problem.objects.all(), officer)) == [ours]
    assert not Problem.objects.visible_to(officer, "change").exists()
    c = _client(officer)
    assert c.get(reverse("projects:problem_list")).status_code == 200
    assert c.get(theirs.get_absolute_url()).status_code == 404
    assert c.get(reverse("projects:problem_edit", args=[ours.pk])).status_code == 403
    c.post(reverse("projects:problem_resolve", args=[ours.pk]), {"resolution": "场地已交付使用"})
    ours.refresh_from_db()
    assert ours.status == Problem.Status.SOLVED


@pytest.mark.parametrize(("posted", "says"), [
    ({"resolution": "   "}, "解决情况"),
    ({"resolution": "已解决", "solved_on": "2999-01-01"}, "不能晚于今天"),
    ({"resolution": "已解决", "solved_on": "2020-01-01"}, "不能早于问题登记日期"),
    ({"resolution": "已解决", "solved_on": "2026-02-30"}, "解决日期"),
    ({"resolution": "长" * 2001}, "2000"),
])
def test_a_refused_report_says_why_and_changes_nothing(cast, posted, says):
    problem = _problem(cast, cast.dept_a_bureau)
    r = _client(cast.invest).post(reverse("projects:problem_resolve", args=[problem.pk]), posted, follow=True)
    assert says in r.content.decode()
    problem.refresh_from_db()
    assert (problem.status, problem.solved_on, problem.resolution) == (Problem.Status.OPEN, None, "")
    assert not AuditRecord.objects.filter(action="update", object_id=str(problem.pk),
                                          model=problem._meta.label_lower).exists()


def test_the_report_is_the_actions_not_the_pages(cast):
    """``do_resolve_problem`` holds the rules whatever calls it: a unit outside the problem's line
    is refused, and the refusal leaves the problem as it was."""
    problem = _problem(cast, _bureau(cast, "自然资源局"))
    with pytest.raises(PermissionDenied, match="责任单位"):
        actions.do_resolve_problem(problem, acting_user=cast.invest, resolution="已解决")
    with pytest.raises(PermissionDenied):
        actions.do_resolve_problem(problem, acting_user=cast.leader, resolution="已解决")
    problem.refresh_from_db()
    assert problem.status == Problem.Status.OPEN


def test_investment_is_completed_in_a_month_begun_and_the_dashboard_quotes_the_reports_months(cast, client_for):
    """A month later than this one is refused (page and action alike); the dashboard's 累计完成投资
    is the 专报's — the months completed by today, named with them — while this month's entry so far
    is only drawn on the chart."""
    from feidi.core.actions import create_object
    from feidi.projects.dashboard import figures

    p = key_project(cast)
    AnnualPlan.objects.create(project=p, department=cast.dept_a, year=2026, planned_investment=Decimal("1200000"))
    this_month = timezone.localdate().replace(day=1)
    # investment is completed by a signed project: not by a lead, nor in a month before its signing
    with pytest.raises(ValidationError, match="项目尚在线索阶段：完成投资自签约后填报"):
        create_object(MonthlyInvestment(project=p, department=cast.dept_a, month=this_month, amount=Decimal(1)),
                      acting_user=None)
    Project.objects.filter(pk=p.pk).update(stage=Stage.SIGNED, signed_on=dt.date(2026, 3, 20))
    p.refresh_from_db()
    with pytest.raises(ValidationError, match="月份不能早于项目签约的月份（2026-03）"):
        create_object(MonthlyInvestment(project=p, department=cast.dept_a, month=dt.date(2026, 2, 1),
                                        amount=Decimal(1)), acting_user=None)
    next_month = (this_month + dt.timedelta(days=31)).replace(day=1)
    with pytest.raises(ValidationError) as refused:
        create_object(MonthlyInvestment(project=p, department=cast.dept_a, month=next_month, amount=Decimal(1)),
                      acting_user=None)
    assert "不能晚于本月" in str(refused.value)
    create_object(MonthlyInvestment(project=p, department=cast.dept_a, month=this_month, amount=Decimal(1)),
                  acting_user=None)  # this month's so far is taken
    MonthlyInvestment.objects.filter(project=p).delete()
    today = dt.date(2026, 12, 7)
    MonthlyInvestment.objects.create(project=p, department=cast.dept_a, month=dt.date(2026, 11, 1), amount=Decimal("300000"))
    MonthlyInvestment.objects.create(project=p, department=cast.dept_a, month=dt.date(2026, 12, 1), amount=Decimal("100000"))
    f = figures(Project.objects.all(), today)
    assert (f["completed"], f["done_months"]) == (Decimal("300000"), "1–11月") and f["rate"] == Decimal("0.25")
    assert f["cumulative"][11] == 40.0  # 万元: the chart draws December so far
    # without a figure of December yet, December is not drawn (a copy of November read as 本月零投资)
    MonthlyInvestment.objects.filter(project=p, month=dt.date(2026, 12, 1)).delete()
    f = figures(Project.objects.all(), today)
    assert f["cumulative"][10] == 30.0 and f["cumulative"][11] is None


def test_a_stages_days_are_counted_by_its_business_dates(cast):
    """洽谈 from 10-28 to a signing dated 11-30 is 33 days, whenever the steps were entered; a stage
    entered into Feidi after the project had moved on has no count."""
    from feidi.projects.models import StageRecord

    p = key_project(cast)
    StageRecord.objects.filter(project=p).delete()
    now = timezone.now()
    for i, (stage, on) in enumerate(((Stage.LEAD, dt.date(2026, 12, 1)), (Stage.NEGOTIATING, dt.date(2026, 10, 28)),
                                     (Stage.SIGNED, dt.date(2026, 11, 30)))):
        StageRecord.objects.create(project=p, stage=stage, entered_on=on, entered_at=now + dt.timedelta(seconds=i),
                                   left_at=None if i == 2 else now + dt.timedelta(seconds=i + 1))
    rows = actions.stage_durations(p, now=timezone.make_aware(dt.datetime(2026, 12, 7, 9)))
    assert [r["days"] for r in rows] == [None, 33, 7]


def test_the_leader_instructs_a_problem_needing_the_leadership_and_the_unit_is_told(cast, client_for):
    """需领导决策: the problem waits on the zone leader's workbench until instructed; the 批示 is kept on
    the problem (who, when), shown on its page, sent to the responsible unit; another zone's
    leader, a unit's staff and a solved problem are refused, nothing changed."""
    from feidi.core import workbench

    p = key_project(cast)
    problem = Problem.objects.create(project=p, department=cast.dept_a, description="用地指标需领导协调",
                                     owner_department=cast.dept_a_bureau,
                                     deadline=timezone.localdate() + dt.timedelta(days=10), needs_leadership=True)
    todo = {t.key: t for t in workbench.for_user(cast.leader, limit=workbench.MORE)}["problem_instruct"]
    assert todo.count == 1 and todo.items[0].url == problem.get_absolute_url() and todo.action == "批示"
    page = client_for("leader").get(problem.get_absolute_url()).content.decode()
    assert "提交批示" in page
    url = reverse("projects:problem_instruct", args=[problem.pk])
    for who in ("invest", "other_clerk", "ent_a"):
        client_for(who).post(url, {"instruction": "越权批示"})
    assert Problem.objects.get(pk=problem.pk).instruction == ""
    response = client_for("leader").post(url, {"instruction": "请招商局本周内协调落实用地指标"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.instruction, problem.instructed_by) == ("请招商局本周内协调落实用地指标", cast.leader)
    assert Notification.objects.filter(user=cast.invest, title__contains="领导批示").exists()
    assert "problem_instruct" not in {t.key for t in workbench.for_user(cast.leader, limit=workbench.MORE)}
    assert "请招商局本周内协调落实用地指标" in client_for("invest").get(problem.get_absolute_url()).content.decode()
    Problem.objects.filter(pk=problem.pk).update(status=Problem.Status.SOLVED)
    with pytest.raises(PermissionDenied):
        actions.do_instruct_problem(problem, acting_user=cast.leader, instruction="再批")


def test_a_dispatch_task_is_reported_done_on_its_page_by_whoever_may_change_it(cast, client_for):
    """The workbench's 办理 opens the task, whose page offers its owner the result and the day (not
    an edit of the status field); a second report, an empty result, a future day and another
    zone's user are refused, nothing changed."""
    from feidi.core import workbench

    p = key_project(cast)
    task = Task.objects.create(project=p, department=cast.dept_a, decision="协调电力增容",
                               deadline=timezone.localdate() + dt.timedelta(days=3), owner=cast.invest,
                               owner_department=cast.dept_a_bureau, created_by=cast.leader)
    todo = {t.key: t for t in workbench.for_user(cast.invest, limit=workbench.MORE)}["task_due"]
    assert todo.items[0].url == task.get_absolute_url()
    assert "完成任务" in client_for("invest").get(task.get_absolute_url()).content.decode()
    url = reverse("projects:task_done", args=[task.pk])
    client_for("other_clerk").post(url, {"result": "越权"})
    client_for("invest").post(url, {"result": "  "})
    client_for("invest").post(url, {"result": "已增容", "done_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()})
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN
    assert client_for("invest").post(url, {"result": "供电公司已完成增容"}).status_code == 302
    task.refresh_from_db()
    assert (task.status, task.done_on, task.result) == (Task.Status.DONE, timezone.localdate(), "供电公司已完成增容")
    assert Notification.objects.filter(user=cast.leader, title__contains="调度任务已完成").exists()
    assert "task_due" not in {t.key for t in workbench.for_user(cast.invest, limit=workbench.MORE)}
    with pytest.raises(ConflictError):
        actions.do_complete_task(task, acting_user=cast.invest, result="再报")


def test_the_leader_urges_a_late_projects_owner_from_its_page(cast, client_for):
    """督办: the leader's alert item opens the project, whose page offers him to press its owner — in
    the project's log and the owner's inbox; nobody without the leader's right, and never a project
    without an owner."""
    from feidi.core import workbench
    from feidi.projects.models import ProjectEvent

    p = key_project(cast, owner=cast.invest, leader=cast.leader)
    Alert.objects.create(project=p, department=cast.dept_a, rule="milestone", subject="1", message="节点逾期")
    todo = {t.key: t for t in workbench.for_user(cast.leader, limit=workbench.MORE)}["alert_open"]
    assert todo.action == "督办" and todo.items[0].url == p.get_absolute_url()
    assert "督办（通知负责人" in client_for("leader").get(p.get_absolute_url()).content.decode()
    url = reverse("projects:project_act", args=[p.pk])
    client_for("invest").post(url, {"action": "urge", "text": "自己督办自己"})
    client_for("other_clerk").post(url, {"action": "urge", "text": "越权"})
    client_for("leader").post(url, {"action": "urge", "text": "  "})
    assert not ProjectEvent.objects.filter(project=p, kind="urge").exists()
    client_for("leader").post(url, {"action": "urge", "text": "请本周内补齐设备进场节点"})
    assert ProjectEvent.objects.get(project=p, kind="urge").text == "督办：请本周内补齐设备进场节点"
    assert Notification.objects.filter(user=cast.invest, title__contains="领导督办").exists()
    p.owner = None
    p.save()
    with pytest.raises(ValidationError):
        actions.do_urge_project(p, "无人负责", acting_user=cast.leader)


def test_a_stage_is_dated_neither_in_year_one_nor_before_the_stage_before(cast):
    """0001-01-01 was stored as a signing day (the page then counted 739,957 days and no edit could
    be saved); 开工 dated before 签约 too."""
    p = lead(cast)
    with pytest.raises(ValidationError, match="早于1900-03-01|不是有效的日期"):
        actions.do_transition_project(p, Stage.NEGOTIATING, acting_user=cast.invest, on=dt.date(1, 1, 1))
    day = timezone.localdate() - dt.timedelta(days=30)
    p = to_signed(lead(cast, name="次序项目"), cast.invest, on=day)
    p.fixed_asset_investment = Decimal("600000000")
    p.save()
    evidence(p, "施工许可证", cast.invest)
    with pytest.raises(ValidationError, match="日期不能早于签约日期"):
        actions.do_transition_project(p, Stage.STARTED, acting_user=cast.invest, on=day - dt.timedelta(days=1))
    p.refresh_from_db()
    assert p.stage == Stage.SIGNED and p.started_on is None


def test_what_happened_is_not_dated_in_the_future_nor_a_moment_in_year_one(cast):
    from django.core.exceptions import ValidationError as Refused

    from feidi.core.actions import plausible_dates
    from feidi.projects.models import Milestone

    p = lead(cast, name="里程碑项目")
    with pytest.raises(Refused, match="将来的日期"):
        plausible_dates(Milestone(project=p, name="环评批复", actual_on=timezone.localdate() + dt.timedelta(days=1)))
    moment = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    from feidi.auctions.models import Lot

    with pytest.raises(Refused) as refused:
        plausible_dates(Lot(opens_at=moment, closes_at=timezone.now()))
    assert "opens_at" in refused.value.message_dict


def test_a_report_of_year_one_is_refused(cast):
    from feidi.projects.reports import ReportDateError
    from feidi.projects.reports import generate_biweekly

    with pytest.raises(ReportDateError, match="1900"):
        generate_biweekly(cast.dept_a, dt.date(1899, 12, 31), acting_user=cast.leader)


def test_a_weeks_dispatch_is_the_zones_and_a_second_one_is_refused_on_its_week(cast):
    """The project office (an office under the 管委会) saved the add page untouched and made a second
    第50周调度会 beside the zone's: the meeting is the zone's, and a second one of its week is refused
    on the week, not by the database."""
    from django.test import Client

    from feidi.testing.cast import _user

    office = _user("pmo_bureau", "甲区项目办", roles=["project_office"], department=cast.dept_a_bureau)
    client = Client()
    client.force_login(office)
    url = reverse("projects:dispatch_add")
    from tests.test_roles import submit_as_rendered

    assert submit_as_rendered(client, url).status_code == 302
    first = Dispatch.objects.get()
    assert first.department_id == cast.dept_a.pk  # the zone's, not the office's
    again = submit_as_rendered(client, url)
    assert again.status_code == 200 and f"该周已有调度会：{first.title}" in again.content.decode()
    assert Dispatch.objects.count() == 1


def test_a_project_is_given_only_to_staff_of_its_own_zone(cast, client_for):
    """Whom a project can be reassigned to is the project's zone's staff, not the assigning user's: a
    leader moved to another zone, still the project's 挂点领导, handed a project of his old zone to
    the new zone's clerk."""
    from feidi.accounts.models import User

    p = key_project(cast, name="跨区改派项目")
    User.objects.filter(pk=cast.leader.pk).update(department=cast.dept_b)
    leader = client_for("leader")
    page = leader.get(p.get_absolute_url()).content.decode()
    assert page.count(f'value="{cast.other_clerk.pk}"') == 0
    url = reverse("projects:project_act", args=[p.pk])
    leader.post(url, {"action": "reassign", "owner": cast.other_clerk.pk, "text": "改派"})
    assert Project.objects.get(pk=p.pk).owner_id == cast.invest.pk
    leader.post(url, {"action": "reassign", "owner": cast.clerk.pk, "text": "改派"})  # of the zone, but no 招商 role
    assert Project.objects.get(pk=p.pk).owner_id == cast.invest.pk
    colleague = _investment_officer(cast, "同事")
    assert page.count(f'value="{cast.clerk.pk}"') == 0 and f'value="{colleague.pk}"' in leader.get(
        p.get_absolute_url()).content.decode()
    leader.post(url, {"action": "reassign", "owner": colleague.pk, "text": "改派"})
    assert Project.objects.get(pk=p.pk).owner_id == colleague.pk


def test_a_person_switched_off_holds_no_project_and_is_given_none(cast):
    """His projects go back to the pool (公海) with an event, his zone claims or reassigns them; a
    project is never given to an account that is switched off."""
    from feidi.accounts.actions import do_update_user
    from feidi.accounts.models import User

    p = key_project(cast, name="停用人员的项目")
    assert p.owner_id == cast.invest.pk
    gone = User.objects.get(pk=cast.invest.pk)
    gone.is_active = False
    do_update_user(gone, acting_user=cast.sysadmin)
    p.refresh_from_db()
    assert p.owner_id is None and p.pooled_at is not None
    assert ProjectEvent.objects.filter(project=p, text__contains="已停用或调离").exists()
    with pytest.raises(ValidationError, match="账号已停用"):
        actions.do_reassign_project(p, gone, acting_user=cast.leader)


def test_a_departing_officers_tasks_and_leaderships_are_handed_on_and_new_work_is_told(cast):
    """Switching an account off hands on every kind of project work it held: its projects go to the
    pool, its open dispatch tasks back to their unit (whose people are told), and the projects it was
    挂点领导 of lose him (their owner told to name another). A task given to a unit alone, or a
    problem to its 责任单位, tells the people who will find it in 我的待办."""
    from feidi.accounts.actions import do_update_user
    from feidi.accounts.models import User

    colleague = _investment_officer(cast, "同事")
    p = key_project(cast, leader=colleague)
    task = actions.do_save_part(Task(project=p, decision="协调电力增容", owner_department=cast.dept_a_bureau,
                                     owner=colleague, deadline=dt.date(2026, 12, 31)), acting_user=cast.leader)
    assert Notification.objects.filter(user=colleague, title__contains="调度任务").count() == 1
    unit_task = actions.do_save_part(Task(project=p, decision="办理施工许可", owner_department=cast.dept_a_bureau,
                                          deadline=dt.date(2026, 12, 31)), acting_user=cast.leader)
    told = set(Notification.objects.filter(title__contains="调度任务", body__contains="办理施工许可")
               .values_list("user__username", flat=True))
    assert {"invest", "colleague"} <= told and "leader" not in told  # not the one who recorded it
    actions.do_save_part(Problem(project=p, description="用地指标不足", owner_department=cast.dept_a_bureau,
                                 deadline=dt.date(2026, 12, 31)), acting_user=cast.leader)
    assert Notification.objects.filter(user=cast.invest, title__contains="项目问题", body__contains="用地指标").exists()

    gone = User.objects.get(pk=colleague.pk)
    gone.is_active = False
    do_update_user(gone, acting_user=cast.sysadmin)
    task.refresh_from_db()
    p.refresh_from_db()
    assert task.owner_id is None and unit_task.owner_id is None and p.leader_id is None
    assert Notification.objects.filter(user=cast.invest, title__contains="调度任务", body__contains="原责任人同事").exists()
    assert Notification.objects.filter(user=cast.invest, title__contains="挂点领导需重新指定").exists()
    assert ProjectEvent.objects.filter(project=p, text__contains="原挂点领导同事").exists()


def test_only_someone_who_can_follow_a_project_up_is_named_its_owner_or_a_tasks(cast):
    """A project's 负责人 moves it on and a task's 责任人 reports it done: naming an account whose
    roles cannot is refused on the field, on every path."""
    p = key_project(cast)
    p.owner = cast.clerk  # 园区办事员: no project role
    with pytest.raises(ValidationError, match="不能担任负责人"):
        actions.do_save_project(p, acting_user=cast.invest)
    with pytest.raises(ValidationError, match="不能担任责任人"):
        actions.do_save_part(Task(project=p, decision="x", owner_department=cast.dept_a_bureau, owner=cast.ent_a,
                                  deadline=dt.date(2026, 12, 31)), acting_user=cast.leader)
