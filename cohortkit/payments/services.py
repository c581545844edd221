"""Writes that create money owed: eligibility, stipends, timesheets, rates, adjustments.

Every function is keyword-only, validates first, runs in one transaction, records an
``AuditEvent`` and refuses with the ``cohortkit.common.errors`` family. Nothing here updates or
deletes a ledger entry (the database would refuse): a correction is a new entry. Payout batches
are in ``cohortkit.payments.batches``.

The one rounding rule for pay: a timesheet's pay is ``minutes × rate per hour / 60`` computed on
the week's total minutes in integers and rounded half up to the nearest minor unit, once per
timesheet (``pay_for_minutes``). Nothing is rounded per meeting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, models, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role, User
from cohortkit.common.errors import (
    ConflictError,
    InvalidInputError,
    NotAllowedError,
    NotFoundError,
    TooLateError,
)
from cohortkit.common.services import audit_record
from cohortkit.notifications.services import email_queue
from cohortkit.payments.currencies import CURRENCIES, MAX_MINOR_UNITS, format_money
from cohortkit.payments.models import (
    EligibilityStatus,
    EntryKind,
    FacilitatorRate,
    LedgerEntry,
    PayKind,
    PaySettings,
    StipendCompletion,
    StipendEligibility,
    Timesheet,
    TimesheetMeeting,
    TimesheetStatus,
)
from cohortkit.programs.models import Term
from cohortkit.sections.models import Meeting


def pay_for_minutes(minutes: int, rate_minor_per_hour: int) -> int:
    """Pay for ``minutes`` at an hourly rate, in minor units, rounded half up (the one rule)."""
    if minutes < 0 or rate_minor_per_hour < 0:
        raise InvalidInputError("Minutes and rate cannot be negative.")
    return (minutes * rate_minor_per_hour + 30) // 60


def cause_of(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def term_currency(term: Term) -> str:
    if term.stipend_currency not in CURRENCIES:
        raise InvalidInputError(
            f"The term's currency “{term.stipend_currency}” is not an ISO 4217 code; fix it in "
            "the term settings first.",
            field_errors={"stipend_currency": "Not an ISO 4217 code."},
        )
    return term.stipend_currency


def pay_settings_for(term: Term) -> PaySettings:
    settings, _ = PaySettings.objects.get_or_create(term=term)
    return settings


def _require_organizer(actor: Any, term: Term) -> None:
    if not account_rules.is_organizer(actor, term):
        raise NotAllowedError("Only the term's organizers may do this.")


def _entry_create(
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


# Stipend eligibility and accrual ----------------------------------------------------------


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
    _require_organizer(actor, term)
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
            entry = _entry_create(
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


# Adjustments ---------------------------------------------------------------------------------


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
    _require_organizer(actor, term)
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
    entry = _entry_create(
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


# Pay settings and rates ----------------------------------------------------------------------


@transaction.atomic
def pay_settings_update(
    *,
    term: Term,
    actor: User,
    prep_minutes_cap_per_week: int,
    facilitator_cap_minor: int | None,
    four_eyes: bool,
) -> PaySettings:
    _require_organizer(actor, term)
    errors: dict[str, str] = {}
    if not 0 <= prep_minutes_cap_per_week <= 40 * 60:
        errors["prep_hours_cap"] = "Between 0 and 40 hours a week."
    if facilitator_cap_minor is not None and not 0 < facilitator_cap_minor <= MAX_MINOR_UNITS:
        errors["facilitator_cap"] = "A positive amount, or leave it empty for no cap."
    if errors:
        raise InvalidInputError("Nothing was saved: fix the fields marked.", field_errors=errors)
    settings = pay_settings_for(term)
    settings.prep_minutes_cap_per_week = prep_minutes_cap_per_week
    settings.facilitator_cap_minor = facilitator_cap_minor
    settings.four_eyes = four_eyes
    settings.save()
    audit_record(actor=actor, action="pay.settings_updated", target=settings)
    return settings


@transaction.atomic
def facilitator_rate_set(
    *, term: Term, user: User, rate_minor: int | None, actor: User
) -> FacilitatorRate | None:
    """Set (or with ``None`` clear) a facilitator's own hourly rate; later approvals use it."""
    _require_organizer(actor, term)
    if Role.FACILITATOR not in account_rules.term_roles(user, term):
        raise NotFoundError("That person is not a facilitator of this term.")
    if rate_minor is None:
        FacilitatorRate.objects.filter(term=term, user=user).delete()
        audit_record(actor=actor, action="pay.rate_cleared", target=user, details={})
        return None
    if not 0 <= rate_minor <= MAX_MINOR_UNITS:
        raise InvalidInputError("Enter a rate.", field_errors={"rate": "Out of range."})
    rate, _ = FacilitatorRate.objects.update_or_create(
        term=term,
        user=user,
        defaults={"rate_minor": rate_minor, "set_by": actor, "set_at": timezone.now()},
    )
    audit_record(actor=actor, action="pay.rate_set", target=rate, details={"rate": rate_minor})
    return rate


