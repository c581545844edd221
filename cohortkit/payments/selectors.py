"""Reads: the term's money per person, one's own money, batches, and the ledger check.

Every figure is recomputed from ledger entries and payout lines; nothing here trusts a stored
total except to compare it (``ledger_check``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.common.currencies import CURRENCIES, format_minor
from cohortkit.payments.models import (
    BatchStatus,
    EligibilityStatus,
    EntryKind,
    FacilitatorRate,
    LedgerEntry,
    LineStatus,
    PayKind,
    PayoutBatch,
    PayoutLine,
    StipendCompletion,
    StipendEligibility,
    Timesheet,
    TimesheetStatus,
)
from cohortkit.payments.pay import canonical_sha256, tax_hold_reasons
from cohortkit.programs.models import Term


@dataclass
class MoneyRow:
    """One payee's money in a term (minor units of the term's currency)."""

    user: User
    roles: list[str]
    awaiting_approval: int = 0
    approved: int = 0  # the balance: approved and not yet in a frozen batch
    in_batches: int = 0
    paid: int = 0
    in_draft: int = 0

    @property
    def total(self) -> int:
        return self.awaiting_approval + self.approved + self.in_batches + self.paid


def _sum_of(rows: QuerySet[Any], *, per: str, field_name: str) -> Coalesce:
    """The sum of ``field_name`` over ``rows`` (already filtered on an ``OuterRef``), 0 when
    there are none: a correlated subquery, so totals stay in the database."""
    return Coalesce(
        Subquery(
            rows.order_by().values(per).annotate(total=Sum(field_name)).values("total"),
            output_field=BigIntegerField(),
        ),
        0,
    )


def timesheet_pay(term: Term) -> ExpressionWrapper[CombinedExpression]:
    """A timesheet's pay at its facilitator's rate, as ``pay.pay_for_minutes`` computes it (total
    minutes × rate per hour / 60, rounded half up, in whole minor units), in SQL."""
    rate = Coalesce(
        Subquery(
            FacilitatorRate.objects.filter(term=term, user_id=OuterRef("facilitator_id")).values(
                "rate_minor"
            )[:1]
        ),
        Value(term.facilitator_rate_cents),
        output_field=IntegerField(),
    )
    return ExpressionWrapper(
        ((F("discussion_minutes") + F("prep_minutes")) * rate + 30) / 60,
        output_field=IntegerField(),
    )


REVIEWED_TIMESHEET_STATES = {
    TimesheetStatus.SUBMITTED.value: "Waiting for approval",
    TimesheetStatus.RETURNED.value: TimesheetStatus.RETURNED.label,
    TimesheetStatus.APPROVED.value: TimesheetStatus.APPROVED.label,
}


def timesheets_to_review(term: Term) -> QuerySet[Timesheet]:
    """The term's submitted, returned and approved timesheets, unordered, with their facilitator,
    decider and meetings, annotated ``waiting_last`` (0 while waiting for approval), ``total``
    (minutes) and ``pay``: the approved amount, else the pay at the facilitator's rate now."""
    return (
        Timesheet.objects.filter(term=term)
        .exclude(status=TimesheetStatus.DRAFT)
        .select_related("facilitator", "decided_by")
        .prefetch_related("meetings__meeting__section")
        .annotate(
            waiting_last=Case(
                When(status=TimesheetStatus.SUBMITTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            total=F("discussion_minutes") + F("prep_minutes"),
            pay=Coalesce("amount_minor", timesheet_pay(term), output_field=IntegerField()),
        )
    )


def term_money_people(term: Term) -> QuerySet[User]:
    """Everyone in the term who is or may be owed something (participants, facilitators, anyone
    with ledger entries in the term's currency), unordered, each annotated with their figures in
    minor units: ``awaiting_approval``, ``approved`` (the balance), ``in_draft``, ``in_batches``
    and ``paid``. One query however many people, and sums over it stay in the database."""
    currency = term.stipend_currency
    entries = LedgerEntry.objects.filter(term=term, currency=currency, payee_id=OuterRef("pk"))
    lines = PayoutLine.objects.filter(term=term, currency=currency, payee_id=OuterRef("pk"))
    sent = lines.exclude(batch__status=BatchStatus.DRAFT)
    sheets = Timesheet.objects.filter(
        term=term, status=TimesheetStatus.SUBMITTED, facilitator_id=OuterRef("pk")
    ).annotate(pay=timesheet_pay(term))
    in_term = Membership.objects.filter(
        term=term, role__in=[Role.PARTICIPANT, Role.FACILITATOR], user_id=OuterRef("pk")
    )
    return User.objects.filter(Q(Exists(in_term)) | Q(Exists(entries))).annotate(
        awaiting_approval=_sum_of(sheets, per="facilitator_id", field_name="pay"),
        approved=_sum_of(entries, per="payee_id", field_name="amount_minor"),
        in_draft=_sum_of(
            lines.filter(batch__status=BatchStatus.DRAFT), per="payee_id", field_name="amount_minor"
        ),
        in_batches=_sum_of(
            sent.filter(status=LineStatus.PENDING), per="payee_id", field_name="amount_minor"
        ),
        paid=_sum_of(
            sent.filter(status=LineStatus.PAID), per="payee_id", field_name="amount_minor"
        ),
    )


MONEY_STATES = {
    "awaiting": ("Awaiting approval", Q(awaiting_approval__gt=0)),
    "owed": ("Approved, unpaid", Q(approved__gt=0)),
    "in_batches": ("In batches", Q(in_batches__gt=0)),
    "paid": ("Paid", Q(paid__gt=0)),
}


def term_money_people_shown(term: Term, *, role: str = "", state: str = "") -> QuerySet[User]:
    """``term_money_people`` with a role in the term (participant, facilitator) and a figure
    that is not zero (``MONEY_STATES``); an empty or unknown choice keeps everyone."""
    people = term_money_people(term)
    if role in {Role.PARTICIPANT, Role.FACILITATOR}:
        people = people.filter(
            Exists(Membership.objects.filter(term=term, role=role, user_id=OuterRef("pk")))
        )
    if state in MONEY_STATES:
        people = people.filter(MONEY_STATES[state][1])
    return people


def money_rows(term: Term, people: list[User]) -> list[MoneyRow]:
    """``MoneyRow`` of each of ``term_money_people``, in their order, with their roles in the
    term: one query."""
    roles: dict[int, list[str]] = defaultdict(list)
    for user_id, role in (
        Membership.objects.filter(
            term=term,
            role__in=[Role.PARTICIPANT, Role.FACILITATOR],
            user_id__in=[person.pk for person in people],
        )
        .order_by("user_id", "id")
        .values_list("user_id", "role")
    ):
        roles[user_id].append(role)
    return [
        MoneyRow(
            user=person,
            roles=roles.get(person.pk, []),
            awaiting_approval=person.awaiting_approval,  # type: ignore[attr-defined]
            approved=person.approved,  # type: ignore[attr-defined]
            in_batches=person.in_batches,  # type: ignore[attr-defined]
            paid=person.paid,  # type: ignore[attr-defined]
            in_draft=person.in_draft,  # type: ignore[attr-defined]
        )
        for person in people
    ]


def term_money(term: Term) -> list[MoneyRow]:
    """Everyone in the term who is or may be owed something, with their four figures, by name.

    Two queries whatever the number of people.
    """
    people = list(term_money_people(term).order_by("name", "email", "pk"))
    return money_rows(term, people)


def term_money_totals(term: Term, people: QuerySet[User]) -> dict[str, int]:
    """The sums of the figures over every one of ``people`` (``term_money_people``, filtered or
    not), in the database whatever page is shown: three queries."""
    currency = term.stipend_currency
    payees = people.order_by().values("pk")
    approved = LedgerEntry.objects.filter(
        term=term, currency=currency, payee_id__in=payees
    ).aggregate(total=Sum("amount_minor"))["total"]
    sent = Q(status=LineStatus.PENDING) & ~Q(batch__status=BatchStatus.DRAFT)
    lines = PayoutLine.objects.filter(term=term, currency=currency, payee_id__in=payees).aggregate(
        in_batches=Sum("amount_minor", filter=sent),
        paid=Sum(
            "amount_minor", filter=Q(status=LineStatus.PAID) & ~Q(batch__status=BatchStatus.DRAFT)
        ),
    )
    awaiting = (
        Timesheet.objects.filter(
            term=term, status=TimesheetStatus.SUBMITTED, facilitator_id__in=payees
        )
        .annotate(pay=timesheet_pay(term))
        .aggregate(total=Sum("pay"))["total"]
    )
    return {
        "awaiting_approval": int(awaiting or 0),
        "approved": int(approved or 0),
        "in_batches": int(lines["in_batches"] or 0),
        "paid": int(lines["paid"] or 0),
    }


@dataclass
class StipendStatus:
    """What a participant sees: ``not_eligible``, ``eligibility_pending``, ``pending_completion``,
    ``approved``, ``in_payout`` or ``paid`` (with the date)."""

    code: str
    text: str
    amount: int = 0
    currency: str = "USD"
    paid_at: Any = None


def stipend_status(term: Term, user: User) -> StipendStatus:
    currency = term.stipend_currency
    eligibility = StipendEligibility.objects.filter(term=term, user=user).first()
    status = eligibility.status if eligibility else EligibilityStatus.PENDING
    lines = list(
        PayoutLine.objects.filter(term=term, payee=user, pay_kind=PayKind.STIPEND)
        .exclude(batch__status=BatchStatus.DRAFT)
        .order_by("-id")
    )
    paid = [line for line in lines if line.status == LineStatus.PAID]
    pending = [line for line in lines if line.status == LineStatus.PENDING]
    accrued = LedgerEntry.objects.filter(
        term=term, payee=user, kind=EntryKind.ACCRUAL, pay_kind=PayKind.STIPEND
    ).first()
    balance = (
        LedgerEntry.objects.filter(term=term, payee=user, pay_kind=PayKind.STIPEND).aggregate(
            total=Sum("amount_minor")
        )["total"]
        or 0
    )
    if pending:
        return StipendStatus(
            "in_payout", "in a payout", sum(line.amount_minor for line in pending), currency
        )
    if balance > 0:
        return StipendStatus("approved", "approved", balance, currency)
    if paid:
        when = paid[0].settled_at
        return StipendStatus("paid", "paid", sum(p.amount_minor for p in paid), currency, when)
    if accrued is not None:
        return StipendStatus("approved", "approved", balance, currency)
    if status == EligibilityStatus.NOT_ELIGIBLE:
        return StipendStatus("not_eligible", "not eligible", 0, currency)
    completed = StipendCompletion.objects.filter(term=term, user=user).exists()
    if completed and status == EligibilityStatus.PENDING:
        return StipendStatus("eligibility_pending", "completed; eligibility being verified")
    return StipendStatus("pending_completion", "pending completion", term.stipend_cents, currency)


@dataclass
class MyMoney:
    term: Term
    currency: str
    stipend: StipendStatus | None
    timesheets: list[Timesheet] = field(default_factory=list)
    entries: list[LedgerEntry] = field(default_factory=list)
    lines: list[PayoutLine] = field(default_factory=list)
    balance: int = 0


def my_money(term: Term, user: User, roles: frozenset[str]) -> MyMoney:
    entries = list(LedgerEntry.objects.filter(term=term, payee=user).order_by("created_at", "id"))
    return MyMoney(
        term=term,
        currency=term.stipend_currency,
        stipend=stipend_status(term, user) if Role.PARTICIPANT in roles else None,
        timesheets=list(Timesheet.objects.filter(term=term, facilitator=user).order_by("week")),
        entries=entries,
        lines=list(
            PayoutLine.objects.filter(term=term, payee=user)
            .exclude(batch__status=BatchStatus.DRAFT)
            .select_related("batch")
            .order_by("id")
        ),
        balance=sum(entry.amount_minor for entry in entries),
    )


ELIGIBILITY_STATES = {
    "pending": ("Pending verification", Q(verdict=EligibilityStatus.PENDING)),
    "eligible": ("Eligible", Q(verdict=EligibilityStatus.ELIGIBLE)),
    "not_eligible": ("Not eligible", Q(verdict=EligibilityStatus.NOT_ELIGIBLE)),
    "completed": ("Completed", Q(completed=True)),
}


def eligibility_people(term: Term, *, state: str = "") -> QuerySet[Membership]:
    """The term's participant memberships, unordered, each annotated ``verdict`` (the
    organizer's verification, ``pending`` until there is one) and ``completed``; filtered by a
    state of ``ELIGIBILITY_STATES`` ("" or unknown: everyone)."""
    verdicts = StipendEligibility.objects.filter(term=term, user_id=OuterRef("user_id"))
    people = (
        Membership.objects.filter(term=term, role=Role.PARTICIPANT)
        .select_related("user")
        .annotate(
            verdict=Coalesce(
                Subquery(verdicts.values("status")[:1]), Value(EligibilityStatus.PENDING)
            ),
            completed=Exists(
                StipendCompletion.objects.filter(term=term, user_id=OuterRef("user_id"))
            ),
        )
    )
    if state in ELIGIBILITY_STATES:
        people = people.filter(ELIGIBILITY_STATES[state][1])
    return people


def eligibility_rows(term: Term, participants: list[Membership]) -> list[dict[str, Any]]:
    """Each of ``participants`` (memberships with their user) with their application's claim
    and the organizer's verification: three queries."""
    from cohortkit.admissions.models import Answer

    user_ids = [membership.user_id for membership in participants]
    verdicts = {
        row.user_id: row
        for row in StipendEligibility.objects.filter(
            term=term, user_id__in=user_ids
        ).select_related("decided_by")
    }
    claims = {
        answer.application.applicant_id: answer.raw
        for answer in Answer.objects.filter(
            application__form__term=term,
            application__form__kind="participant",
            application__applicant_id__in=user_ids,
            question__key="us_work_eligibility",
        ).select_related("application")
    }
    completed = set(
        StipendCompletion.objects.filter(term=term, user_id__in=user_ids).values_list(
            "user_id", flat=True
        )
    )
    claim_labels = {
        "yes": "Yes",
        "no": "No",
        "international_student": "International student in the US",
    }
    return [
        {
            "user": membership.user,
            "claim": claim_labels.get(claims.get(membership.user_id, ""), "")
            or claims.get(membership.user_id, "")
            or "—",
            "verdict": verdicts.get(membership.user_id),
            "completed": membership.user_id in completed,
        }
        for membership in participants
    ]


BATCH_STATES = {status.value: (status.label, Q(status=status.value)) for status in BatchStatus}


def batches_of(term: Term, *, state: str = "") -> QuerySet[PayoutBatch]:
    """The term's batches, unordered, each annotated ``open_lines``, ``draft_total`` and
    ``shown_total`` (the frozen total, else the draft's); of a ``BATCH_STATES`` status if asked."""
    open_lines = (
        PayoutLine.objects.filter(batch_id=OuterRef("pk"), status=LineStatus.PENDING)
        .order_by()
        .values("batch_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    batches = (
        PayoutBatch.objects.filter(term=term)
        .select_related("created_by", "frozen_by")
        .annotate(
            open_lines=Coalesce(Subquery(open_lines, output_field=IntegerField()), 0),
            draft_total=_sum_of(
                PayoutLine.objects.filter(batch_id=OuterRef("pk")),
                per="batch_id",
                field_name="amount_minor",
            ),
        )
        .annotate(shown_total=Coalesce("total_minor", "draft_total"))
    )
    if state in BATCH_STATES:
        batches = batches.filter(BATCH_STATES[state][1])
    return batches


def draft_holds(lines: list[PayoutLine], year: int) -> dict[int, str]:
    """For lines of a draft: line id → why freezing would hold it back now ("" lines are not
    listed). At most two queries however many lines."""
    reasons = tax_hold_reasons(
        lines=[(line.payee_id, line.currency, line.amount_minor) for line in lines], year=year
    )
    return {line.pk: reason for line, reason in zip(lines, reasons, strict=True) if reason}


LINE_STATES = {status.value: (status.label, Q(status=status.value)) for status in LineStatus}


def batch_lines(batch: PayoutBatch, *, state: str = "") -> QuerySet[PayoutLine]:
    """The batch's lines, unordered, with payee and settler, of a ``LINE_STATES`` status if
    asked."""
    lines = batch.lines.select_related("payee", "settled_by")
    if state in LINE_STATES:
        lines = lines.filter(LINE_STATES[state][1])
    return lines


def batch_lines_total(lines: QuerySet[PayoutLine]) -> int:
    """The sum of ``lines`` (every page of them), in the database."""
    return int(lines.order_by().aggregate(total=Sum("amount_minor"))["total"] or 0)


# The ledger check ----------------------------------------------------------------------------


@dataclass
class LedgerCheck:
    summary: str
    differences: list[str]


def _amounts(by_currency: dict[str, int], currencies: set[str]) -> str:
    if not currencies:
        return "0"
    by_currency = {code: by_currency.get(code, 0) for code in currencies}
    return " + ".join(
        f"{format_minor(amount, code) if code in CURRENCIES else amount} {code}"
        for code, amount in sorted(by_currency.items())
    )


def ledger_check(term: Term | None = None) -> LedgerCheck:
    """Recompute every balance and batch total from the entries and compare with what is stored.

    Differences: a negative balance, a frozen batch whose stored total, line count or SHA-256
    disagree with its lines and its payment entries, a line without its payment (or a failed line
    without its reversal, a paid or pending one with a reversal), an approved timesheet whose
    amount is not its accrual.
    """
    entries = LedgerEntry.objects.all()
    lines = PayoutLine.objects.all()
    batches = PayoutBatch.objects.exclude(status=BatchStatus.DRAFT)
    sheets = Timesheet.objects.filter(status=TimesheetStatus.APPROVED)
    if term is not None:
        entries = entries.filter(term=term)
        lines = lines.filter(term=term)
        batches = batches.filter(term=term)
        sheets = sheets.filter(term=term)
    differences: list[str] = []

    balance: dict[tuple[int, int, str, str], int] = defaultdict(int)
    payments: dict[int, int] = defaultdict(int)
    reversals: dict[int, int] = defaultdict(int)
    accrual_by_cause: dict[tuple[str, str], int] = {}
    count = 0
    for entry in entries.values_list(
        "term_id",
        "payee_id",
        "currency",
        "pay_kind",
        "kind",
        "amount_minor",
        "batch_line_id",
        "cause_type",
        "cause_id",
    ):
        term_id, payee_id, currency, pay_kind, kind, amount, line_id, cause_type, cause_id = entry
        count += 1
        balance[(term_id, payee_id, currency, pay_kind)] += amount
        if kind == EntryKind.PAYMENT and line_id:
            payments[line_id] += amount
        if kind == EntryKind.REVERSAL and line_id:
            reversals[line_id] += amount
        if kind == EntryKind.ACCRUAL and cause_type:
            accrual_by_cause[(cause_type, cause_id)] = amount
    owed: dict[str, int] = defaultdict(int)
    for (term_id, payee_id, currency, pay_kind), amount in balance.items():
        if amount < 0:
            differences.append(
                f"balance of payee {payee_id} ({pay_kind}, term {term_id}) is negative: "
                f"{amount} {currency} minor units"
            )
        owed[currency] += amount

    paid: dict[str, int] = defaultdict(int)
    in_batches: dict[str, int] = defaultdict(int)
    line_totals: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for line in lines.exclude(batch__status=BatchStatus.DRAFT).values(
        "id", "batch_id", "number", "status", "amount_minor", "currency"
    ):
        key = f"ck-{line['batch_id']}-{line['number']}"
        total, number = line_totals[line["batch_id"]]
        line_totals[line["batch_id"]] = (total + line["amount_minor"], number + 1)
        if payments.get(line["id"], 0) != -line["amount_minor"]:
            differences.append(
                f"line {key}: payment entries {-payments.get(line['id'], 0)} "
                f"≠ line amount {line['amount_minor']}"
            )
        given_back = reversals.get(line["id"], 0)
        if line["status"] == LineStatus.FAILED:
            if given_back != line["amount_minor"]:
                differences.append(f"line {key} failed but its reversal is {given_back}")
        elif given_back:
            differences.append(f"line {key} is {line['status']} but has a reversal")
        if line["status"] == LineStatus.PAID:
            paid[line["currency"]] += line["amount_minor"]
        elif line["status"] == LineStatus.PENDING:
            in_batches[line["currency"]] += line["amount_minor"]

    for batch in batches.select_related("term"):
        total, number = line_totals.get(batch.pk, (0, 0))
        if batch.total_minor != total:
            differences.append(
                f"batch {batch.pk}: stored total {batch.total_minor} ≠ lines {total}"
            )
        if batch.line_count != number:
            differences.append(f"batch {batch.pk}: stored {batch.line_count} lines ≠ {number}")
        if batch.sha256 != canonical_sha256(batch):
            differences.append(f"batch {batch.pk}: SHA-256 of its lines changed")

    for sheet in sheets:
        accrued = accrual_by_cause.get(("payments.timesheet", str(sheet.pk)), 0)
        if (sheet.amount_minor or 0) != accrued:
            differences.append(
                f"timesheet {sheet.pk}: approved amount {sheet.amount_minor} ≠ accrual {accrued}"
            )

    payees = len({key[1] for key in balance})
    seen = {key[2] for key in balance}
    summary = (
        f"entries {count}, payees {payees}, owed {_amounts(owed, seen)}, "
        f"paid {_amounts(paid, seen)}, in batches {_amounts(in_batches, seen)}"
    )
    return LedgerCheck(summary=summary, differences=differences)
