"""A deployment that can be trusted: `feidi check --deploy` passes only when clean, keys and the
SQLite file are the owner's alone, a web process without collected static files stops with a
clear message, signed-in pages are never cached, and the login page tells nobody which names exist."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from feidi.testing.env import child_env


def _run(tmp_path, *args, **env):
    clean = child_env(tmp_path / "var", **env)
    return subprocess.run([sys.executable, *args], env=clean, capture_output=True, text=True, timeout=120)


def test_the_deploy_check_fails_on_any_warning_and_passes_a_production_configuration(tmp_path):
    good = _run(tmp_path, "-m", "feidi", "check", "--deploy", FEIDI_ALLOWED_HOSTS="feidi.example.gov.cn")
    assert good.returncode == 0, good.stderr
    plain_http = _run(tmp_path, "-m", "feidi", "check", "--deploy", FEIDI_SECURE_COOKIES="false",
                      FEIDI_HTTPS="false")
    assert plain_http.returncode != 0 and "SECURE" in plain_http.stderr + plain_http.stdout


def test_keys_and_the_database_are_created_readable_by_their_owner_only(tmp_path):
    assert _run(tmp_path, "-m", "feidi", "check").returncode == 0
    var = tmp_path / "var"
    for name in ("secret_key", "field_key", "audit_key", "feidi.sqlite3", "jobs.sqlite3"):
        assert oct((var / name).stat().st_mode & 0o777) == "0o600", name


def test_a_web_process_without_collected_static_files_stops_with_a_clear_message(tmp_path):
    result = _run(tmp_path, "-c", "import feidi.wsgi")
    assert result.returncode != 0 and "feidi collectstatic" in result.stderr


def test_a_web_process_freezes_what_start_up_made_out_of_full_collections(tmp_path):
    """Full garbage collections then walk only what requests made (a chain map request that set
    one off took 70-80 ms more)."""
    assert _run(tmp_path, "-m", "feidi", "collectstatic", "--noinput").returncode == 0
    result = _run(tmp_path, "-c", "import gc, feidi.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))")
    assert result.returncode == 0, result.stderr
    frozen, tracked = map(int, result.stdout.split()[-2:])
    assert frozen > 50_000 and tracked < frozen / 10


def test_pages_and_api_answers_of_a_signed_in_user_are_never_cached(cast, client_for):
    c = client_for("leader")
    for url in ("/", reverse("registry:organization_list"), f"/registry/people/{cast.person_a1.pk}/",
                "/api/v1/registry/organizations"):
        assert "no-store" in c.get(url)["Cache-Control"], url


def test_https_is_required_when_configured(settings, client, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    secure = client.get(reverse("accounts:login"), secure=True)
    assert secure.status_code == 200 and "max-age=31536000" in secure["Strict-Transport-Security"]
    assert client.get("/healthz").status_code == 200  # the load balancer's probe stays on http


def _login_answer(username, password):
    response = Client().post(reverse("accounts:login"), {"username": username, "password": password})
    page = response.content.decode()
    start = page.find('class="alert')
    return response.status_code, page[start:page.find("</div>", start)]


@pytest.mark.django_db
def test_the_login_page_answers_the_same_for_unknown_wrong_disabled_and_locked_accounts(cast):
    from django.utils import timezone

    from feidi.accounts.models import User

    User.objects.filter(pk=cast.other_clerk.pk).update(is_active=False)
    User.objects.filter(pk=cast.ent_b.pk).update(locked_until=timezone.now() + timezone.timedelta(minutes=30))
    answers = {_login_answer(name, "Wrong#Passw0rd!") for name in ("nobody_here", "clerk", "other_clerk", "ent_b")}
    assert len(answers) == 1, answers
    status, text = answers.pop()
    assert status == 200 and "用户名或密码错误" in text
    # the locked account's own owner, with the right password, is told why
    assert "已锁定" in _login_answer("ent_b", "Cast#Passw0rd!")[1]
