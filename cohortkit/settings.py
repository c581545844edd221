"""Settings for cohortkit, all read from the environment in this one module.

Parsing is strict: a variable that is set but cannot be read stops the start with a message naming
it. Without any variable the project runs on an SQLite file next to the checkout (``DEBUG`` must be
set to use the built-in development secret key). ``DATABASE_URL`` switches to PostgreSQL.

A checkout may also keep variables in a ``.env`` file beside ``pyproject.toml`` (``make demo``
writes one for development); the process environment wins over the file, and
``COHORTKIT_ENV_FILE`` names another file (empty: read none).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

_ENV_LINE = re.compile(r"(?P<name>[A-Z_][A-Z0-9_]*)=(?P<value>.*)")


def read_env_file(path: Path) -> dict[str, str]:
    """The ``NAME=value`` lines of a ``.env`` file; blank lines and ``#`` comments are skipped.

    A value may be wrapped in one pair of matching quotes, which are removed; nothing else is
    interpreted (no ``$VARIABLE`` expansion, no escapes). A line of any other shape is an error
    naming the file and line, never silently skipped.
    """
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ENV_LINE.fullmatch(stripped)
        if match is None:
            raise ImproperlyConfigured(f"{path} line {number} is not NAME=value: {stripped[:60]!r}")
        value = match["value"].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[match["name"]] = value
    return values


def _environment() -> Mapping[str, str]:
    """The process environment over the ``.env`` file's values (when there is a file)."""
    file_name = os.environ.get("COHORTKIT_ENV_FILE", str(BASE_DIR / ".env"))
    if not file_name or not Path(file_name).is_file():
        return os.environ
    return {**read_env_file(Path(file_name)), **os.environ}


