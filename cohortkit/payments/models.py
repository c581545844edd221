"""Money owed and paid: stipend eligibility, facilitator timesheets, the ledger, payout batches.

Every amount is an integer in the currency's minor unit (cents for USD) beside an ISO 4217 code.
The ledger is append-only: database triggers (migration 0001) refuse any UPDATE or DELETE of a
``LedgerEntry``, so a correction is always a new entry. A balance is a sum of entries, never a
stored field. A payout line that is open (in a batch, not yet paid or failed) holds its balance:
the database allows one open line per balance.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EligibilityStatus(models.TextChoices):
    PENDING = "pending", "Pending verification"
    ELIGIBLE = "eligible", "Eligible"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"


class StipendEligibility(models.Model):
    """An organizer's verification of one participant's stipend eligibility in one term.

    The application's answer is only a claim; this records what the organizer verified, who and
    when. Never the documents themselves.
    """

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stipend_eligibilities"
    )
    status = models.CharField(
        max_length=20, choices=EligibilityStatus.choices, default=EligibilityStatus.PENDING
    )
    note = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "user"], name="eligibility_once_per_term"),
            models.CheckConstraint(
                condition=Q(status__in=EligibilityStatus.values), name="eligibility_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.term_id}: {self.status}"


class StipendCompletion(models.Model):
    """The completion app said this participant completed the term (``stipend_accrue``).

    Kept even when eligibility is still pending, so verifying them eligible later accrues the
    stipend then.
    """

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    cause_type = models.CharField(max_length=100, blank=True)
    cause_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "user"], name="stipend_completion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} completed {self.term_id}"


class PaySettings(models.Model):
    """A term's pay rules beyond the stipend and hourly rate kept on the term itself."""

    term = models.OneToOneField(
        "programs.Term", on_delete=models.CASCADE, related_name="pay_settings"
    )
    prep_minutes_cap_per_week = models.PositiveIntegerField(
        default=180, help_text="Preparation a facilitator may claim per week, in minutes."
    )
    # Most a facilitator may accrue in the term, in minor units; null: no cap.
    facilitator_cap_minor = models.PositiveIntegerField(null=True, blank=True)
    four_eyes = models.BooleanField(
        default=False, help_text="The organizer who freezes a batch must not be its builder."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(prep_minutes_cap_per_week__lte=40 * 60), name="pay_prep_cap_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"Pay settings of {self.term_id}"


class FacilitatorRate(models.Model):
    """A per-facilitator hourly rate that replaces the term's rate for them."""

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rate_minor = models.PositiveIntegerField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "user"], name="facilitator_rate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.rate_minor} an hour"


class TimesheetStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Sent back"
    APPROVED = "approved", "Approved"


class Timesheet(models.Model):
    """One facilitator's hours for one week of a term: meetings led plus preparation claimed."""

    term = models.ForeignKey("programs.Term", on_delete=models.CASCADE, related_name="+")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="timesheets"
    )
    week = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=20, choices=TimesheetStatus.choices, default=TimesheetStatus.DRAFT
    )
    prep_minutes = models.PositiveIntegerField(default=0)
    prep_note = models.CharField(max_length=300, blank=True)
    # Filled on submit (meetings led that week) and on approval (rate and amount).
    discussion_minutes = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, help_text="Why it was sent back.")
    rate_minor = models.PositiveIntegerField(null=True, blank=True)
    amount_minor = models.PositiveIntegerField(null=True, blank=True)
    capped = models.BooleanField(default=False)

    class Meta:
        ordering = ["week", "facilitator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "facilitator", "week"], name="timesheet_once_per_week"
            ),
            models.CheckConstraint(condition=Q(week__gte=1), name="timesheet_week_positive"),
            models.CheckConstraint(
                condition=Q(status__in=TimesheetStatus.values), name="timesheet_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Week {self.week} of {self.facilitator_id} ({self.status})"

    @property
    def total_minutes(self) -> int:
        return self.discussion_minutes + self.prep_minutes


class TimesheetMeeting(models.Model):
    """A meeting counted on a submitted timesheet: each meeting's hour is paid once, to one
    person (the database refuses a second row for the same meeting)."""

    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="meetings")
    meeting = models.OneToOneField(
        "sections.Meeting", on_delete=models.PROTECT, related_name="timesheet_row"
    )
    minutes = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"Meeting {self.meeting_id} on timesheet {self.timesheet_id}"


class EntryKind(models.TextChoices):
    ACCRUAL = "accrual", "Accrual"
    ADJUSTMENT = "adjustment", "Adjustment"
    PAYMENT = "payment", "Payment"
    REVERSAL = "reversal", "Reversal"


class PayKind(models.TextChoices):
    """What a balance is for; also the ``kind`` column of the payout files."""

    STIPEND = "stipend", "Stipend"
    FACILITATOR_PAY = "facilitator_pay", "Facilitator pay"
    ADJUSTMENT = "adjustment", "Adjustment"


