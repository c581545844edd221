"""The ledger is append-only in the database itself; stipends accrue once per person per term."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from cohortkit.accounts.models import Role
from cohortkit.common.errors import InvalidInputError, NotFoundError
from cohortkit.payments.models import EligibilityStatus, EntryKind, LedgerEntry, PayKind
from cohortkit.payments.pay import pay_for_minutes
from cohortkit.payments.services.ledger import ledger_adjust
from cohortkit.payments.services.stipends import stipend_accrue, stipend_eligibility_set
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_update_of_a_ledger_entry_fails_in_the_database(money):
    entry = stipend_accrue(
        term=money["term"], user=money["people"]["participant"], actor=None
    ).entry

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE payments_ledgerentry SET amount_minor = 1 WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(reason="changed")

    entry.refresh_from_db()
    assert (entry.amount_minor, entry.reason) == (100_000, "Stipend for completing Fall 2022")


def test_a_delete_of_a_ledger_entry_fails_in_the_database(money):
    entry = stipend_accrue(
        term=money["term"], user=money["people"]["participant"], actor=None
    ).entry

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM payments_ledgerentry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.all().delete()

    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_stipend_accrues_once_however_often_completion_is_confirmed(money):
    term, participant = money["term"], money["people"]["participant"]

    first = stipend_accrue(term=term, user=participant, actor=money["people"]["organizer"])
    second = stipend_accrue(term=term, user=participant, actor=money["people"]["organizer"])

    assert first.status == "accrued" and second.status == "already_accrued"
    assert second.entry == first.entry
    entry = first.entry
    assert (entry.kind, entry.pay_kind, entry.amount_minor, entry.currency) == (
        EntryKind.ACCRUAL,
        PayKind.STIPEND,
        100_000,
        "USD",
    )
    assert entry.approved_by == money["people"]["organizer"]


def test_the_database_refuses_a_second_stipend_accrual_whatever_the_code_does(money):
    term, participant = money["term"], money["people"]["participant"]
    stipend_accrue(term=term, user=participant, actor=None)

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            term=term,
            payee=participant,
            kind=EntryKind.ACCRUAL,
            pay_kind=PayKind.STIPEND,
            amount_minor=100_000,
            currency="USD",
            reason="a second one",
        )

    assert LedgerEntry.objects.filter(payee=participant).count() == 1


def test_no_stipend_for_the_ineligible_and_a_late_verification_accrues_it(term, people):
    organizer = people["organizer"]
    abroad = UserFactory(name="Abroad")
    student = UserFactory(name="International student")
    for user in (abroad, student):
        MembershipFactory(term=term, user=user, role=Role.PARTICIPANT)
    stipend_eligibility_set(
        term=term, user=abroad, status=EligibilityStatus.NOT_ELIGIBLE, actor=organizer
    )

    assert stipend_accrue(term=term, user=abroad, actor=None).status == "not_eligible"
    assert stipend_accrue(term=term, user=student, actor=None).status == "eligibility_pending"
    assert not LedgerEntry.objects.exists()

    # The organizer makes the international student eligible, case by case.
    stipend_eligibility_set(
        term=term,
        user=student,
        status=EligibilityStatus.ELIGIBLE,
        actor=organizer,
        note="CPT authorisation seen",
    )

    assert list(LedgerEntry.objects.values_list("payee__name", "amount_minor")) == [
        ("International student", 100_000)
    ]


def test_stipend_accrue_refuses_someone_who_is_not_a_participant(term, people):
    with pytest.raises(NotFoundError):
        stipend_accrue(term=term, user=people["reviewer"], actor=None)


def test_one_rounding_rule_half_up_on_the_weeks_total():
    assert pay_for_minutes(60, 3_000) == 3_000
    assert pay_for_minutes(1, 3_000) == 50
    assert pay_for_minutes(1, 1) == 0  # 1/60 of a cent
    assert pay_for_minutes(30, 1) == 1  # exactly half a cent rounds up
    assert pay_for_minutes(29, 1) == 0
    assert pay_for_minutes(100, 3_333) == 5_555  # 5555.0 exactly
    assert pay_for_minutes(7, 3_333) == 389  # 388.85 → 389


def test_an_adjustment_is_a_new_entry_and_never_takes_a_balance_below_zero(money):
    term, participant, organizer = (
        money["term"],
        money["people"]["participant"],
        money["people"]["organizer"],
    )
    stipend_accrue(term=term, user=participant, actor=None)

    ledger_adjust(
        term=term,
        payee=participant,
        amount_minor=-10_000,
        pay_kind=PayKind.STIPEND,
        reason="Missed two sessions: partial stipend, as agreed",
        actor=organizer,
    )
    with pytest.raises(InvalidInputError, match="below zero"):
        ledger_adjust(
            term=term,
            payee=participant,
            amount_minor=-100_000,
            pay_kind=PayKind.STIPEND,
            reason="too much",
            actor=organizer,
        )

    assert list(LedgerEntry.objects.values_list("kind", "amount_minor")) == [
        ("accrual", 100_000),
        ("adjustment", -10_000),
    ]
