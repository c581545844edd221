"""Weekly work: due dates, and (with the coursework pages) what participants hand in.

A due date follows one precedence everywhere — page, email, calendar, reminder: a personal
extension, then the section's date, then the term's (the week's start plus the item's
``due_days_after_week_start``, at the end of that day in the term's zone).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


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
        "scheduling.Section",
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
