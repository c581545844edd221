from __future__ import annotations

from django_tasks import task

from cohortkit.notifications.services import email_send


@task()
def send_outbound_email(*, email_id: int) -> bool:
    """Background half of ``email_queue``: takes an id, never a model, and calls the service."""
    return email_send(email_id=email_id)
