"""Applications: the forms organizers build, what applicants answer, and personal deadlines.

An application is never lost: a draft is saved as the person types and kept (read-only, with the
reason) when the deadline passes. Every answer keeps the raw text as entered beside its parsed
value, so a parsing rule fixed later can re-read what people really wrote.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ApplicationKind(models.TextChoices):
    PARTICIPANT = "participant", "Participant"
    FACILITATOR = "facilitator", "Facilitator"


class ApplicationForm(models.Model):
    """The participant or the facilitator form of a term."""

    term = models.ForeignKey(
        "programs.Term", on_delete=models.CASCADE, related_name="application_forms"
    )
    kind = models.CharField(max_length=20, choices=ApplicationKind.choices)
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "kind"], name="application_form_one_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=ApplicationKind.values), name="application_form_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.term})"


class QuestionType(models.TextChoices):
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    NUMBER = "number", "Number"
    CHOICE = "choice", "Single choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"
    YES_NO = "yes_no", "Yes / no"
    URL = "url", "Web address"
    EMAIL = "email", "Email address"
    DATE = "date", "Date"
    TIME_ZONE = "time_zone", "Time zone"
    AVAILABILITY = "availability", "Weekly availability"


class FormQuestion(models.Model):
    """One question of a form, in order. ``key`` names it in exports, the API and CSV imports."""

    form = models.ForeignKey(ApplicationForm, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=300)
    help_text = models.TextField(blank=True)
    type = models.CharField(max_length=20, choices=QuestionType.choices)
    required = models.BooleanField(default=True)
    visible_to_reviewers = models.BooleanField(default=True)
    # For choice questions: [{"value": "intro", "label": "Introductory"}, …].
    choices = models.JSONField(default=list, blank=True)
    word_limit = models.PositiveIntegerField(null=True, blank=True)
    min_value = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)
    max_value = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)
    step = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="form_question_key_unique"),
            models.CheckConstraint(
                condition=Q(type__in=QuestionType.values), name="form_question_type_known"
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="form_question_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(step__isnull=True) | Q(step__gt=0), name="form_question_step_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_values(self) -> list[str]:
        return [str(choice["value"]) for choice in self.choices]


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Application(models.Model):
    """A person's application on one form: a draft until submitted, editable until the deadline."""

    form = models.ForeignKey(ApplicationForm, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every save of answers, so an autosave from a stale tab cannot overwrite newer text.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "applicant"], name="application_one_per_person_per_form"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.SUBMITTED) | Q(submitted_at__isnull=False),
                name="application_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} — {self.form}"


class Answer(models.Model):
    """The answer to one question: the raw text as entered and the value it was read as."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(FormQuestion, on_delete=models.PROTECT, related_name="answers")
    raw = models.TextField(blank=True)
    number = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)
    value = models.JSONField(null=True, blank=True)
    # A draft may hold text the rule cannot read yet; the message is shown until it is fixed.
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="answer_one_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.raw[:40]}"


class DeadlineExtension(models.Model):
    """A later deadline for one person on one form, set by an organizer. It wins over everything."""

    form = models.ForeignKey(ApplicationForm, on_delete=models.CASCADE, related_name="extensions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deadline_extensions"
    )
    until = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "user"], name="extension_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} until {self.until:%Y-%m-%d %H:%M} UTC"


class AccessCode(models.Model):
    """A late-application link: whoever opens it before it expires gets the code's deadline."""

    form = models.ForeignKey(ApplicationForm, on_delete=models.CASCADE, related_name="access_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=200, blank=True)
    until = models.DateTimeField(help_text="The deadline people who use the code get.")
    expires_at = models.DateTimeField(help_text="After this the link no longer works.")
    max_uses = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="access_code_uses_positive")
        ]

    def __str__(self) -> str:
        return self.label or f"Access code {self.pk}"


class AccessCodeUse(models.Model):
    code = models.ForeignKey(AccessCode, on_delete=models.CASCADE, related_name="uses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_code_uses"
    )
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "user"], name="access_code_use_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} used {self.code}"
