"""Sections and what happens in them week by week.

A ``Section`` meets at a fixed wall-clock time in its own zone; each ``Meeting`` is one week's
session as real UTC instants, so a daylight-saving change inside the term lands on the right week
for everyone. ``SectionMembership`` keeps history: a switch ends one membership and starts another.
Attendance, apologies, one-week visits and the missed-meetings alert hang off the meetings.

The tables keep their ``scheduling_*`` names (``Meta.db_table``): the models moved here from
``cohortkit.scheduling`` by state-only migrations, so existing databases keep their data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Venue(models.TextChoices):
    VIRTUAL = "virtual", "Virtual"
    IN_PERSON = "in_person", "In person"


class Section(models.Model):
    """A discussion section: one facilitator (none for a while, once removed), one track, one
    venue, one weekly time in its zone."""

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="sections")
    track = models.ForeignKey("programs.Track", on_delete=models.PROTECT, related_name="sections")
    name = models.CharField(max_length=100)
    # Empty once an organizer removed the facilitator (``sections.removing``) until another is
    # chosen: the section keeps its members and its meetings have no leader meanwhile.
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facilitated_sections",
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
        "scheduling.ScheduleRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sections",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scheduling_section"
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
        db_table = "scheduling_sectionmembership"
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
        db_table = "scheduling_meeting"
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
    def leader_id(self) -> int | None:
        """The person who led (or leads) the meeting: the hand-over, else the section's lead
        (None while the section has no facilitator)."""
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
        db_table = "scheduling_attendance"
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
        db_table = "scheduling_apology"
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
        db_table = "scheduling_sectionvisit"
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
        db_table = "scheduling_missedmeetingsalert"
        ordering = ["term_id", "user_id", "first_week"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "user", "first_week"], name="missed_alert_once_per_run"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} missed meetings from week {self.first_week}"
