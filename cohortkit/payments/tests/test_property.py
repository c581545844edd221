"""Random sequences of accruals, approvals, adjustments, batches, payments and failures: every
balance and the total reconcile to the cent, and no line is ever paid twice."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohortkit.accounts.models import Role
from cohortkit.common.errors import ServiceError
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
from cohortkit.payments.pay import pay_for_minutes
from cohortkit.payments.selectors import ledger_check, term_money
from cohortkit.payments.services.batches import (
    payout_batch_build,
    payout_batch_freeze,
    payout_line_settle,
)
from cohortkit.payments.services.ledger import ledger_adjust
from cohortkit.payments.services.stipends import stipend_accrue, stipend_eligibility_set
from cohortkit.payments.services.timesheets import (
    timesheet_approve,
    timesheet_get_or_create,
    timesheet_submit,
)
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

operations = st.lists(
    st.one_of(
        st.tuples(st.just("stipend"), st.integers(0, 2)),
        st.tuples(
            st.just("timesheet"),
            st.sampled_from(["facilitator", "facilitator_other_section"]),
            st.integers(1, 8),
            st.integers(0, 180),
        ),
        st.tuples(st.just("adjust"), st.integers(0, 2), st.integers(-50_000, 50_000)),
        st.tuples(st.just("build")),
        st.tuples(st.just("freeze")),
        st.tuples(st.just("settle"), st.integers(0, 5), st.booleans()),
    ),
    max_size=25,
)


@pytest.fixture
def world(term, people, sections):
    participants = [people["participant"]]
    for number in (1, 2):
        user = UserFactory(email=f"participant{number}@example.org")
        MembershipFactory(term=term, user=user, role=Role.PARTICIPANT)
        participants.append(user)
    for user in participants:
        stipend_eligibility_set(term=term, user=user, status="eligible", actor=people["organizer"])
    today = timezone.now().date()
    for user in [*participants, people["facilitator"], people["facilitator_other_section"]]:
        TaxFormReceipt.objects.create(user=user, year=today.year, received_on=today)
    return {"term": term, "people": people, "participants": participants}


def _apply(world, operation, expected_accrued):
    term, people = world["term"], world["people"]
    organizer = people["organizer"]
    name = operation[0]
    if name == "stipend":
        user = world["participants"][operation[1]]
        if stipend_accrue(term=term, user=user, actor=organizer).status == "accrued":
            expected_accrued[(user.pk, PayKind.STIPEND)] += term.stipend_cents
    elif name == "timesheet":
        _, role, week, prep = operation
        facilitator = people[role]
        sheet = timesheet_get_or_create(term=term, facilitator=facilitator, week=week)
        if sheet.status == "approved":
            return
        timesheet_submit(timesheet=sheet, actor=facilitator, prep_minutes=prep)
        sheet = timesheet_approve(timesheet=sheet, actor=organizer)
        assert sheet.amount_minor == pay_for_minutes(60 + prep, term.facilitator_rate_cents)
        expected_accrued[(facilitator.pk, PayKind.FACILITATOR_PAY)] += sheet.amount_minor
    elif name == "adjust":
        user, amount = world["participants"][operation[1]], operation[2]
        if amount:
            ledger_adjust(
                term=term,
                payee=user,
                amount_minor=amount,
                pay_kind=PayKind.STIPEND,
                reason="property test",
                actor=organizer,
            )
            expected_accrued[(user.pk, PayKind.STIPEND)] += amount
    elif name == "build":
        payout_batch_build(term=term, actor=organizer)
    elif name == "freeze":
        draft = PayoutBatch.objects.filter(term=term, status=BatchStatus.DRAFT).first()
        if draft is not None:
            payout_batch_freeze(batch=draft, actor=organizer)
    elif name == "settle":
        pending = list(
            PayoutLine.objects.filter(term=term, status=LineStatus.PENDING)
            .exclude(batch__status=BatchStatus.DRAFT)
            .order_by("id")
        )
        if pending:
            line = pending[operation[1] % len(pending)]
            payout_line_settle(line=line, paid=operation[2], actor=organizer, reason="random")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_every_balance_and_the_total_reconcile_to_the_cent(world, steps):
    with transaction.atomic():
        expected_accrued: dict[tuple[int, str], int] = defaultdict(int)
        for operation in steps:
            try:
                with transaction.atomic():
                    _apply(world, operation, expected_accrued)
            except ServiceError:
                pass  # a refusal (nothing owed, below zero…) changes nothing

        term = world["term"]
        # Accrued = still owed + in a frozen batch + paid, per payee and kind, to the cent.
        for (payee_id, pay_kind), accrued in expected_accrued.items():
            entries = LedgerEntry.objects.filter(term=term, payee_id=payee_id, pay_kind=pay_kind)
            balance = sum(entries.values_list("amount_minor", flat=True))
            lines = PayoutLine.objects.filter(
                term=term, payee_id=payee_id, pay_kind=pay_kind
            ).exclude(batch__status=BatchStatus.DRAFT)
            pending = sum(
                lines.filter(status=LineStatus.PENDING).values_list("amount_minor", flat=True)
            )
            paid = sum(lines.filter(status=LineStatus.PAID).values_list("amount_minor", flat=True))
            assert balance >= 0
            assert accrued == balance + pending + paid
        rows = term_money(term)
        assert sum(row.approved + row.in_batches + row.paid for row in rows) == sum(
            expected_accrued.values()
        )
        # No line is paid out twice or given back twice; a paid line is never reversed.
        assert (
            not PayoutLine.objects.annotate(
                payments=Count("entries", filter=Q(entries__kind=EntryKind.PAYMENT)),
                reversals=Count("entries", filter=Q(entries__kind=EntryKind.REVERSAL)),
            )
            .filter(
                Q(payments__gt=1)
                | Q(reversals__gt=1)
                | Q(status=LineStatus.PAID, reversals__gt=0)
                | (~Q(batch__status=BatchStatus.DRAFT) & ~Q(payments=1))
            )
            .exists()
        )
        assert ledger_check(term).differences == []
        transaction.set_rollback(True)
