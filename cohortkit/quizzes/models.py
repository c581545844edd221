"""Quiz questions, what counts as a right answer, and every attempt with its raw answers.

The raw text a participant typed is kept beside what was made of it (the parsed number, the chosen
choice, right or wrong, points), so a corrected question can be re-graded from the raw answers.
Numbers are ``Decimal`` with the number rule's limits: below 10^15, at most 10 decimal places.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

# parse_number accepts magnitudes below 10^15 with at most 10 decimal places: 25 digits.
NUMBER_DIGITS = 25
NUMBER_PLACES = 10


class QuestionKind(models.TextChoices):
    NUMERIC = "numeric", "Number"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    SHORT_TEXT = "short_text", "Short text"


class ToleranceKind(models.TextChoices):
    ABSOLUTE = "absolute", "± an amount"
    RELATIVE = "relative", "± a fraction of the answer"


class Question(models.Model):
    quiz = models.ForeignKey("programs.Quiz", on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    prompt = models.TextField()
    points = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="quiz_question_kind_known"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="quiz_question_points"),
        ]

    def __str__(self) -> str:
        return self.prompt[:80]


class AcceptedAnswer(models.Model):
    """One right number for a numeric question, with its own tolerance."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="accepted_answers"
    )
    value = models.DecimalField(max_digits=NUMBER_DIGITS, decimal_places=NUMBER_PLACES)
    tolerance = models.DecimalField(
        max_digits=NUMBER_DIGITS, decimal_places=NUMBER_PLACES, default=0
    )
    tolerance_kind = models.CharField(
        max_length=10, choices=ToleranceKind.choices, default=ToleranceKind.ABSOLUTE
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tolerance__gte=0), name="quiz_accepted_tolerance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(tolerance_kind__in=ToleranceKind.values),
                name="quiz_accepted_tolerance_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} ± {self.tolerance} ({self.tolerance_kind})"


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class AcceptedText(models.Model):
    """One right short answer: compared trimmed, with or without case."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="accepted_texts")
    text = models.CharField(max_length=300)
    case_sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="quiz_accepted_text_not_empty")
        ]

    def __str__(self) -> str:
        return self.text


class Attempt(models.Model):
    """One submission of a quiz by one person, numbered from 1."""

    quiz = models.ForeignKey("programs.Quiz", on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField()
    # From the page the person submitted: a second POST of the same page is the same attempt.
    submit_token = models.CharField(max_length=64)
    submitted_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="The person's due date when they submitted.")
    due_source = models.CharField(max_length=30)
    is_late = models.BooleanField(default=False)
    score = models.PositiveIntegerField(default=0)
    max_score = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="quiz_attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["quiz", "user", "submit_token"], name="quiz_attempt_token_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="quiz_attempt_number_positive"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=F("max_score")),
                name="quiz_attempt_score_in_range",
            ),
            models.CheckConstraint(
                condition=Q(is_late=False) | Q(submitted_at__gt=F("due_at")),
                name="quiz_attempt_late_only_after_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} — attempt {self.number} by {self.user}"


class AttemptAnswer(models.Model):
    """The raw answer to one question of an attempt and how it was graded."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    raw = models.TextField(blank=True)
    parsed_number = models.DecimalField(
        max_digits=NUMBER_DIGITS, decimal_places=NUMBER_PLACES, null=True, blank=True
    )
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    correct = models.BooleanField(default=False)
    points = models.PositiveSmallIntegerField(default=0)
    feedback = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="quiz_answer_once_per_question"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="quiz_answer_points"),
            models.CheckConstraint(
                condition=Q(correct=True) | Q(points=0), name="quiz_answer_points_only_if_correct"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt}: {self.raw!r}"


class Regrade(models.Model):
    """One re-scoring of every stored attempt of a quiz, after its questions were corrected."""

    quiz = models.ForeignKey("programs.Quiz", on_delete=models.CASCADE, related_name="regrades")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    attempts_checked = models.PositiveIntegerField(default=0)
    attempts_changed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attempts_changed__lte=F("attempts_checked")),
                name="quiz_regrade_changed_within_checked",
            )
        ]

    def __str__(self) -> str:
        return f"Regrade of {self.quiz}: {self.attempts_changed}/{self.attempts_checked} changed"


class ScoreChange(models.Model):
    """What one regrade did to one attempt: the score before and after."""

    regrade = models.ForeignKey(Regrade, on_delete=models.CASCADE, related_name="changes")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="score_changes")
    score_before = models.PositiveIntegerField()
    score_after = models.PositiveIntegerField()
    max_score_before = models.PositiveIntegerField()
    max_score_after = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regrade", "attempt"], name="quiz_score_change_once_per_regrade"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt}: {self.score_before} → {self.score_after}"