def rate_for(term: Term, user: User) -> int:
    own = FacilitatorRate.objects.filter(term=term, user=user).first()
    return own.rate_minor if own else term.facilitator_rate_cents


# Meetings: who led them ----------------------------------------------------------------------


def meetings_led(*, term: Term, user: User, week: int) -> list[Meeting]:
    """The meetings ``user`` led in week ``week``: handed to them, or their section's and not
    handed to someone else."""
    return list(
        Meeting.objects.filter(section__term=term, week=week)
        .filter(models.Q(led_by=user) | models.Q(led_by__isnull=True, section__facilitator=user))
        .select_related("section")
        .order_by("starts_at", "id")
    )


def meeting_minutes(meeting: Meeting) -> int:
    return int((meeting.ends_at - meeting.starts_at).total_seconds()) // 60


@transaction.atomic
def meeting_hand_over(*, meeting: Meeting, to_user: User, actor: User) -> Meeting:
    """The meeting's leader (or an organizer) hands it to another facilitator of the term, who
    then gets its hour on their timesheet. Refused once the hour is on a submitted timesheet."""
    meeting = Meeting.objects.select_for_update().select_related("section__term").get(pk=meeting.pk)
    term = meeting.section.term
    if actor.pk != meeting.leader_id and not account_rules.is_organizer(actor, term):
        raise NotAllowedError(
            "Only the person leading this meeting or an organizer may hand it on."
        )
    if Role.FACILITATOR not in account_rules.term_roles(to_user, term):
        raise InvalidInputError(
            "Choose a facilitator of this term.", field_errors={"to_user": "Not a facilitator."}
        )
    if to_user.pk == meeting.leader_id:
        return meeting
    if TimesheetMeeting.objects.filter(meeting=meeting).exists():
        raise TooLateError(
            "This meeting's hour is already on a submitted timesheet; ask an organizer to send "
            "that timesheet back first."
        )
    previous = meeting.leader_id
    meeting.led_by = to_user
    meeting.save(update_fields=["led_by"])
    audit_record(
        actor=actor,
        action="meeting.handed_over",
        target=meeting,
        details={"from": previous, "to": to_user.pk},
    )
    return meeting


# Timesheets ----------------------------------------------------------------------------------


def timesheet_get_or_create(*, term: Term, facilitator: User, week: int) -> Timesheet:
    """The facilitator's timesheet for a week of the term (a draft the first time)."""
    if not 1 <= week <= term.week_count:
        raise NotFoundError(f"The term has weeks 1 to {term.week_count}.")
    sheet, _ = Timesheet.objects.get_or_create(term=term, facilitator=facilitator, week=week)
    return sheet


@transaction.atomic
def timesheet_submit(
    *,
    timesheet: Timesheet,
    actor: User,
    prep_minutes: int,
    prep_note: str = "",
    now: dt.datetime | None = None,
) -> Timesheet:
    """The facilitator submits the week: the meetings they led that week plus preparation.

    Preparation is capped by the term's setting. Submitting again while it waits is a no-op
    when nothing changed; after approval it is refused.
    """
    timesheet = Timesheet.objects.select_for_update().select_related("term").get(pk=timesheet.pk)
    term = timesheet.term
    if actor.pk != timesheet.facilitator_id:
        raise NotAllowedError("Only the facilitator submits their own timesheet.")
    if timesheet.status == TimesheetStatus.APPROVED:
        raise TooLateError("This week is approved already; ask an organizer for an adjustment.")
    cap = pay_settings_for(term).prep_minutes_cap_per_week
    if prep_minutes < 0:
        raise InvalidInputError(
            "Preparation cannot be negative.", field_errors={"prep_hours": "Not negative."}
        )
    if prep_minutes > cap:
        raise InvalidInputError(
            f"At most {cap / 60:g} hours of preparation a week in this term.",
            field_errors={"prep_hours": f"At most {cap / 60:g} hours."},
        )
    if (
        timesheet.status == TimesheetStatus.SUBMITTED
        and timesheet.prep_minutes == prep_minutes
        and timesheet.prep_note == prep_note.strip()[:300]
    ):
        return timesheet
    meetings = meetings_led(term=term, user=timesheet.facilitator, week=timesheet.week)
    TimesheetMeeting.objects.filter(timesheet=timesheet).delete()
    taken = set(
        TimesheetMeeting.objects.filter(meeting__in=meetings).values_list("meeting_id", flat=True)
    )
    if taken:
        raise ConflictError("A meeting of this week is already on another facilitator's timesheet.")
    TimesheetMeeting.objects.bulk_create(
        [
            TimesheetMeeting(timesheet=timesheet, meeting=m, minutes=meeting_minutes(m))
            for m in meetings
        ]
    )
    timesheet.discussion_minutes = sum(meeting_minutes(m) for m in meetings)
    timesheet.prep_minutes = prep_minutes
    timesheet.prep_note = prep_note.strip()[:300]
    timesheet.status = TimesheetStatus.SUBMITTED
    timesheet.submitted_at = now or timezone.now()
    timesheet.save()
    audit_record(
        actor=actor,
        action="timesheet.submitted",
        target=timesheet,
        details={"minutes": timesheet.total_minutes},
    )
    return timesheet


