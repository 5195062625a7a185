"""三员分立 cannot be collapsed by any path, and the role editor keeps what it shows: every standard
role opened and saved unchanged keeps exactly its permissions; roles are created and copied."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from feidi.accounts import actions
from feidi.accounts.models import Role
from feidi.accounts.models import User
from feidi.accounts.roles import STANDARD_ROLES
from feidi.accounts.roles import resolve_permissions
from feidi.core.scope import DataScope


class _Form(HTMLParser):
    """The fields a browser would submit from the page's main POST form (the one with most fields)."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self.in_form = False
        self.select = self.textarea = None

    @property
    def data(self) -> list[tuple[str, str]]:
        return max(self.forms, key=len) if self.forms else []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.in_form = True
            self.forms.append([])
        if not self.in_form:
            return
        fields = self.forms[-1]
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and "disabled" not in a:
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            fields.append((self.select, a.get("value", "")))
        elif tag == "textarea":
            self.textarea = a.get("name")
            fields.append((self.textarea, ""))

    def handle_data(self, data):
        if self.textarea and self.in_form:
            name, value = self.forms[-1][-1]
            self.forms[-1][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.in_form = False


def submit_as_rendered(client, url):
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    parser = _Form()
    parser.feed(page.content.decode())
    data: dict[str, list[str]] = {}
    for k, v in parser.data:
        data.setdefault(k, []).append(v)
    return client.post(url, data)


def state(role: Role) -> tuple:
    role.refresh_from_db()
    return (sorted(f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.select_related("content_type")),
            role.data_scope, role.duty, role.name, role.can_view_sensitive,
            sorted(role.custom_departments.values_list("pk", flat=True)))


@pytest.mark.parametrize("code", [c for c in STANDARD_ROLES if c != "secadmin"])
def test_every_standard_role_saved_unchanged_keeps_exactly_its_permissions(code, cast, client_for):
    role = Role.objects.get(code=code)
    before = state(role)
    assert len(before[0]) == len(set(STANDARD_ROLES[code][3]))
    response = submit_as_rendered(client_for("secadmin"), reverse("accounts:role_edit", kwargs={"pk": role.pk}))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert state(role) == before


def test_an_administrator_cannot_change_a_role_it_holds(cast, client_for):
    role = Role.objects.get(code="secadmin")
    before = state(role)
    response = submit_as_rendered(client_for("secadmin"), reverse("accounts:role_edit", kwargs={"pk": role.pk}))
    assert response.status_code == 200 and "不能修改自己所持有的角色" in response.content.decode()
    assert state(role) == before


def _post_role(client, role, names, **fields):
    data = {"name": role.name, "description": role.description, "duty": role.duty, "data_scope": role.data_scope,
            "permissions": [p.pk for p in resolve_permissions(names)], "_version": "", "_form_token": "x", **fields}
    return client.post(reverse("accounts:role_edit", kwargs={"pk": role.pk}), data)


def test_no_role_and_no_account_holds_two_duties_whatever_the_path(cast, client_for):
    sec = client_for("secadmin")
    auditor = Role.objects.get(code="auditor")
    # the role editor: the audit role given an account-administration permission
    response = _post_role(sec, auditor, [*STANDARD_ROLES["auditor"][3], "accounts.add_user"])
    assert response.status_code == 200 and "三员分立" in response.content.decode()
    # a business role given a duty permission
    clerk_role = Role.objects.get(code="zone_clerk")
    response = _post_role(sec, clerk_role, [*STANDARD_ROLES["zone_clerk"][3], "core.view_auditrecord"])
    assert response.status_code == 200 and "业务角色不能包含审计管理员职责的权限" in response.content.decode()
    assert state(auditor)[0] == sorted(STANDARD_ROLES["auditor"][3])
    # assigning two duties to one account: page, API, command line, action
    target = cast.clerk
    with pytest.raises(ValidationError, match="三员分立"):
        actions.do_set_user_roles(target, list(Role.objects.filter(code__in=["sysadmin", "auditor"])),
                                  acting_user=cast.secadmin)
    api = sec.put(f"/api/v1/accounts/users/{target.pk}/roles", data=json.dumps({"roles": ["sysadmin", "auditor"]}),
                  content_type="application/json")
    assert api.status_code == 422 and "三员分立" in api.json()["message"]
    with pytest.raises((CommandError, ValidationError)):
        call_command("createuser", "--username", "both", "--full-name", "双职", "--role", "secadmin", "--role",
                     "auditor", "--department-name", cast.city.name, "--password", "Cast#Passw0rd!",
                     stdout=io.StringIO())
    assert not User.objects.filter(username="both").exists()
    # a custom role that exercises the security duty, given beside the system administrator role
    custom = actions.do_save_role(Role(code="unlocker", name="解锁员", duty="security", data_scope=DataScope.ALL),
                                  permissions=resolve_permissions(["accounts.unlock_user"]), acting_user=None)
    with pytest.raises(ValidationError, match="三员分立"):
        actions.do_set_user_roles(target, [Role.objects.get(code="sysadmin"), custom], acting_user=cast.secadmin)
    # a role some administrator holds cannot be widened into a second duty for it
    with pytest.raises(ValidationError):
        actions.do_save_role(Role.objects.get(code="sysadmin"),
                             permissions=resolve_permissions([*STANDARD_ROLES["sysadmin"][3], "accounts.assign_roles"]),
                             acting_user=None)


def test_the_security_administrator_cannot_give_itself_roles(cast, client_for):
    response = client_for("secadmin").put(f"/api/v1/accounts/users/{cast.secadmin.pk}/roles",
                                          data=json.dumps({"roles": ["secadmin", "sysadmin"]}),
                                          content_type="application/json")
    assert response.status_code in (403, 422)
    assert sorted(cast.secadmin.roles.values_list("code", flat=True)) == ["secadmin"]


def test_a_business_role_is_created_and_a_role_copied(cast, client_for):
    sec = client_for("secadmin")
    response = sec.post(reverse("accounts:role_add"), {
        "name": "园区统计员", "code": "zone_stats", "duty": "", "data_scope": "zone_tree", "_form_token": "t1",
        "permissions": [p.pk for p in resolve_permissions(["indicators.view_indicatorvalue",
                                                          "indicators.add_indicatorvalue"])]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Role.objects.get(code="zone_stats").permissions.count() == 2
    source = Role.objects.get(code="statistics")
    page = sec.get(reverse("accounts:role_copy", kwargs={"pk": source.pk}))
    assert page.status_code == 200 and "统计局（副本）" in page.content.decode()
    response = submit_as_rendered(sec, reverse("accounts:role_copy", kwargs={"pk": source.pk}))
    assert response.status_code == 302, response.content.decode()[:2000]
    copy = Role.objects.get(code="statistics_copy")
    assert state(copy)[0] == state(source)[0] and copy.data_scope == source.data_scope


def test_outsiders_cannot_edit_roles(cast, client_for):
    for name in ("leader", "sysadmin", "auditor", "ent_a"):
        assert client_for(name).get(reverse("accounts:role_add")).status_code == 403
    c = Client()
    assert c.get(reverse("accounts:role_add")).status_code == 302


def test_a_permission_the_editor_does_not_list_is_shown_and_kept(cast, client_for):
    """A role may hold a permission outside Feidi's own apps (granted by a command or an older
    release): the editor shows it among the role's boxes, ticked, and an unchanged save keeps it
    (``ScopedModelForm`` offers a record's current links, whatever the field's own choices)."""
    from django.contrib.auth.models import Permission

    role = Role.objects.get(code="zone_clerk")
    extra = Permission.objects.get(content_type__app_label="sessions", codename="view_session")
    role.permissions.add(extra)
    before = state(role)
    url = reverse("accounts:role_edit", kwargs={"pk": role.pk})
    page = client_for("secadmin").get(url).content.decode()
    assert f'value="{extra.pk}"' in page
    response = submit_as_rendered(client_for("secadmin"), url)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert state(role) == before and "sessions.view_session" in before[0]


# --- 三员分立 needs all three; a disabled account's access ends ------------------------------------------

def test_no_administrator_can_leave_a_duty_without_an_active_holder(cast):
    auditor_role = Role.objects.get(code="auditor")
    with pytest.raises(ValidationError, match="审计管理员的职责权限"):
        actions.do_set_user_roles(cast.auditor, [], acting_user=cast.secadmin)
    with pytest.raises(ValidationError, match="审计管理员的职责权限"):
        actions.do_set_user_roles(cast.auditor, [Role.objects.get(code="sysadmin")], acting_user=cast.secadmin)
    with pytest.raises(ValidationError, match="审计管理员的职责权限"):
        actions.do_save_role(auditor_role, permissions=[], acting_user=cast.secadmin)
    # nor by taking the one permission that matters and leaving the rest
    with pytest.raises(ValidationError, match="core.view_auditrecord"):
        actions.do_save_role(auditor_role, permissions=resolve_permissions(["accounts.view_loginlog"]),
                             acting_user=cast.secadmin)
    with pytest.raises(ValidationError, match="accounts.add_user"):
        system = Role.objects.get(code="sysadmin")
        kept = [n for n in STANDARD_ROLES["sysadmin"][3] if n not in ("accounts.add_user", "accounts.change_user")]
        actions.do_save_role(system, permissions=resolve_permissions(kept), acting_user=cast.secadmin)
    # nor by taking the views a duty works through: the system administrator holding 新增账号 without
    # 查看账号 opens no account (the security administrator switched it off that way)
    system = Role.objects.get(code="sysadmin")
    for taken in ("accounts.view_user", "core.view_dictitem"):
        kept = [n for n in STANDARD_ROLES["sysadmin"][3] if n != taken]
        with pytest.raises(ValidationError, match=f"系统管理员履职所需的查看权限（{taken}）"):
            actions.do_save_role(system, permissions=resolve_permissions(kept), acting_user=cast.secadmin)
    assert system.permissions.filter(content_type__app_label="accounts", codename="view_user").exists()
    kept = [n for n in STANDARD_ROLES["secadmin"][3] if n != "accounts.view_role"]
    with pytest.raises(ValidationError, match="安全管理员履职所需的查看权限（accounts.view_role）"):
        actions.do_save_role(Role.objects.get(code="secadmin"), permissions=resolve_permissions(kept),
                             acting_user=cast.sysadmin)
    # a view the duty does not work through may go (the system administrator's 查看角色)
    kept = [n for n in STANDARD_ROLES["sysadmin"][3] if n != "accounts.view_role"]
    actions.do_save_role(system, permissions=resolve_permissions(kept), acting_user=cast.secadmin)
    cast.auditor.is_active = False
    with pytest.raises(ValidationError, match="审计管理员的职责权限"):
        actions.do_update_user(cast.auditor, acting_user=cast.sysadmin)
    assert User.objects.get(pk=cast.auditor.pk).is_active
    assert set(User.objects.get(pk=cast.auditor.pk).roles.values_list("code", flat=True)) == {"auditor"}
    # with a second auditor, the first may be disabled
    second = actions.do_create_user(User(username="auditor2", full_name="第二审计员", department=cast.city),
                                    password="Cast#Passw0rd!2", acting_user=cast.sysadmin)
    actions.do_set_user_roles(second, [auditor_role], acting_user=cast.secadmin)
    actions.do_update_user(cast.auditor, acting_user=cast.sysadmin)
    assert not User.objects.get(pk=cast.auditor.pk).is_active


def test_disabling_an_account_ends_its_sessions_and_tokens_for_good(cast):
    from feidi.accounts.models import ApiToken

    browser = Client()
    browser.force_login(cast.clerk)
    value = ApiToken.issue(cast.clerk, "probe")[1]
    assert browser.get("/api/v1/registry/organizations").status_code == 200
    cast.clerk.is_active = False
    actions.do_update_user(cast.clerk, acting_user=cast.sysadmin)
    cast.clerk.is_active = True
    actions.do_update_user(cast.clerk, acting_user=cast.sysadmin)
    assert browser.get("/api/v1/registry/organizations").status_code == 401
    assert Client().get("/api/v1/registry/organizations", HTTP_AUTHORIZATION=f"Bearer {value}").status_code == 401
    assert not ApiToken.objects.filter(user=cast.clerk).exists()


@pytest.mark.parametrize("name", [" leader ", "LEADER", "sysadmin\u200b", "<b>x</b>", "a/b?c", "two words", "",
                                  "l\u0435ader", "\u00c4probe", "\uff53\uff54\uff41\uff54\uff53", "张三"])
def test_a_new_account_name_must_be_typeable_and_unique_without_case(name, cast, client_for):
    api = client_for("sysadmin").post("/api/v1/accounts/users", data=json.dumps(
        {"username": name, "full_name": "名字探针", "password": "Cast#Passw0rd!9", "department_id": cast.city.pk}),
        content_type="application/json")
    assert api.status_code == 422 and "username" in api.json()["fields"], api.content
    with pytest.raises(ValidationError):
        actions.do_create_user(User(username=name, full_name="名字探针"), password=None, acting_user=cast.sysadmin)
    assert not User.objects.filter(full_name="名字探针").exists()


def test_a_wrong_current_password_counts_toward_the_lock(cast):
    """The password page asks the current password: guessed there without limit, a session left
    open would give it away."""
    from feidi.accounts.models import SecurityPolicy
    from feidi.testing.cast import PASSWORD

    c = Client()
    c.force_login(cast.clerk)
    for _ in range(SecurityPolicy.current().max_failures):
        response = c.post(reverse("accounts:password_change"), {
            "old_password": "wrong-guess", "new_password1": "Another#Passw0rd", "new_password2": "Another#Passw0rd"})
    assert User.objects.get(pk=cast.clerk.pk).is_locked()
    assert response.status_code == 302 and "_auth_user_id" not in c.session
    assert not Client().login(username="clerk", password=PASSWORD)


@pytest.mark.parametrize(("name", "existing"), [
    ("Ieader", "leader"), ("1eader", "leader"), ("LEADER1", "leaderl"), ("secadmln", "secadmin"),
    ("secadm1n", "secadmin"), ("c1erk", "clerk"), ("aud1tor", "auditor"), ("0ther_clerk", "other_clerk"),
    ("OTHER_CLERK", "other_clerk"), ("lnst_a", "inst_a"), ("rnonitor", "monitor"), ("vvang", "wang"),
    ("wang01", "vvangOl"),
])
def test_a_new_account_name_that_looks_like_an_existing_one_is_refused(name, existing, cast, client_for):
    """Unicode TR39's skeleton over ASCII: case folded, 1 i l alike, 0 o alike, rn as m, vv as w —
    whichever of the two is there first, the page, the API and the command refuse the other, saying
    which account it would be taken for."""
    if not User.objects.filter(username__iexact=existing).exists():
        actions.do_create_user(User(username=existing, full_name="已有账号", department=cast.city), password=None,
                               acting_user=None)
    api = client_for("sysadmin").post("/api/v1/accounts/users", data=json.dumps(
        {"username": name, "full_name": "名字探针", "password": "Cast#Passw0rd!9", "department_id": cast.city.pk}),
        content_type="application/json")
    assert api.status_code == 422 and "username" in api.json()["fields"], api.content
    with pytest.raises(ValidationError) as refused:
        actions.do_create_user(User(username=name, full_name="名字探针", department=cast.city), password=None,
                               acting_user=cast.sysadmin)
    said = refused.value.message_dict["username"][0]
    assert "外观相近，容易混淆" in said or "不区分大小写" in said
    if name.casefold() != existing.casefold():
        assert f"“{User.objects.get(username__iexact=existing).username}”" in said
    assert not User.objects.filter(full_name="名字探针").exists()


@pytest.mark.parametrize("name", ["leader2", "leaders", "1eaders", "clerk_b", "secadmins", "inst_b", "monitor",
                                  "wan", "m", "rn2", "0", "o1", "l0", "2eader", "5ecadmin", "deader", "iead"])
def test_names_that_only_resemble_an_existing_one_in_part_are_taken(name, cast):
    """The skeleton is conservative: a name that differs by a character no font confuses (2, 5 ≠ s,
    a letter more) is somebody else's, and taken."""
    actions.do_create_user(User(username=name, full_name="新账号", department=cast.city), password=None,
                           acting_user=cast.sysadmin)
    assert User.objects.filter(username=name).exists()


def test_the_skeleton_folds_only_the_documented_look_alikes():
    assert actions.skeleton("Ieader") == actions.skeleton("1eader") == actions.skeleton("leader") == "leader"
    assert actions.skeleton("rnonitor") == actions.skeleton("monitor") and actions.skeleton("VVang") == "wang"
    assert actions.skeleton("O0o") == "ooo"
    assert len({actions.skeleton(n) for n in ("5ecret", "secret", "2ebra", "zebra", "8ig", "Big", "clay", "day")}) == 8


@pytest.mark.parametrize("code", ["auditor", "sysadmin", "secadmin"])
def test_a_duty_roles_data_scope_cannot_be_narrowed(cast, client_for, code):
    """Narrowed, the auditor's trail and the system administrator's accounts would show nothing:
    the security administrator could blind the others by an edit of the scope alone. Refused on
    the page with the field's error, and by the action; nothing changes."""
    from feidi.core.scope import DataScope

    role = Role.objects.get(code=code)
    if code == "secadmin":
        other = Role.objects.get(code="auditor")
        role, other = other, role  # a security administrator does not edit a role it holds
    for scope in (DataScope.SELF, DataScope.CUSTOM, DataScope.DEPT_TREE):
        role.data_scope = scope
        with pytest.raises(ValidationError, match="数据范围须为“全部”"):
            actions.do_save_role(role, acting_user=cast.secadmin)
    assert Role.objects.get(pk=role.pk).data_scope == DataScope.ALL


def test_no_role_reads_accounts_as_a_business_role_nor_edits_the_trail(cast):
    """A business role reading accounts (their personal fields), roles, the security policy or the
    robots' webhook addresses is refused, and no role at all may edit or delete the trail or the
    login log (no page uses those permissions; held, they waited for one)."""
    for perms in (["registry.view_organization", "accounts.view_user"], ["core.view_webhookendpoint"],
                  ["accounts.view_role"]):
        with pytest.raises(ValidationError, match="业务角色不能查看管理员的数据"):
            actions.do_save_role(Role(code="peek", name="窥视"), permissions=resolve_permissions(perms), acting_user=None)
    for duty, perms in (("security", ["accounts.unlock_user", "core.delete_auditrecord"]),
                        ("audit", ["core.view_auditrecord", "accounts.delete_loginlog"]),
                        ("audit", ["core.view_auditrecord", "core.change_audithead"])):
        with pytest.raises(ValidationError, match="任何角色都不能有这些权限"):
            actions.do_save_role(Role(code=f"bad{duty}", name="越权", duty=duty, data_scope=DataScope.ALL),
                                 permissions=resolve_permissions(perms), acting_user=None)
    assert not Role.objects.filter(code__in=["peek", "badsecurity", "badaudit"]).exists()


def test_a_stale_administration_form_is_refused_not_saved_over_a_newer_change(cast):
    """Two administrators at once: the second save of a form rendered before the first is refused
    (an account switched off came back on from a stale form; a permission one added, another's stale
    role form took away)."""
    from feidi.core.actions import ConflictError

    rendered = User.objects.get(pk=cast.invest.pk).version
    first = User.objects.get(pk=cast.invest.pk)
    first.is_active = False
    actions.do_update_user(first, acting_user=cast.sysadmin, expected_version=rendered)
    stale = User.objects.get(pk=cast.invest.pk)
    stale.is_active, stale.title = True, "招商干部"
    with pytest.raises(ConflictError):
        actions.do_update_user(stale, acting_user=cast.sysadmin, expected_version=rendered)
    assert not User.objects.get(pk=cast.invest.pk).is_active
    role = Role.objects.get(code="investment")
    rendered = role.version
    perms = list(role.permissions.all())
    actions.do_save_role(role, permissions=perms[1:], acting_user=cast.secadmin, expected_version=rendered)
    with pytest.raises(ConflictError):
        actions.do_save_role(Role.objects.get(pk=role.pk), permissions=perms, acting_user=cast.secadmin,
                             expected_version=rendered)


def test_a_business_role_that_may_act_on_a_record_may_see_it(cast):
    """办理诉求 without 查看企业诉求 stranded a cadre's appeals: a business role is refused an action
    on a kind of record without that record's view, naming both."""
    perms = [n for n in STANDARD_ROLES["service_cadre"][3] if n != "services.view_appeal"]
    with pytest.raises(ValidationError, match="须同时有查看权限.*查看企业诉求"):
        actions.do_save_role(Role.objects.get(code="service_cadre"), permissions=resolve_permissions(perms),
                             acting_user=cast.secadmin)
    for __, duty, ___, names, *____ in STANDARD_ROLES.values():  # the standard roles keep the rule
        if not duty:
            from feidi.accounts.duties import _check_views

            _check_views(resolve_permissions(names), set(names))


def test_a_unit_moved_into_another_zone_hands_on_its_peoples_work(cast):
    """Moving a department under another zone takes its people there: their open appeals here go on
    to the next in line, as a person moved does."""
    from feidi.accounts.models import Department
    from feidi.services.models import Appeal
    from feidi.testing.factories import _appeal

    appeal = _appeal(cast)
    Appeal.objects.filter(pk=appeal.pk).update(owner=cast.invest)  # the 招商局's officer held it
    bureau = Department.objects.get(pk=cast.dept_a_bureau.pk)
    bureau.parent = cast.dept_b
    actions.do_save_department(bureau, acting_user=cast.sysadmin)
    assert Appeal.objects.get(pk=appeal.pk).owner_id != cast.invest.pk


def test_a_role_still_named_where_it_restricts_something_is_not_deleted(cast):
    """A stage gate's 审核角色 left empty lets everyone pass: deleting the role it names would open the
    gate. The deletion is refused, naming the gate."""
    from feidi.projects.models import StageGate

    role = Role.objects.create(code="gatekeeper", name="把关人", data_scope=DataScope.ZONE_TREE)
    gate = StageGate.objects.create(stage="full", department=cast.dept_a)
    gate.roles.add(role)
    with pytest.raises(ValidationError, match="仍被.*使用"):
        actions.do_delete_role(role, acting_user=cast.secadmin)
    assert Role.objects.filter(pk=role.pk).exists() and gate.roles.filter(pk=role.pk).exists()
    gate.roles.clear()
    actions.do_delete_role(role, acting_user=cast.secadmin)
    assert not Role.objects.filter(pk=role.pk).exists()


def test_whatever_else_names_a_person_who_left_tells_its_editors(cast):
    """A 链长 switched off (or a challenge's expert, a service group's leader …): the people who may
    change the record are told to name someone else; a record naming him where he can still act is
    left alone."""
    from django.utils import timezone

    from feidi.core.models import Notification
    from feidi.testing.factories import make_for

    chain = make_for(__import__("feidi.chains.models", fromlist=["Chain"]).Chain, cast)
    pmo = User(username="pmo_a", full_name="甲区项目办", department=cast.dept_a, password_changed_at=timezone.now())
    actions.do_create_user(pmo, password=None, roles=[Role.objects.get(code="project_office")], acting_user=None)
    leader = User.objects.get(pk=chain.leader_id)
    actions.do_set_user_roles(leader, list(leader.roles.all()), acting_user=cast.secadmin)  # nothing lost
    assert not Notification.objects.filter(user__username="pmo_a", title__contains="链长需重新指定").exists()
    leader.is_active = False
    actions.do_update_user(leader, acting_user=cast.sysadmin)
    note = Notification.objects.get(user__username="pmo_a", title__contains="链长需重新指定")
    assert chain.name in note.title and leader.full_name in note.body


def test_an_enterprise_account_holds_only_enterprise_roles_and_staff_none_of_them(cast):
    """A government role on an enterprise's account gave it unmasked phone numbers; the enterprise
    role on a staff account voided its 本单位 filter. Both are refused on every path that sets roles."""
    with pytest.raises(ValidationError, match="企业/机构用户不能担任“区主要领导”"):
        actions.do_set_user_roles(cast.ent_a, [Role.objects.get(code="zone_leader")], acting_user=cast.secadmin)
    with pytest.raises(ValidationError, match="政府部门人员不能担任企业/机构用户角色"):
        actions.do_set_user_roles(cast.invest, [Role.objects.get(code="enterprise")], acting_user=cast.secadmin)
    assert set(User.objects.get(pk=cast.ent_a.pk).roles.values_list("code", flat=True)) == {"enterprise"}
    actions.do_set_user_roles(cast.ent_a, [Role.objects.get(code="enterprise")], acting_user=cast.secadmin)
