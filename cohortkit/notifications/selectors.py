"""Reads of the outbox: each email's status as an organizer would name it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, QuerySet, Value, When
from django.utils import timezone

from cohortkit.notifications.models import OutboundEmail


def claim_timeout() -> dt.timedelta:
    """How long a worker's claim on an email holds before another worker may take it over."""
    return dt.timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT)


class EmailStatus(models.TextChoices):
    SCHEDULED = "scheduled", "scheduled for later"
    QUEUED = "queued", "waiting for a worker"
    SENDING = "sending", "being sent"
    RETRYING = "retrying", "failed, will be tried again"
    SENT = "sent", "sent"
    FAILED = "failed", "failed, given up"


def _status_expression(now: dt.datetime) -> Case:
    return Case(
        When(sent_at__isnull=False, then=Value(EmailStatus.SENT.value)),
        When(failed_at__isnull=False, then=Value(EmailStatus.FAILED.value)),
        When(claimed_at__gt=now - claim_timeout(), then=Value(EmailStatus.SENDING.value)),
        When(next_attempt_at__gt=now, then=Value(EmailStatus.RETRYING.value)),
        When(scheduled_at__gt=now, then=Value(EmailStatus.SCHEDULED.value)),
        default=Value(EmailStatus.QUEUED.value),
        output_field=models.CharField(),
    )


def outbound_emails(
    *,
    status: str | None = None,
    to: str | None = None,
    term_id: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[OutboundEmail]:
    """Emails newest first, each annotated with ``status`` (an ``EmailStatus`` value); optionally
    only one status, one recipient or one term's. Failed ones keep their reason in
    ``last_error``."""
    emails = OutboundEmail.objects.annotate(status=_status_expression(now or timezone.now()))
    if term_id is not None:
        emails = emails.filter(term_id=term_id)
    if status is not None:
        emails = emails.filter(status=status)
    if to is not None:
        emails = emails.filter(to__iexact=to)
    return emails.order_by("-created_at", "-id")


def outbound_email_status_counts(
    *, term_id: int | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """How many emails are in each status (every status present, zero when none)."""
    emails = OutboundEmail.objects.all()
    if term_id is not None:
        emails = emails.filter(term_id=term_id)
    rows = (
        emails.annotate(status=_status_expression(now or timezone.now()))
        .values("status")
        .annotate(count=Count("id"))
    )
    counts = {status.value: 0 for status in EmailStatus}
    counts.update({row["status"]: row["count"] for row in rows})
    return counts


def failed_emails() -> QuerySet[OutboundEmail]:
    """The emails given up on, newest first, with the reason in ``last_error``."""
    return outbound_emails(status=EmailStatus.FAILED)
