"""Background work of the community app: take ids, call services."""

from __future__ import annotations

from django_tasks import task

from cohortkit.community.services import announcement_send, digests_send


@task()
def send_announcement(*, announcement_id: int) -> int | None:
    """Email an announcement once its time has come (idempotent: sent at most once)."""
    return announcement_send(announcement_id=announcement_id)


@task()
def send_digests() -> int:
    """The organizers' daily digests (one per organizer per day, however often it runs)."""
    return digests_send()
