"""Payout batches: draft → frozen → exported → each line paid or failed → reconciled.

- **Build** (draft): one line per positive balance (term, payee, currency, kind) that is not in
  another open batch. The database allows one open line per balance; two organizers building at
  the same moment each get the people the other did not (``INSERT … ON CONFLICT DO NOTHING``
  against that unique index), never one person twice.
- **Freeze**: each line's amount is fixed at the balance of that moment, payees who need a tax
  form first are held back (and named on the batch page), lines are numbered, the total and a
  SHA-256 of the canonical lines are recorded, and a ``payment`` entry per line takes the amount
  out of the balance. With four-eyes on, the organizer who froze must not be the builder.
- **Export**: the files (``cohortkit.payments.exports``) are made from the frozen lines only, so
  every download is the same bytes.
- **Paid / failed** by hand or from the provider's result file; a failed line's amount returns to
  the balance through a ``reversal`` entry. **Reconciled** once every line is settled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import User
from cohortkit.common.currencies import (
    format_minor,
    format_money,
)
from cohortkit.common.errors import (
    ConflictError,
    InvalidInputError,
    NotAllowedError,
    TooLateError,
)
from cohortkit.common.services import audit_record
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.payments import rules
from cohortkit.payments.models import (
    BatchStatus,
    EntryKind,
    LedgerEntry,
    LineStatus,
    PayKind,
    PayoutBatch,
    PayoutLine,
    TaxFormReceipt,
)
from cohortkit.payments.pay import balances, canonical_sha256, tax_hold_reason, term_currency
from cohortkit.payments.services.ledger import ledger_entry_create, pay_settings_for
from cohortkit.programs.models import Term


@transaction.atomic
def payout_batch_build(*, term: Term, actor: User, now: dt.datetime | None = None) -> PayoutBatch:
    """A draft batch of every positive balance of the term that is not in an open batch."""
    rules.require_organizer_actor(actor, term, doing="build, freeze and settle payouts")
    currency = term_currency(term)
    now = now or timezone.now()
    candidates = [
        (payee_id, pay_kind, total)
        for (payee_id, entry_currency, pay_kind), total in sorted(balances(term).items())
        if entry_currency == currency and total > 0
    ]
    busy = set(
        PayoutLine.objects.filter(term=term, currency=currency, is_open=True).values_list(
            "payee_id", "pay_kind"
        )
    )
    candidates = [row for row in candidates if (row[0], row[1]) not in busy]
    if not candidates:
        raise InvalidInputError("Nobody is owed anything that is not already in a batch.")
    batch = PayoutBatch.objects.create(
        term=term, currency=currency, created_by=actor, created_at=now
    )
    # Against the unique index of open lines: a line another organizer's batch took a moment
    # ago is skipped here (on PostgreSQL this waits for their transaction to finish first).
    PayoutLine.objects.bulk_create(
        [
            PayoutLine(
                batch=batch,
                term=term,
                payee_id=payee_id,
                currency=currency,
                pay_kind=pay_kind,
                amount_minor=total,
            )
            for payee_id, pay_kind, total in candidates
        ],
        ignore_conflicts=True,
    )
    if not batch.lines.exists():
        raise ConflictError("Another organizer has just put everyone owed into their batch.")
    audit_record(
        actor=actor, action="payout.batch_built", target=batch, details={"lines": len(candidates)}
    )
    return batch


@transaction.atomic
def payout_batch_discard(*, batch: PayoutBatch, actor: User) -> None:
    """Throw a draft away; its balances are free for the next batch."""
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    rules.require_organizer_actor(actor, batch.term, doing="build, freeze and settle payouts")
    if batch.status != BatchStatus.DRAFT:
        raise TooLateError("Only a draft batch can be discarded; this one is frozen.")
    audit_record(actor=actor, action="payout.batch_discarded", target=batch)
    batch.delete()


@transaction.atomic
def payout_batch_freeze(
    *, batch: PayoutBatch, actor: User, now: dt.datetime | None = None
) -> PayoutBatch:
    """Fix the lines and total, hold back who needs a tax form, write one payment per line."""
    batch = PayoutBatch.objects.select_for_update().select_related("term").get(pk=batch.pk)
    term = batch.term
    rules.require_organizer_actor(actor, term, doing="build, freeze and settle payouts")
    if batch.status != BatchStatus.DRAFT:
        if batch.frozen_by_id == actor.pk:
            return batch  # a double click
        raise TooLateError("This batch is frozen already.")
    if pay_settings_for(term).four_eyes and batch.created_by_id == actor.pk:
        raise NotAllowedError("Four-eyes rule: another organizer must freeze the batch you built.")
    now = now or timezone.now()
    current = balances(term)
    held: list[dict[str, str]] = []
    kept: list[PayoutLine] = []
    lines = list(
        PayoutLine.objects.select_for_update()
        .filter(batch=batch)
        .select_related("payee")
        .order_by("pay_kind", "payee__name", "payee__email", "id")
    )
    for line in lines:
        amount = current.get((line.payee_id, line.currency, line.pay_kind), 0)
        reason = ""
        if amount <= 0:
            reason = "owes nothing any more"
        else:
            reason = tax_hold_reason(
                user_id=line.payee_id, currency=line.currency, amount=amount, year=now.year
            )
        if reason:
            held.append(
                {
                    "name": line.payee.name,
                    "email": line.payee.email,
                    "kind": line.pay_kind,
                    "amount": format_minor(max(amount, 0), line.currency),
                    "reason": reason,
                }
            )
            line.delete()
            continue
        line.amount_minor = amount
        kept.append(line)
    if not kept:
        raise InvalidInputError(
            "Every line would be held back: "
            + "; ".join(f"{row['name'] or row['email']} {row['reason']}" for row in held)
        )
    for number, line in enumerate(kept, start=1):
        line.number = number
        line.payee_name = line.payee.name
        line.payee_email = line.payee.email
        line.save(update_fields=["number", "amount_minor", "payee_name", "payee_email"])
    for line in kept:
        ledger_entry_create(
            term=term,
            payee=line.payee,
            kind=EntryKind.PAYMENT,
            pay_kind=line.pay_kind,
            amount_minor=-line.amount_minor,
            reason=f"Payout {line.line_key}",
            actor=actor,
            approved_by=actor,
            cause=batch,
            batch_line=line,
            now=now,
        )
    batch.status = BatchStatus.FROZEN
    batch.frozen_by = actor
    batch.frozen_at = now
    batch.total_minor = sum(line.amount_minor for line in kept)
    batch.line_count = len(kept)
    batch.held_back = held
    batch.sha256 = canonical_sha256(batch)
    batch.save()
    audit_record(
        actor=actor,
        action="payout.batch_frozen",
        target=batch,
        details={"total": batch.total_minor, "lines": batch.line_count, "held": len(held)},
    )
    return batch


@transaction.atomic
def payout_batch_mark_exported(
    *, batch: PayoutBatch, actor: Any | None, now: dt.datetime | None = None
) -> PayoutBatch:
    """Note the first export of a frozen batch (later exports change nothing)."""
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == BatchStatus.DRAFT:
        raise TooLateError("Freeze the batch before exporting it.")
    if batch.status == BatchStatus.FROZEN:
        batch.status = BatchStatus.EXPORTED
        batch.exported_at = now or timezone.now()
        batch.save(update_fields=["status", "exported_at"])
        audit_record(actor=actor, action="payout.batch_exported", target=batch)
    return batch


def _line_settle(
    *, line: PayoutLine, paid: bool, actor: User, reason: str, now: dt.datetime
) -> bool:
    """Settle one locked line; False when it was already settled the same way."""
    wanted = LineStatus.PAID if paid else LineStatus.FAILED
    if line.status == wanted:
        return False
    if line.status != LineStatus.PENDING:
        raise ConflictError(
            f"Line {line.line_key} is already {line.get_status_display().lower()}; a settled "
            "line does not change."
        )
    line.status = wanted
    line.is_open = False
    line.settled_at = now
    line.settled_by = actor
    line.failure_reason = "" if paid else (reason.strip()[:300] or "failed at the provider")
    line.save(update_fields=["status", "is_open", "settled_at", "settled_by", "failure_reason"])
    if not paid:
        payment = LedgerEntry.objects.get(batch_line=line, kind=EntryKind.PAYMENT)
        ledger_entry_create(
            term=line.term,
            payee=line.payee,
            kind=EntryKind.REVERSAL,
            pay_kind=line.pay_kind,
            amount_minor=line.amount_minor,
            reason=f"Payout {line.line_key} failed: {line.failure_reason}",
            actor=actor,
            approved_by=actor,
            cause=line.batch,
            batch_line=line,
            reverses=payment,
            now=now,
        )
    audit_record(
        actor=actor,
        action="payout.line_paid" if paid else "payout.line_failed",
        target=line,
        details={"line_key": line.line_key},
    )
    what = PayKind(line.pay_kind).label.lower()
    money = format_money(line.amount_minor, line.currency)
    email_queue_rendered(
        to=line.payee.email,
        template="payments/payout_line_settled",
        context={
            "paid": paid,
            "term_name": line.term.name,
            "what": what,
            "money": money,
            "reference": line.line_key,
            "reason": line.failure_reason,
        },
        idempotency_key=f"payout-line-{line.pk}-{line.status}",
    )
    return True


def _settleable_batch(batch: PayoutBatch, actor: User) -> PayoutBatch:
    batch = PayoutBatch.objects.select_for_update().select_related("term").get(pk=batch.pk)
    rules.require_organizer_actor(actor, batch.term, doing="build, freeze and settle payouts")
    if batch.status == BatchStatus.DRAFT:
        raise TooLateError("Freeze and export the batch before marking lines paid.")
    if batch.status == BatchStatus.RECONCILED:
        raise TooLateError("This batch is reconciled; nothing in it changes.")
    return batch


@transaction.atomic
def payout_line_settle(
    *,
    line: PayoutLine,
    paid: bool,
    actor: User,
    reason: str = "",
    now: dt.datetime | None = None,
) -> PayoutLine:
    """Mark one line paid, or failed (its amount goes back to the balance by a reversal)."""
    _settleable_batch(line.batch, actor)
    line = (
        PayoutLine.objects.select_for_update()
        .select_related("term", "payee", "batch")
        .get(pk=line.pk)
    )
    _line_settle(line=line, paid=paid, actor=actor, reason=reason, now=now or timezone.now())
    return line


PAID_WORDS = {
    "paid",
    "completed",
    "complete",
    "success",
    "successful",
    "sent",
    "outgoing_payment_sent",
}


FAILED_WORDS = {
    "failed",
    "failure",
    "returned",
    "unclaimed",
    "blocked",
    "denied",
    "refunded",
    "cancelled",
    "canceled",
    "rejected",
    "bounced",
}


@dataclass
class ImportSummary:
    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    problems: list[str] | None = None


@transaction.atomic
def payout_results_import(
    *, batch: PayoutBatch, text: str, actor: User, now: dt.datetime | None = None
) -> ImportSummary:
    """Settle lines from a provider's result CSV: a row naming a line key ``ck-<batch>-<n>`` in
    any column and a status column (``status``/``Status``/``Transaction status``) with words such
    as paid, completed, success (paid) or failed, returned, unclaimed (failed). Every row is
    checked before anything changes; one bad row changes nothing."""
    import csv
    import io
    import re

    batch = _settleable_batch(batch, actor)
    now = now or timezone.now()
    key_pattern = re.compile(rf"^ck-{batch.pk}-(\d+)$")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise InvalidInputError("The file is empty.")
    header = [cell.strip().lower() for cell in rows[0]]
    status_column = next(
        (i for i, name in enumerate(header) if name in {"status", "transaction status", "state"}),
        None,
    )
    if status_column is None:
        raise InvalidInputError("The file has no status column (status, Transaction status).")
    lines = {
        line.number: line
        for line in PayoutLine.objects.select_for_update()
        .filter(batch=batch)
        .select_related("term", "payee", "batch")
    }
    plan: list[tuple[PayoutLine, bool, str]] = []
    problems: list[str] = []
    for row_number, row in enumerate(rows[1:], start=2):
        numbers = [int(m.group(1)) for cell in row if (m := key_pattern.match(cell.strip()))]
        if not numbers:
            problems.append(f"row {row_number}: no line key of batch {batch.pk}")
            continue
        line = lines.get(numbers[0])
        if line is None:
            problems.append(f"row {row_number}: ck-{batch.pk}-{numbers[0]} is not in this batch")
            continue
        word = row[status_column].strip().lower() if status_column < len(row) else ""
        if word in PAID_WORDS:
            plan.append((line, True, ""))
        elif word in FAILED_WORDS:
            plan.append((line, False, f"{word} (provider's file)"))
        else:
            problems.append(f"row {row_number}: unknown status “{word}”")
    if problems:
        raise InvalidInputError("Nothing was changed: " + "; ".join(problems[:20]))
    summary = ImportSummary(problems=[])
    for line, paid, reason in plan:
        if _line_settle(line=line, paid=paid, actor=actor, reason=reason, now=now):
            if paid:
                summary.paid += 1
            else:
                summary.failed += 1
        else:
            summary.unchanged += 1
    return summary


@transaction.atomic
def payout_batch_reconcile(
    *, batch: PayoutBatch, actor: User, now: dt.datetime | None = None
) -> PayoutBatch:
    """Close a batch whose every line is paid or failed."""
    batch = PayoutBatch.objects.select_for_update().select_related("term").get(pk=batch.pk)
    rules.require_organizer_actor(actor, batch.term, doing="build, freeze and settle payouts")
    if batch.status == BatchStatus.RECONCILED:
        return batch
    if batch.status == BatchStatus.DRAFT:
        raise TooLateError("A draft batch has nothing to reconcile.")
    pending = batch.lines.filter(status=LineStatus.PENDING).count()
    if pending:
        raise TooLateError(f"{pending} line(s) are neither paid nor failed yet.")
    batch.status = BatchStatus.RECONCILED
    batch.reconciled_by = actor
    batch.reconciled_at = now or timezone.now()
    batch.save(update_fields=["status", "reconciled_by", "reconciled_at"])
    audit_record(actor=actor, action="payout.batch_reconciled", target=batch)
    return batch


@transaction.atomic
def tax_form_record(
    *, term: Term, user: User, year: int, received_on: dt.date, actor: User
) -> TaxFormReceipt:
    """Record that a payee's tax form for ``year`` was received (date, by whom)."""
    rules.require_organizer_actor(actor, term, doing="build, freeze and settle payouts")
    if not account_rules.term_roles(user, term):
        raise InvalidInputError("That person is not part of this term.")
    if not 2000 <= year <= 2100:
        raise InvalidInputError("Enter a year.", field_errors={"year": "Enter a year."})
    receipt, created = TaxFormReceipt.objects.get_or_create(
        user=user,
        year=year,
        defaults={"received_on": received_on, "recorded_by": actor},
    )
    if created:
        audit_record(
            actor=actor, action="tax_form.recorded", target=receipt, details={"year": year}
        )
    return receipt


__all__ = [
    "PayKind",
    "payout_batch_build",
    "payout_batch_discard",
    "payout_batch_freeze",
    "payout_batch_mark_exported",
    "payout_batch_reconcile",
    "payout_line_settle",
    "payout_results_import",
    "tax_form_record",
]
