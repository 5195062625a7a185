"""Shared fixtures: the cast, logged-in clients, and the test environment."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from hypothesis import settings as hypothesis_settings

# No per-example deadline (a shared 2-core CI machine has slow moments); CI runs the same examples
# every time, so a red build is reproducible, while local runs keep exploring.
hypothesis_settings.register_profile("local", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "local")


# A fast hasher: the policy and lockout are tested, not PBKDF2's cost.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _transactional(item) -> bool:
    """The test commits (pytest-django's TransactionTestCase: it flushes every table when it ends)."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & {"transactional_db", "live_server", "django_db_reset_sequences"}) or (
        getattr(item, "cls", None) is not None and hasattr(item.cls, "_pre_setup"))


@pytest.fixture(scope="module")
def _cast_world(request, django_db_blocker):
    """The cast, built once per module inside a transaction that the module's end rolls back. Each test's
    own transaction nests in it as a savepoint (Django's ``setUpTestData``, per module), so a test still
    sees the world as built and leaves nothing behind; ``cast`` hands each test its own copy of the
    instances. A module with a test that commits builds the cast per test instead: that test's flush
    would take the world with it."""
    module_items = [item for item in request.session.items if item.getparent(pytest.Module) is request.node]
    if any(_transactional(item) for item in module_items):
        yield None
        return
    from django.db import transaction
    from django.test import override_settings

    from feidi.testing.cast import build_cast

    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_cast()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def cast(_cast_world, db):
    """The named cast (feidi/testing/cast.py): zones, enterprises, an institution and their users."""
    import copy

    from feidi.testing.cast import build_cast

    return copy.deepcopy(_cast_world) if _cast_world is not None else build_cast()


def _run_shared_dir(tmp_path_factory):
    """A directory every process of this run shares: pytest-xdist's workers each have their own
    base directory under it (alone, the process's own base directory is the run's)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def migrated_var_dir(tmp_path_factory):
    """A var directory holding a migrated SQLite database and its keys, made once per test run by
    ``feidi migrate`` in a child process (the first process to ask makes it while the others wait on
    its lock), for the tests that start ``feidi`` processes of their own: each copies it
    (``copy_migrated``) instead of migrating again (about 30 s on a slow core). The SQLite pass's
    own test databases are filled from it too (``django_db_modify_db_settings``)."""
    import fcntl
    import shutil
    import subprocess

    from feidi.testing.env import child_env

    shared = _run_shared_dir(tmp_path_factory)
    var_dir, done = shared / "migrated", shared / "migrated.done"
    with open(shared / "migrated.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(var_dir, ignore_errors=True)
            var_dir.mkdir()
            migrated = subprocess.run([sys.executable, "-m", "feidi", "migrate", "-v0"], env=child_env(var_dir),
                                      capture_output=True, text=True, timeout=600)
            if migrated.returncode:  # every test that needs the database fails with the reason
                pytest.fail(f"feidi migrate failed (exit {migrated.returncode}):\n{migrated.stderr[-4000:]}",
                            pytrace=False)
            done.touch()
    return var_dir


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """pytest-django's hook before the test databases are made. An in-memory SQLite test database
    (the SQLite pass) is then filled with a copy of ``migrated_var_dir``'s database (SQLite's backup)
    instead of running every migration again in each process: the same migrations made it, with the
    same post-migrate handlers. Any other database is created and migrated as Django does."""
    import sqlite3
    from contextlib import closing

    from django.core.management import call_command
    from django.db import connections
    from django.db.backends.sqlite3.creation import DatabaseCreation

    migrate = DatabaseCreation.create_test_db

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=None, keepdb=False):
        from django.conf import settings

        name = self._get_test_db_name()
        if keepdb or serialize or not self.is_in_memory_db(name) or (
                self.connection.settings_dict["TEST"].get("MIGRATE") is False):
            return migrate(self, verbosity, autoclobber, serialize, keepdb)
        source = request.getfixturevalue("migrated_var_dir") / "feidi.sqlite3"
        self._create_test_db(verbosity, autoclobber, keepdb)
        self.connection.close()
        settings.DATABASES[self.connection.alias]["NAME"] = name
        self.connection.settings_dict["NAME"] = name
        self.connection.ensure_connection()
        with closing(sqlite3.connect(source)) as migrated:
            migrated.backup(self.connection.connection)
        call_command("createcachetable", database=self.connection.alias)
        return name

    if not any(c.vendor == "sqlite" for c in connections.all()):
        yield
        return
    DatabaseCreation.create_test_db = create_test_db
    try:
        yield
    finally:
        DatabaseCreation.create_test_db = migrate


@pytest.fixture
def copy_migrated(migrated_var_dir):
    """``copy_migrated(path)`` fills ``path`` with a copy of the migrated var directory."""
    import shutil

    def copy(path):
        shutil.copytree(migrated_var_dir, path, dirs_exist_ok=True)
        return path

    return copy


@pytest.fixture
def client_for(client, cast):
    """``client_for("clerk")`` → a Django test client signed in as that cast member."""
    from django.test import Client

    def make(name: str) -> Client:
        c = Client()
        c.force_login(getattr(cast, name))
        return c

    return make


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # The robot tests' local receiver is an allowlisted relay (tests of the rule set their own list).
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    # Tests render pages without running collectstatic first.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Chinese): a request in English (the English crawl)
    leaves its language active in the thread, which would otherwise carry into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: a figure cached by an earlier test (keyed by a user id
    the next test reuses) is never invalidated, since the version bump waits for a commit that a
    rolled-back test never makes."""
    from django.core.cache import cache

    cache.clear()


