"""Queue emails inside the caller's transaction; workers send each after commit, under a lease.

The guarantee (docs/deployment.md, "Emails"): every queued email is handed to the mail server,
retried with backoff while sending raises, and marked failed with the reason after the last
attempt. A worker killed while sending leaves a claim that expires after ``EMAIL_CLAIM_TIMEOUT``;
the follow-up task enqueued with the claim then sends it. Two workers never hold the same claim,
so an email is sent twice only if a worker dies in the instant between the mail server accepting
the message and the database recording it (the one window SMTP cannot close); both copies carry
the same ``Message-ID``. An email whose first task was never enqueued (the process died right
after the commit) is sent by the next sending task of any email (``email_send_overlooked``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import logging
import smtplib
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cohortkit.common.errors import ConflictError, NotFoundError
from cohortkit.common.services import audit_record
from cohortkit.common.text import one_line
from cohortkit.notifications.models import OutboundEmail
from cohortkit.notifications.selectors import claim_timeout

MAX_ERROR_CHARACTERS = 2000
logger = logging.getLogger(__name__)


def retry_delay(*, attempts: int) -> dt.timedelta:
    """Exponential backoff: the base delay after the first failure, doubling after each, capped."""
    seconds = settings.EMAIL_RETRY_DELAY * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.EMAIL_RETRY_DELAY_MAX))


def claimable(*, now: dt.datetime) -> Q:
    """Emails a worker may claim now: unsent, not given up, due, and unclaimed or claim expired."""
    return (
        Q(sent_at__isnull=True, failed_at__isnull=True)
        & (Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=now))
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - claim_timeout()))
    )


def _enqueue_send(*, email_id: int, run_after: dt.datetime | None = None) -> bool:
    """Enqueue the sending task, deferred to ``run_after`` when the tasks backend can defer.

    False when it cannot (the immediate backend of the tests): ``cohortkit emails send-due`` or a
    later task picks the email up instead.
    """
    from cohortkit.notifications.tasks import send_outbound_email

    task = send_outbound_email
    if run_after is not None and run_after > timezone.now():
        if not task.get_backend().supports_defer:
            return False
        task = task.using(run_after=run_after)
    task.enqueue(email_id=email_id)
    return True


_TERM_SCOPE: contextvars.ContextVar[Callable[[], int | None] | None] = contextvars.ContextVar(
    "email_term_scope", default=None
)


@contextlib.contextmanager
def email_term_scope(find_term_id: Callable[[], int | None]) -> Iterator[None]:
    """Emails queued inside this block without a term of their own are about the term that
    ``find_term_id`` names (called only when an email is queued, so a page that sends nothing
    pays nothing).

    ``cohortkit.programs.states.TermStateMiddleware`` opens it for every request under
    ``/terms/<slug>/``, so the emails a page queues show in that term's outbox.
    """
    token = _TERM_SCOPE.set(find_term_id)
    try:
        yield
    finally:
        _TERM_SCOPE.reset(token)


def email_term_scope_current() -> int | None:
    find_term_id = _TERM_SCOPE.get()
    return find_term_id() if find_term_id is not None else None


def email_queue(
    *,
    to: str,
    subject: str,
    body: str,
    idempotency_key: str,
    scheduled_at: dt.datetime | None = None,
    term_id: int | None = None,
) -> OutboundEmail:
    """Record an email and enqueue its sending once the surrounding transaction commits.

    A ``scheduled_at`` in the future defers the task to that instant, so it is not sent before.
    Calling it again with the same key returns the first email and queues nothing: a retried
    request or a double click never mails anyone twice. The subject is made one line (a line
    break in a header makes sending fail), however a name or title inside it was written.
    """
    subject = one_line(subject)
    email, created = OutboundEmail.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "to": to,
            "subject": subject,
            "body": body,
            "scheduled_at": scheduled_at,
            "term_id": term_id if term_id is not None else email_term_scope_current(),
        },
    )
    if created:
        email_id = email.pk
        transaction.on_commit(lambda: _enqueue_send(email_id=email_id, run_after=scheduled_at))
    return email


def message_id(email: OutboundEmail) -> str:
    """The same Message-ID on every attempt, so a copy sent twice reads as one in most mailboxes."""
    digest = hashlib.sha256(email.idempotency_key.encode()).hexdigest()[:40]
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{digest}@{domain}>"


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer from the mail server (unknown mailbox, refused content): retrying won't help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _give_up_on_expired_last_attempt(*, email_id: int, now: dt.datetime) -> bool:
    """A worker died during the last allowed attempt: mark the email failed, never resend it."""
    return bool(
        OutboundEmail.objects.filter(
            pk=email_id,
            sent_at__isnull=True,
            failed_at__isnull=True,
            attempts__gte=settings.EMAIL_MAX_ATTEMPTS,
            claimed_at__lte=now - claim_timeout(),
        ).update(
            failed_at=now,
            last_error=(
                "The worker stopped while sending the last attempt; the mail server may not have "
                "received it."
            ),
        )
    )


@transaction.atomic
def _record_failure(
    *, email_id: int, claimed_at: dt.datetime, error: Exception, now: dt.datetime
) -> None:
    email = OutboundEmail.objects.select_for_update().get(pk=email_id)
    reason = f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARACTERS]
    if email.sent_at is not None or email.claimed_at != claimed_at:
        return  # sent, or taken over after this claim expired: the newer claim decides
    if email.attempts >= settings.EMAIL_MAX_ATTEMPTS or _is_permanent(error):
        email.failed_at, email.last_error = now, reason
        email.save(update_fields=["failed_at", "last_error"])
        return
    email.claimed_at = None
    email.next_attempt_at = now + retry_delay(attempts=email.attempts)
    email.last_error = reason
    email.save(update_fields=["claimed_at", "next_attempt_at", "last_error"])
    _enqueue_send(email_id=email_id, run_after=email.next_attempt_at)


class NothingDeliveredError(Exception):
    """The mail backend returned without raising but reports that it sent nothing."""


def _deliver(message: EmailMessage) -> None:
    """Hand the message to the mail server; returns once the server has accepted it.

    The connection is opened and closed here, not inside ``send_messages``: once the server has
    accepted the message, an error while saying goodbye (QUIT) must not count as a failed send,
    or the retry would deliver it twice.
    """
    connection = get_connection(fail_silently=False)
    connection.open()
    try:
        if connection.send_messages([message]) != 1:
            raise NothingDeliveredError("The mail backend accepted nothing.")
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("Closing the mail connection failed after sending", exc_info=True)


def email_send(*, email_id: int, now: dt.datetime | None = None) -> bool:
    """Send one queued email if it is due and nobody holds it; True when this call sent it.

    The conditional UPDATE is the claim: of two workers, only one sees a row count of one. In the
    same transaction a follow-up task is enqueued for when the claim expires, so a worker killed
    mid-send is taken over without cron. A send that raises is recorded and retried later (or
    given up after the last attempt); it never raises to the worker.
    """
    moment = now or timezone.now()
    with transaction.atomic():
        claimed = (
            OutboundEmail.objects.filter(claimable(now=moment), pk=email_id)
            .filter(attempts__lt=settings.EMAIL_MAX_ATTEMPTS)
            .update(claimed_at=moment, attempts=F("attempts") + 1, next_attempt_at=None)
        )
        if claimed != 1:
            _give_up_on_expired_last_attempt(email_id=email_id, now=moment)
            return False
        _enqueue_send(email_id=email_id, run_after=moment + claim_timeout())
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMessage(
        email.subject, email.body, None, [email.to], headers={"Message-ID": message_id(email)}
    )
    try:
        _deliver(message)
    except Exception as error:
        _record_failure(
            email_id=email_id, claimed_at=moment, error=error, now=now or timezone.now()
        )
        return False
    OutboundEmail.objects.filter(pk=email_id).update(sent_at=now or timezone.now())
    return True


def email_send_due(*, now: dt.datetime | None = None) -> int:
    """Send every email that is due now (scheduled, retry or expired claim); how many were sent.

    Workers do this on their own through deferred tasks; this is for backends that cannot defer
    and for an operator who wants the queue empty now.
    """
    moment = now or timezone.now()
    due = OutboundEmail.objects.filter(claimable(now=moment)).order_by("created_at", "id")
    return sum(email_send(email_id=pk, now=now) for pk in due.values_list("pk", flat=True))


def email_send_overlooked(*, now: dt.datetime | None = None, limit: int = 10) -> int:
    """Send due emails that no task will come for; how many were sent.

    Every retry and claim expiry enqueues its task in the same transaction, but the first task
    of an email is enqueued just after the commit, and a process that dies in between (or a
    database that drops the connection there) leaves an email with no task. Each sending task
    ends by calling this, so the next email any worker sends picks such an email up once it has
    waited a whole claim timeout. (An email an organizer sent again keeps its last error and is
    left to its own task, or to ``cohortkit emails send-due``.)
    """
    moment = now or timezone.now()
    cutoff = moment - claim_timeout()
    overlooked = (
        OutboundEmail.objects.filter(
            claimable(now=moment), attempts=0, last_error="", created_at__lte=cutoff
        )
        .filter(Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=cutoff))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(email_send(email_id=pk, now=now) for pk in list(overlooked))


@transaction.atomic
def email_retry(*, email_id: int, actor: object) -> OutboundEmail:
    """Give a failed email a new set of attempts, starting now (an organizer fixed the cause)."""
    email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
    if email is None:
        raise NotFoundError("No such email.")
    if email.failed_at is None:
        raise ConflictError("Only a failed email can be sent again.")
    email.failed_at = None
    email.claimed_at = None
    email.next_attempt_at = None
    email.attempts = 0
    email.save(update_fields=["failed_at", "claimed_at", "next_attempt_at", "attempts"])
    audit_record(actor=actor, action="email.retried", target=email)
    transaction.on_commit(lambda: _enqueue_send(email_id=email_id))
    return email
