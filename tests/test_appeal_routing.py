"""Who an appeal goes to, and who is told: every hand-over picks an active person by one rule
(filing, escalation, a handler switched off, a reopening); one notice per person per message; the
people a step hands the appeal to are told; a step form acts once; an escalation made on a
provisional deadline is checked when the year is entered."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from feidi.accounts.models import User
from feidi.core import notify
from feidi.core.calendar import clock
from feidi.core.models import Delivery
from feidi.core.models import Notification
from feidi.services import actions
from feidi.services.models import Appeal
from feidi.services.models import AppealEvent
from feidi.testing.factories import _appeal
from feidi.testing.factories import _service_settings
from tests.test_appeals import _staff  # one way to make a staff member with one role

TZ = timezone.get_current_timezone()


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def line(cast):
    """Zone A's line, one person a level: 挂点干部 ``cadre``, 服务小组组长 ``head`` (of the factories'
    group), 安商办主任 ``service``, 区主要领导 ``leader``."""
    from feidi.services.models import Assignment
    from feidi.services.models import ServiceGroup
    from feidi.testing.factories import _assignment

    rules = _service_settings(cast)
    service = _staff("service", "service_office", cast.dept_a)
    cadre = _staff("cadre", "service_cadre", cast.dept_a_bureau)
    head = _staff("head", "service_cadre", cast.dept_a_bureau)
    rules.office_head = service
    rules.save(update_fields=["office_head"])
    assignment = _assignment(cast)
    Assignment.objects.filter(organization=cast.org_a1).update(cadre=cadre)
    ServiceGroup.objects.filter(pk=assignment.group_id).update(leader=head)
    return {1: cadre, 2: head, 3: service, 4: cast.leader}


def _off(*users):
    User.objects.filter(pk__in=[u.pk for u in users]).update(is_active=False)


def _todo_urls(user, key="appeal_handle"):
    from feidi.core import workbench

    groups = {t.key: t for t in workbench.for_user(User.objects.get(pk=user.pk), limit=30)}
    return [i.url for i in groups[key].items] if key in groups else []


def _overdue(appeal, level):
    Appeal.objects.filter(pk=appeal.pk).update(status="accepted", level=level,
                                               deadline=timezone.now() - dt.timedelta(hours=1))


# --- 1. work goes only to a person who can sign in --------------------------------------------------

@pytest.mark.parametrize("level,off,expected", [
    (1, [2], 3),     # the group leader left: the 安商办主任
    (2, [3], 4),     # the 安商办主任 left: the 区主要领导
    (3, [4], 3),     # the 区主要领导 left: the 安商办主任 stands in at the top
    (1, [2, 3], 4),  # next in line, as far as it goes
])
def test_escalation_hands_the_appeal_to_the_next_active_person_in_the_line(cast, line, level, off, expected):
    appeal = _appeal(cast)
    _overdue(appeal, level)
    _off(*(line[n] for n in off))
    assert actions.sweep() == 1
    appeal.refresh_from_db()
    assert appeal.level == level + 1 and appeal.owner == line[expected] and appeal.owner.is_active
    assert appeal.get_absolute_url() in _todo_urls(line[expected])
    assert Notification.objects.filter(user=line[expected], title__contains=f"升级至第{level + 1}级").exists()


def test_an_appeal_with_nobody_active_in_its_line_waits_on_no_switched_off_account(cast, line):
    _off(*line.values())
    appeal = _appeal(cast)
    assert appeal.owner is None  # not the departed cadre: the zone's handlers find it waiting
    assert actions.owner_for_level(appeal, 3) is None


def test_a_switched_off_handlers_open_appeals_are_rerouted_with_an_event_and_a_notice(cast, line):
    cadre = line[1]
    submitted, handling, suspended, closed = (_appeal(cast) for _ in range(4))
    for appeal in (handling, suspended, closed):
        actions.do_accept_appeal(Appeal.objects.get(pk=appeal.pk), acting_user=cadre)
    actions.do_suspend_appeal(Appeal.objects.get(pk=suspended.pk), "请补充图纸", acting_user=cadre)
    actions.do_close_appeal(Appeal.objects.get(pk=closed.pk), "已办结", acting_user=cadre)
    Appeal.objects.filter(pk=handling.pk).update(level=3)  # at the third level's handler, for the test's sake
    Appeal.objects.filter(pk=handling.pk).update(owner=cadre)
    # the caller (do_update_user) may re-route before or after saving the account
    assert actions.reroute_open_appeals(cadre, acting_user=cast.sysadmin) == 3
    owners = dict(Appeal.objects.filter(pk__in=[submitted.pk, handling.pk, suspended.pk, closed.pk])
                  .values_list("pk", "owner_id"))
    assert owners == {submitted.pk: line[2].pk, handling.pk: line[3].pk, suspended.pk: line[2].pk,
                      closed.pk: cadre.pk}
    event = AppealEvent.objects.get(appeal=submitted, kind="reassign")
    assert "原办理人cadre" in event.text and "改由head办理" in event.text and not event.public and event.user == cast.sysadmin
    assert Notification.objects.filter(user=line[2], title__contains="转交您办理的企业诉求").count() == 2
    assert submitted.get_absolute_url() in _todo_urls(line[2], "appeal_accept")
    assert actions.reroute_open_appeals(cadre, acting_user=cast.sysadmin) == 0  # idempotent


def test_switching_an_account_off_hands_its_open_appeals_on(cast, line):
    """The account editor's switch-off (``do_update_user``) re-routes at once, in its transaction."""
    from feidi.accounts.actions import do_update_user
    from feidi.accounts.models import User

    cadre = line[1]
    appeal = _appeal(cast)
    assert Appeal.objects.get(pk=appeal.pk).owner_id == cadre.pk
    gone = User.objects.get(pk=cadre.pk)
    gone.is_active = False
    do_update_user(gone, acting_user=cast.sysadmin)
    assert Appeal.objects.get(pk=appeal.pk).owner_id == line[2].pk


