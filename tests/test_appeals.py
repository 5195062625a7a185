"""Appeals: states, working-day deadlines, the four-level escalation sweep, suspension, rating."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from feidi.core.actions import ConflictError
from feidi.core.calendar import clock
from feidi.core.models import Notification
from feidi.services import actions
from feidi.services.models import Appeal
from feidi.services.models import AppealEvent
from feidi.testing.factories import _appeal
from feidi.testing.factories import _service_settings

TZ = timezone.get_current_timezone()


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def appeal(cast):
    return _appeal(cast)


def accept_at(appeal, when, user):
    """Accept as if at ``when`` (the deadline follows the calendar from that moment)."""
    appeal = actions.do_accept_appeal(appeal, acting_user=user)
    Appeal.objects.filter(pk=appeal.pk).update(accepted_at=when, **clock(when, actions.limit_days(appeal)).fields)
    appeal.refresh_from_db()
    return appeal


def test_a_filed_appeal_goes_to_the_enterprises_linked_cadre(cast, appeal):
    assert appeal.status == "submitted" and appeal.level == 1 and appeal.owner == cast.clerk
    assert Notification.objects.filter(user=cast.clerk, title__contains="新的企业诉求").exists()


def test_the_deadline_counts_working_days_across_the_spring_festival(cast, appeal):
    # 用地: 10 working days. Accepted Monday 2025-01-27: holidays 1-28…2-04, make-up Saturday 2-08.
    appeal = accept_at(appeal, at(2025, 1, 27, 10), cast.clerk)
    # Working days after 1-27: 2-05,06,07,08(make-up),10,11,12,13,14,17 → the 10th is 2-17.
    assert timezone.localtime(appeal.deadline) == at(2025, 2, 18, 0, 0)


def test_only_allowed_transitions_happen(cast, appeal):
    with pytest.raises(ConflictError):
        actions.do_close_appeal(appeal, "办好了", acting_user=cast.clerk)  # not accepted yet
    actions.do_accept_appeal(appeal, acting_user=cast.clerk)
    with pytest.raises(ConflictError):
        actions.do_accept_appeal(Appeal.objects.get(pk=appeal.pk), acting_user=cast.clerk)
    with pytest.raises(ValidationError):
        actions.do_close_appeal(Appeal.objects.get(pk=appeal.pk), "  ", acting_user=cast.clerk)


@pytest.mark.parametrize("offset,escalates", [(-1, False), (0, False), (1, True)])
def test_escalation_exactly_at_just_before_and_just_after_the_deadline(cast, appeal, offset, escalates):
    appeal = accept_at(appeal, at(2025, 3, 3, 9), cast.clerk)
    moment = appeal.deadline + dt.timedelta(microseconds=offset)
    assert actions.sweep(now=moment) == int(escalates)
    appeal.refresh_from_db()
    assert appeal.level == (2 if escalates else 1)


def test_the_sweep_climbs_one_level_at_a_time_to_the_principal_leader_and_is_idempotent(cast, appeal):
    appeal = accept_at(appeal, at(2025, 3, 3, 9), cast.clerk)
    owners = [appeal.owner]
    moment = appeal.deadline
    for level in (2, 3, 4):
        moment += dt.timedelta(days=30)
        assert actions.sweep(now=moment) == 1
        assert actions.sweep(now=moment) == 0  # a second sweep at the same moment does nothing
        appeal.refresh_from_db()
        assert appeal.level == level and appeal.deadline > moment
        owners.append(appeal.owner)
    assert owners == [cast.clerk, cast.clerk, cast.clerk, cast.leader]  # cadre, group leader, office head, leader
    assert actions.sweep(now=moment + dt.timedelta(days=60)) == 0  # level 4 is the top
    assert AppealEvent.objects.filter(appeal=appeal, kind="escalate").count() == 3
    assert Notification.objects.filter(user=cast.leader, title__contains="升级至第4级").exists()
    from feidi.core import audit

    assert audit.verify().ok  # the batch-appended records chain like any other


def test_time_is_measured_against_the_first_levels_deadline_past_escalation(cast, appeal):
    """用时压缩 measures an appeal against the deadline it was promised: escalation keeps the
    first level's (the next level's would count the days it overran as time allowed), on a
    second escalation too; the appeals escalated before the field existed take it from the audit
    trail."""
    import importlib

    from django.apps import apps

    from feidi.core import stats

    appeal = accept_at(appeal, at(2025, 3, 3, 9), cast.clerk)
    first = appeal.deadline
    for level in (2, 3):
        assert actions.sweep(now=appeal.deadline + dt.timedelta(hours=1)) == 1
        appeal.refresh_from_db()
        assert appeal.level == level and appeal.first_deadline == first and appeal.deadline > first
    closed = appeal.deadline - dt.timedelta(hours=1)  # settled by the third level in its own time
    Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.CLOSED, closed_at=closed,
                                               submitted_at=at(2025, 3, 3, 8))
    appeal.refresh_from_db()
    answer = stats.evaluate(stats.parse({"subject": "appeals", "measure": "compression", "window": "all"},
                                        cast.leader), cast.leader)
    taken, allowed = closed - appeal.submitted_at, first - appeal.submitted_at
    assert float(answer.figures[0].value) == pytest.approx(1 - taken / allowed)  # overran: a negative 压缩
    assert answer.figures[0].value < 0 and "按期0件" in answer.figures[0].detail
    # the migration's backfill reads the escalation's audit record
    Appeal.objects.filter(pk=appeal.pk).update(first_deadline=None)
    importlib.import_module("feidi.services.migrations.0006_appeal_first_deadline").first_deadlines(apps, None)
    appeal.refresh_from_db()
    assert appeal.first_deadline == first


def test_a_closed_appeal_is_never_escalated(cast, appeal):
    appeal = accept_at(appeal, at(2025, 3, 3, 9), cast.clerk)
    actions.do_close_appeal(appeal, "已协调解决", acting_user=cast.clerk)
    assert actions.sweep(now=appeal.deadline + dt.timedelta(days=10)) == 0


def test_suspension_stops_the_clock_within_the_limits(cast, appeal):
    rules = _service_settings(cast)
    appeal = accept_at(appeal, at(2025, 3, 3, 9), cast.clerk)
    deadline = appeal.deadline
    appeal = actions.do_suspend_appeal(appeal, "等待企业补充规划图纸", acting_user=cast.clerk)
    Appeal.objects.filter(pk=appeal.pk).update(suspended_at=at(2025, 3, 5, 9))
    appeal.refresh_from_db()
    assert actions.sweep(now=deadline + dt.timedelta(days=3)) == 0  # suspended: no escalation
    appeal = actions.do_resume_appeal(appeal, acting_user=cast.clerk, now=at(2025, 3, 10, 9))  # Wed → Mon: 3 days
    assert appeal.deadline == clock(deadline - dt.timedelta(days=1), 3).deadline
    for _ in range(rules.max_suspends - 1):
        appeal = actions.do_suspend_appeal(appeal, "再补材料", acting_user=cast.clerk)
        appeal = actions.do_resume_appeal(appeal, acting_user=cast.clerk)
    with pytest.raises(ValidationError, match="上限"):
        actions.do_suspend_appeal(appeal, "第三次", acting_user=cast.clerk)


def test_a_bad_rating_reopens_and_a_good_one_ends_it(cast, appeal):
    appeal = actions.do_accept_appeal(appeal, acting_user=cast.clerk)
    appeal = actions.do_close_appeal(appeal, "已办结", acting_user=cast.clerk)
    appeal = actions.do_rate_appeal(appeal, 2, "没解决", acting_user=cast.ent_a)
    assert appeal.status == "handling" and appeal.deadline > timezone.now()
    appeal = actions.do_close_appeal(appeal, "再次协调", acting_user=cast.clerk)
    with pytest.raises(PermissionDenied):
        actions.do_rate_appeal(appeal, 5, acting_user=cast.ent_b)  # another enterprise cannot rate
    appeal = actions.do_rate_appeal(appeal, 5, "满意", acting_user=cast.ent_a)
    assert appeal.status == "rated" and appeal.rating == 5


def test_the_enterprise_sees_replies_not_internal_notes(cast, appeal, client_for):
    actions.do_reply_appeal(appeal, "已联系自然资源局", public=True, acting_user=cast.clerk)
    actions.do_reply_appeal(appeal, "内部：需领导协调", public=False, acting_user=cast.clerk)
    url = reverse("services:appeal_detail", kwargs={"pk": appeal.pk})
    page = client_for("ent_a").get(url).content.decode()
    assert "已联系自然资源局" in page and "需领导协调" not in page
    assert "1级·挂点干部" in page
    assert "需领导协调" in client_for("leader").get(url).content.decode()
    assert client_for("ent_b").get(url).status_code == 404


def test_an_enterprise_files_through_the_page_and_the_cadre_acts(cast, client_for):
    _service_settings(cast)
    from feidi.core.models import DictItem

    category = DictItem.objects.get(type__code="appeal_category", code="utilities")
    c = client_for("ent_a")
    response = c.post(reverse("services:appeal_add"), {"organization": cast.org_b1.pk, "category": category.pk,
                                                       "title": "越权", "content": "x", "_form_token": "a"})
    assert response.status_code == 200 and not Appeal.objects.filter(title="越权").exists()
    response = c.post(reverse("services:appeal_add"), {"organization": cast.org_a1.pk, "category": category.pk,
                                                       "title": "停电", "content": "厂区频繁停电", "_form_token": "b"})
    appeal = Appeal.objects.get(title="停电")
    assert response.status_code == 302 and appeal.organization == cast.org_a1


def test_the_sweep_command(cast, appeal):
    Appeal.objects.filter(pk=appeal.pk).update(status="accepted", deadline=timezone.now() - dt.timedelta(hours=1))
    call_command("appeals", "sweep")
    appeal.refresh_from_db()
    assert appeal.level == 2


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                    reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_sweep_racing_closes_neither_escalates_a_closed_appeal_nor_loses_a_close(cast):
    appeals = [_appeal(cast) for _ in range(30)]
    past = timezone.now() - dt.timedelta(hours=1)
    for a in appeals:
        actions.do_accept_appeal(Appeal.objects.get(pk=a.pk), acting_user=cast.clerk)
    Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(deadline=past)
    closed, errors = [], []

    def close_all():
        try:
            for a in appeals:
                try:
                    actions.do_close_appeal(Appeal.objects.get(pk=a.pk), "办结", acting_user=cast.clerk)
                    closed.append(a.pk)
                except ConflictError:
                    # escalated in between: its version moved; the officer retries once
                    actions.do_close_appeal(Appeal.objects.get(pk=a.pk), "办结", acting_user=cast.clerk)
                    closed.append(a.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def sweep():
        try:
            actions.sweep()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close_all), threading.Thread(target=sweep)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(closed) == sorted(a.pk for a in appeals)
    for a in Appeal.objects.filter(pk__in=[a.pk for a in appeals]):
        assert a.status == "closed"  # no close was lost
        assert a.level in (1, 2)  # never escalated twice
        escalations = AppealEvent.objects.filter(appeal=a, kind="escalate").count()
        assert escalations == a.level - 1


def test_the_api_files_acts_and_measures(cast, client_for):
    _service_settings(cast)
    from feidi.testing.factories import _assignment

    _assignment(cast)
    ent = client_for("ent_a")
    response = ent.post("/api/v1/services/appeals", {"organization_id": cast.org_a1.pk, "category": "approval",
                                                     "title": "环评批复", "content": "请加快环评批复"},
                        content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    bad = ent.post("/api/v1/services/appeals", {"organization_id": cast.org_b1.pk, "category": "approval",
                                                "title": "x", "content": "x"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    # another zone's enterprise is as unknown as one that does not exist, and the answer names the field
    assert bad.json()["fields"]["organization_id"] == [f"单位 {cast.org_b1.pk} 不存在或不在您的范围"]
    leader = client_for("leader")
    for action, text in (("accept", ""), ("close", "已批复")):
        r = leader.post(f"/api/v1/services/appeals/{pk}/actions", {"action": action, "text": text},
                        content_type="application/json")
        assert r.status_code == 200, r.content
    r = ent.post(f"/api/v1/services/appeals/{pk}/actions", {"action": "rate", "rating": 4},
                 content_type="application/json")
    assert r.json()["status"] == "rated"
    rows = leader.get("/api/v1/services/measures", {"by": "category"}).json()
    row = next(r for r in rows if r["label"] == "审批")
    assert row["count"] == 1 and row["closed"] == 1 and row["on_time"] == 1 and row["satisfaction"] == 4.0
    assert row["avg_accept_workdays"] == 0
    assert client_for("ent_b").get(f"/api/v1/services/appeals/{pk}").status_code == 404


def test_the_measures_page_counts_only_what_the_user_sees(cast, appeal, client_for):
    url = reverse("services:appeal_measures")
    page = client_for("leader").get(url, {"by": "category", "start": "2000-01-01"})
    assert page.status_code == 200 and [r["label"] for r in page.context["rows"]] == ["用地"]
    for outsider in ("other_clerk", "ent_a", "ent_b", "inst"):
        assert client_for(outsider).get(url).status_code == 403


def test_attachments_are_checked_and_served_only_within_scope(cast, appeal, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 1024
    ent = client_for("ent_a")
    url = reverse("services:appeal_attach", kwargs={"pk": appeal.pk})
    ent.post(url, {"file": SimpleUploadedFile("规划图.pdf", b"%PDF-1.7\n" + b"x" * 100)})
    fake = ent.post(url, {"file": SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00" + b"x" * 100)}, follow=True)
    assert "不符" in fake.content.decode()
    big = ent.post(url, {"file": SimpleUploadedFile("大文件.pdf", b"%PDF-" + b"x" * 2000)}, follow=True)
    assert "上限" in big.content.decode()
    exe = ent.post(url, {"file": SimpleUploadedFile("a.exe", b"MZ")}, follow=True)
    assert "不支持的文件类型" in exe.content.decode()
    attachments = list(appeal.attachments.all())
    assert [a.name for a in attachments] == ["规划图.pdf"]
    file_url = reverse("services:appeal_file", kwargs={"pk": appeal.pk, "attachment": attachments[0].pk})
    response = ent.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    for outsider in ("ent_b", "other_clerk", "inst"):
        assert client_for(outsider).get(file_url).status_code in (403, 404)
    # a name longer than the column is shortened with its extension kept, and so downloaded
    ent.post(url, {"file": SimpleUploadedFile("图" * 300 + ".pdf", b"%PDF-1.7\n" + b"x" * 100)})
    long = appeal.attachments.exclude(pk=attachments[0].pk).get()
    assert len(long.name) == 200 and long.name.endswith("图.pdf")
    response = ent.get(reverse("services:appeal_file", kwargs={"pk": appeal.pk, "attachment": long.pk}))
    assert ".pdf" in response["Content-Disposition"]


def test_a_cadre_sees_the_enterprises_linked_to_him_and_their_appeals(cast, appeal, client_for):
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.services.models import Assignment

    cadre = User(username="cadre2", full_name="挂点干部乙", department=cast.dept_a_bureau)
    do_create_user(cadre, password=None, roles=[Role.objects.get(code="service_cadre")], acting_user=None)
    cadre.password_changed_at = timezone.now()
    cadre.save()
    from django.test import Client

    c = Client()
    c.force_login(cadre)
    detail = reverse("services:appeal_detail", kwargs={"pk": appeal.pk})
    assert c.get(detail).status_code == 404  # not linked yet
    Assignment.objects.filter(organization=cast.org_a1).update(cadre=cadre)
    assert c.get(detail).status_code == 200
    orgs = c.get(reverse("registry:organization_list")).content.decode()
    assert "甲光伏科技有限公司" in orgs and "乙锂电材料有限公司" not in orgs


def test_a_new_cadre_link_ends_the_previous_one(cast, appeal, client_for):
    from feidi.services.models import Assignment
    from feidi.testing.factories import _service_group

    old = Assignment.objects.get(organization=cast.org_a1, until__isnull=True)
    from feidi.accounts.models import Role
    from feidi.accounts.roles import resolve_permissions

    Role.objects.get(code="zone_leader").permissions.add(*resolve_permissions(["services.add_assignment"]))
    c = client_for("leader")
    response = c.post(reverse("services:assignment_add"), {
        "organization": cast.org_a1.pk, "cadre": cast.leader.pk, "group": _service_group(cast).pk,
        "since": "2026-03-01", "_form_token": "as1"})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    old.refresh_from_db()
    assert old.until == dt.date(2026, 2, 28)
    assert Assignment.objects.get(organization=cast.org_a1, until__isnull=True).cadre == cast.leader


def test_category_time_limits_are_edited_as_dictionary_attributes(cast, client_for):
    from feidi.core.models import DictItem

    item = DictItem.objects.get(type__code="appeal_category", code="land")
    c = client_for("sysadmin")
    url = reverse("core:dictitem_edit", kwargs={"pk": item.pk})
    base = {"type": item.type_id, "code": "land", "label": "用地", "order": 1, "active": "on"}
    bad = c.post(url, {**base, "extra": '{"limit_days": 0}'})
    assert bad.status_code == 200 and "limit_days" in bad.content.decode()
    assert c.post(url, {**base, "extra": '{"limit_days": 15}'}).status_code == 302
    item.refresh_from_db()
    assert item.extra == {"limit_days": 15}


def test_work_is_assigned_only_to_colleagues_of_ones_own_zone(cast):
    from feidi.accounts.models import User

    names = set(User.objects.colleagues_of(cast.leader).values_list("username", flat=True))
    assert {"leader", "clerk"} <= names
    assert not names & {"other_clerk", "ent_a", "inst"}
    assert not User.objects.colleagues_of(cast.ent_a).exists()


# --- every appeal waits on somebody -----------------------------------------------------------------


def _staff(username, role, department):
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User

    user = User(username=username, full_name=username, department=department, password_changed_at=timezone.now())
    do_create_user(user, password=None, roles=[Role.objects.get(code=role)], acting_user=None)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def served(cast):
    """Zone A's 安商办主任 (``service``, the level-3 owner) and a 挂点干部 (``cadre``) of the first
    enterprise; the second enterprise has no cadre."""
    from feidi.services.models import Assignment
    from feidi.testing.factories import _assignment

    rules = _service_settings(cast)
    service = _staff("service", "service_office", cast.dept_a)
    cadre = _staff("cadre", "service_cadre", cast.dept_a_bureau)
    rules.office_head = service
    rules.save(update_fields=["office_head"])
    _assignment(cast)
    Assignment.objects.filter(organization=cast.org_a1).update(cadre=cadre)
    assert not Assignment.objects.filter(organization=cast.org_a2).exists()
    return {"service": service, "cadre": cadre}


def _groups(user):
    from feidi.core import workbench

    return {t.key: t for t in workbench.for_user(user, limit=30)}


def test_an_appeal_of_an_enterprise_nobody_serves_goes_to_the_office_head(cast, served, client):
    """Filed through the API by the 安商办 for an enterprise with no 挂点干部: its handler is the
    zone's 安商办主任, who is told and finds it waiting, not nobody."""
    client.force_login(served["service"])
    response = client.post("/api/v1/services/appeals", {"organization_id": cast.org_a2.pk, "category": "approval",
                                                          "title": "乙企业环评", "content": "请协调环评"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(pk=response.json()["id"])
    assert appeal.owner == served["service"] and appeal.level == 1
    assert Notification.objects.filter(user=served["service"], title__contains="新的企业诉求").exists()
    assert appeal.get_absolute_url() in [i.url for i in _groups(served["service"])["appeal_accept"].items]
    assert "appeal_accept" not in _groups(served["cadre"])


def test_an_appeal_of_a_zone_without_its_settings_waits_for_whoever_may_handle_it(cast):
    """No 服务设置 in zone B, no cadre: nobody is named, so everyone there who may handle appeals is
    told and finds it waiting — and nobody of another zone."""
    from feidi.core.models import DictItem

    handler = _staff("b_service", "service_office", cast.dept_b)
    category = DictItem.objects.get(type__code="appeal_category", code="land")
    appeal = actions.do_file_appeal(Appeal(organization=cast.org_b1, category=category, title="乙区用地",
                                           content="内容"), acting_user=cast.other_clerk)
    assert appeal.owner is None
    assert Notification.objects.filter(user=handler, title__contains="新的企业诉求").exists()
    assert _groups(handler)["appeal_accept"].count == 1
    actions.do_accept_appeal(appeal, acting_user=handler)
    assert _groups(handler)["appeal_handle"].count == 1
    assert "appeal_handle" not in _groups(cast.leader)  # zone A's leader


def _unrouted(cast):
    """Zone B's appeal filed before its 服务设置 and any 挂点干部 were entered: it waits on nobody."""
    from feidi.core.models import DictItem

    category = DictItem.objects.get(type__code="appeal_category", code="land")
    appeal = actions.do_file_appeal(Appeal(organization=cast.org_b1, category=category, title="乙区用地",
                                           content="内容"), acting_user=cast.other_clerk)
    assert appeal.owner is None
    return appeal


def test_entering_a_zones_settings_gives_its_appeals_that_waited_on_nobody_their_handler(cast, client):
    """Zone B's 安商办 enters its 服务设置 on the page: the appeal filed before, which waited on
    nobody, now waits on the 安商办主任 (the first level's handler when nobody serves the
    enterprise) — told, with an internal note on the appeal and an audit row; zone A's appeal,
    which has its handler, is left alone."""
    from feidi.core.models import AuditRecord

    waiting = _unrouted(cast)
    routed = _appeal(cast)
    head = _staff("b_head", "service_office", cast.dept_b)
    leader = _staff("b_leader", "zone_leader", cast.dept_b)
    client.force_login(head)
    offered = client.get(reverse("services:servicesettings_add")).context["form"].fields["department"].queryset
    assert cast.dept_b in offered and cast.dept_a not in offered  # its own zone's units, whatever its data scope
    r = client.post(reverse("services:servicesettings_add"), {**dict.fromkeys(("name",), "无园区的设置"),
                                                               "office_head": head.pk, "principal_leader": leader.pk})
    assert r.status_code == 200 and "department" in r.context["form"].errors  # a setting for no zone: refused
    r = client.post(reverse("services:servicesettings_add"), {
        "name": "乙区服务设置", "department": cast.dept_b.pk, "office_head": head.pk, "principal_leader": leader.pk,
        "level2_days": 3, "level3_days": 3, "level4_days": 5, "reopen_below": 3, "max_suspend_days": 30,
        "max_suspends": 2})
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    waiting.refresh_from_db()
    assert waiting.owner == head and waiting.level == 1
    assert waiting.events.filter(kind="assign", public=False, text__contains="b_head").exists()
    assert AuditRecord.objects.filter(model="services.appeal", object_id=str(waiting.pk), action="update",
                                      user_id_snapshot=head.pk).exists()
    assert Notification.objects.filter(user=head, title__contains="待办理的企业诉求").exists()
    assert waiting.get_absolute_url() in [i.url for i in _groups(head)["appeal_accept"].items]
    before = routed.version
    routed.refresh_from_db()
    assert routed.owner == cast.clerk and routed.version == before


def test_a_cadre_linked_later_takes_the_enterprises_appeal_that_waited_on_nobody(cast):
    from feidi.services.models import Assignment
    from feidi.services.models import ServiceGroup

    waiting = _unrouted(cast)
    cadre = _staff("b_cadre", "service_cadre", cast.dept_b)
    group = ServiceGroup.objects.create(name="乙区服务组", department=cast.dept_b, leader=cadre)
    actions.do_assign_cadre(Assignment(organization=cast.org_b1, cadre=cadre, group=group, since=dt.date(2026, 1, 1)),
                            acting_user=cast.other_clerk)
    waiting.refresh_from_db()
    assert waiting.owner == cadre


def test_the_sweep_routes_appeals_left_without_a_handler_and_one_that_still_has_none_stays(cast):
    """Appeals stored without a handler by an earlier release in a zone whose settings exist are
    given theirs by the next sweep; one in a zone with nothing entered stays unrouted."""
    from feidi.services.models import ServiceSettings

    waiting = _unrouted(cast)
    actions.sweep()
    waiting.refresh_from_db()
    assert waiting.owner is None  # zone B: nobody to give it to yet
    head = _staff("b_head", "service_office", cast.dept_b)
    ServiceSettings.objects.create(name="乙区服务设置", department=cast.dept_b, office_head=head,
                                   principal_leader=head)  # written around the actions (an import, an old release)
    old = _appeal(cast)
    Appeal.objects.filter(pk=old.pk).update(owner=None)
    actions.sweep()
    waiting.refresh_from_db()
    old.refresh_from_db()
    assert waiting.owner == head and old.owner == cast.clerk


def test_a_cadre_who_has_left_passes_the_appeal_to_the_next_one_up(cast, served):
    from feidi.accounts.models import User

    User.objects.filter(pk=served["cadre"].pk).update(is_active=False)
    appeal = _appeal(cast)
    assert appeal.owner == cast.clerk  # the group's leader (the factories' group is led by the clerk)


def test_an_appeal_not_accepted_within_a_working_day_is_late_for_its_handler_and_the_office_head(cast, served,
                                                                                                  client):
    """The specification sets no 受理时限: an appeal not accepted by the end of the working day after
    its submission shows as late on its handler's list and on the zone's 安商办主任's (it is not
    escalated: the clock the specification sets runs from acceptance)."""
    from feidi.services import todos

    appeal = _appeal(cast)
    cadre, service = served["cadre"], served["service"]
    fresh = _groups(cadre)["appeal_accept"]
    assert fresh.count == 1 and not fresh.urgent and not fresh.items[0].overdue
    assert "appeal_accept" not in _groups(service)
    Appeal.objects.filter(pk=appeal.pk).update(submitted_at=timezone.now() - dt.timedelta(days=20))
    late = _groups(cadre)["appeal_accept"]
    assert late.urgent == 1 and late.items[0].overdue and "超过1个工作日未受理" in late.items[0].note
    head = _groups(service)["appeal_accept"]
    assert head.count == head.urgent == 1 and "办理人：cadre" in head.items[0].note
    client.force_login(service)
    assert appeal.title in client.get(head.url).content.decode()
    assert actions.sweep() == 0  # no deadline yet: late for acceptance is shown, not escalated
    assert todos.ACCEPT_DAYS == 1


def test_late_for_acceptance_is_one_working_day_on_the_calendar(cast):
    """``accept_late_before`` (the query's cut-off) agrees with ``acceptance_due`` (an item's
    deadline, counted by ``clock``) for submissions around the 2026 Spring Festival and a weekend."""
    from feidi.core.calendar import current_calendar
    from feidi.core.calendar import end_of
    from feidi.services import todos

    cal = current_calendar(guess=True)
    start = dt.date(2026, 2, 5)
    for today in (start + dt.timedelta(days=n) for n in range(0, 26)):
        cut = todos.accept_late_before(today)
        for submitted in (at(d.year, d.month, d.day, h) for d in (today - dt.timedelta(days=n) for n in range(0, 14))
                          for h in (0, 9, 23)):
            due = clock(submitted, todos.ACCEPT_DAYS, cal).deadline
            assert (submitted < cut) == (due <= end_of(today - dt.timedelta(days=1))), (today, submitted)


def test_the_enterprises_answer_to_a_suspended_appeal_tells_its_handler_and_waits_on_him(cast, served, client_for):
    cadre = served["cadre"]
    appeal = _appeal(cast)
    actions.do_reply_appeal(appeal, "先行说明情况", public=True, acting_user=cast.ent_a)  # before the suspension
    appeal = actions.do_suspend_appeal(actions.do_accept_appeal(appeal, acting_user=cadre), "请补充规划图纸",
                                       acting_user=cadre)
    actions.do_reply_appeal(appeal, "内部：等企业材料", public=False, acting_user=cadre)
    assert "appeal_handle" not in _groups(cadre)  # waiting on the enterprise
    assert not Notification.objects.filter(title__contains="企业已补充材料").exists()
    actions.do_reply_appeal(appeal, "规划图纸已补充", public=True, acting_user=cast.ent_a)
    note = Notification.objects.get(title__contains="企业已补充材料")
    assert note.user == cadre and "规划图纸已补充" in note.body and note.url == appeal.get_absolute_url()
    todo = _groups(cadre)["appeal_handle"]
    assert todo.count == 1 and "企业已补充材料" in todo.items[0].note
    c = client_for("leader")
    c.force_login(cadre)
    assert appeal.title in c.get(todo.url).content.decode()
    actions.do_resume_appeal(Appeal.objects.get(pk=appeal.pk), acting_user=cadre)
    assert _groups(cadre)["appeal_handle"].items[0].note == "1级·挂点干部"


# --- the sweep goes on past what it cannot escalate ---------------------------------------------------


def _overdue(cast, n):
    found = []
    for _ in range(n):
        a = actions.do_accept_appeal(_appeal(cast), acting_user=cast.clerk)
        found.append(a.pk)
    Appeal.objects.filter(pk__in=found).update(deadline=timezone.now() - dt.timedelta(hours=1))
    return found


@pytest.mark.parametrize("bad_at", [0, 2, 4])
def test_an_appeal_that_cannot_be_escalated_is_skipped_and_the_others_rise(cast, bad_at):
    ids = _overdue(cast, 5)
    bad = ids[bad_at]
    Appeal.objects.filter(pk=bad).update(level=0)
    failed: list[int] = []
    assert actions.sweep(batch=2, failed=failed) == 4
    assert failed == [bad]
    levels = dict(Appeal.objects.filter(pk__in=ids).values_list("pk", "level"))
    assert levels == {pk: 0 if pk == bad else 2 for pk in ids}
    assert not AppealEvent.objects.filter(appeal_id=bad, kind="escalate").exists()


def test_a_batch_that_fails_as_a_whole_is_taken_one_appeal_at_a_time(cast, monkeypatch):
    ids = _overdue(cast, 4)
    bad = ids[1]
    real = actions.notify_many

    def refuses_one(messages):
        if any(url.endswith(f"/{bad}/") for _, _, _, url, _ in messages):
            raise RuntimeError("a write the database refuses")
        return real(messages)

    monkeypatch.setattr(actions, "notify_many", refuses_one)
    failed: list[int] = []
    assert actions.sweep(batch=3, failed=failed) == 3
    assert failed == [bad]
    assert dict(Appeal.objects.filter(pk__in=ids).values_list("pk", "level")) == {
        pk: 1 if pk == bad else 2 for pk in ids}


def test_the_sweep_command_reports_what_it_skipped(cast):
    import io

    ids = _overdue(cast, 3)
    Appeal.objects.filter(pk=ids[0]).update(level=0)
    out, err = io.StringIO(), io.StringIO()
    call_command("appeals", "sweep", stdout=out, stderr=err)
    assert "已升级 2 件逾期诉求" in out.getvalue()
    assert f"#{ids[0]}" in err.getvalue() and "无法升级" in err.getvalue()


def test_the_sweep_command_says_an_escalated_appeals_deadline_is_provisional_not_that_it_was_not_escalated(cast,
                                                                                                          appeal):
    """The next level's deadline falls in a year whose schedule nobody has entered: the appeal rises
    all the same (its deadline on the weekday rule); the command says so."""
    import io

    from feidi.core.calendar import current_calendar

    cal = current_calendar()
    today = timezone.localdate()
    unknown = next(y for y in range(today.year, today.year + 50) if not cal.knows(y))
    rules = _service_settings(cast)
    rules.level2_days = cal.workdays_between(today, dt.date(unknown - 1, 12, 31)) + 5
    rules.save(update_fields=["level2_days"])
    actions.do_accept_appeal(appeal, acting_user=cast.clerk)
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    out, err = io.StringIO(), io.StringIO()
    call_command("appeals", "sweep", stdout=out, stderr=err)
    appeal.refresh_from_db()
    assert appeal.level == 2 and appeal.deadline.year == unknown
    assert "已升级 1 件逾期诉求" in out.getvalue()
    said = err.getvalue()
    assert "暂按推算" in said and "录入该年节假日安排后将自动重算" in said and f"{unknown} 年" in said
    assert "暂未升级" not in said


def test_an_appeal_is_transferred_to_a_unit_of_the_zone_through_the_page(cast, client_for):
    """转办 and 会办 name a unit of the handler's zone: the form offers them by name (no business role
    sees departments, so it offered none and the step could be done by no one); another zone's unit
    is not offered and is refused."""
    appeal = actions.do_accept_appeal(_appeal(cast), acting_user=cast.leader)
    leader = client_for("leader")
    url = reverse("services:appeal_act", kwargs={"pk": appeal.pk})
    page = leader.get(appeal.get_absolute_url()).content.decode()
    assert f'value="{cast.dept_a_bureau.pk}"' in page and f'value="{cast.dept_b.pk}"' not in page
    leader.post(url, {"action": "transfer", "department": cast.dept_b.pk, "text": "转乙区"})
    assert Appeal.objects.get(pk=appeal.pk).department_id != cast.dept_b.pk
    response = leader.post(url, {"action": "transfer", "department": cast.dept_a_bureau.pk, "text": "转招商局"},
                           follow=True)
    assert "已转办" in response.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).handling_department_id == cast.dept_a_bureau.pk
