"""Emails are queued in the caller's transaction and sent once by a task after commit."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from cohortkit.notifications.models import OutboundEmail
from cohortkit.notifications.services import email_queue, email_send

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_email_waits_for_commit_then_the_worker_sends_it_once(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS  # django-tasks resets its backends on setting_changed
    with transaction.atomic():
        email_queue(to="ada@example.org", subject="Hello", body="Welcome.", idempotency_key="h1")
        assert not DBTaskResult.objects.exists()  # nothing is enqueued before the commit
    assert DBTaskResult.objects.count() == 1
    assert not mail.outbox  # queued in the database, waiting for a worker

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert [message.subject for message in mail.outbox] == ["Hello"]
    assert OutboundEmail.objects.get().sent_at is not None


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        email_queue(to="a@example.org", subject="S", body="B", idempotency_key="k")
        raise RuntimeError("the request failed")

    assert not mail.outbox
    assert not OutboundEmail.objects.exists()


def test_the_same_key_queues_one_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = email_queue(to="a@example.org", subject="S", body="B", idempotency_key="k")
        second = email_queue(to="a@example.org", subject="S", body="B", idempotency_key="k")

    assert first.pk == second.pk
    assert len(mail.outbox) == 1


def test_a_second_send_of_the_same_email_is_refused():
    email = OutboundEmail.objects.create(
        idempotency_key="k", to="a@example.org", subject="S", body="B"
    )

    assert email_send(email_id=email.pk) is True
    assert email_send(email_id=email.pk) is False
    assert len(mail.outbox) == 1
