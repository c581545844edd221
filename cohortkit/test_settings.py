"""Settings for the test suite: the real settings with fast hashing, immediate tasks, local mail.

The database is whatever the environment says (SQLite file by default, PostgreSQL through
``DATABASE_URL``), so the same suite runs on both.
"""

import os

os.environ.setdefault(
    "SECRET_KEY", "test-only-secret-key-with-enough-length-and-entropy-1234567890"
)
os.environ.setdefault("HTTPS", "0")
# A checkout's development .env (from `make demo`) must not change what the tests run with.
os.environ.setdefault("COHORTKIT_ENV_FILE", "")

from cohortkit.settings import *  # noqa: F403

TESTING = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file per test process, so parallel runs (two checkouts, two terminals) never share one.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("SQLITE_TEST_PATH")
        or os.path.join(tempfile.gettempdir(), f"cohortkit-test-{os.getpid()}.sqlite3")
    }
