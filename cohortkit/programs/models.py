"""A program, its terms and tracks, and the week-by-week curriculum of a term.

Every number of the reference course (8 weeks, $1000, section sizes) is a field of the term, never a
constant in code. Instants are UTC; the term's first and last day are dates in its own zone.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q


class Program(models.Model):
    """A course that runs again and again, term after term."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    tagline = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    prerequisites = models.JSONField(default=list, blank=True)
    prerequisites_note = models.TextField(blank=True)
    website = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """One run of a program, with its own dates, deadlines and rules."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="terms")
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    # Stored states (see cohortkit.programs.states): a draft or published, finished (read-only
    # but for money and certificates) and archived, each set by an organizer; open for
    # applications and running follow from the dates.
    is_published = models.BooleanField(default=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Applications of people never admitted are anonymised this many months after the term ends.
    retention_months = models.PositiveSmallIntegerField(default=12)
    time_zone = models.CharField(max_length=64, default="America/Los_Angeles")

    starts_on = models.DateField()
    ends_on = models.DateField()
    participant_deadline = models.DateTimeField()
    facilitator_deadline = models.DateTimeField()
    # The zone the organizer set the deadlines in (Etc/GMT+12 for "anywhere on Earth"), so the
    # page can say "Sep 21, anywhere on Earth" beside the visitor's local time.
    deadline_time_zone = models.CharField(max_length=64, default="America/Los_Angeles")

    section_size_min = models.PositiveSmallIntegerField(default=4)
    section_size_max = models.PositiveSmallIntegerField(default=8)
    meeting_minutes = models.PositiveSmallIntegerField(default=60)
    virtual_by_default = models.BooleanField(default=True)
    in_person_note = models.TextField(blank=True)

    stipend_cents = models.PositiveIntegerField(default=0)
    stipend_currency = models.CharField(max_length=3, default="USD")
    stipend_eligibility = models.TextField(blank=True)
    facilitator_rate_cents = models.PositiveIntegerField(default=0)
    facilitator_prep_hours_note = models.CharField(max_length=200, blank=True)

    # How people type numbers in this term's forms and quizzes (see cohortkit.common.numbers).
    number_format = models.CharField(
        max_length=10,
        choices=[("point", "1,234.5 (decimal point)"), ("comma", "1.234,5 (decimal comma)")],
        default="point",
    )

    completion_min_meetings = models.PositiveSmallIntegerField(default=0)
    completion_min_assignments = models.PositiveSmallIntegerField(default=0)
    completion_note = models.TextField(blank=True)
    # Organizers and reviewers of the term must log in with a second factor (accounts.two_factor).
    require_two_factor = models.BooleanField(default=False)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lt=F("ends_on")), name="term_starts_before_it_ends"
            ),
            models.CheckConstraint(
                condition=Q(participant_deadline__lt=F("starts_on")),
                name="term_participant_deadline_before_start",
            ),
            models.CheckConstraint(
                condition=Q(facilitator_deadline__lt=F("starts_on")),
                name="term_facilitator_deadline_before_start",
            ),
            models.CheckConstraint(
                condition=Q(section_size_min__gte=1)
                & Q(section_size_min__lte=F("section_size_max")),
                name="term_section_size_range",
            ),
            models.CheckConstraint(
                condition=Q(meeting_minutes__gte=15), name="term_meeting_at_least_15_minutes"
            ),
            models.CheckConstraint(
                condition=Q(stipend_cents__gte=0) & Q(facilitator_rate_cents__gte=0),
                name="term_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.name} — {self.name}"

    @property
    def week_count(self) -> int:
        return ((self.ends_on - self.starts_on).days // 7) + 1

    def week_starts_on(self, number: int) -> dt.date:
        return self.starts_on + dt.timedelta(weeks=number - 1)


class Track(models.Model):
    """A path through the term (introductory, advanced) with its own curriculum items."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="tracks")
    slug = models.SlugField()
    name = models.CharField(max_length=100)
    audience = models.TextField(blank=True, help_text="Who this track is for.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["term", "slug"], name="track_slug_unique_in_term")
        ]

    def __str__(self) -> str:
        return self.name


class Week(models.Model):
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="weeks")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="week_number_unique_in_term"),
            models.CheckConstraint(condition=Q(number__gte=1), name="week_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Week {self.number}: {self.title}"


class CurriculumItem(models.Model):
    """What every item of a week shares: its place in the week and the tracks it belongs to."""

    week = models.ForeignKey(Week, on_delete=models.CASCADE, related_name="%(class)ss")
    tracks = models.ManyToManyField(Track, related_name="%(class)ss")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Lecture(CurriculumItem):
    module = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(blank=True)
    minutes = models.PositiveSmallIntegerField()

    class Meta(CurriculumItem.Meta):
        constraints = [models.CheckConstraint(condition=Q(minutes__gte=1), name="lecture_minutes")]


class Reading(CurriculumItem):
    url = models.URLField()
    minutes = models.PositiveSmallIntegerField()
    required = models.BooleanField(default=True)

    class Meta(CurriculumItem.Meta):
        constraints = [models.CheckConstraint(condition=Q(minutes__gte=1), name="reading_minutes")]


class Assignment(CurriculumItem):
    """A written homework prompt; due a number of days after the week starts, in the term's zone."""

    prompt = models.TextField()
    minutes = models.PositiveSmallIntegerField()
    due_days_after_week_start = models.PositiveSmallIntegerField(default=6)

    class Meta(CurriculumItem.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=1), name="assignment_minutes")
        ]


class Quiz(CurriculumItem):
    """A quiz of the week; its questions live in the quizzes app."""

    description = models.TextField(blank=True)
    minutes = models.PositiveSmallIntegerField(default=10)
    due_days_after_week_start = models.PositiveSmallIntegerField(default=6)
    max_attempts = models.PositiveSmallIntegerField(
        default=2, help_text="How many times a participant may submit it."
    )

    class Meta(CurriculumItem.Meta):
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="quiz_attempts_positive")
        ]


class DiscussionGuide(CurriculumItem):
    """Notes for facilitators leading the week's discussion; never shown to participants."""

    body = models.TextField()
