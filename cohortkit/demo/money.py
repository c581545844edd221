"""The demo's money: a finished term's whole history and a running term's timesheets.

Both functions go through the same services an organizer's clicks call, work on whatever
memberships, sections and meetings the term has, and change nothing when called again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.common.errors import ServiceError
from cohortkit.common.timezones import wall_clock_to_instant
from cohortkit.payments.models import (
    EligibilityStatus,
    LedgerEntry,
    PayoutBatch,
    Timesheet,
    TimesheetStatus,
)
from cohortkit.payments.pay import meetings_led
from cohortkit.payments.services.batches import (
    payout_batch_build,
    payout_batch_freeze,
    payout_batch_mark_exported,
    payout_batch_reconcile,
    payout_line_settle,
    tax_form_record,
)
from cohortkit.payments.services.stipends import stipend_accrue, stipend_eligibility_set
from cohortkit.payments.services.timesheets import (
    meeting_hand_over,
    timesheet_approve,
    timesheet_get_or_create,
    timesheet_return,
    timesheet_submit,
)
from cohortkit.programs.models import Term


@dataclass
class DemoMoneySummary:
    term: Term
    created: bool
    stipends: int = 0
    not_eligible: int = 0
    timesheets: int = 0
    batches: list[int] = field(default_factory=list)

    def describe(self) -> str:
        if not self.created:
            return f"Money of {self.term.slug}: already there, unchanged."
        return (
            f"Money of {self.term.slug}: {self.stipends} stipends accrued "
            f"({self.not_eligible} not eligible), {self.timesheets} timesheets, "
            f"batches {', '.join(map(str, self.batches)) or 'none'}."
        )


def _organizer(term: Term) -> User:
    membership = (
        Membership.objects.filter(term=term, role=Role.ORGANIZER).select_related("user").first()
    )
    if membership is None:
        raise LookupError(f"{term.slug} has no organizer to approve its money")
    return membership.user


def _members(term: Term, role: str) -> list[User]:
    return [
        membership.user
        for membership in Membership.objects.filter(term=term, role=role)
        .select_related("user")
        .order_by("user__email")
    ]


def _claims(term: Term) -> dict[int, str]:
    from cohortkit.admissions.models import Answer

    return {
        answer.application.applicant_id: answer.raw
        for answer in Answer.objects.filter(
            application__form__term=term, question__key="us_work_eligibility"
        ).select_related("application")
    }


def _at(term: Term, day: dt.date, hour: int) -> dt.datetime:
    return wall_clock_to_instant(day, dt.time(hour, 0), term.time_zone)


def _week_end(term: Term, week: int) -> dt.datetime:
    return _at(term, term.week_starts_on(week) + dt.timedelta(days=6), 20)


def _timesheet(
    *, term: Term, facilitator: User, week: int, organizer: User, approve: bool, prep: int
) -> Timesheet | None:
    if not meetings_led(term=term, user=facilitator, week=week) and not prep:
        return None
    sheet = timesheet_get_or_create(term=term, facilitator=facilitator, week=week)
    timesheet_submit(
        timesheet=sheet, actor=facilitator, prep_minutes=prep, now=_week_end(term, week)
    )
    if approve:
        timesheet_approve(
            timesheet=sheet, actor=organizer, now=_week_end(term, week) + dt.timedelta(days=1)
        )
    return sheet


@transaction.atomic
def demo_money_finished_term_load(
    *, term: Term, completed: Iterable[User] | None = None
) -> DemoMoneySummary:
    """A finished term's money history.

    Eligibility from each application's claim (the international students verified eligible case
    by case, those who said no not eligible); stipends accrued for the eligible among
    ``completed`` (every participant when not given); every week's timesheet of every facilitator
    approved, one of them sent back first and one meeting handed to a colleague; a first batch
    exported, paid and reconciled with one failed line reversed (one payee held back until their
    tax form arrives); a second batch frozen and waiting.
    """
    summary = DemoMoneySummary(term=term, created=False)
    if (
        LedgerEntry.objects.filter(term=term).exists()
        or Timesheet.objects.filter(term=term).exists()
    ):
        return summary
    summary.created = True
    organizer = _organizer(term)
    participants = _members(term, Role.PARTICIPANT)
    facilitators = _members(term, Role.FACILITATOR)
    claims = _claims(term)
    decided_at = _at(term, term.starts_on + dt.timedelta(days=10), 10)
    for number, person in enumerate(participants):
        claim = claims.get(person.pk)
        if claim is None:
            # No application on file (people granted a role by hand): one in five abroad.
            claim = "no" if number % 5 == 4 else "yes"
        status = EligibilityStatus.NOT_ELIGIBLE if claim == "no" else EligibilityStatus.ELIGIBLE
        note = (
            "International student: work authorisation seen" if claim not in {"yes", "no"} else ""
        )
        stipend_eligibility_set(
            term=term, user=person, status=status, actor=organizer, note=note, now=decided_at
        )
        summary.not_eligible += status == EligibilityStatus.NOT_ELIGIBLE

    weeks = list(range(1, term.week_count + 1))
    if len(facilitators) >= 2:
        # Week 3: the first facilitator was ill; a colleague led that meeting and is paid for it.
        for meeting in meetings_led(term=term, user=facilitators[0], week=min(3, weeks[-1])):
            meeting_hand_over(meeting=meeting, to_user=facilitators[1], actor=facilitators[0])
            break
    last_week = weeks[-1]
    for facilitator_number, facilitator in enumerate(facilitators):
        for week in weeks[:-1]:
            prep = 60 + 30 * ((week + facilitator_number) % 3)  # 1 to 2 hours
            returned = facilitator_number == 0 and week == 2
            sheet = _timesheet(
                term=term,
                facilitator=facilitator,
                week=week,
                organizer=organizer,
                approve=not returned,
                prep=180 if returned else prep,
            )
            if sheet is None:
                continue
            summary.timesheets += 1
            if returned:
                timesheet_return(
                    timesheet=sheet,
                    actor=organizer,
                    comment="3 h of preparation in week 2? Please check the hours.",
                    now=_week_end(term, week) + dt.timedelta(days=1),
                )
                timesheet_submit(
                    timesheet=sheet,
                    actor=facilitator,
                    prep_minutes=prep,
                    prep_note="Corrected: I counted week 3's reading too.",
                    now=_week_end(term, week) + dt.timedelta(days=2),
                )
                timesheet_approve(
                    timesheet=sheet,
                    actor=organizer,
                    now=_week_end(term, week) + dt.timedelta(days=3),
                )

    completed_ids = (
        {user.pk for user in completed} if completed is not None else {p.pk for p in participants}
    )
    finished = _at(term, term.ends_on + dt.timedelta(days=3), 12)
    for person in participants:
        if person.pk in completed_ids:
            outcome = stipend_accrue(term=term, user=person, actor=organizer, now=finished)
            summary.stipends += outcome.status == "accrued"

    # Tax forms for everyone owed, except one stipend payee whose form comes late (held back
    # from the first batch, paid in the second).
    built = finished + dt.timedelta(days=2)
    stipend_payees = list(
        LedgerEntry.objects.filter(term=term, pay_kind="stipend")
        .order_by("payee__email")
        .values_list("payee_id", flat=True)
        .distinct()
    )
    late = next((p for p in participants if stipend_payees and p.pk == stipend_payees[-1]), None)
    for person in [*participants, *facilitators]:
        if person != late:
            tax_form_record(
                term=term,
                user=person,
                year=built.year,
                received_on=(finished - dt.timedelta(days=20)).date(),
                actor=organizer,
            )

    if not LedgerEntry.objects.filter(term=term).exists():
        return summary
    first = payout_batch_freeze(
        batch=payout_batch_build(term=term, actor=organizer, now=built),
        actor=organizer,
        now=built + dt.timedelta(hours=2),
    )
    payout_batch_mark_exported(batch=first, actor=organizer, now=built + dt.timedelta(hours=3))
    lines = list(first.lines.order_by("number"))
    paid_at = built + dt.timedelta(days=4)
    for number, line in enumerate(lines):
        failed = number == len(lines) - 1 and len(lines) > 1
        payout_line_settle(
            line=line,
            paid=not failed,
            actor=organizer,
            reason="Returned by the provider: the email address had no account" if failed else "",
            now=paid_at,
        )
    payout_batch_reconcile(batch=first, actor=organizer, now=paid_at + dt.timedelta(hours=1))
    summary.batches.append(first.pk)

    # The last week's timesheets come in late; the late tax form arrives; a second batch waits.
    for facilitator in facilitators:
        sheet = _timesheet(
            term=term,
            facilitator=facilitator,
            week=last_week,
            organizer=organizer,
            approve=True,
            prep=60,
        )
        summary.timesheets += sheet is not None
    if late is not None:
        tax_form_record(
            term=term,
            user=late,
            year=paid_at.year,
            received_on=paid_at.date(),
            actor=organizer,
        )
    second_built = paid_at + dt.timedelta(days=2)
    try:
        second = payout_batch_build(term=term, actor=organizer, now=second_built)
    except ServiceError:  # nobody left to pay: no second batch
        return summary
    payout_batch_freeze(batch=second, actor=organizer, now=second_built + dt.timedelta(hours=1))
    summary.batches.append(second.pk)
    return summary


@transaction.atomic
def demo_money_running_term_load(*, term: Term, today: dt.date) -> DemoMoneySummary:
    """A running term's timesheets in progress: past weeks approved, last week submitted, this
    week a draft. Nothing when the term already has timesheets."""
    summary = DemoMoneySummary(term=term, created=False)
    if Timesheet.objects.filter(term=term).exists():
        return summary
    organizer = _organizer(term)
    this_week = max(1, min(term.week_count, (today - term.starts_on).days // 7 + 1))
    summary.created = True
    for facilitator in _members(term, Role.FACILITATOR):
        for week in range(1, this_week):
            sheet = _timesheet(
                term=term,
                facilitator=facilitator,
                week=week,
                organizer=organizer,
                approve=week < this_week - 1,
                prep=90,
            )
            summary.timesheets += sheet is not None
        timesheet_get_or_create(term=term, facilitator=facilitator, week=this_week)
    summary.timesheets += Timesheet.objects.filter(term=term, status=TimesheetStatus.DRAFT).count()
    summary.batches = list(PayoutBatch.objects.filter(term=term).values_list("pk", flat=True))
    return summary
