"""Retries with backoff, giving up with the reason, scheduled emails and expiring claims."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from cohortkit.accounts.models import User
from cohortkit.notifications.models import OutboundEmail
from cohortkit.notifications.selectors import (
    EmailStatus,
    failed_emails,
    outbound_email_status_counts,
    outbound_emails,
)
from cohortkit.notifications.services import email_queue, email_send, email_send_due
from cohortkit.notifications.tests.email_backends import FlakyBackend

pytestmark = pytest.mark.django_db

# Tomorrow: the tests pass ``now`` explicitly, and tasks deferred to "later" stay deferred.
T0 = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "cohortkit.notifications.tests.email_backends.FlakyBackend"
    settings.EMAIL_RETRY_DELAY = 60
    settings.EMAIL_MAX_ATTEMPTS = 4
    yield FlakyBackend
    FlakyBackend.failures_left = 0


def an_email(key: str = "k", **fields) -> OutboundEmail:
    return OutboundEmail.objects.create(
        idempotency_key=key, to="ada@example.org", subject="Your section", body="B", **fields
    )


def status_of(email: OutboundEmail, now: dt.datetime) -> str:
    return outbound_emails(now=now).get(pk=email.pk).status


def test_a_send_that_raises_is_retried_with_exponential_backoff_then_sent(flaky):
    flaky.failures_left = 2
    email = an_email()

    assert email_send(email_id=email.pk, now=T0) is False  # attempt 1 fails
    email.refresh_from_db()
    assert email.next_attempt_at == T0 + dt.timedelta(seconds=60)
    assert "SMTPServerDisconnected" in email.last_error
    assert status_of(email, T0) == EmailStatus.RETRYING

    assert email_send(email_id=email.pk, now=T0 + dt.timedelta(seconds=59)) is False  # not yet
    assert email_send(email_id=email.pk, now=T0 + dt.timedelta(seconds=60)) is False  # attempt 2
    email.refresh_from_db()
    assert email.next_attempt_at == T0 + dt.timedelta(seconds=60 + 120)  # the delay doubled
    assert email_send(email_id=email.pk, now=T0 + dt.timedelta(seconds=180)) is True  # attempt 3

    email.refresh_from_db()
    assert (email.attempts, email.sent_at) == (3, T0 + dt.timedelta(seconds=180))
    assert [message.subject for message in mail.outbox] == ["Your section"]
    assert status_of(email, T0 + dt.timedelta(seconds=181)) == EmailStatus.SENT


def test_after_the_last_attempt_the_email_is_failed_with_the_reason(flaky):
    flaky.failures_left = 99
    email = an_email()
    moment = T0
    for _ in range(4):
        email_send(email_id=email.pk, now=moment)
        moment += dt.timedelta(hours=1)

    assert email_send(email_id=email.pk, now=moment) is False  # no fifth attempt
    email.refresh_from_db()
    assert email.attempts == 4 and email.failed_at is not None and email.sent_at is None
    assert list(failed_emails()) == [email]
    assert failed_emails().get().last_error == (
        "SMTPServerDisconnected: Connection unexpectedly closed"
    )
    assert outbound_email_status_counts(now=moment)[EmailStatus.FAILED] == 1
    assert not mail.outbox


def test_a_mailbox_that_does_not_exist_fails_at_once(settings):
    settings.EMAIL_BACKEND = "cohortkit.notifications.tests.email_backends.RefusingBackend"
    email = an_email()

    email_send(email_id=email.pk, now=T0)

    email.refresh_from_db()
    assert email.attempts == 1 and email.failed_at == T0
    assert "no such user" in email.last_error


def test_organizers_see_failed_emails_in_the_admin_and_can_send_them_again(
    client, flaky, django_capture_on_commit_callbacks
):
    flaky.failures_left = 99
    email = an_email(key="failed")
    an_email(key="fine", sent_at=T0, claimed_at=T0)
    for hour in range(4):
        email_send(email_id=email.pk, now=T0 + dt.timedelta(hours=hour))
    admin = User.objects.create_superuser(email="root@example.org", password="pw")
    client.force_login(admin)
    changelist = reverse("admin:notifications_outboundemail_changelist")

    page = client.get(changelist, {"status": "failed"}).content.decode()

    assert "failed, given up" in page
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
    assert page.count('class="action-checkbox"') == 1  # only the failed one is listed

    flaky.failures_left = 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {"action": "send_again", "_selected_action": [email.pk]})
    email.refresh_from_db()
    assert email.sent_at is not None and email.failed_at is None
    assert [message.to for message in mail.outbox] == [["ada@example.org"]]


def test_an_error_after_the_server_accepted_the_message_is_not_a_failed_send(settings):
    settings.EMAIL_BACKEND = "cohortkit.notifications.tests.email_backends.GoodbyeFailsBackend"
    email = an_email()

    assert email_send(email_id=email.pk, now=T0) is True

    email.refresh_from_db()
    assert email.sent_at == T0 and email.next_attempt_at is None and email.last_error == ""
    assert len(mail.outbox) == 1  # and no retry will send a second copy


def test_a_scheduled_email_is_not_sent_before_its_time(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(
            to="ada@example.org",
            subject="Week 2 starts",
            body="B",
            idempotency_key="w2",
            scheduled_at=T0,
        )

    assert email_send(email_id=email.pk, now=T0 - dt.timedelta(seconds=1)) is False
    assert email_send_due(now=T0 - dt.timedelta(seconds=1)) == 0
    assert status_of(email, T0 - dt.timedelta(seconds=1)) == EmailStatus.SCHEDULED
    assert not mail.outbox

    assert email_send_due(now=T0) == 1
    assert [message.subject for message in mail.outbox] == ["Week 2 starts"]


@pytest.mark.django_db(transaction=True)
def test_scheduled_retried_and_claimed_emails_get_deferred_tasks_so_no_cron_is_needed(
    settings, flaky
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_CLAIM_TIMEOUT = 600
    later = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)

    scheduled = email_queue(
        to="ada@example.org", subject="S", body="B", idempotency_key="s", scheduled_at=later
    )
    assert list(DBTaskResult.objects.values_list("run_after", flat=True)) == [later]
    DBTaskResult.objects.all().delete()

    flaky.failures_left = 1
    failing = an_email(key="f")
    now = dt.datetime.now(dt.UTC)
    email_send(email_id=failing.pk, now=now)
    failing.refresh_from_db()

    run_after = sorted(DBTaskResult.objects.values_list("run_after", flat=True))
    assert run_after == [failing.next_attempt_at, now + dt.timedelta(seconds=600)]
    assert {row.args_kwargs["kwargs"]["email_id"] for row in DBTaskResult.objects.all()} == {
        failing.pk
    }
    assert scheduled.sent_at is None


def test_an_expired_claim_is_taken_over_and_a_live_one_is_not(settings):
    settings.EMAIL_CLAIM_TIMEOUT = 600
    # A worker claimed it at T0 and was killed before sending.
    email = an_email(claimed_at=T0, attempts=1)

    assert email_send(email_id=email.pk, now=T0 + dt.timedelta(seconds=599)) is False
    assert status_of(email, T0 + dt.timedelta(seconds=599)) == EmailStatus.SENDING
    assert email_send_due(now=T0 + dt.timedelta(seconds=599)) == 0
    assert not mail.outbox

    assert email_send(email_id=email.pk, now=T0 + dt.timedelta(seconds=600)) is True
    email.refresh_from_db()
    assert email.attempts == 2
    assert len(mail.outbox) == 1


def test_a_send_that_fails_after_its_claim_was_taken_over_leaves_the_newer_claim(settings):
    from cohortkit.notifications.tests.email_backends import TakenOverBackend

    settings.EMAIL_BACKEND = "cohortkit.notifications.tests.email_backends.TakenOverBackend"
    TakenOverBackend.newer_claim = T0 + dt.timedelta(minutes=11)
    email = an_email()

    assert email_send(email_id=email.pk, now=T0) is False

    email.refresh_from_db()
    assert email.claimed_at == TakenOverBackend.newer_claim  # the other worker still holds it
    assert email.next_attempt_at is None and email.failed_at is None


def test_a_worker_killed_during_the_last_attempt_leaves_the_email_failed(settings):
    settings.EMAIL_CLAIM_TIMEOUT = 600
    settings.EMAIL_MAX_ATTEMPTS = 3
    email = an_email(claimed_at=T0, attempts=3)

    assert email_send(email_id=email.pk, now=T0 + dt.timedelta(hours=1)) is False

    email.refresh_from_db()
    assert email.failed_at is not None and "worker stopped" in email.last_error
    assert not mail.outbox


def test_every_attempt_carries_the_same_message_id(flaky):
    flaky.failures_left = 0
    first, second = an_email(key="a"), an_email(key="b")

    email_send(email_id=first.pk, now=T0)
    email_send(email_id=second.pk, now=T0)

    ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
    assert ids[0] != ids[1] and all(value.startswith("<") for value in ids)
    OutboundEmail.objects.filter(pk=first.pk).update(sent_at=None, claimed_at=None)
    email_send(email_id=first.pk, now=T0)
    assert mail.outbox[-1].extra_headers["Message-ID"] == ids[0]


def test_the_emails_command_sends_what_is_due_and_counts_by_status(capsys):
    an_email(key="due")
    an_email(key="later", scheduled_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))

    call_command("emails", "send-due")
    call_command("emails", "status")

    output = capsys.readouterr().out
    assert "Sent 1 email(s)." in output
    assert "sent: 1" in output and "scheduled: 1" in output
    assert len(mail.outbox) == 1


def test_an_email_whose_task_was_never_enqueued_goes_with_the_next_email_sent(settings):
    from cohortkit.notifications.tasks import send_outbound_email

    settings.EMAIL_CLAIM_TIMEOUT = 600
    # Committed, but the process died before enqueuing its task, eleven minutes ago.
    overlooked = an_email(key="overlooked")
    OutboundEmail.objects.filter(pk=overlooked.pk).update(
        created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11)
    )
    recent = an_email(key="recent")  # its own task is on its way: left to it
    another = an_email(key="another")

    send_outbound_email.call(email_id=another.pk)

    assert sorted(
        OutboundEmail.objects.filter(sent_at__isnull=False).values_list(
            "idempotency_key", flat=True
        )
    ) == ["another", "overlooked"]
    assert OutboundEmail.objects.get(pk=recent.pk).sent_at is None
    assert len(mail.outbox) == 2
