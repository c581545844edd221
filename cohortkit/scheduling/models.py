"""Scheduling runs: the solver's input, progress and answer, edited by hand, then published.

Publishing creates the term's sections, memberships and meetings, which live in
``cohortkit.sections``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    # Ended early by the organizer's stop button: its best plan so far is kept and usable.
    STOPPED = "stopped", "Stopped"
    FAILED = "failed", "Failed"


# The statuses of a run that ended with a plan (which may be edited and published).
FINISHED_WITH_PLAN = (RunStatus.DONE, RunStatus.STOPPED)


class ScheduleRun(models.Model):
    """One solve of a term's instance; the organizer may edit its solution by hand, then publish."""

    term = models.ForeignKey(
        "programs.Term", on_delete=models.CASCADE, related_name="schedule_runs"
    )
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    # The contract's instance JSON, and the people it came from (``people.SOURCE_LABELS``:
    # "applications", "offers", "enrollments" = confirmed, or "import"), with notes on people
    # left out of it (unknown track, no university, ...).
    instance = models.JSONField()
    source = models.CharField(max_length=20, default="enrollments")
    notes = models.JSONField(default=list, blank=True)
    # Instance id → the user id of the person of THIS term it names (someone with an application
    # or enrollment of that role here). Only these ids are ever mapped to accounts: an imported
    # instance's other ids stay unknown (shown as ids, never published), whatever they look like.
    people = models.JSONField(default=dict, blank=True)
    # ``<people digest>.<sections digest>`` when the run was made
    # (``services.staleness.source_fingerprint``): a run whose source now gives another
    # fingerprint is stale and is not published.
    source_fingerprint = models.CharField(max_length=80, blank=True)
    # Monday of the reference week: slot 0 is 00:00 UTC of this date.
    week_monday = models.DateField()
    # At most this long; a run ends sooner when its plan is proven optimal (or it is stopped).
    time_limit_seconds = models.PositiveSmallIntegerField(default=60)
    solution = models.JSONField(null=True, blank=True)
    # People placed in sections, of ``participants_total`` in the instance (what the page says),
    # apart from the ``objective`` (total priority placed, what the solver maximizes) and its
    # proven ``bound``. While running only the objective is known.
    placed = models.PositiveIntegerField(default=0)
    participants_total = models.PositiveIntegerField(default=0)
    objective = models.PositiveIntegerField(default=0)
    bound = models.PositiveIntegerField(default=0)
    elapsed_seconds = models.FloatField(default=0)
    phase = models.CharField(max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The worker's lease: renewed by each progress report of the running solver
    # (``heartbeat_at``); a running run past ``lease_expires_at`` has lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set by the stop button; the worker polls it between the solver's steps.
    stop_requested_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="schedule_run_status_known"
            ),
            models.CheckConstraint(
                condition=Q(time_limit_seconds__gte=1) & Q(time_limit_seconds__lte=600),
                name="schedule_run_time_limit_range",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=FINISHED_WITH_PLAN) | Q(solution__isnull=False),
                name="schedule_run_done_has_solution",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | (Q(started_at__isnull=False) & Q(finished_at__gte=F("started_at"))),
                name="schedule_run_finished_after_started",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status__in=FINISHED_WITH_PLAN),
                name="schedule_run_only_done_is_published",
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.term_id}: {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def has_plan(self) -> bool:
        """Ended with a plan: done, or stopped by the organizer with its best plan so far."""
        return self.status in FINISHED_WITH_PLAN and self.solution is not None