def test_moving_a_handler_to_another_zone_hands_its_open_appeals_on(cast, line):
    """A cadre moved to another zone's department works for that zone now: his open appeals here go
    to the next active person in line (he kept them, and was routed new ones)."""
    from feidi.accounts.actions import do_update_user
    from feidi.accounts.models import User

    cadre = line[1]
    appeal = _appeal(cast)
    assert Appeal.objects.get(pk=appeal.pk).owner_id == cadre.pk
    moved = User.objects.get(pk=cadre.pk)
    moved.department = cast.dept_b
    do_update_user(moved, acting_user=cast.sysadmin)
    assert Appeal.objects.get(pk=appeal.pk).owner_id == line[2].pk
    assert "已停用、调离或不再办理诉求" in AppealEvent.objects.filter(appeal=appeal, kind="reassign").get().text
    # the enterprise's next appeal goes to the next in line of its zone, not to him
    from feidi.core.models import DictItem

    category = DictItem.objects.get(type__code="appeal_category", code="land")
    later = actions.do_file_appeal(Appeal(organization=cast.org_a1, category=category, title="再次诉求", content="用地"),
                                   acting_user=cast.ent_a)
    assert later.owner_id == line[2].pk


def test_the_sweep_reroutes_the_appeals_of_an_account_switched_off_elsewhere(cast, line):
    appeal = actions.do_accept_appeal(_appeal(cast), acting_user=line[1])
    _off(line[1])  # switched off by a path that did not re-route (the admin site, the shell)
    actions.sweep()
    appeal.refresh_from_db()
    assert appeal.owner == line[2] and appeal.get_absolute_url() in _todo_urls(line[2])


def test_a_reopened_appeal_whose_handler_has_left_goes_to_the_next_in_line(cast, line):
    appeal = actions.do_accept_appeal(_appeal(cast), acting_user=line[1])
    appeal = actions.do_close_appeal(appeal, "已办结", acting_user=line[1])
    _off(line[1])
    appeal = actions.do_rate_appeal(Appeal.objects.get(pk=appeal.pk), 1, "没解决", acting_user=cast.ent_a)
    assert appeal.status == "handling" and appeal.owner == line[2]
    assert Notification.objects.filter(user=line[2], title__contains="重新办理").exists()


# --- 2. one notice per person per message -----------------------------------------------------------

