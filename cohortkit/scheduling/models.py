"""Scheduling runs (the solver's input, progress and answer) and the published sections.

A ``Section`` meets at a fixed wall-clock time in its own zone; each ``Meeting`` is one week's
session as real UTC instants, so a daylight-saving change inside the term lands on the right week
for everyone. ``SectionMembership`` keeps history: a switch ends one membership and starts another.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


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
    # ``<people digest>.<sections digest>`` when the run was made (``services.source_fingerprint``):
    # a run whose source now gives another fingerprint is stale and is not published.
    source_fingerprint = models.CharField(max_length=80, blank=True)
    # Monday of the reference week: slot 0 is 00:00 UTC of this date.
    week_monday = models.DateField()
    time_limit_seconds = models.PositiveSmallIntegerField(default=10)
    solution = models.JSONField(null=True, blank=True)
    placed = models.PositiveIntegerField(default=0)
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
                condition=~Q(status=RunStatus.DONE) | Q(solution__isnull=False),
                name="schedule_run_done_has_solution",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | (Q(started_at__isnull=False) & Q(finished_at__gte=F("started_at"))),
                name="schedule_run_finished_after_started",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status=RunStatus.DONE),
                name="schedule_run_only_done_is_published",
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.term_id}: {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


class Venue(models.TextChoices):
    VIRTUAL = "virtual", "Virtual"
    IN_PERSON = "in_person", "In person"


class Section(models.Model):
    """A discussion section: one facilitator, one track, one venue, one weekly time in its zone."""

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="sections")
    track = models.ForeignKey("programs.Track", on_delete=models.PROTECT, related_name="sections")
    name = models.CharField(max_length=100)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_sections"
    )
    venue = models.CharField(max_length=20, choices=Venue.choices, default=Venue.VIRTUAL)
    meeting_url = models.URLField(blank=True)
    location = models.CharField(max_length=200, blank=True, help_text="The university.")
    room = models.CharField(max_length=200, blank=True)
    # Monday = 0. The wall-clock start in ``time_zone``; each Meeting holds the real instants.
    weekday = models.PositiveSmallIntegerField()
    start_time = models.TimeField()
    time_zone = models.CharField(max_length=64)
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    created_from = models.ForeignKey(
        ScheduleRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="sections"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["track__position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["term", "name"], name="section_name_unique_in_term"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="section_weekday_range"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15), name="section_duration_at_least_15"
            ),
            models.CheckConstraint(
                condition=(Q(venue=Venue.VIRTUAL) & Q(location="") & Q(room=""))
                | (Q(venue=Venue.IN_PERSON) & ~Q(location="")),
                name="section_venue_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_virtual(self) -> bool:
        return self.venue == Venue.VIRTUAL


class SectionMembership(models.Model):
    """A participant in a section from one week to another (``to_week`` null: until the end)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="section_memberships"
    )
    from_week = models.PositiveSmallIntegerField(default=1)
    to_week = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["section_id", "from_week", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(from_week__gte=1), name="membership_from_week_pos"),
            models.CheckConstraint(
                condition=Q(to_week__isnull=True) | Q(to_week__gte=F("from_week")),
                name="membership_weeks_in_order",
            ),
            models.UniqueConstraint(
                fields=["section", "user"],
                condition=Q(to_week__isnull=True),
                name="membership_one_open_per_section",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.section} from week {self.from_week}"


class Meeting(models.Model):
    """One week's session of a section, as UTC instants."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="meetings")
    week = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Who actually led it, when a facilitator handed it to another (who is then paid its hour);
    # empty means the section's facilitator (``leader_id``).
    led_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings_led",
    )

    class Meta:
        ordering = ["section_id", "week"]
        constraints = [
            models.UniqueConstraint(fields=["section", "week"], name="meeting_once_per_week"),
            models.CheckConstraint(condition=Q(week__gte=1), name="meeting_week_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} week {self.week}"

    @property
    def leader_id(self) -> int:
        """The person who led (or leads) the meeting: the hand-over, else the section's lead."""
        return self.led_by_id or self.section.facilitator_id


# Attendance, apologies, visits -------------------------------------------------------------


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"
    EXCUSED = "excused", "Excused"


class Attendance(models.Model):
    """Whether one person came to one meeting, as its facilitator (or an organizer) recorded it.

    A member who sent an apology and has no record yet counts as excused (see ``Apology``).
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once_per_meeting"),
            models.CheckConstraint(
                condition=Q(status__in=AttendanceStatus.values), name="attendance_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting}: {self.status}"


class Apology(models.Model):
    """A participant's word, sent before a meeting starts, that they cannot come to it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="apologies")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="apologies"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting_id", "created_at", "id"]
        verbose_name_plural = "apologies"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="apology_once_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.user} sends apologies for {self.meeting}"


class SectionVisit(models.Model):
    """A participant attends another section's meeting for one week instead of their own."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="section_visits"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="visits")
    # Copied from the meeting so the database itself allows one visit per person per week.
    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="+")
    week = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["week", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "meeting"], name="visit_once_per_meeting"),
            models.UniqueConstraint(
                fields=["user", "term", "week"], name="visit_one_section_per_week"
            ),
            models.CheckConstraint(condition=Q(week__gte=1), name="visit_week_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.user} visits {self.meeting}"


class MissedMeetingsAlert(models.Model):
    """The two-misses rule fired for a run of absences starting in ``first_week``: organizers were
    told and the participant offered another section, once (the unique row is the guard)."""

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_week = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["term_id", "user_id", "first_week"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "user", "first_week"], name="missed_alert_once_per_run"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} missed meetings from week {self.first_week}"
