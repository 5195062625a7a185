"""Settings come from the environment; a malformed value stops start-up naming the variable."""

import subprocess
import sys

import pytest

from feidi.testing.env import child_env


def run_check(tmp_path, **env):
    environment = child_env(tmp_path, **env)
    return subprocess.run([sys.executable, "-m", "feidi", "check"], env=environment, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("name,value", [
    ("FEIDI_DEBUG", "maybe"),
    ("FEIDI_DATABASE_URL", "mysql://root@localhost/x"),
    ("FEIDI_REDIS_URL", "localhost:6379"),
    ("FEIDI_EMAIL_PORT", "twenty-five"),
    ("FEIDI_SECRET_KEY", "short"),
    ("FEIDI_PG_RANDOM_PAGE_COST", "fast"),
    ("FEIDI_PG_RANDOM_PAGE_COST", "-1"),
])
def test_a_malformed_setting_stops_start_up_naming_it(tmp_path, name, value):
    result = run_check(tmp_path, **{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_a_secret_key_is_generated_into_var_on_first_run(tmp_path):
    assert run_check(tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50 and oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    assert run_check(tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_production_settings_pass_check_deploy(tmp_path):
    environment = child_env(tmp_path, FEIDI_HSTS_SECONDS="31536000", FEIDI_SSL_REDIRECT="true",
                       FEIDI_SECRET_KEY="x" * 20 + "Production-Secret-Key-0123456789abcdef",
                       FEIDI_ALLOWED_HOSTS="feidi.example.gov.cn")
    result = subprocess.run([sys.executable, "-m", "feidi", "check", "--deploy", "--fail-level", "WARNING"],
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlite_runs_in_wal_mode_with_full_sync(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def test_postgresql_connections_price_a_random_read_as_on_ssd(db, settings):
    """The keyword searches' trigram indexes are used only when the planner knows a random read is
    cheap: every PostgreSQL connection gets ``PG_RANDOM_PAGE_COST``; empty leaves the server's."""
    from django.db import connection

    from feidi.core.trigram import planner_costs

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == float(settings.PG_RANDOM_PAGE_COST) == 1.1
        settings.PG_RANDOM_PAGE_COST = "2.5"
        planner_costs(None, connection)
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == 2.5
        settings.PG_RANDOM_PAGE_COST = ""
        cursor.execute("SELECT set_config('random_page_cost', '3', false)")
        planner_costs(None, connection)
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == 3.0  # left as it was


def test_the_english_locale_translates_the_shell(cast, client_for):
    c = client_for("clerk")
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = c.get("/").content.decode()
    assert 'lang="en"' in page and "Sign out" in page and "Registry" in page
