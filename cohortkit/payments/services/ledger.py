"""Entries of the ledger: the one way an entry is written, and an organizer's adjustment.

Nothing here updates or deletes a ledger entry (the database would refuse): a correction is a
new entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.common.currencies import (
    MAX_MINOR_UNITS,
    format_money,
)
from cohortkit.common.errors import (
    InvalidInputError,
)
from cohortkit.common.services import audit_record
from cohortkit.payments import rules
from cohortkit.payments.models import (
    EntryKind,
    LedgerEntry,
    PayKind,
    PaySettings,
)
from cohortkit.payments.pay import term_currency
from cohortkit.programs.models import Term


def cause_of(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def pay_settings_for(term: Term) -> PaySettings:
    settings, _ = PaySettings.objects.get_or_create(term=term)
    return settings


def ledger_entry_create(
    *,
    term: Term,
    payee: User,
    kind: str,
    pay_kind: str,
    amount_minor: int,
    reason: str,
    actor: Any | None,
    approved_by: Any | None,
    cause: models.Model | None = None,
    batch_line: Any | None = None,
    reverses: LedgerEntry | None = None,
    now: dt.datetime | None = None,
) -> LedgerEntry:
    cause_type, cause_id = cause_of(cause)
    return LedgerEntry.objects.create(
        term=term,
        payee=payee,
        kind=kind,
        pay_kind=pay_kind,
        amount_minor=amount_minor,
        currency=term_currency(term),
        reason=reason[:300],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        approved_by=approved_by if getattr(approved_by, "is_authenticated", False) else None,
        cause_type=cause_type,
        cause_id=cause_id,
        batch_line=batch_line,
        reverses=reverses,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def ledger_adjust(
    *,
    term: Term,
    payee: User,
    amount_minor: int,
    pay_kind: str,
    reason: str,
    actor: User,
    now: dt.datetime | None = None,
) -> LedgerEntry:
    """A correction by an organizer: a new entry (positive adds to what is owed), never an edit.

    A negative adjustment may not take a balance below zero.
    """
    rules.require_organizer_actor(actor, term)
    if pay_kind not in PayKind.values:
        raise InvalidInputError("Unknown kind of pay.", field_errors={"pay_kind": "Unknown."})
    if not reason.strip():
        raise InvalidInputError("Say why.", field_errors={"reason": "Say why."})
    if amount_minor == 0 or abs(amount_minor) > MAX_MINOR_UNITS:
        raise InvalidInputError(
            "Enter an amount other than zero.", field_errors={"amount": "Not zero."}
        )
    currency = term_currency(term)
    if amount_minor < 0:
        balance = (
            LedgerEntry.objects.filter(
                term=term, payee=payee, currency=currency, pay_kind=pay_kind
            ).aggregate(total=Sum("amount_minor"))["total"]
            or 0
        )
        if balance + amount_minor < 0:
            raise InvalidInputError(
                "That would take the balance below zero "
                f"(it is {format_money(balance, currency)}).",
                field_errors={"amount": "More than the balance."},
            )
    entry = ledger_entry_create(
        term=term,
        payee=payee,
        kind=EntryKind.ADJUSTMENT,
        pay_kind=pay_kind,
        amount_minor=amount_minor,
        reason=reason.strip(),
        actor=actor,
        approved_by=actor,
        now=now,
    )
    audit_record(actor=actor, action="ledger.adjusted", target=entry, details={"reason": reason})
    return entry
