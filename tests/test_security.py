"""Security baseline (等保 2.0 level 3 for the application) tested through HTTP."""

import datetime as dt
import time

import pyotp
import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feidi.accounts import actions
from feidi.accounts.models import LoginLog
from feidi.accounts.models import Role
from feidi.accounts.models import SecurityPolicy
from feidi.accounts.models import User
from feidi.core.models import AuditRecord
from feidi.registry.models import Person
from feidi.testing.cast import PASSWORD


def login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def test_five_failures_lock_the_account_for_thirty_minutes(cast):
    c = Client()
    for _ in range(5):
        response = login(c, "clerk", "wrong-password", REMOTE_ADDR="10.0.0.5")
        assert response.status_code == 200
    user = User.objects.get(username="clerk")
    assert user.is_locked()
    assert 29 <= (user.locked_until - timezone.now()).total_seconds() / 60 <= 30
    # Even the right password is refused while locked, with the very answer a wrong one gets: the
    # lock tells a guesser nothing, nor whether a guess was right.
    wrong = login(c, "clerk", "another-wrong-password")
    right = login(c, "clerk")
    assert right.status_code == 200 and "_auth_user_id" not in c.session
    assert right.context["error"] == wrong.context["error"] and "已锁定" in right.context["error"]
    results = list(LoginLog.objects.filter(username="clerk").values_list("result", flat=True))
    assert results.count("failure") == 4 and results.count("locked") == 3
    assert LoginLog.objects.filter(username="clerk", address="10.0.0.5").exists()


def test_a_successful_login_is_logged_and_resets_the_counter(cast):
    c = Client()
    login(c, "clerk", "wrong-password")
    response = login(c, "clerk")
    assert response.status_code == 302
    assert User.objects.get(username="clerk").failed_logins == 0
    assert LoginLog.objects.filter(username="clerk", result="success").exists()


