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
    # Review and decisions (see reviewing.py and decisions.py).
    blind_review = models.BooleanField(
        default=False, help_text="Reviewers see neither names nor email addresses."
    )
    reviews_per_application = models.PositiveSmallIntegerField(
        default=2, help_text="How many reviewers read each application."
    )
    confirmation_deadline = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Accepted people confirm or decline by this instant.",
    )
    offer_response_days = models.PositiveSmallIntegerField(
        default=3,
        help_text="Days someone offered a place from the waitlist has to answer, at least.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "kind"], name="application_form_one_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=ApplicationKind.values), name="application_form_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(reviews_per_application__gte=1),
                name="application_form_reviews_per_application_positive",
            ),
            models.CheckConstraint(
                condition=Q(offer_response_days__gte=1),
                name="application_form_offer_response_days_positive",
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
    # Shown only when the earlier question ``shown_when_key`` (a choice, multiple-choice or yes/no
    # question of the same form) has one of ``shown_when_answers`` (its stored values, "yes"/"no"
    # for yes/no). A key rather than a foreign key, so copying a form to a new term keeps the
    # rule pointing at the copy's own question. See cohortkit.admissions.conditions.
    shown_when_key = models.SlugField(max_length=60, blank=True)
    shown_when_answers = models.JSONField(default=list, blank=True)

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
            models.CheckConstraint(
                condition=~Q(shown_when_key=models.F("key")),
                name="form_question_not_shown_when_itself",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_values(self) -> list[str]:
        return [str(choice["value"]) for choice in self.choices]

    @property
    def is_conditional(self) -> bool:
        return bool(self.shown_when_key)


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
    # The ranking's figures, stored so the ranked table is read from an index rather than
    # computed for every application (``services.reviewing.application_scores_rebuild`` keeps
    # them, from the reviews, whenever a review or the rubric changes): the mean of the
    # reviews' percentages to one decimal (None before a scored review), the same or -1 for
    # ordering, and the number of reviews.
    score = models.FloatField(null=True, blank=True, editable=False)
    score_order = models.FloatField(default=-1.0, editable=False)
    reviews_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            # The ranking's default order (best score first, then the earlier application).
            models.Index(
                fields=["form", "status", "-score_order", "id"], name="application_ranking_order"
            ),
        ]
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
    # Withdrawn by an organizer: the link opens nothing and no longer extends anyone's deadline.
    revoked_at = models.DateTimeField(null=True, blank=True)

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


# Review and decisions ------------------------------------------------------------------------
# Writes live in reviewing.py (rubric, assignments, reviews) and decisions.py (decisions,
# enrollments, the waitlist).


class RubricCategory(models.Model):
    """One thing reviewers score, from 0 to ``max_score``; ``weight`` is its share of the total."""

    form = models.ForeignKey(ApplicationForm, on_delete=models.CASCADE, related_name="rubric")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    weight = models.PositiveIntegerField(default=1)
    max_score = models.PositiveSmallIntegerField(default=5)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "rubric categories"
        constraints = [
            models.UniqueConstraint(fields=["form", "name"], name="rubric_category_name_unique"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="rubric_category_weight"),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="rubric_category_max"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (0–{self.max_score}, weight {self.weight})"


class ReviewAssignment(models.Model):
    """A reviewer is asked to review one application; only then may they open and score it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="review_assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="review_assignment_once_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} reviews {self.application}"


class ReviewerConflict(models.Model):
    """A declared conflict of interest: this reviewer never reviews this applicant in the term."""

    term = models.ForeignKey(
        "programs.Term", on_delete=models.CASCADE, related_name="reviewer_conflicts"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_conflicts"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    declared_at = models.DateTimeField(auto_now_add=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["term", "reviewer", "applicant"], name="reviewer_conflict_once"
            ),
            models.CheckConstraint(
                condition=~Q(reviewer=models.F("applicant")), name="reviewer_conflict_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ✕ {self.applicant} in {self.term}"


class Review(models.Model):
    """One reviewer's scores and comment on one application; editable until its decision is out.

    The scores are rows of ``ReviewScore`` (one per rubric category) so the database itself keeps
    every score a non-negative integer and one per category; ``scores`` reads them as a mapping.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_once_per_pair")
        ]

    def __str__(self) -> str:
        return f"Review of {self.application} by {self.reviewer}"

    @property
    def scores(self) -> dict[int, int]:
        """``{category_id: score}``; uses prefetched ``score_rows`` when there are any."""
        return {row.category_id: row.score for row in self.score_rows.all()}


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="score_rows")
    category = models.ForeignKey(RubricCategory, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "category"], name="review_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="review_score_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.score}"


