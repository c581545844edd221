from __future__ import annotations

from django_tasks import task

from cohortkit.notifications.services import email_send, email_send_overlooked


@task()
def send_outbound_email(*, email_id: int) -> bool:
    """Background half of ``email_queue``: takes an id, never a model, and calls the service.

    The same task is enqueued again, deferred, for a retry and for when a claim expires; a run
    that finds the email sent, held or not yet due does nothing.
    """
    sent = email_send(email_id=email_id)
    email_send_overlooked()
    return sent