# Held by the live server while it answers a request, and by a test that touches the database
# itself while pages are still polling (``live_server_lock``).
_LIVE_SERVER_LOCK = threading.RLock()


@pytest.fixture(scope="session", autouse=True)
def _serial_live_server():
    """The browser tests' live server answers one request at a time. It shares the test's
    in-memory SQLite connection (Django's connections_override), and two pages polling at once
    (the auction's live lot page) made two threads use that one connection together: SQLite
    refuses ('bad parameter or other API misuse'). The database serializes them anyway. The test's
    own thread uses the same connection: ``live_server_lock`` keeps its writes out of a request."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)  # requests run in the server's thread, which holds them

        def finish_request(self, request, client_address):
            with _LIVE_SERVER_LOCK:
                super().finish_request(request, client_address)

    previous = LiveServerThread.server_class
    LiveServerThread.server_class = SerialWSGIServer
    yield
    LiveServerThread.server_class = previous


@pytest.fixture
def live_server_lock():
    """Hold it (``with live_server_lock:``) to use the database from the test while the browser's
    pages keep polling the live server: a write on the shared in-memory SQLite connection in the
    middle of a request's read is refused ('database table is locked')."""
    return _LIVE_SERVER_LOCK


def pytest_configure(config):
    """The test client and the browser tests' live server speak plain http: no redirect to https and
    no HSTS for the whole run (the live server's middleware is built once, before any test's
    ``settings`` change); tests/test_deploy.py turns them on to check them."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0


# Fixtures through which a test reaches the database (pytest-django's and the live server's).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                     "live_server"}


def pytest_collection_modifyitems(config, items):
    """The modules marked ``long`` first, the others in their order: pytest-xdist hands each process
    a whole module (``--dist loadfile --no-loadscope-reorder``, Makefile) in this order, so a module
    of minutes given out last no longer keeps one process busy while the others stand idle.

    ``FEIDI_TEST_DATABASE_ONLY=1`` (the PostgreSQL pass of ``make test``) keeps the tests that
    reach the database: one that never does (a parser, a kernel, a pure rule) runs the same on
    any database, and has run on the SQLite pass already. ``FEIDI_TEST_SWEEPS`` keeps the sweeps of
    the kinds it names (``feidi/testing/sweeps.py``: each runs on one of the two passes)."""
    import os

    from feidi.testing import sweeps

    items.sort(key=lambda item: item.get_closest_marker("long") is None)  # stable: modules stay whole
    database_only = os.environ.get("FEIDI_TEST_DATABASE_ONLY") == "1"
    try:
        kinds = sweeps.kept()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    keep, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("sweep")
        if marker is not None and (not marker.args or marker.args[0] not in sweeps.KINDS):
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.sweep takes one of {sweeps.KINDS}")
        uses = not database_only or item.get_closest_marker("django_db") is not None or DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ()))
        swept_elsewhere = marker is not None and marker.args[0] not in kinds
        (keep if uses and not swept_elsewhere else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


# --- the importers' fixtures -------------------------------------------------------------------------

@pytest.fixture(params=["whole", "streamed"])
def reader(request, monkeypatch):
    """Each import test once per reader of the file: whole (calamine) and streamed."""
    from feidi.lib import spreadsheet

    if request.param == "streamed":
        monkeypatch.setattr(spreadsheet, "CALAMINE_BYTES", 0)
    return request.param


@pytest.fixture
def statistician(cast):
    """The zone's clerk, also of the 统计局 (imports the monthly figures), read again with that role."""
    from feidi.accounts.models import Role
    from feidi.accounts.models import User

    cast.clerk.roles.add(Role.objects.get(code="statistics"))
    return User.objects.get(pk=cast.clerk.pk)