def test_administrator_duties_need_a_second_factor(cast):
    c = Client()
    response = login(c, "auditor")
    assert response.status_code == 302 and response.url == reverse("accounts:otp")
    assert "_auth_user_id" not in c.session  # not signed in before the code
    page = c.get(reverse("accounts:otp"))
    secret = page.context["secret"]
    assert "<svg" in page.content.decode()  # QR code drawn locally
    assert c.post(reverse("accounts:otp"), {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in c.session
    code = pyotp.TOTP(secret).now()
    response = c.post(reverse("accounts:otp"), {"code": code})
    assert response.status_code == 302
    assert c.session["_auth_user_id"] == str(cast.auditor.pk)


def test_idle_sessions_end_after_thirty_minutes(cast):
    c = Client()
    login(c, "clerk")
    assert c.get(reverse("home")).status_code == 200
    session = c.session
    session["feidi_last_seen"] -= 31 * 60
    session.save()
    response = c.get(reverse("home"))
    assert response.status_code == 302 and "timeout=1" in response.url
    assert LoginLog.objects.filter(username="clerk", result="timeout").exists()
    # the page asked for comes back whole after the sign-in, its query too, as one encoded value (a
    # path holding &next=//elsewhere adds no second parameter)
    from urllib.parse import parse_qs
    from urllib.parse import urlsplit

    login(c, "clerk")
    c.get(reverse("home"))
    session = c.session
    session["feidi_last_seen"] -= 31 * 60
    session.save()
    response = c.get("/registry/&next=//evil.example/", {"q": "光伏", "page": "2"})
    query = parse_qs(urlsplit(response.url).query)
    assert query["next"] == ["/registry/&next%3D//evil.example/?q=%E5%85%89%E4%BC%8F&page=2"] and query["timeout"] == ["1"]


def test_activity_keeps_a_session_alive_and_is_written_at_most_once_a_minute(cast):
    c = Client()
    login(c, "clerk")
    assert c.get(reverse("home")).status_code == 200
    session = c.session
    session["feidi_last_seen"] -= 29 * 60  # active 29 minutes ago: still signed in, and seen now
    session.save()
    assert c.get(reverse("home")).status_code == 200
    seen = c.session["feidi_last_seen"]
    assert time.time() - seen < 5
    session = c.session
    session["feidi_last_seen"] = seen - 20  # seen 20 s ago: not written again (no session write per page)
    session.save()
    assert c.get(reverse("home")).status_code == 200
    assert c.session["feidi_last_seen"] == seen - 20


def test_the_password_policy_is_enforced_with_chinese_messages(cast):
    with pytest.raises(ValidationError) as exc:
        actions.do_change_password(cast.clerk, "short", acting_user=cast.clerk)
    text = "".join(exc.value.messages)
    assert "长度至少为10位" in text and "至少3类" in text


def test_an_expired_password_must_be_changed_first(cast):
    User.objects.filter(pk=cast.clerk.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    c = Client()
    login(c, "clerk")
    response = c.get(reverse("registry:organization_list"))
    assert response.status_code == 302 and reverse("accounts:password_change") in response.url


def test_no_account_holds_two_duties_or_a_duty_and_business_roles(cast):
    with pytest.raises(ValidationError):
        actions.do_set_user_roles(cast.clerk, list(Role.objects.filter(code__in=["sysadmin", "auditor"])),
                                  acting_user=cast.secadmin)
    with pytest.raises(ValidationError):
        actions.do_set_user_roles(cast.clerk, list(Role.objects.filter(code__in=["sysadmin", "zone_clerk"])),
                                  acting_user=cast.secadmin)


@pytest.mark.parametrize("who,url_name", [
    ("sysadmin", "registry:organization_list"),  # no superuser shortcut to business data
    ("secadmin", "registry:organization_list"),
    ("auditor", "registry:organization_list"),
    ("sysadmin", "core:auditrecord_list"),  # the system administrator cannot read the audit trail
    ("auditor", "core:dictitem_list"),  # the auditor cannot administer
])
def test_administrators_cannot_do_each_others_jobs(cast, client_for, who, url_name):
    assert client_for(who).get(reverse(url_name)).status_code == 403


def test_personal_numbers_are_encrypted_at_rest(cast):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_card FROM registry_person WHERE id = %s", [cast.person_a1.pk])
        phone, id_card = cursor.fetchone()
    assert "13800001234" not in phone and phone.startswith("v1:")
    assert "36110219900101123X" not in id_card
    person = Person.objects.get(pk=cast.person_a1.pk)
    assert str(person.phone) == "138****1234" and person.phone.reveal() == "13800001234"


def test_the_full_number_is_shown_only_to_allowed_roles_and_each_view_is_audited(cast, client_for):
    url = reverse("registry:person_reveal", kwargs={"pk": cast.person_a1.pk}) + "?field=phone"
    detail = reverse("registry:person_detail", kwargs={"pk": cast.person_a1.pk})
    page = client_for("clerk").get(detail).content.decode()
    assert "13800001234" not in page and "138****1234" in page
    assert client_for("clerk").post(url).status_code == 403
    before = AuditRecord.objects.filter(action="reveal").count()
    response = client_for("leader").post(url)
    assert response.status_code == 200 and "13800001234" in response.content.decode()
    assert AuditRecord.objects.filter(action="reveal").count() == before + 1


def test_a_duplicate_credit_code_is_a_field_error_naming_the_conflict(cast, client_for):
    c = client_for("clerk")
    response = c.post(reverse("registry:organization_add"), {
        "name": "重复公司", "uscc": cast.org_a2.uscc.lower(), "kind": "enterprise", "zone": cast.zone_a.pk,
        "_form_token": "t1"})
    assert response.status_code == 200
    errors = response.context["form"].errors["uscc"]
    assert "乙锂电材料有限公司" in errors[0]


def test_an_invalid_credit_code_is_a_chinese_field_error(cast, client_for):
    response = client_for("clerk").post(reverse("registry:organization_add"), {
        "name": "坏代码公司", "uscc": "91361100MA35X0000A", "kind": "enterprise", "_form_token": "t2"})
    assert "校验位" in response.context["form"].errors["uscc"][0]


def test_a_form_posted_twice_creates_one_record(cast, client_for):
    from feidi.lib import uscc
    from feidi.registry.models import Organization

    c = client_for("clerk")
    data = {"name": "只建一次公司", "uscc": uscc.make("91361100MA35XY00Q"), "kind": "enterprise",
            "zone": cast.zone_a.pk, "_form_token": "same-token"}
    first = c.post(reverse("registry:organization_add"), data)
    second = c.post(reverse("registry:organization_add"), data)
    assert first.status_code == second.status_code == 302
    assert Organization.objects.filter(name="只建一次公司").count() == 1
    assert first.url == second.url


def test_a_stale_edit_is_refused_not_overwritten(cast, client_for):
    url = reverse("registry:organization_edit", kwargs={"pk": cast.org_a1.pk})
    base = {"name": "版本一", "uscc": cast.org_a1.uscc, "kind": "enterprise", "zone": cast.zone_a.pk}
    c = client_for("clerk")
    assert c.post(url, {**base, "_version": cast.org_a1.version}).status_code == 302
    stale = c.post(url, {**base, "name": "版本二", "_version": cast.org_a1.version})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    from feidi.registry.models import Organization

    assert Organization.objects.get(pk=cast.org_a1.pk).name == "版本一"


def test_unknown_role_or_department_in_the_api_is_a_json_error_and_writes_nothing(cast):
    from feidi.accounts.models import ApiToken

    users = User.objects.count()
    c = Client()
    c.force_login(cast.sysadmin)
    response = c.post("/api/v1/accounts/users", {"username": "x1", "full_name": "某人", "department_id": 999999},
                      content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert "department_id" in response.json()["fields"]
    c2 = Client()
    c2.force_login(cast.secadmin)
    response = c2.put(f"/api/v1/accounts/users/{cast.clerk.pk}/roles", {"roles": ["no_such_role"]},
                      content_type="application/json")
    assert response.status_code == 422 and "no_such_role" in response.json()["message"]
    assert User.objects.count() == users
    assert sorted(User.objects.get(pk=cast.clerk.pk).roles.values_list("code", flat=True)) == ["service_cadre", "zone_clerk"]
    token, value = ApiToken.issue(cast.clerk, "t")
    response = Client().get("/api/v1/registry/organizations", HTTP_AUTHORIZATION=f"Bearer {value}")
    assert response.status_code == 200 and response.json()["count"] >= 2
    assert Client().get("/api/v1/registry/organizations").status_code == 401


def test_the_security_policy_can_be_tightened_by_the_security_administrator(cast):
    policy = SecurityPolicy.current()
    policy.max_failures = 3
    actions.do_save_policy(policy, acting_user=cast.secadmin)
    c = Client()
    for _ in range(3):
        login(c, "leader", "nope")
    assert User.objects.get(username="leader").is_locked()


def test_api_writes_with_a_session_need_the_csrf_token(cast):
    c = Client(enforce_csrf_checks=True)
    c.force_login(cast.clerk)
    response = c.patch(f"/api/v1/registry/organizations/{cast.org_a1.pk}", data={"employees": 1},
                       content_type="application/json")
    assert response.status_code == 403
    from feidi.registry.models import Organization

    assert Organization.objects.get(pk=cast.org_a1.pk).employees is None


def test_a_token_of_a_disabled_or_expired_account_is_refused(cast):
    from feidi.accounts.models import ApiToken

    _, value = ApiToken.issue(cast.clerk, "t", expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert Client().get("/api/v1/registry/organizations", HTTP_AUTHORIZATION=f"Bearer {value}").status_code == 401
    _, value = ApiToken.issue(cast.clerk, "t2")
    User.objects.filter(pk=cast.clerk.pk).update(is_active=False)
    assert Client().get("/api/v1/registry/organizations", HTTP_AUTHORIZATION=f"Bearer {value}").status_code == 401


def test_the_login_page_never_redirects_off_site(cast):
    c = Client()
    response = c.post(reverse("accounts:login"), {"username": "clerk", "password": PASSWORD,
                                                  "next": "https://evil.example/steal"})
    assert response.status_code == 302 and response.url == "/"


def test_a_one_time_code_cannot_be_replayed(cast):
    secret = actions.do_start_totp_enrolment(cast.auditor)
    code = pyotp.TOTP(secret).now()
    assert actions.do_confirm_totp(cast.auditor, code, acting_user=cast.auditor)
    assert not actions.verify_totp(User.objects.get(pk=cast.auditor.pk), code)


def test_an_enterprise_user_sees_its_own_organization_at_home(cast, client_for):
    page = client_for("ent_a").get(reverse("home")).content.decode()
    assert "甲光伏科技有限公司" in page and "乙锂电材料有限公司" not in page
    assert client_for("ent_a").get(reverse("registry:organization_detail", kwargs={"pk": cast.org_a2.pk})).status_code == 404


def test_api_tokens_stop_while_the_password_must_change_or_the_user_is_disabled(cast, client_for):
    from django.test import Client
    from django.utils import timezone

    from feidi.accounts.models import ApiToken
    from feidi.accounts.models import User

    _token, value = ApiToken.issue(cast.clerk, "同步")
    User.objects.filter(pk=cast.clerk.pk).update(password_changed_at=timezone.now())
    c = Client(HTTP_AUTHORIZATION=f"Bearer {value}")
    assert c.get("/api/v1/registry/organizations").status_code == 200
    User.objects.filter(pk=cast.clerk.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=400))
    response = c.get("/api/v1/registry/organizations")
    assert response.status_code == 401 and "密码已过期" in response.json()["message"]
    User.objects.filter(pk=cast.clerk.pk).update(password_changed_at=timezone.now(), must_change_password=True)
    assert c.get("/api/v1/registry/organizations").status_code == 401
    User.objects.filter(pk=cast.clerk.pk).update(must_change_password=False, is_active=False)
    response = c.get("/api/v1/registry/organizations")
    assert response.status_code == 401 and response.json()["message"] == "账号已停用"
    # the browser session is barred the same way, in JSON
    User.objects.filter(pk=cast.clerk.pk).update(is_active=True, must_change_password=True)
    response = client_for("clerk").get("/api/v1/registry/organizations")
    assert response.status_code == 401 and "密码" in response.json()["message"]


@pytest.mark.parametrize("field,value", [("idle_minutes", 0), ("lock_minutes", 0), ("max_failures", 0),
                                         ("password_max_age_days", 0), ("password_min_classes", 1),
                                         ("password_min_length", 6), ("idle_minutes", 240)])
def test_a_policy_that_switches_a_control_off_is_refused_with_its_range(field, value, cast, client_for):
    from feidi.accounts.models import SecurityPolicy
    from feidi.lib.security_profile import POLICY_BOUNDS

    data = {f: getattr(SecurityPolicy.current(), f) for f in POLICY_BOUNDS} | {field: value}
    response = client_for("secadmin").post(reverse("accounts:policy"), data)
    low, high, *_ = POLICY_BOUNDS[field]
    assert response.status_code == 200 and f"应在{low}–{high}之间" in response.content.decode()
    assert getattr(SecurityPolicy.current(), field) != value


def test_settings_refuse_a_policy_outside_the_profile(tmp_path):
    import subprocess
    import sys

    from feidi.testing.env import child_env

    env = child_env(tmp_path, FEIDI_SESSION_IDLE_MINUTES="0")
    result = subprocess.run([sys.executable, "-m", "feidi", "check"], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "FEIDI_SESSION_IDLE_MINUTES=0 must lie in 1..30" in result.stderr


@pytest.mark.parametrize("credentials", ["none", "bogus", "revoked", "expired"])
@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_a_write_without_valid_credentials_is_unauthorized_not_a_csrf_refusal(credentials, method, cast):
    """Who calls is settled before the CSRF check: a write answers 401 exactly as a read does."""
    from feidi.accounts.models import ApiToken
    from feidi.registry.models import Organization

    headers = {}
    if credentials != "none":
        token, value = ApiToken.issue(cast.clerk, "t", expires_at=timezone.now() - dt.timedelta(minutes=1)
                                      if credentials == "expired" else None)
        if credentials == "revoked":
            actions.do_revoke_token(token, acting_user=cast.clerk)
        headers["HTTP_AUTHORIZATION"] = f"Bearer {'fd_nope' if credentials == 'bogus' else value}"
    c = Client(enforce_csrf_checks=True)
    url = "/api/v1/registry/organizations" + ("" if method == "post" else f"/{cast.org_a1.pk}")
    read = c.get(url, **headers)
    response = getattr(c, method)(url, data={"employees": 1}, content_type="application/json", **headers)
    assert read.status_code == response.status_code == 401, response.content
    assert response.json()["code"] == "unauthorized" and response.json()["message"] == read.json()["message"]
    assert Organization.objects.get(pk=cast.org_a1.pk).employees is None


@pytest.mark.parametrize("name,expires_on,said", [
    ("同步", "2027-02-29", "过期日期"),
    ("长" * 101, "", "名称"),
    ("同步", "2020-01-01", "过期日期不能早于今天"),
    ("同步", "9999-12-31", "过期日期"),
    ("   ", "", "名称"),
])
def test_the_token_page_says_what_is_wrong_and_issues_no_expired_token(name, expires_on, said, cast, client_for):
    from feidi.accounts.models import ApiToken

    c = client_for("clerk")
    response = c.post(reverse("accounts:apitoken_list"), {"name": name, "expires_on": expires_on}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any(said in m for m in shown) and not any("请填写令牌名称" in m for m in shown), shown
    assert not ApiToken.objects.filter(user=cast.clerk).exists()
    today = timezone.localdate().isoformat()
    c.post(reverse("accounts:apitoken_list"), {"name": "今日到期", "expires_on": today})
    assert ApiToken.objects.filter(user=cast.clerk, name="今日到期").exists()


def test_attempts_sent_at_once_get_the_allowance_and_no_more(cast):
    """Each attempt takes its place before its password is checked: the sixth of six attempts
    made before any had failed is refused unchecked; the right password sent after them is
    refused and the lock kept (a right guess among many lifted the lock the others set)."""
    from django.test import RequestFactory

    request = RequestFactory().post("/accounts/login/")
    claims = [actions.do_claim_login_attempt(request, "clerk") for _ in range(6)]  # all in flight at once
    assert claims[:5] == [None] * 5 and claims[5] is not None and "已锁定" in claims[5]
    for _ in range(5):
        actions.do_record_login_failure(request, "clerk", counted=True)
    assert User.objects.get(username="clerk").is_locked()
    right = login(Client(), "clerk")
    assert right.status_code == 200 and "已锁定" in right.context["error"]
    # a password proved right while others locked the account does not sign in, nor lift the lock
    user = User.objects.get(username="clerk")
    assert actions.do_record_login_success(request, user) is False and User.objects.get(username="clerk").is_locked()


def test_an_account_unlocks_only_by_another_hand(cast):
    User.objects.filter(username="secadmin").update(locked_until=timezone.now() + dt.timedelta(minutes=30))
    secadmin = User.objects.get(username="secadmin")
    with pytest.raises(PermissionDenied):
        actions.do_unlock_user(secadmin, acting_user=secadmin)
    assert User.objects.get(username="secadmin").is_locked()


def test_an_account_given_an_administrator_duty_signs_in_again_with_its_second_factor(cast):
    """A password-only session must not carry a duty: when an account gains one, its sessions end
    and its tokens are revoked, so the duty is exercised only after the TOTP step."""
    from feidi.accounts.models import ApiToken

    c = Client()
    assert login(c, "clerk").status_code == 302
    clerk = User.objects.get(username="clerk")
    clerk.roles.clear()  # a business account to become an auditor (no business role beside a duty)
    actions.do_issue_token(clerk, "报表")
    actions.do_set_user_roles(clerk, [Role.objects.get(code="auditor")], acting_user=cast.secadmin)
    assert c.get(reverse("accounts:loginlog_list")).status_code == 302  # back to the sign-in
    assert not ApiToken.objects.filter(user=clerk).exists()


def test_a_new_password_revokes_the_tokens_issued_under_the_old_one(cast):
    """Whoever learned the old password and issued a token keeps nothing once the owner changes it:
    the other sessions end (their hash no longer matches) and every token is revoked, audited, and
    said on the page."""
    from feidi.accounts.models import ApiToken

    clerk = User.objects.get(username="clerk")
    _token, value = actions.do_issue_token(clerk, "外部系统")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {value}")
    assert api.get("/api/v1/accounts/me", secure=True).status_code == 200
    other = Client()
    assert login(other, "clerk").status_code == 302
    c = Client()
    login(c, "clerk")
    new = "Xinmima@2026-Feidi"
    response = c.post(reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": new,
                                                             "new_password2": new}, follow=True, secure=True)
    assert "1个 API 令牌已吊销" in response.content.decode()
    assert not ApiToken.objects.filter(user=clerk).exists()
    assert AuditRecord.objects.filter(model="accounts.apitoken", action=AuditRecord.Action.DELETE).exists()
    assert api.get("/api/v1/accounts/me", secure=True).status_code == 401
    assert other.get(reverse("home"), secure=True).status_code == 302  # the other session is over
    assert c.get(reverse("home"), secure=True).status_code == 200  # this one goes on


def test_a_form_address_opened_by_its_link_is_the_sites_page_not_a_blank_405(cast, client_for):
    """A view that only takes POST answered a GET with an empty 405: the browser's own error page."""
    from django.urls import reverse

    response = client_for("leader").get(reverse("core:exportfile_queue"))
    assert response.status_code == 405 and "POST" in response["Allow"]
    assert "该地址只接受表单提交" in response.content.decode() and "返回首页" in response.content.decode()