def test_a_person_named_twice_gets_one_notice_and_one_mail(cast, django_capture_on_commit_callbacks):
    cast.clerk.email = "clerk@example.cn"
    cast.clerk.save(update_fields=["email"])
    twin = User.objects.get(pk=cast.clerk.pk)  # the same person, loaded twice
    notify.notify([cast.clerk, None, twin, cast.leader, cast.clerk], "诉求升级", "正文", "/x/")
    assert Notification.objects.filter(title="诉求升级", user=cast.clerk).count() == 1
    assert Notification.objects.filter(title="诉求升级").count() == 2
    assert Delivery.objects.filter(title="诉求升级", recipient="clerk@example.cn").count() == 1
    notify.notify_many([([cast.clerk, twin], "批量", "", "/y/", None), ([cast.clerk], "批量二", "", "/z/", None)])
    assert Notification.objects.filter(title="批量").count() == 1 and Notification.objects.filter(title="批量二").count() == 1


def test_an_escalation_to_the_person_who_had_it_tells_him_once(cast):
    """The factories' clerk is both the group leader and the 安商办主任: the appeal he held at the
    second level rises to him at the third; one notice, not two."""
    appeal = _appeal(cast)
    _overdue(appeal, 2)
    Appeal.objects.filter(pk=appeal.pk).update(owner=cast.clerk)
    assert actions.sweep() == 1
    assert Notification.objects.filter(user=cast.clerk, title__contains="升级至第3级").count() == 1


# --- 3. the people a step hands the appeal to are told ------------------------------------------------

def test_a_suspension_tells_the_enterprise_what_to_supply(cast, line):
    appeal = actions.do_accept_appeal(_appeal(cast), acting_user=line[1])
    actions.do_suspend_appeal(appeal, "请补充规划图纸和用地红线", acting_user=line[1])
    note = Notification.objects.get(user=cast.ent_a, title__contains="补充材料")
    assert "请补充规划图纸和用地红线" in note.body and note.url == appeal.get_absolute_url()
    assert not Notification.objects.filter(user=cast.ent_b, title__contains="补充材料").exists()  # another enterprise


def test_a_bad_rating_tells_the_handler_it_is_back(cast, line):
    appeal = actions.do_accept_appeal(_appeal(cast), acting_user=line[1])
    appeal = actions.do_close_appeal(appeal, "已协调", acting_user=line[1])
    assert Notification.objects.filter(user=cast.ent_a, title__contains="请评价").exists()  # closing asks for it
    actions.do_rate_appeal(appeal, 1, "仍未供地", acting_user=cast.ent_a)
    note = Notification.objects.get(user=line[1], title__contains="重新办理")
    assert "1星" in note.body and "仍未供地" in note.body


def test_a_return_tells_the_enterprise_why(cast, line):
    actions.do_return_appeal(_appeal(cast), "不属于园区职责范围", acting_user=line[1])
    assert "不属于园区职责范围" in Notification.objects.get(user=cast.ent_a, title__contains="退回").body


def test_a_step_someone_else_takes_on_the_handlers_appeal_tells_him(cast, line):
    appeal = actions.do_accept_appeal(_appeal(cast), acting_user=line[1])
    assert not Notification.objects.filter(user=line[1], title__contains="您办理的诉求").exists()  # his own step
    actions.do_transfer_appeal(appeal, cast.dept_a_bureau, acting_user=cast.leader)
    note = Notification.objects.get(user=line[1], title__contains="您办理的诉求已转办")
    assert str(cast.dept_a_bureau) in note.body


# --- 4. a step form acts once --------------------------------------------------------------------------

def _form(page: str, action: str) -> dict:
    block = page.split(f'name="action" value="{action}"', 1)[1].split("</form>", 1)[0]
    return {"action": action, "_form_token": re.search(r'name="_form_token" value="([^"]+)"', block).group(1)}


