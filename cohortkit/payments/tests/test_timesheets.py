"""Facilitators' weeks: prefilled from the meetings they led, preparation capped, approval pays."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from cohortkit.common.errors import InvalidInputError, NotAllowedError, TooLateError
from cohortkit.payments.models import LedgerEntry, PayKind, TimesheetStatus
from cohortkit.payments.services.rates import facilitator_rate_set, pay_settings_update
from cohortkit.payments.services.timesheets import (
    meeting_hand_over,
    timesheet_approve,
    timesheet_get_or_create,
    timesheet_return,
    timesheet_submit,
)

pytestmark = pytest.mark.django_db


def _week(money, role="facilitator", week=1):
    return timesheet_get_or_create(term=money["term"], facilitator=money["people"][role], week=week)


def test_a_week_is_prefilled_from_meetings_led_and_pays_the_term_rate(money):
    facilitator, organizer = money["people"]["facilitator"], money["people"]["organizer"]
    sheet = _week(money)

    timesheet_submit(timesheet=sheet, actor=facilitator, prep_minutes=120, prep_note="read")
    timesheet_approve(timesheet=sheet, actor=organizer)

    sheet.refresh_from_db()
    assert (sheet.discussion_minutes, sheet.prep_minutes, sheet.status) == (
        60,
        120,
        TimesheetStatus.APPROVED,
    )
    entry = LedgerEntry.objects.get(payee=facilitator)
    assert (entry.pay_kind, entry.amount_minor, entry.approved_by) == (
        PayKind.FACILITATOR_PAY,
        9_000,  # 3 h at 30.00
        organizer,
    )
    assert entry.cause_type == "payments.timesheet" and entry.cause_id == str(sheet.pk)
    # Approving again (a double click) accrues nothing more.
    timesheet_approve(timesheet=sheet, actor=organizer)
    assert LedgerEntry.objects.filter(payee=facilitator).count() == 1


def test_a_handed_over_meeting_is_paid_to_the_one_who_led_it(money):
    facilitator = money["people"]["facilitator"]
    colleague = money["people"]["facilitator_other_section"]
    meeting = money["sections"]["a"].meetings.get(week=2)

    meeting_hand_over(meeting=meeting, to_user=colleague, actor=facilitator)
    mine = _week(money, week=2)
    theirs = _week(money, role="facilitator_other_section", week=2)
    timesheet_submit(timesheet=mine, actor=facilitator, prep_minutes=0)
    timesheet_submit(timesheet=theirs, actor=colleague, prep_minutes=0)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.discussion_minutes == 0
    assert theirs.discussion_minutes == 120  # their own section B and A's week 2
    with pytest.raises(TooLateError):
        meeting_hand_over(meeting=meeting, to_user=facilitator, actor=colleague)


def test_only_the_leader_or_an_organizer_hands_a_meeting_on(money):
    meeting = money["sections"]["a"].meetings.get(week=3)
    with pytest.raises(NotAllowedError):
        meeting_hand_over(
            meeting=meeting,
            to_user=money["people"]["facilitator_other_section"],
            actor=money["people"]["facilitator_other_section"],
        )


def test_preparation_above_the_terms_cap_is_refused_and_nothing_changes(money):
    pay_settings_update(
        term=money["term"],
        actor=money["people"]["organizer"],
        prep_minutes_cap_per_week=60,
        facilitator_cap_minor=None,
        four_eyes=False,
    )
    sheet = _week(money)

    with pytest.raises(InvalidInputError, match="At most 1 hours"):
        timesheet_submit(timesheet=sheet, actor=money["people"]["facilitator"], prep_minutes=90)

    sheet.refresh_from_db()
    assert sheet.status == TimesheetStatus.DRAFT


def test_sent_back_with_a_comment_then_resubmitted_and_approved_at_an_own_rate(
    money, django_capture_on_commit_callbacks
):
    facilitator, organizer = money["people"]["facilitator"], money["people"]["organizer"]
    facilitator_rate_set(term=money["term"], user=facilitator, rate_minor=3_333, actor=organizer)
    sheet = _week(money)
    timesheet_submit(timesheet=sheet, actor=facilitator, prep_minutes=180)

    with django_capture_on_commit_callbacks(execute=True):
        timesheet_return(timesheet=sheet, actor=organizer, comment="3 h prep for week 1? Say what.")
    sheet.refresh_from_db()
    assert [message.to for message in mail.outbox] == [[facilitator.email]]
    assert "3 h prep for week 1? Say what." in mail.outbox[0].body
    assert f"/terms/{money['term'].slug}/timesheets/1/" in mail.outbox[0].body
    assert sheet.status == TimesheetStatus.RETURNED
    timesheet_submit(timesheet=sheet, actor=facilitator, prep_minutes=67, prep_note="slides")
    timesheet_approve(timesheet=sheet, actor=organizer)

    sheet.refresh_from_db()
    # 127 minutes at 33.33 an hour = 7054.85 cents, rounded half up once: 7055.
    assert (sheet.amount_minor, sheet.rate_minor) == (7_055, 3_333)


def test_the_per_term_cap_limits_what_a_facilitator_accrues(money):
    facilitator, organizer = money["people"]["facilitator"], money["people"]["organizer"]
    pay_settings_update(
        term=money["term"],
        actor=organizer,
        prep_minutes_cap_per_week=180,
        facilitator_cap_minor=10_000,
        four_eyes=False,
    )
    for week in (1, 2):
        sheet = _week(money, week=week)
        timesheet_submit(timesheet=sheet, actor=facilitator, prep_minutes=120)
        timesheet_approve(timesheet=sheet, actor=organizer)

    amounts = list(
        LedgerEntry.objects.filter(payee=facilitator).values_list("amount_minor", flat=True)
    )
    assert amounts == [9_000, 1_000]


def test_the_facilitator_submits_a_week_on_the_page(money, client_as):
    client = client_as("facilitator")
    url = reverse("payments:timesheet_week", args=[money["term"].slug, 1])

    page = client.get(url).content.decode()
    assert "Introductory A" in page
    response = client.post(url, {"prep_hours": "1.5", "prep_note": "read the guide"})
    bad = client.post(
        reverse("payments:timesheet_week", args=[money["term"].slug, 2]), {"prep_hours": "9"}
    )

    assert response.status_code == 302
    assert _week(money).status == TimesheetStatus.SUBMITTED
    assert bad.status_code == 400
    assert "At most 3 hours" in bad.content.decode()