@transaction.atomic
def timesheet_return(
    *, timesheet: Timesheet, actor: User, comment: str, now: dt.datetime | None = None
) -> Timesheet:
    """An organizer sends a submitted week back with a comment; its meetings are freed."""
    timesheet = (
        Timesheet.objects.select_for_update()
        .select_related("term", "facilitator")
        .get(pk=timesheet.pk)
    )
    _require_organizer(actor, timesheet.term)
    if not comment.strip():
        raise InvalidInputError(
            "Say what to change.", field_errors={"comment": "Say what to change."}
        )
    if timesheet.status == TimesheetStatus.RETURNED and timesheet.comment == comment.strip():
        return timesheet
    if timesheet.status != TimesheetStatus.SUBMITTED:
        raise TooLateError("Only a submitted timesheet can be sent back.")
    TimesheetMeeting.objects.filter(timesheet=timesheet).delete()
    timesheet.status = TimesheetStatus.RETURNED
    timesheet.comment = comment.strip()
    timesheet.decided_by = actor
    timesheet.decided_at = now or timezone.now()
    timesheet.save()
    audit_record(actor=actor, action="timesheet.returned", target=timesheet)
    path = reverse("payments:timesheet_week", args=[timesheet.term.slug, timesheet.week])
    email_queue(
        to=timesheet.facilitator.email,
        subject=f"{timesheet.term.name}: your week {timesheet.week} timesheet was sent back",
        body=(
            f"{actor.name or actor.email} sent your timesheet for week {timesheet.week} back:\n\n"
            f"{timesheet.comment}\n\n"
            f"Correct it and submit again: {django_settings.SITE_URL}{path}\n"
        ),
        idempotency_key=f"timesheet-returned-{timesheet.pk}-{timesheet.decided_at.isoformat()}",
    )
    return timesheet


def facilitator_accrued(term: Term, user: User) -> int:
    return (
        LedgerEntry.objects.filter(term=term, payee=user, pay_kind=PayKind.FACILITATOR_PAY)
        .exclude(kind__in=[EntryKind.PAYMENT, EntryKind.REVERSAL])
        .aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )


@transaction.atomic
def timesheet_approve(
    *, timesheet: Timesheet, actor: User, now: dt.datetime | None = None
) -> Timesheet:
    """An organizer approves a submitted week: its pay accrues at the facilitator's rate.

    Pay is ``pay_for_minutes(total minutes, rate)``; a term cap per facilitator limits it (the
    timesheet says so). Approving twice accrues once.
    """
    timesheet = (
        Timesheet.objects.select_for_update()
        .select_related("term", "facilitator")
        .get(pk=timesheet.pk)
    )
    term = timesheet.term
    _require_organizer(actor, term)
    if timesheet.status == TimesheetStatus.APPROVED:
        return timesheet
    if timesheet.status != TimesheetStatus.SUBMITTED:
        raise TooLateError("Only a submitted timesheet can be approved.")
    now = now or timezone.now()
    rate = rate_for(term, timesheet.facilitator)
    amount = pay_for_minutes(timesheet.total_minutes, rate)
    cap = pay_settings_for(term).facilitator_cap_minor
    capped = False
    if cap is not None:
        room = max(cap - facilitator_accrued(term, timesheet.facilitator), 0)
        if amount > room:
            amount, capped = room, True
    timesheet.status = TimesheetStatus.APPROVED
    timesheet.rate_minor = rate
    timesheet.amount_minor = amount
    timesheet.capped = capped
    timesheet.decided_by = actor
    timesheet.decided_at = now
    timesheet.comment = ""
    timesheet.save()
    if amount > 0:
        hours = f"{timesheet.total_minutes / 60:g}"
        _entry_create(
            term=term,
            payee=timesheet.facilitator,
            kind=EntryKind.ACCRUAL,
            pay_kind=PayKind.FACILITATOR_PAY,
            amount_minor=amount,
            reason=f"Week {timesheet.week}: {hours} h at {format_money(rate, term_currency(term))}"
            + (" (term cap reached)" if capped else ""),
            actor=actor,
            approved_by=actor,
            cause=timesheet,
            now=now,
        )
    audit_record(
        actor=actor,
        action="timesheet.approved",
        target=timesheet,
        details={"amount": amount, "capped": capped},
    )
    return timesheet
