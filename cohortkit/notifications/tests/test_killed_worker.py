"""Each email exactly once although a real ``cohortkit db_worker`` is killed (SIGKILL) mid-send.

The database is the test's own (an SQLite file, or PostgreSQL when ``DATABASE_URL`` is set); the
workers are separate processes that read it. The first worker's mail server hangs on one message
until it is killed; a second worker must then take the expired claim over.
"""

import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from cohortkit.notifications.models import OutboundEmail
from cohortkit.notifications.services import email_queue

ROOT = Path(__file__).resolve().parents[3]
EMAILS = 5
CLAIM_SECONDS = 2
GIVE_UP_AFTER_SECONDS = 180  # only so a broken build fails instead of hanging; never a timing
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def database_environment() -> dict[str, str]:
    """Point a child process at the database this test is using."""
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return {"SQLITE_PATH": str(database["NAME"]), "DATABASE_URL": ""}
    credentials = quote(database["USER"] or "", safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    host = f"{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}"
    return {"DATABASE_URL": f"postgres://{credentials}@{host}/{database['NAME']}"}


def start_worker(tmp_path: Path, **extra: str) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "cohortkit.settings",
        "DEBUG": "1",
        "COHORTKIT_ENV_FILE": "",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "EMAIL_CLAIM_TIMEOUT": str(CLAIM_SECONDS),
        "EMAIL_TIMEOUT": "1",
        "COHORTKIT_TEST_SIGNAL_DIR": str(tmp_path),
    }
    env |= database_environment() | extra
    return subprocess.Popen(
        [sys.executable, "-m", "cohortkit.cli", "db_worker", "--no-reload", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / f"worker-{time.monotonic_ns()}.log").open("wb"),
    )


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + GIVE_UP_AFTER_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def delivered(tmp_path: Path) -> Counter[tuple[str, str]]:
    """(subject, Message-ID) of every message the file mail server received."""
    received: Counter[tuple[str, str]] = Counter()
    for path in sorted((tmp_path / "mail").glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                message = email.message_from_string(chunk.strip())
                received[(message["Subject"], message["Message-ID"])] += 1
    return received


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("block", ["before", "after"])
def test_a_worker_killed_mid_send_is_taken_over(settings, tmp_path, block):
    settings.TASKS = DATABASE_TASKS
    for number in range(1, EMAILS + 1):
        email_queue(
            to=f"p{number}@example.org",
            subject=f"Your section {number}",
            body="See you on Monday.",
            idempotency_key=f"section-{number}",
        )
    workers = []
    try:
        # Act 1: a worker whose mail server hangs on the third message, killed while it hangs.
        first = start_worker(
            tmp_path,
            EMAIL_BACKEND="cohortkit.notifications.tests.email_backends.BlockingFileBackend",
            COHORTKIT_TEST_BLOCK_AT="3",
            COHORTKIT_TEST_BLOCK=block,
        )
        workers.append(first)
        wait_for(lambda: (tmp_path / "blocked").exists(), "the first worker to hang")
        first.send_signal(signal.SIGKILL)
        first.wait()
        hung = OutboundEmail.objects.get(claimed_at__isnull=False, sent_at__isnull=True)
        assert hung.attempts == 1

        # Act 2: another worker takes over once the claim has expired.
        second = start_worker(tmp_path)
        workers.append(second)
        wait_for(
            lambda: not OutboundEmail.objects.filter(sent_at__isnull=True).exists(),
            "every email to be marked sent",
        )
    finally:
        for worker in workers:
            stop(worker)

    received = delivered(tmp_path)
    assert sorted(subject for subject, _ in received) == [
        f"Your section {n}" for n in range(1, EMAILS + 1)
    ]
    assert all(message_id for _, message_id in received)
    hung.refresh_from_db()
    assert hung.attempts == 2 and hung.failed_at is None
    copies = {subject: count for (subject, _), count in received.items()}
    if block == "before":
        # The mail server never finished receiving it: every email exactly once.
        assert set(copies.values()) == {1}
    else:
        # The mail server accepted it and the worker died before recording that: the one window
        # SMTP cannot close. The copy is the same message, with the same Message-ID.
        assert copies.pop(hung.subject) == 2
        assert set(copies.values()) == {1}
