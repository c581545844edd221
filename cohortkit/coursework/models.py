"""Weekly work: due dates, and (with the coursework pages) what participants hand in.

A due date follows one precedence everywhere — page, email, calendar, reminder: a personal
extension, then the section's date, then the term's (the week's start plus the item's
``due_days_after_week_start``, at the end of that day in the term's zone).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class DueDateOverride(models.Model):
    """A later (or earlier) due date for one item, for one person or for a whole section."""

    assignment = models.ForeignKey(
        "programs.Assignment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    quiz = models.ForeignKey(
        "programs.Quiz", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="due_date_overrides",
    )
    section = models.ForeignKey(
        "sections.Section",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="due_date_overrides",
    )
    due_at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(assignment__isnull=False) & Q(quiz__isnull=True))
                | (Q(assignment__isnull=True) & Q(quiz__isnull=False)),
                name="due_override_one_item",
            ),
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(section__isnull=True))
                | (Q(user__isnull=True) & Q(section__isnull=False)),
                name="due_override_person_or_section",
            ),
            models.UniqueConstraint(
                fields=["assignment", "user"],
                condition=Q(assignment__isnull=False, user__isnull=False),
                name="due_override_assignment_person_once",
            ),
            models.UniqueConstraint(
                fields=["assignment", "section"],
                condition=Q(assignment__isnull=False, section__isnull=False),
                name="due_override_assignment_section_once",
            ),
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=Q(quiz__isnull=False, user__isnull=False),
                name="due_override_quiz_person_once",
            ),
            models.UniqueConstraint(
                fields=["quiz", "section"],
                condition=Q(quiz__isnull=False, section__isnull=False),
                name="due_override_quiz_section_once",
            ),
        ]

    def __str__(self) -> str:
        item = self.assignment or self.quiz
        who = self.user or self.section
        return f"{item} for {who}: {self.due_at:%Y-%m-%d %H:%M} UTC"


class ItemCompletion(models.Model):
    """A lecture or reading a person has ticked off; unticking deletes the row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="item_completions"
    )
    lecture = models.ForeignKey(
        "programs.Lecture", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reading = models.ForeignKey(
        "programs.Reading", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(lecture__isnull=False) & Q(reading__isnull=True))
                | (Q(lecture__isnull=True) & Q(reading__isnull=False)),
                name="item_completion_one_item",
            ),
            models.UniqueConstraint(
                fields=["user", "lecture"],
                condition=Q(lecture__isnull=False),
                name="item_completion_lecture_once",
            ),
            models.UniqueConstraint(
                fields=["user", "reading"],
                condition=Q(reading__isnull=False),
                name="item_completion_reading_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} did {self.lecture or self.reading}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Submission(models.Model):
    """One person's work on one written assignment: the draft being typed and, once submitted,
    an append-only list of versions.

    ``revision`` counts saved changes of the draft, so a tab holding older text cannot overwrite
    newer text saved from another tab.
    """

    assignment = models.ForeignKey(
        "programs.Assignment", on_delete=models.CASCADE, related_name="submissions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    draft_markdown = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # True while the latest version has no feedback yet: set by ``submission_submit``, cleared by
    # ``feedback_give``; the organizer's home counts these from a partial index.
    awaiting_feedback = models.BooleanField(default=False, editable=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["assignment"],
                condition=Q(awaiting_feedback=True),
                name="submission_awaiting_feedback",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "user"], name="submission_one_per_person"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SubmissionStatus.values), name="submission_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.assignment}: {self.status}"


class SubmissionVersion(models.Model):
    """One submitted text, never changed afterwards; late when submitted after the person's
    own due date at that moment (which is kept beside it)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body_markdown = models.TextField()
    # Rendered and sanitised once, when submitted (cohortkit.common.markdown), never per view.
    body_html = models.TextField(blank=True)
    submitted_at = models.DateTimeField()
    due_at = models.DateTimeField()
    due_source = models.CharField(max_length=30)
    is_late = models.BooleanField()

    class Meta:
        ordering = ["submission_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "number"], name="submission_version_number_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="submission_version_pos"),
            models.CheckConstraint(
                condition=Q(is_late=False, submitted_at__lte=F("due_at"))
                | Q(is_late=True, submitted_at__gt=F("due_at")),
                name="submission_version_late_iff_after_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} v{self.number}"


class FeedbackVerdict(models.TextChoices):
    COMPLETE = "complete", "Complete"
    NEEDS_REVISION = "needs_revision", "Needs revision"


class Feedback(models.Model):
    """A facilitator's review of one submitted version; the participant sees it. A later review
    of the same version is a new row (the latest counts)."""

    version = models.ForeignKey(
        SubmissionVersion, on_delete=models.CASCADE, related_name="feedback"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_given"
    )
    verdict = models.CharField(max_length=20, choices=FeedbackVerdict.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=FeedbackVerdict.values), name="feedback_verdict_known"
            ),
            models.CheckConstraint(
                condition=Q(verdict=FeedbackVerdict.COMPLETE) | ~Q(comment=""),
                name="feedback_needs_revision_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} on {self.version}"
