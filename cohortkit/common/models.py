"""What every app shares: the audit trail of who did what to what, when."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One recorded action. Written by services, never edited."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    details = models.JSONField(default=dict, blank=True)
    # The term the target lies in (found from its foreign keys), for the term's audit page.
    term = models.ForeignKey(
        "programs.Term", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["term", "-occurred_at"], name="audit_term_recent"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"
        )


class PeriodicJob(models.Model):
    """One job the workers run on a schedule (see ``cohortkit.common.periodic``).

    A worker runs a due job only after claiming it with a conditional UPDATE that sets a lease
    (``running_until``); a worker that dies mid-job lets the lease run out, and the next worker to
    look runs the job again. However many workers there are, a due job runs once.
    """

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    running_until = models.DateTimeField(null=True, blank=True)
    running_on = models.CharField(max_length=100, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
