"""Queue emails inside the caller's transaction; a task sends each once, after commit."""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cohortkit.common.text import one_line
from cohortkit.notifications.models import OutboundEmail


def email_queue(
    *,
    to: str,
    subject: str,
    body: str,
    idempotency_key: str,
    scheduled_at: dt.datetime | None = None,
) -> OutboundEmail:
    """Record an email and enqueue its sending once the surrounding transaction commits.

    Calling it again with the same key returns the first email and queues nothing: a retried
    request or a double click never mails anyone twice. The subject is made one line (a line
    break in a header makes sending fail), however a name or title inside it was written.
    """
    subject = one_line(subject)
    email, created = OutboundEmail.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={"to": to, "subject": subject, "body": body, "scheduled_at": scheduled_at},
    )
    if created and scheduled_at is None:
        from cohortkit.notifications.tasks import send_outbound_email

        email_id = email.pk
        transaction.on_commit(lambda: send_outbound_email.enqueue(email_id=email_id))
    return email


def email_send(*, email_id: int) -> bool:
    """Send one queued email unless someone already has; True when this call sent it.

    The conditional UPDATE is the claim: of two workers, only one sees a row count of one.
    """
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(
        pk=email_id, sent_at__isnull=True, claimed_at__isnull=True
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        send_mail(email.subject, email.body, None, [email.to], fail_silently=False)
    except Exception as error:
        # Release the claim so a later run can retry; the error stays on the row for organizers.
        OutboundEmail.objects.filter(pk=email_id).update(claimed_at=None, last_error=str(error))
        raise
    OutboundEmail.objects.filter(pk=email_id).update(sent_at=timezone.now(), last_error="")
    return True