def test_a_step_form_posted_twice_acts_once(cast, line, client):
    appeal = actions.do_accept_appeal(_appeal(cast), acting_user=line[1])
    client.force_login(line[1])
    page = client.get(appeal.get_absolute_url()).content.decode()
    tokens = re.findall(r'name="_form_token" value="([^"]+)"', page)
    assert len(tokens) == len(set(tokens)) > 3  # one per rendered step form
    url = reverse("services:appeal_act", kwargs={"pk": appeal.pk})
    reply = {**_form(page, "reply"), "text": "已联系自然资源局"}
    assert client.post(url, reply).status_code == 302
    again = client.post(url, reply, follow=True).content.decode()
    assert "该操作已提交过" in again
    assert AppealEvent.objects.filter(appeal=appeal, kind="reply").count() == 1
    # a refused step spends nothing: the same form, corrected, goes through
    close = _form(page, "close")
    client.post(url, {**close, "text": ""})
    assert Appeal.objects.get(pk=appeal.pk).status == "accepted"
    client.post(url, {**close, "text": "已协调供地"})
    assert Appeal.objects.get(pk=appeal.pk).status == "closed"
    client.post(url, {**close, "text": "已协调供地"})
    assert AppealEvent.objects.filter(appeal=appeal, kind="close").count() == 1


def test_the_enterprises_answer_posted_twice_tells_the_handler_once(cast, line, client_for):
    appeal = actions.do_accept_appeal(_appeal(cast), acting_user=line[1])
    actions.do_suspend_appeal(appeal, "请补充图纸", acting_user=line[1])
    ent = client_for("ent_a")
    page = ent.get(appeal.get_absolute_url()).content.decode()
    url = reverse("services:appeal_act", kwargs={"pk": appeal.pk})
    posted = {**_form(page, "reply"), "text": "图纸已补充"}
    ent.post(url, posted)
    ent.post(url, posted)
    assert AppealEvent.objects.filter(appeal=appeal, kind="reply").count() == 1
    assert Notification.objects.filter(user=line[1], title__contains="企业已补充材料").count() == 1


# --- 5. an escalation made on a provisional deadline is checked when the year is entered ---------------

@pytest.fixture
def february(monkeypatch):
    """2027 not entered: a 用地 appeal (10 working days) accepted on 2027-01-25 is due, on the
    weekday rule, at the end of 2-10; the notice (春节 2-05…2-11, 1-31 a working Sunday) puts it at
    the end of 2-12. The sweep of 2-11 10:00 escalates it on the guess."""
    moment = [at(2027, 2, 11, 10)]
    monkeypatch.setattr(timezone, "now", lambda: moment[0])
    return moment


def _escalated_on_a_guess(cast, line, february):
    appeal = actions.do_accept_appeal(_appeal(cast), acting_user=line[1])
    Appeal.objects.filter(pk=appeal.pk).update(accepted_at=at(2027, 1, 25, 9),
                                               **clock(at(2027, 1, 25, 9), actions.limit_days(appeal)).fields)
    appeal.refresh_from_db()
    assert appeal.deadline == at(2027, 2, 11)
    assert actions.sweep(now=february[0]) == 1
    appeal.refresh_from_db()
    assert appeal.level == 2 and appeal.owner == line[2] and appeal.provisional_escalation["level"] == 1
    return appeal


def test_an_escalation_before_the_true_deadline_is_undone_when_the_year_is_entered(
        cast, line, client_for, february, django_capture_on_commit_callbacks):
    from tests.test_calendar import enter_2027

    appeal = _escalated_on_a_guess(cast, line, february)
    february[0] = at(2027, 2, 11, 15)
    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(client_for("sysadmin"))
    appeal.refresh_from_db()
    assert appeal.level == 1 and appeal.owner == line[1] and appeal.provisional_escalation is None
    assert appeal.deadline == at(2027, 2, 13) and appeal.first_deadline is None  # the end of 2-12
    event = AppealEvent.objects.get(appeal=appeal, kind="unescalate")
    assert "撤销" in event.text and "2027-02-12 24:00" in event.text and not event.public
    assert Notification.objects.filter(user=line[2], title__contains="撤销升级").exists()  # it had gone to him
    assert appeal.get_absolute_url() in _todo_urls(line[1]) and appeal.get_absolute_url() not in _todo_urls(line[2])
    assert actions.sweep(now=february[0]) == 0  # not raised again before its true deadline
    assert actions.sweep(now=at(2027, 2, 13, 9)) == 1  # and raised once it has passed