ENVIRONMENT = _environment()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything but the usual spellings is an error, not a silent False."""
    raw = ENVIRONMENT.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = ENVIRONMENT.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from error


def env_list(name: str, default: list[str]) -> list[str]:
    raw = ENVIRONMENT.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

_DEVELOPMENT_SECRET_KEY = "development-only-secret-key-not-for-production-use-0123456789"
SECRET_KEY = ENVIRONMENT.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set unless DEBUG=1 (in the environment or in .env; "
            "`make demo` writes a development .env)"
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = ENVIRONMENT.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Whether SITE_URL was set for this deployment: links a page hands out (the calendar feed) use
# it then, and otherwise the address the browser used (the request's host, which ALLOWED_HOSTS
# checks), so a demo opened as localhost:8123 shows localhost:8123, not the default above.
SITE_URL_IS_SET = bool(ENVIRONMENT.get("SITE_URL", "").strip())
# Certificates: the Ed25519 key that signs Open Badges credentials is generated once and kept in
# the database, unless this names a file holding it as a private JWK (created if missing).
CERTIFICATE_SIGNING_KEY_FILE = ENVIRONMENT.get("CERTIFICATE_SIGNING_KEY_FILE", "")
# A TrueType font with the holder's script for the PDF; without it, the PDF's built-in font.
CERTIFICATE_FONT_FILE = ENVIRONMENT.get(
    "CERTIFICATE_FONT_FILE", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "cohortkit.common",
    "cohortkit.accounts",
    "cohortkit.programs",
    "cohortkit.admissions",
    "cohortkit.coursework",
    "cohortkit.quizzes",
    "cohortkit.calendars",
    "cohortkit.notifications",
    "cohortkit.sections",
    "cohortkit.scheduling",
    "cohortkit.community",
    "cohortkit.payments",
    "cohortkit.completion",
    "cohortkit.demo",
    "cohortkit.certificates",
    "cohortkit.organize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cohortkit.common.middleware.UnstorableTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cohortkit.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cohortkit.common.middleware.ViewerTimeZoneMiddleware",
    "cohortkit.common.refusals.RefusalMiddleware",
    # Refuses writes to finished and archived terms (cohortkit.programs.states).
    "cohortkit.programs.states.TermStateMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cohortkit.urls"
WSGI_APPLICATION = "cohortkit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cohortkit.common.context_processors.viewer_time_zone",
            ],
        },
    },
    {
        # The words of every email (templates/emails/<app>/<name>.subject.txt and .txt), which
        # anyone can edit without touching code; plain text, so nothing is HTML-escaped.
        "NAME": "emails",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates" / "emails"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": False},
    },
]

_SQLITE_PATH = ENVIRONMENT.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
_SQLITE_DATABASE: dict[str, Any] = {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": _SQLITE_PATH,
    "OPTIONS": {
        # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on the busy timeout instead of failing with "locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    },
}
DATABASES: dict[str, Any]
if ENVIRONMENT.get("DATABASE_URL"):
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                ENVIRONMENT["DATABASE_URL"], conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
            )
        }
    except ValueError as error:  # the message would not show the password, nor will this one
        raise ImproperlyConfigured(
            "DATABASE_URL is not a database URL cohortkit can read "
            "(e.g. postgres://user:password@host:5432/name; quote special characters)"
        ) from error
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
        "DATABASE_JIT", False
    ):
        # PostgreSQL's JIT compiles any query its planner estimates as large, which the
        # overview's term-wide counts are: compiling took longer than running them (586 of
        # 2,030 ms for the submission counts at 10,000 people). A web page's queries are short;
        # DATABASE_JIT=1 keeps the server's own setting (behind a pooler that refuses startup
        # options, set it and turn JIT off on the server: ALTER DATABASE ... SET jit = off).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    DATABASES = {"default": _SQLITE_DATABASE}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Failed logins are counted per account and per address (django-axes) before the password
    # is checked; see cohortkit/accounts/lockout.py.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 60))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "cohortkit.accounts.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "cohortkit.accounts.lockout.locked_out_response"
# Behind N proxies that append to X-Forwarded-For, the client is the N-th address from the right.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "cohortkit.accounts.lockout.client_address"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = ENVIRONMENT.get("OTP_ISSUER", "cohortkit")
# Successful logins are not logged (personal data nobody needs); failures are, to count them.
AXES_DISABLE_ACCESS_LOG = True
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "programs:home"
LOGOUT_REDIRECT_URL = "programs:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(ENVIRONMENT.get("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

TASKS = {
    "default": {
        "BACKEND": ENVIRONMENT.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = ENVIRONMENT.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = ENVIRONMENT.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
# A running schedule run whose worker has not reported for this long, after its own time limit,
# is taken to be dead: it is marked failed and a new run may start (scheduling.services.runs).
SCHEDULE_RUN_LEASE_SECONDS = env_int("SCHEDULE_RUN_LEASE_SECONDS", 60)
# A run started from the page goes until its plan is proven optimal, at most this many seconds.
SCHEDULE_RUN_MAX_SECONDS = env_int("SCHEDULE_RUN_MAX_SECONDS", 60)
EMAIL_HOST_USER = ENVIRONMENT.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = ENVIRONMENT.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A worker's claim on an email lasts EMAIL_CLAIM_TIMEOUT seconds; after that another worker may
# take it over, so it must be well above the longest send (the SMTP socket timeout is
# EMAIL_TIMEOUT per operation). A send that raises is retried after EMAIL_RETRY_DELAY seconds,
# doubling each time up to EMAIL_RETRY_DELAY_MAX, until EMAIL_MAX_ATTEMPTS; then it is failed.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_CLAIM_TIMEOUT = env_int("EMAIL_CLAIM_TIMEOUT", 600)
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 8)
EMAIL_RETRY_DELAY = env_int("EMAIL_RETRY_DELAY", 60)
EMAIL_RETRY_DELAY_MAX = env_int("EMAIL_RETRY_DELAY_MAX", 6 * 3600)
for _name in ("EMAIL_TIMEOUT", "EMAIL_MAX_ATTEMPTS", "EMAIL_RETRY_DELAY", "EMAIL_RETRY_DELAY_MAX"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
if EMAIL_CLAIM_TIMEOUT <= EMAIL_TIMEOUT:
    raise ImproperlyConfigured(
        f"EMAIL_CLAIM_TIMEOUT={EMAIL_CLAIM_TIMEOUT} must be longer than "
        f"EMAIL_TIMEOUT={EMAIL_TIMEOUT} seconds, or a slow send would be taken over and sent twice"
    )
EMAIL_FILE_PATH = ENVIRONMENT.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
DEFAULT_FROM_EMAIL = ENVIRONMENT.get("DEFAULT_FROM_EMAIL", "cohortkit <noreply@localhost>")

# HTTPS hardening is on whenever DEBUG is off; a deployment that terminates TLS at a proxy
# says so with TRUST_X_FORWARDED_PROTO=1.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Jobs the workers run on a schedule (cohortkit.common.periodic): name → (function, seconds).
PERIODIC_JOBS: dict[str, tuple[str, int]] = {
    "coursework.reminders": ("cohortkit.coursework.reminders.reminders_send", 3600),
    "admissions.offer_lapses": ("cohortkit.admissions.services.confirming.enrollments_lapse", 600),
    "community.digests": ("cohortkit.community.services.digests_send", 3600),
    "community.announcements_due": (
        "cohortkit.community.services.announcements_send_due",
        300,
    ),
    # Applications of people never admitted, Term.retention_months after the term (default 12).
    "admissions.retention": (
        "cohortkit.admissions.personal_data.applications_anonymise_expired",
        86400,
    ),
}
PERIODIC_TICK_SECONDS = env_int("PERIODIC_TICK_SECONDS", 30)
PERIODIC_LEASE_SECONDS = env_int("PERIODIC_LEASE_SECONDS", 600)
PERIODIC_RETRY_SECONDS = env_int("PERIODIC_RETRY_SECONDS", 300)
# A payee whose payouts in a calendar year reach this (amount and ISO 4217 code) needs a recorded
# tax form before a payout line is frozen for them (e.g. the US 1099 threshold).
PAYMENTS_TAX_FORM_THRESHOLD = ENVIRONMENT.get("PAYMENTS_TAX_FORM_THRESHOLD", "600.00 USD")

# Only `make bench-apply` turns this on, for the baseline view of its own gunicorn.
BENCHMARK_ENDPOINTS = env_bool("BENCHMARK_ENDPOINTS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": ENVIRONMENT.get("LOG_LEVEL", "WARNING")},
}