class DecisionOutcome(models.TextChoices):
    ACCEPT = "accept", "Accept"
    WAITLIST = "waitlist", "Waitlist"
    REJECT = "reject", "Reject"


class Decision(models.Model):
    """The organizers' decision on one application: staged (invisible) until released (emailed)."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    track = models.ForeignKey(
        "programs.Track", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waitlist_rank = models.PositiveIntegerField(null=True, blank=True)
    staged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staged_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=DecisionOutcome.values), name="decision_outcome_known"
            ),
            models.CheckConstraint(
                condition=(
                    Q(outcome=DecisionOutcome.WAITLIST)
                    & Q(waitlist_rank__isnull=False, waitlist_rank__gte=1)
                )
                | (~Q(outcome=DecisionOutcome.WAITLIST) & Q(waitlist_rank__isnull=True)),
                name="decision_rank_only_and_always_for_waitlist",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DecisionOutcome.REJECT) | Q(track__isnull=True),
                name="decision_reject_has_no_track",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(released_at__gte=models.F("staged_at")),
                name="decision_released_after_staged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.application}"


class EnrollmentRole(models.TextChoices):
    PARTICIPANT = "participant", "Participant"
    FACILITATOR = "facilitator", "Facilitator"


class EnrollmentStatus(models.TextChoices):
    OFFERED = "offered", "Offered a place"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"
    LAPSED = "lapsed", "Lapsed (no answer in time)"
    WAITLISTED = "waitlisted", "On the waitlist"


class Enrollment(models.Model):
    """A person's place (or place on the waitlist) in a term, from a released decision."""

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments"
    )
    role = models.CharField(max_length=20, choices=EnrollmentRole.choices)
    track = models.ForeignKey(
        "programs.Track", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=EnrollmentStatus.choices)
    decision = models.OneToOneField(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrollment"
    )
    # Lower is offered first; kept after an offer as a record of where the person stood.
    waitlist_rank = models.PositiveIntegerField(null=True, blank=True)
    confirm_by = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    carried_over_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_over_to"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "user", "role"], name="enrollment_once"),
            models.CheckConstraint(
                condition=Q(role__in=EnrollmentRole.values), name="enrollment_role_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnrollmentStatus.values), name="enrollment_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=EnrollmentStatus.OFFERED) | Q(confirm_by__isnull=False),
                name="enrollment_offer_has_confirm_by",
            ),
            models.CheckConstraint(
                condition=~Q(status=EnrollmentStatus.WAITLISTED)
                | Q(waitlist_rank__isnull=False, waitlist_rank__gte=1),
                name="enrollment_waitlisted_has_rank",
            ),
            models.CheckConstraint(
                condition=Q(waitlist_rank__isnull=True) | Q(waitlist_rank__gte=1),
                name="enrollment_rank_positive",
            ),
            models.CheckConstraint(
                condition=~Q(
                    status__in=[
                        EnrollmentStatus.CONFIRMED,
                        EnrollmentStatus.DECLINED,
                    ]
                )
                | Q(responded_at__isnull=False),
                name="enrollment_answer_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} in {self.term}: {self.status}"


class CarryOverInvitation(models.Model):
    """An invitation to someone waitlisted in one term to join the next term's waitlist.

    Nobody is moved silently: the person accepts (and is put on the new term's waitlist, in the
    order they had) or declines, from the emailed link.
    """

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="carry_over_invitations"
    )
    term = models.ForeignKey(
        "programs.Term", on_delete=models.CASCADE, related_name="carry_over_invitations"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "term"], name="carry_over_invitation_once"
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True, accepted__isnull=True)
                | Q(responded_at__isnull=False, accepted__isnull=False),
                name="carry_over_invitation_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment.user} → {self.term}"