def test_an_early_escalation_that_cannot_be_undone_is_flagged_and_not_counted_late(
        cast, line, client_for, february, django_capture_on_commit_callbacks):
    from feidi.services import measures
    from feidi.services.models import closed_on_time
    from tests.test_calendar import enter_2027

    appeal = _escalated_on_a_guess(cast, line, february)
    february[0] = at(2027, 2, 12, 11)
    actions.do_close_appeal(appeal, "已协调供地", acting_user=line[2])  # before the true deadline, at level 2
    assert not Appeal.objects.filter(pk=appeal.pk).filter(closed_on_time()).exists()
    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(client_for("sysadmin"))
    appeal.refresh_from_db()
    assert appeal.level == 2 and appeal.status == "closed" and appeal.escalated_early_from == 1
    assert "不计为逾期" in AppealEvent.objects.get(appeal=appeal, kind="recount").text
    assert Appeal.objects.filter(pk=appeal.pk).filter(closed_on_time()).exists()
    row = measures.compute(Appeal.objects.filter(pk=appeal.pk), by="category", start=None, end=None)[0]
    assert row["on_time"] == 1 and row["escalated"]["2"] == 0


def test_a_role_change_that_takes_appeal_handling_away_hands_the_appeals_on(cast, line):
    """Roles that no longer handle appeals serve none: the account's open appeals go to the next in
    line, the group's leader is told his enterprises need a new 挂点干部, and the routing passes over
    him — whether his own roles changed or a role he holds lost the permission."""
    from feidi.accounts.actions import do_save_role
    from feidi.accounts.actions import do_set_user_roles
    from feidi.accounts.models import Role

    cadre, head = line[1], line[2]
    appeal = _appeal(cast)
    assert Appeal.objects.get(pk=appeal.pk).owner_id == cadre.pk
    do_set_user_roles(User.objects.get(pk=cadre.pk), [Role.objects.get(code="zone_clerk")], acting_user=cast.secadmin)
    assert Appeal.objects.get(pk=appeal.pk).owner_id == head.pk
    assert "不再办理诉求" in AppealEvent.objects.filter(appeal=appeal, kind="reassign").get().text
    assert Notification.objects.filter(user=head, title__contains="请重新指定挂点干部").exists()
    # a role edited to lose the permission: its holders' appeals move on as well
    custom = Role.objects.create(code="helper_role", name="帮办", data_scope="zone_tree")
    perms = list(Role.objects.get(code="service_cadre").permissions.all())
    do_save_role(custom, permissions=perms, acting_user=cast.secadmin)
    do_set_user_roles(User.objects.get(pk=cadre.pk), [custom], acting_user=cast.secadmin)
    Appeal.objects.filter(pk=appeal.pk).update(owner=cadre)
    do_save_role(Role.objects.get(pk=custom.pk), permissions=[p for p in perms if p.codename != "handle_appeal"],
                 acting_user=cast.secadmin)
    assert Appeal.objects.get(pk=appeal.pk).owner_id == head.pk
    assert actions.owner_for_level(Appeal.objects.get(pk=appeal.pk), 1) == head


def test_only_someone_who_handles_appeals_is_named_in_the_line(cast, line):
    """挂点干部, 服务小组组长 and the heads of 服务设置 handle the appeals that reach them: naming an
    account whose roles do not (or one switched off) is refused on the field, and the form offers
    only those who do."""
    from django.core.exceptions import ValidationError

    from feidi.services.forms import AssignmentForm
    from feidi.services.models import Assignment

    link = Assignment.objects.get(organization=cast.org_a1, until__isnull=True)
    link.cadre = cast.invest  # 招商局干部: no appeal handling
    with pytest.raises(ValidationError, match="没有“办理诉求") as refused:
        actions.do_assign_cadre(link, acting_user=cast.leader)
    assert "cadre" in refused.value.message_dict
    rules = _service_settings(cast)
    rules.office_head = cast.invest
    with pytest.raises(ValidationError, match="不能担任安商办主任"):
        actions.do_save_service_settings(rules, acting_user=cast.leader)
    _off(line[2])
    link = Assignment.objects.get(organization=cast.org_a1, until__isnull=True)
    link.cadre = User.objects.get(pk=line[2].pk)
    with pytest.raises(ValidationError, match="账号已停用"):
        actions.do_assign_cadre(link, acting_user=cast.leader)
    offered = set(AssignmentForm(user=cast.leader, instance=link).fields["cadre"].queryset)
    assert line[1] in offered and cast.invest not in offered and cast.leader in offered
