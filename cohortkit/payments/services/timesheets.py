"""A facilitator hands a meeting over and submits their week; an organizer returns or approves
it, and approving accrues the pay.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings as django_settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role, User
from cohortkit.common.currencies import (
    format_money,
)
from cohortkit.common.errors import (
    ConflictError,
    InvalidInputError,
    NotAllowedError,
    NotFoundError,
    TooLateError,
)
from cohortkit.common.services import audit_record
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.payments import rules
from cohortkit.payments.models import (
    EntryKind,
    PayKind,
    Timesheet,
    TimesheetMeeting,
    TimesheetStatus,
)
from cohortkit.payments.pay import (
    facilitator_accrued,
    meeting_minutes,
    meetings_led,
    pay_for_minutes,
    rate_for,
    term_currency,
)
from cohortkit.payments.services.ledger import ledger_entry_create, pay_settings_for
from cohortkit.programs.models import Term
from cohortkit.sections.models import Meeting


@transaction.atomic
def meeting_hand_over(*, meeting: Meeting, to_user: User, actor: User) -> Meeting:
    """The meeting's leader (or an organizer) hands it to another facilitator of the term, who
    then gets its hour on their timesheet. Refused once the hour is on a submitted timesheet."""
    meeting = Meeting.objects.select_for_update().select_related("section__term").get(pk=meeting.pk)
    term = meeting.section.term
    if not rules.can_hand_over(actor, meeting, term):
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
    rules.require_organizer_actor(actor, timesheet.term)
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
    email_queue_rendered(
        to=timesheet.facilitator.email,
        template="payments/timesheet_returned",
        context={
            "term_name": timesheet.term.name,
            "week": timesheet.week,
            "organizer": actor.name or actor.email,
            "comment": timesheet.comment,
            "link": f"{django_settings.SITE_URL}{path}",
        },
        idempotency_key=f"timesheet-returned-{timesheet.pk}-{timesheet.decided_at.isoformat()}",
    )
    return timesheet


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
    rules.require_organizer_actor(actor, term)
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
        ledger_entry_create(
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
