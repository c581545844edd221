"""The demo's money on a term built here: the finished term's history and a running term."""

from __future__ import annotations

import datetime as dt

import pytest

from cohortkit.accounts.models import Role
from cohortkit.demo.money import demo_money_finished_term_load, demo_money_running_term_load
from cohortkit.payments.exports import batch_export
from cohortkit.payments.models import (
    BatchStatus,
    EntryKind,
    LedgerEntry,
    LineStatus,
    PayKind,
    PayoutBatch,
    Timesheet,
    TimesheetStatus,
)
from cohortkit.payments.selectors import ledger_check
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_finished_terms_history_is_complete_and_the_ledger_agrees(term, people, sections):
    dropped_out = UserFactory(email="dropped@example.org")
    others = [UserFactory(email=f"p{number}@example.org") for number in range(4)]
    for user in (dropped_out, *others):
        MembershipFactory(term=term, user=user, role=Role.PARTICIPANT)
    completed = [people["participant"], *others]

    first = demo_money_finished_term_load(term=term, completed=completed)
    again = demo_money_finished_term_load(term=term, completed=completed)

    assert first.created and not again.created
    stipends = LedgerEntry.objects.filter(kind=EntryKind.ACCRUAL, pay_kind=PayKind.STIPEND)
    # Eligible completers only: one of the five completers is not eligible, the drop-out gets none.
    assert first.not_eligible >= 1
    assert stipends.count() == len(completed) - 1 == first.stipends
    assert not stipends.filter(payee=dropped_out).exists()
    sheets = Timesheet.objects.filter(term=term)
    assert sheets.count() == 16 and not sheets.exclude(status=TimesheetStatus.APPROVED).exists()
    assert sheets.filter(prep_note__startswith="Corrected").count() == 1  # the one sent back
    handed = sheets.get(facilitator=people["facilitator_other_section"], week=3)
    assert handed.discussion_minutes == 120  # their own meeting and the one handed to them
    paid, waiting = PayoutBatch.objects.order_by("id")
    assert paid.status == BatchStatus.RECONCILED and waiting.status == BatchStatus.FROZEN
    assert paid.lines.filter(status=LineStatus.FAILED).count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1
    assert paid.held_back and "tax form" in paid.held_back[0]["reason"]
    assert ledger_check(term).differences == []
    for file_format in ("csv", "paypal", "wise"):
        assert batch_export(waiting, file_format) == batch_export(waiting, file_format)


def test_the_running_term_has_timesheets_in_progress(term, people, sections):
    today = term.starts_on + dt.timedelta(days=16)  # week 3

    summary = demo_money_running_term_load(term=term, today=today)
    demo_money_running_term_load(term=term, today=today)

    statuses = dict(
        Timesheet.objects.filter(facilitator=people["facilitator"]).values_list("week", "status")
    )
    assert statuses == {1: "approved", 2: "submitted", 3: "draft"}
    assert summary.created
    assert Timesheet.objects.filter(term=term).count() == 6
