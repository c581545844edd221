"""Finishing a term: the completion rule (versioned, per term and per track), the organizers'
overrides and confirmations, and the end-of-course feedback form with its responses.

The rule is data: every change is a new ``CompletionRule`` row with the next version number, so a
confirmed completion names the exact rule it was judged by. The feedback form reads answers with
the applications' forms engine (``cohortkit.admissions.answers``): same question types, same raw
text kept beside the parsed value.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from cohortkit.admissions.models import QuestionType


class CompletionRule(models.Model):
    """One version of what a participant must do to complete a term (``track`` empty: the
    term-wide rule; a track's own rule wins over it for that track's people).

    ``excused_counts`` and ``facilitator_certificates`` are term settings: only the term-wide
    rule's values are used.
    """

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="+")
    track = models.ForeignKey(
        "programs.Track", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField()
    min_meetings = models.PositiveSmallIntegerField(default=7)
    excused_counts = models.BooleanField(
        default=False, help_text="An excused absence counts as a meeting attended."
    )
    min_assignments = models.PositiveSmallIntegerField(default=7)
    min_quizzes = models.PositiveSmallIntegerField(default=0)
    quiz_pass_percent = models.PositiveSmallIntegerField(
        default=60, help_text="The pass mark of a quiz without one of its own."
    )
    feedback_required = models.BooleanField(default=False)
    facilitator_certificates = models.BooleanField(
        default=False, help_text="Facilitators who led a section get a certificate too."
    )
    # A track's version that hands the track back to the term-wide rule.
    follows_term = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["term_id", "track_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "version"],
                condition=Q(track__isnull=True),
                name="completion_rule_term_version_unique",
            ),
            models.UniqueConstraint(
                fields=["term", "track", "version"],
                condition=Q(track__isnull=False),
                name="completion_rule_track_version_unique",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="completion_rule_version"),
            models.CheckConstraint(
                condition=Q(follows_term=False) | Q(track__isnull=False),
                name="completion_rule_only_a_track_follows_the_term",
            ),
            models.CheckConstraint(
                condition=Q(quiz_pass_percent__gte=1) & Q(quiz_pass_percent__lte=100),
                name="completion_rule_pass_percent_range",
            ),
        ]

    def __str__(self) -> str:
        where = self.track.name if self.track_id and self.track else "the term"
        return f"Completion rule v{self.version} for {where}"


class QuizPassMark(models.Model):
    """A quiz's own pass mark, in percent of its points (else the rule's)."""

    quiz = models.OneToOneField("programs.Quiz", on_delete=models.CASCADE, related_name="pass_mark")
    pass_percent = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_percent__gte=1) & Q(pass_percent__lte=100),
                name="quiz_pass_mark_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz}: {self.pass_percent}%"


class CompletionOverride(models.Model):
    """An organizer's decision, with the reason, that wins over the rule for one person."""

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completes = models.BooleanField()
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "user"], name="completion_override_once"),
            models.CheckConstraint(condition=~Q(reason=""), name="completion_override_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {'completes' if self.completes else 'does not complete'}"


class Completion(models.Model):
    """The confirmed outcome for one participant of a term, with the evidence and the rule it
    was judged by at that moment. Confirming again changes nothing; a later correction shows up
    as a changed verdict that an organizer resolves explicitly."""

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="completions"
    )
    completed = models.BooleanField()
    rule = models.ForeignKey(CompletionRule, null=True, on_delete=models.PROTECT, related_name="+")
    rule_verdict = models.BooleanField(help_text="What the rule alone said.")
    overridden = models.BooleanField(default=False)
    override_reason = models.CharField(max_length=500, blank=True)
    evidence = models.JSONField(default=dict)
    confirmed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["term_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["term", "user"], name="completion_once_per_person"),
            models.CheckConstraint(
                condition=Q(overridden=False) | ~Q(override_reason=""),
                name="completion_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {'completed' if self.completed else 'did not complete'} {self.term}"


# End-of-course feedback -------------------------------------------------------------------

FEEDBACK_QUESTION_TYPES = [
    (QuestionType.CHOICE.value, "Rating or single choice"),
    (QuestionType.SHORT_TEXT.value, "Short text"),
    (QuestionType.LONG_TEXT.value, "Long text"),
    (QuestionType.NUMBER.value, "Number"),
]


class FeedbackForm(models.Model):
    """A term's end-of-course feedback form: open from ``opens_at`` (the last week) until
    ``closes_at``."""

    term = models.OneToOneField(
        "programs.Term", on_delete=models.CASCADE, related_name="feedback_form"
    )
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="feedback_form_closes_after_open"
            )
        ]

    def __str__(self) -> str:
        return self.title


class FeedbackQuestion(models.Model):
    """One question, shaped like an application form's ``FormQuestion`` so the same parser
    reads it. A rating is a choice whose values are numbers ("1" … "5"): it is averaged."""

    form = models.ForeignKey(FeedbackForm, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=300)
    help_text = models.TextField(blank=True)
    type = models.CharField(max_length=20, choices=FEEDBACK_QUESTION_TYPES)
    required = models.BooleanField(default=True)
    choices = models.JSONField(default=list, blank=True)
    word_limit = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="feedback_question_key_unique"),
            models.CheckConstraint(
                condition=Q(type__in=[value for value, _ in FEEDBACK_QUESTION_TYPES]),
                name="feedback_question_type_known",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_rating(self) -> bool:
        return self.type == QuestionType.CHOICE and all(
            str(choice.get("value", "")).isdigit() for choice in self.choices
        )


class FeedbackResponse(models.Model):
    """One participant's submitted feedback; ``section`` is the one they were in at the end."""

    form = models.ForeignKey(FeedbackForm, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    section = models.ForeignKey(
        "sections.Section", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "user"], name="feedback_response_once")
        ]

    def __str__(self) -> str:
        return f"Feedback from {self.user} on {self.form}"


class FeedbackAnswer(models.Model):
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(FeedbackQuestion, on_delete=models.PROTECT, related_name="answers")
    raw = models.TextField(blank=True)
    number = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)
    value = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="feedback_answer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.raw[:40]}"
