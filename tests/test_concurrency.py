"""Concurrent writers on PostgreSQL: no update is lost and the audit chain stays one chain."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections

from feidi.core import audit
from feidi.core.actions import ConflictError
from feidi.core.actions import update_object
from feidi.registry.models import Organization

# Row locks are PostgreSQL's; SQLite serializes writers itself (tested through WAL settings).
pytestmark = [
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]


def _threads(n, target):
    errors = []

    def run(i):
        try:
            target(i)
        except Exception as exc:  # reported after join
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_audited_writes_form_one_unbroken_chain(cast):
    before = audit.verify().checked

    def write(i):
        for j in range(10):
            org = Organization.objects.get(pk=cast.org_a1.pk if i % 2 else cast.org_a2.pk)
            org.employees = i * 100 + j
            try:
                update_object(org, acting_user=None)
            except ConflictError:
                pass  # a lost race is refused, never silently applied

    assert _threads(8, write) == []
    result = audit.verify()
    assert result.ok, result.problems
    assert result.checked > before


def test_two_editors_of_one_version_one_wins_the_other_is_told(cast):
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(i):
        org = Organization.objects.get(pk=cast.org_a1.pk)
        org.name = f"编辑{i}"
        barrier.wait()
        try:
            update_object(org, acting_user=None)
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")

    assert _threads(2, edit) == []
    assert sorted(outcomes) == ["conflict", "saved"]
    assert Organization.objects.get(pk=cast.org_a1.pk).version == cast.org_a1.version + 1


def test_racing_claims_and_transitions_on_one_project_each_have_one_winner(cast):
    from feidi.projects import actions
    from feidi.projects.models import Project
    from feidi.projects.models import ProjectEvent
    from feidi.projects.models import Stage
    from feidi.projects.models import StageRecord

    pool_lead = actions.do_save_project(Project(name="公海线索", zone=cast.zone_a, owner=None), acting_user=cast.invest,
                                         pool=True)
    moving = actions.do_save_project(Project(name="洽谈项目", zone=cast.zone_a, owner=cast.invest),
                                     acting_user=cast.invest)
    barrier = threading.Barrier(6)
    outcomes = {"claim": [], "move": []}

    def race(i):
        claim_copy, move_copy = Project.objects.get(pk=pool_lead.pk), Project.objects.get(pk=moving.pk)
        barrier.wait()
        for key, call in (("claim", lambda: actions.do_claim_project(claim_copy, acting_user=cast.invest)),
                          ("move", lambda: actions.do_transition_project(move_copy, Stage.NEGOTIATING,
                                                                          acting_user=cast.invest))):
            try:
                call()
                outcomes[key].append("won")
            except ConflictError:
                outcomes[key].append("told")

    assert _threads(6, race) == []
    assert sorted(outcomes["claim"]) == ["told"] * 5 + ["won"]
    assert sorted(outcomes["move"]) == ["told"] * 5 + ["won"]
    assert ProjectEvent.objects.filter(project=pool_lead, kind="claim").count() == 1
    assert list(StageRecord.objects.filter(project=moving).values_list("stage", flat=True).order_by("entered_at")) == [
        Stage.LEAD, Stage.NEGOTIATING]
    assert StageRecord.objects.filter(project=moving, left_at__isnull=True).count() == 1


# The monthly rows keep no database constraint on their references (decision 0006): a write holds
# what it names until it commits, and a deletion that waited for it repeats its CASCADE / PROTECT.

def _write_then_wait(rows, written, hold_seconds):
    from django.db import transaction

    from feidi.indicators import actions

    def run(_i):
        with transaction.atomic():
            actions.bulk_upsert(rows)
            written.set()
            threading.Event().wait(hold_seconds)  # the deletion meanwhile waits on our locks
    return run


def test_an_enterprise_deleted_while_a_write_holds_it_leaves_no_row_behind(cast):
    import datetime as dt
    import time
    from decimal import Decimal

    from feidi.core.actions import delete_object
    from feidi.indicators import actions
    from feidi.indicators.models import Indicator
    from feidi.indicators.models import IndicatorValue
    from feidi.testing.cast import make_org

    from .test_indicator_cells import assert_cells_agree

    org = make_org("丙并发删除企业", cast.zone_a)  # no rows yet: the deletion's cascade finds none
    revenue = Indicator.objects.get(code="revenue")
    rows = [actions._row(org, revenue, dt.date(2026, m, 1), Decimal(100 * m), acting_user=None, source="import")
            for m in (1, 2, 3)]
    written, waited = threading.Event(), []

    def delete(_i):
        written.wait(10)
        t0 = time.monotonic()
        delete_object(Organization.objects.get(pk=org.pk), acting_user=None)
        waited.append(time.monotonic() - t0)

    write = _write_then_wait(rows, written, 1.0)
    assert _threads(2, lambda i: write(i) if i == 0 else delete(i)) == []
    assert waited and waited[0] > 0.5, "the deletion did not wait for the write: the race was not run"
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert not IndicatorValue.objects.filter(organization_id=org.pk).exists()
    assert_cells_agree()


def test_an_indicator_deleted_while_a_write_holds_it_is_refused(cast):
    import datetime as dt
    import time
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from feidi.core.actions import delete_object
    from feidi.indicators import actions
    from feidi.indicators.models import Indicator
    from feidi.indicators.models import IndicatorValue

    fresh = Indicator.objects.create(code="water", name="用水量", unit="吨", kind=Indicator.Kind.POINT,
                                     required=False)  # no rows yet: Django's PROTECT finds none
    rows = [actions._row(cast.org_a1, fresh, dt.date(2026, 3, 1), Decimal(7), acting_user=None, source="import")]
    written, outcome = threading.Event(), []

    def delete(_i):
        written.wait(10)
        t0 = time.monotonic()
        try:
            delete_object(Indicator.objects.get(pk=fresh.pk), acting_user=None)
            outcome.append(("deleted", time.monotonic() - t0, IndicatorValue.objects.filter(indicator_id=fresh.pk).count()))
        except ValidationError as exc:  # delete_object's message for a PROTECT
            assert "指标数据" in exc.messages[0], exc.messages
            outcome.append(("refused", time.monotonic() - t0))

    write = _write_then_wait(rows, written, 1.0)
    assert _threads(2, lambda i: write(i) if i == 0 else delete(i)) == []
    assert outcome and outcome[0][0] == "refused" and outcome[0][1] > 0.5, outcome
    assert Indicator.objects.filter(pk=fresh.pk).exists()
    assert IndicatorValue.objects.filter(indicator=fresh).count() == 1


def test_an_assignment_and_an_edit_of_the_role_it_assigns_never_make_two_duties(cast, monkeypatch):
    """Two audit roles given to an account while one of them is turned into a system role: taken
    one after the other (the roles are locked), one of the two is refused, whichever comes first —
    never an account holding the audit and the system duties."""
    from django.core.exceptions import ValidationError

    from feidi.accounts import actions
    from feidi.accounts.duties import DUTY_PERMISSIONS
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.accounts.roles import resolve_permissions
    from feidi.core.scope import DataScope

    audit_perms = resolve_permissions(sorted(DUTY_PERMISSIONS["audit"]))
    system_perms = resolve_permissions(["accounts.add_user", "accounts.change_user"])
    import threading
    import time

    from feidi.accounts import actions as account_actions

    real_update = account_actions.update_object

    def slow_update(obj, **kwargs):  # the assignment writes after the role's edit has had its time
        if isinstance(obj, User):
            time.sleep(0.3)
        return real_update(obj, **kwargs)

    monkeypatch.setattr(account_actions, "update_object", slow_update)
    for round_ in range(3):
        start = threading.Barrier(2)
        a1, a2 = (actions.do_save_role(Role(code=f"aud{round_}{n}", name=f"审计{round_}{n}", duty="audit",
                                            data_scope=DataScope.ALL), permissions=audit_perms, acting_user=None)
                  for n in (1, 2))
        target = actions.do_create_user(User(username=f"twoduty{round_}", full_name="兼任测试", department=cast.city),
                                        password="Cast#Passw0rd!", acting_user=None)

        def run(i, a1=a1, a2=a2, target=target, start=start):
            start.wait()
            try:
                if i == 0:
                    actions.do_set_user_roles(User.objects.get(pk=target.pk), [a1, a2], acting_user=cast.secadmin)
                else:
                    role = Role.objects.get(pk=a2.pk)
                    role.duty = "system"
                    actions.do_save_role(role, permissions=system_perms, acting_user=cast.secadmin)
            except ValidationError:
                pass

        assert _threads(2, run) == []
        duties = set(Role.objects.filter(users=target).values_list("duty", flat=True))
        assert len(duties) <= 1, (round_, duties)
