"""Reads: the term's money per person, one's own money, batches, and the ledger check.

Every figure is recomputed from ledger entries and payout lines; nothing here trusts a stored
total except to compare it (``ledger_check``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.common.currencies import CURRENCIES, format_minor
from cohortkit.payments.models import (
    BatchStatus,
    EligibilityStatus,
    EntryKind,
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
from cohortkit.payments.pay import canonical_sha256, pay_for_minutes, rate_for, tax_hold_reason
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


def term_money(term: Term) -> list[MoneyRow]:
    """Everyone in the term who is or may be owed something, with their four figures.

    A fixed number of queries whatever the number of people.
    """
    currency = term.stipend_currency
    members = (
        Membership.objects.filter(term=term, role__in=[Role.PARTICIPANT, Role.FACILITATOR])
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    rows: dict[int, MoneyRow] = {}
    for membership in members:
        row = rows.setdefault(membership.user_id, MoneyRow(user=membership.user, roles=[]))
        row.roles.append(membership.role)
    extra_ids: set[int] = set()
    for entry in (
        LedgerEntry.objects.filter(term=term, currency=currency)
        .values("payee_id")
        .annotate(total=Sum("amount_minor"))
    ):
        extra_ids.add(entry["payee_id"])
    for user in User.objects.filter(pk__in=extra_ids - set(rows)):
        rows[user.pk] = MoneyRow(user=user, roles=[])
    for entry in (
        LedgerEntry.objects.filter(term=term, currency=currency)
        .values("payee_id")
        .annotate(total=Sum("amount_minor"))
    ):
        rows[entry["payee_id"]].approved = entry["total"]
    for line in (
        PayoutLine.objects.filter(term=term, currency=currency)
        .values("payee_id", "status", "batch__status")
        .annotate(total=Sum("amount_minor"))
    ):
        line_row = rows.get(line["payee_id"])
        if line_row is None:
            continue
        row = line_row
        if line["batch__status"] == BatchStatus.DRAFT:
            row.in_draft += line["total"]
        elif line["status"] == LineStatus.PENDING:
            row.in_batches += line["total"]
        elif line["status"] == LineStatus.PAID:
            row.paid += line["total"]
    rates: dict[int, int] = {}
    for sheet in Timesheet.objects.filter(term=term, status=TimesheetStatus.SUBMITTED):
        if sheet.facilitator_id not in rows:
            continue
        if sheet.facilitator_id not in rates:
            rates[sheet.facilitator_id] = rate_for(term, rows[sheet.facilitator_id].user)
        rows[sheet.facilitator_id].awaiting_approval += pay_for_minutes(
            sheet.total_minutes, rates[sheet.facilitator_id]
        )
    return list(rows.values())


def term_money_totals(rows: list[MoneyRow]) -> dict[str, int]:
    return {
        "awaiting_approval": sum(row.awaiting_approval for row in rows),
        "approved": sum(row.approved for row in rows),
        "in_batches": sum(row.in_batches for row in rows),
        "paid": sum(row.paid for row in rows),
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


def eligibility_rows(term: Term) -> list[dict[str, Any]]:
    """Each participant with their application's claim and the organizer's verification."""
    from cohortkit.admissions.models import Answer

    participants = list(
        Membership.objects.filter(term=term, role=Role.PARTICIPANT)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    verdicts = {
        row.user_id: row
        for row in StipendEligibility.objects.filter(term=term).select_related("decided_by")
    }
    claims = {
        answer.application.applicant_id: answer.raw
        for answer in Answer.objects.filter(
            application__form__term=term,
            application__form__kind="participant",
            question__key="us_work_eligibility",
        ).select_related("application")
    }
    completed = set(StipendCompletion.objects.filter(term=term).values_list("user_id", flat=True))
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


def batches_of(term: Term) -> list[PayoutBatch]:
    return list(
        PayoutBatch.objects.filter(term=term)
        .select_related("created_by", "frozen_by")
        .annotate(
            open_lines=Count("lines", filter=Q(lines__status=LineStatus.PENDING)),
            draft_total=Sum("lines__amount_minor"),
        )
    )


def draft_holds(batch: PayoutBatch, year: int) -> dict[int, str]:
    """For a draft: line id → why freezing would hold it back now ("" lines are not listed)."""
    holds: dict[int, str] = {}
    for line in batch.lines.all():
        reason = tax_hold_reason(
            user_id=line.payee_id, currency=line.currency, amount=line.amount_minor, year=year
        )
        if reason:
            holds[line.pk] = reason
    return holds


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
