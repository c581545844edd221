"""Participants' stipends: an organizer verifies eligibility; completion accrues the stipend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role, User
from cohortkit.common.currencies import (
    format_money,
)
from cohortkit.common.errors import (
    InvalidInputError,
    NotFoundError,
)
from cohortkit.common.services import audit_record
from cohortkit.payments import rules
from cohortkit.payments.models import (
    EligibilityStatus,
    EntryKind,
    LedgerEntry,
    PayKind,
    StipendCompletion,
    StipendEligibility,
)
from cohortkit.payments.pay import term_currency
from cohortkit.payments.services.ledger import cause_of, ledger_entry_create
from cohortkit.programs.models import Term


@transaction.atomic
def stipend_eligibility_set(
    *,
    term: Term,
    user: User,
    status: str,
    actor: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> StipendEligibility:
    """Record the organizer's verification (eligible / not eligible / pending) for a participant.

    Making someone eligible who has already completed accrues their stipend at once.
    """
    rules.require_organizer_actor(actor, term)
    if status not in EligibilityStatus.values:
        raise InvalidInputError(
            "Choose eligible, not eligible or pending.", field_errors={"status": "Unknown."}
        )
    if Role.PARTICIPANT not in account_rules.term_roles(user, term):
        raise NotFoundError("That person is not a participant of this term.")
    now = now or timezone.now()
    eligibility, _ = StipendEligibility.objects.select_for_update().get_or_create(
        term=term, user=user
    )
    if eligibility.status == status and eligibility.note == note.strip()[:300]:
        return eligibility
    eligibility.status = status
    eligibility.note = note.strip()[:300]
    eligibility.decided_by = actor
    eligibility.decided_at = now
    eligibility.save()
    audit_record(
        actor=actor,
        action="stipend.eligibility_set",
        target=eligibility,
        details={"user": user.pk, "status": status},
    )
    if status == EligibilityStatus.ELIGIBLE:
        completion = StipendCompletion.objects.filter(term=term, user=user).first()
        if completion is not None:
            _stipend_entry(term=term, user=user, actor=actor, cause=completion, now=now)
    return eligibility


@dataclass(frozen=True)
class StipendOutcome:
    """What ``stipend_accrue`` did: ``accrued``, ``already_accrued``, ``eligibility_pending``,
    ``not_eligible`` or ``no_stipend`` (the term pays none); ``entry`` is the accrual if any."""

    status: str
    entry: LedgerEntry | None = None


def _stipend_entry(
    *, term: Term, user: User, actor: Any, cause: models.Model | None, now: dt.datetime
) -> StipendOutcome:
    existing = LedgerEntry.objects.filter(
        term=term, payee=user, kind=EntryKind.ACCRUAL, pay_kind=PayKind.STIPEND
    ).first()
    if existing is not None:
        return StipendOutcome("already_accrued", existing)
    if term.stipend_cents <= 0:
        return StipendOutcome("no_stipend")
    try:
        # The database, not this check, makes it one accrual per person per term: a second
        # caller racing past the check above stops at the unique index.
        with transaction.atomic():
            entry = ledger_entry_create(
                term=term,
                payee=user,
                kind=EntryKind.ACCRUAL,
                pay_kind=PayKind.STIPEND,
                amount_minor=term.stipend_cents,
                reason=f"Stipend for completing {term.name}",
                actor=actor,
                approved_by=actor,
                cause=cause,
                now=now,
            )
    except IntegrityError:
        return StipendOutcome(
            "already_accrued",
            LedgerEntry.objects.get(
                term=term, payee=user, kind=EntryKind.ACCRUAL, pay_kind=PayKind.STIPEND
            ),
        )
    audit_record(
        actor=actor,
        action="stipend.accrued",
        target=entry,
        details={"user": user.pk, "amount": format_money(entry.amount_minor, entry.currency)},
    )
    return StipendOutcome("accrued", entry)


@transaction.atomic
def stipend_accrue(
    *,
    term: Term,
    user: User,
    actor: Any | None,
    cause: models.Model | None = None,
    now: dt.datetime | None = None,
) -> StipendOutcome:
    """The participant's completion of the term is confirmed: accrue their stipend if eligible.

    Called by the completion app for each confirmed completion (``cause`` is the completion
    record). Idempotent: calling again, or concurrently, never accrues twice (a database
    uniqueness rule). The completion is remembered, so a participant whose eligibility is still
    pending gets the stipend the moment an organizer verifies them eligible; an ineligible one
    gets none.
    """
    if Role.PARTICIPANT not in account_rules.term_roles(user, term):
        raise NotFoundError("That person is not a participant of this term.")
    term_currency(term)
    now = now or timezone.now()
    cause_type, cause_id = cause_of(cause)
    StipendCompletion.objects.get_or_create(
        term=term,
        user=user,
        defaults={
            "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
            "recorded_at": now,
            "cause_type": cause_type,
            "cause_id": cause_id,
        },
    )
    eligibility = StipendEligibility.objects.filter(term=term, user=user).first()
    status = eligibility.status if eligibility else EligibilityStatus.PENDING
    if status == EligibilityStatus.NOT_ELIGIBLE:
        return StipendOutcome("not_eligible")
    if status == EligibilityStatus.PENDING:
        return StipendOutcome("eligibility_pending")
    return _stipend_entry(term=term, user=user, actor=actor, cause=cause, now=now)