class LedgerEntry(models.Model):
    """One line of the append-only ledger (database triggers refuse UPDATE and DELETE).

    Accruals and adjustments add to what a payee is owed; a payment (written when a batch is
    frozen) takes it out; a reversal (a failed payout line) puts it back. Who wrote it, who
    approved it, why, in which term and because of what (``cause_type``/``cause_id``) are part of
    every entry.
    """

    term = models.ForeignKey("programs.Term", on_delete=models.PROTECT, related_name="+")
    payee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    pay_kind = models.CharField(max_length=20, choices=PayKind.choices)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cause_type = models.CharField(max_length=100, blank=True)
    cause_id = models.CharField(max_length=64, blank=True)
    batch_line = models.ForeignKey(
        "PayoutLine", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["term", "payee", "currency", "pay_kind"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_minor=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values), name="ledger_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(pay_kind__in=PayKind.values), name="ledger_pay_kind_known"
            ),
            models.CheckConstraint(
                condition=(~Q(kind=EntryKind.ACCRUAL) | Q(amount_minor__gt=0))
                & (~Q(kind=EntryKind.PAYMENT) | Q(amount_minor__lt=0)),
                name="ledger_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.PAYMENT) | Q(batch_line__isnull=False),
                name="ledger_payment_has_line",
            ),
            # One stipend accrual per person per term, whoever calls and however often.
            models.UniqueConstraint(
                fields=["term", "payee"],
                condition=Q(kind=EntryKind.ACCRUAL, pay_kind=PayKind.STIPEND),
                name="ledger_one_stipend_accrual_per_term",
            ),
            # One accrual per approved timesheet (or other cause).
            models.UniqueConstraint(
                fields=["cause_type", "cause_id"],
                condition=Q(kind=EntryKind.ACCRUAL) & ~Q(cause_type=""),
                name="ledger_one_accrual_per_cause",
            ),
            # A payout line is paid out once and given back at most once.
            models.UniqueConstraint(
                fields=["batch_line"],
                condition=Q(kind=EntryKind.PAYMENT),
                name="ledger_one_payment_per_line",
            ),
            models.UniqueConstraint(
                fields=["batch_line"],
                condition=Q(kind=EntryKind.REVERSAL) & Q(batch_line__isnull=False),
                name="ledger_one_reversal_per_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_minor} {self.currency} for {self.payee_id}"


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FROZEN = "frozen", "Frozen"
    EXPORTED = "exported", "Exported"
    RECONCILED = "reconciled", "Reconciled"


class PayoutBatch(models.Model):
    """A set of payout lines in one currency for one term, on its way to a payout provider."""

    term = models.ForeignKey("programs.Term", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    frozen_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reconciled_at = models.DateTimeField(null=True, blank=True)
    # Fixed when frozen: the total, the number of lines and the SHA-256 of the canonical lines.
    total_minor = models.BigIntegerField(null=True, blank=True)
    line_count = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # Who was left out at freezing and why: [{"name", "email", "amount", "reason"}].
    held_back = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BatchStatus.values), name="batch_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status=BatchStatus.DRAFT)
                | (Q(total_minor__isnull=False) & Q(line_count__isnull=False) & ~Q(sha256="")),
                name="batch_frozen_has_total_and_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"Batch {self.pk} ({self.status})"


class LineStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"


class PayoutLine(models.Model):
    """One payee's balance of one kind in a batch.

    ``is_open`` is true from the moment the line is built until it is paid or failed; the
    database allows one open line per balance (term, payee, currency, kind), so two organizers
    building batches at the same moment never put one person in both.
    """

    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="lines")
    term = models.ForeignKey("programs.Term", on_delete=models.PROTECT, related_name="+")
    payee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_lines"
    )
    currency = models.CharField(max_length=3)
    pay_kind = models.CharField(max_length=20, choices=PayKind.choices)
    amount_minor = models.BigIntegerField()
    number = models.PositiveIntegerField(null=True, blank=True)
    # The payee as exported, fixed at freezing so the file never changes afterwards.
    payee_name = models.CharField(max_length=200, blank=True)
    payee_email = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=20, choices=LineStatus.choices, default=LineStatus.PENDING)
    is_open = models.BooleanField(default=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    failure_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["batch_id", "number", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="line_amount_positive"),
            models.UniqueConstraint(fields=["batch", "number"], name="line_number_unique_in_batch"),
            models.UniqueConstraint(
                fields=["term", "payee", "currency", "pay_kind"],
                condition=Q(is_open=True),
                name="line_balance_in_one_open_batch",
            ),
            models.CheckConstraint(
                condition=(Q(status=LineStatus.PENDING) & Q(is_open=True))
                | (~Q(status=LineStatus.PENDING) & Q(is_open=False)),
                name="line_open_while_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Line {self.number} of batch {self.batch_id}"

    @property
    def line_key(self) -> str:
        return f"ck-{self.batch_id}-{self.number}"


class TaxFormReceipt(models.Model):
    """An organizer recorded that a payee's tax form for a calendar year was received."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    received_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "year"], name="tax_form_once_per_year"),
        ]

    def __str__(self) -> str:
        return f"Tax form {self.year} of {self.user_id}"
