"""Payout batches from build to reconciled, their files, and the ledger check."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Role
from cohortkit.common.errors import InvalidInputError, NotAllowedError, TooLateError
from cohortkit.payments.exports import CSV_HEADER, WISE_HEADER, batch_export
from cohortkit.payments.models import (
    BatchStatus,
    EntryKind,
    LedgerEntry,
    LineStatus,
    PayoutLine,
    TaxFormReceipt,
)
from cohortkit.payments.selectors import ledger_check, term_money
from cohortkit.payments.services.batches import (
    payout_batch_build,
    payout_batch_freeze,
    payout_batch_reconcile,
    payout_line_settle,
    payout_results_import,
    tax_form_record,
)
from cohortkit.payments.services.rates import pay_settings_update
from cohortkit.payments.services.stipends import stipend_accrue, stipend_eligibility_set
from cohortkit.payments.services.timesheets import (
    timesheet_approve,
    timesheet_get_or_create,
    timesheet_submit,
)
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owed(money):
    """The participant's stipend and the facilitator's week 1 (2 h) are owed; both have their
    tax form for this year."""
    term, people = money["term"], money["people"]
    stipend_accrue(term=term, user=people["participant"], actor=people["organizer"])
    sheet = timesheet_get_or_create(term=term, facilitator=people["facilitator"], week=1)
    timesheet_submit(timesheet=sheet, actor=people["facilitator"], prep_minutes=60)
    timesheet_approve(timesheet=sheet, actor=people["organizer"])
    today = timezone.now().date()
    for role in ("participant", "facilitator"):
        TaxFormReceipt.objects.create(user=people[role], year=today.year, received_on=today)
    return money


def _frozen(money):
    organizer = money["people"]["organizer"]
    return payout_batch_freeze(
        batch=payout_batch_build(term=money["term"], actor=organizer), actor=organizer
    )


def test_freezing_fixes_lines_total_and_hash_and_takes_the_amounts_out_of_the_balances(owed):
    batch = _frozen(owed)

    assert batch.status == BatchStatus.FROZEN
    assert (batch.total_minor, batch.line_count, len(batch.sha256)) == (106_000, 2, 64)
    lines = list(batch.lines.order_by("number"))
    assert [(line.line_key, line.pay_kind, line.amount_minor) for line in lines] == [
        (f"ck-{batch.pk}-1", "facilitator_pay", 6_000),
        (f"ck-{batch.pk}-2", "stipend", 100_000),
    ]
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 2
    rows = {row.user.email: row for row in term_money(owed["term"])}
    assert (
        rows["participant@example.org"].approved,
        rows["participant@example.org"].in_batches,
    ) == (
        0,
        100_000,
    )
    with pytest.raises(InvalidInputError, match="Nobody is owed"):
        payout_batch_build(term=owed["term"], actor=owed["people"]["organizer"])


def test_each_export_format_parses_with_its_columns_amounts_and_keys(owed):
    batch = _frozen(owed)
    keys = [f"ck-{batch.pk}-1", f"ck-{batch.pk}-2"]

    ours = list(csv.reader(io.StringIO(batch_export(batch, "csv").decode("utf-8"))))
    paypal = list(csv.reader(io.StringIO(batch_export(batch, "paypal").decode("utf-8"))))
    wise = list(csv.reader(io.StringIO(batch_export(batch, "wise").decode("utf-8"))))

    assert ours[0] == CSV_HEADER
    assert [row[0] for row in ours[1:]] == keys
    assert [(row[3], row[4], row[5], row[6]) for row in ours[1:]] == [
        ("facilitator_pay", "60.00", "USD", "fall-2022"),
        ("stipend", "1000.00", "USD", "fall-2022"),
    ]
    assert sum(Decimal(row[4]) for row in ours[1:]) == Decimal("1060.00")
    # PayPal: no header; email, amount, currency, the key as the item id, a note, the wallet.
    assert paypal == [
        ["facilitator@example.org", "60.00", "USD", keys[0], "Fall 2022 facilitator pay", "PAYPAL"],
        ["participant@example.org", "1000.00", "USD", keys[1], "Fall 2022 stipend", "PAYPAL"],
    ]
    assert wise[0] == WISE_HEADER
    assert [(row[1], row[2], row[5], row[6], row[7]) for row in wise[1:]] == [
        ("facilitator@example.org", keys[0], "60.00", "USD", "USD"),
        ("participant@example.org", keys[1], "1000.00", "USD", "USD"),
    ]
    # The same batch exported again gives the identical bytes, through the command too.
    assert batch_export(batch, "wise") == batch_export(batch, "wise")


def test_the_export_command_writes_identical_bytes_and_refuses_a_draft_or_unknown(owed, tmp_path):
    batch = _frozen(owed)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"

    call_command("payouts", "export", "--batch", str(batch.pk), "--format", "paypal", "-o", first)
    call_command("payouts", "export", "--batch", str(batch.pk), "--format", "paypal", "-o", second)

    assert first.read_bytes() == second.read_bytes() == batch_export(batch, "paypal")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED
    with pytest.raises(CommandError, match="no payout batch 999") as unknown:
        call_command("payouts", "export", "--batch", "999", "--format", "csv")
    assert unknown.value.returncode == 2
    sheet = timesheet_get_or_create(
        term=owed["term"], facilitator=owed["people"]["facilitator"], week=2
    )
    timesheet_submit(timesheet=sheet, actor=owed["people"]["facilitator"], prep_minutes=0)
    timesheet_approve(timesheet=sheet, actor=owed["people"]["organizer"])
    # Still in the open batch until its line is settled: then the new week can go out.
    payout_line_settle(line=batch.lines.get(number=1), paid=True, actor=owed["people"]["organizer"])
    draft = payout_batch_build(term=owed["term"], actor=owed["people"]["organizer"])
    with pytest.raises(CommandError, match="not frozen") as not_frozen:
        call_command("payouts", "export", "--batch", str(draft.pk), "--format", "csv")
    assert not_frozen.value.returncode == 2


def test_payouts_list_gives_one_json_object_a_line(owed, capsys):
    batch = _frozen(owed)

    call_command("payouts", "list", "--term", "fall-2022", "--json")

    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [
        {
            "id": batch.pk,
            "status": "frozen",
            "currency": "USD",
            "total": "1060.00",
            "lines": 2,
            "sha256": batch.sha256,
        }
    ]


def test_a_failed_line_returns_to_the_balance_by_a_reversal_and_the_ledger_agrees(
    owed, capsys, django_capture_on_commit_callbacks
):
    organizer = owed["people"]["organizer"]
    batch = _frozen(owed)
    stipend_line = batch.lines.get(pay_kind="stipend")
    pay_line = batch.lines.get(pay_kind="facilitator_pay")

    with django_capture_on_commit_callbacks(execute=True):
        payout_line_settle(line=pay_line, paid=True, actor=organizer)
        payout_line_settle(line=stipend_line, paid=False, actor=organizer, reason="unclaimed")
    assert sorted((message.to[0], message.subject) for message in mail.outbox) == [
        ("facilitator@example.org", "Fall 2022: your facilitator pay was paid"),
        ("participant@example.org", "Fall 2022: your stipend payout did not go through"),
    ]
    with pytest.raises(Exception, match="already"):
        payout_line_settle(line=stipend_line, paid=True, actor=organizer)
    payout_batch_reconcile(batch=batch, actor=organizer)

    reversal = LedgerEntry.objects.get(kind=EntryKind.REVERSAL)
    assert (reversal.amount_minor, reversal.batch_line, reversal.reverses.kind) == (
        100_000,
        stipend_line,
        EntryKind.PAYMENT,
    )
    rows = {row.user.email: row for row in term_money(owed["term"])}
    assert rows["participant@example.org"].approved == 100_000  # owed again
    assert rows["facilitator@example.org"].paid == 6_000
    call_command("ledger", "check", "--term", "fall-2022")
    assert capsys.readouterr().out.strip() == (
        "entries 5, payees 2, owed 1000.00 USD, paid 60.00 USD, in batches 0.00 USD"
    )
    # The stipend goes into the next batch.
    again = _frozen(owed)
    assert list(again.lines.values_list("pay_kind", "amount_minor")) == [("stipend", 100_000)]


def test_results_import_settles_lines_and_one_bad_row_changes_nothing(owed):
    organizer = owed["people"]["organizer"]
    batch = _frozen(owed)
    good = f"Reference,Status\nck-{batch.pk}-1,Completed\nck-{batch.pk}-2,Returned\n"
    bad = f"Reference,Status\nck-{batch.pk}-1,Completed\nck-{batch.pk}-9,Completed\n"

    with pytest.raises(InvalidInputError, match="is not in this batch"):
        payout_results_import(batch=batch, text=bad, actor=organizer)
    assert not batch.lines.exclude(status=LineStatus.PENDING).exists()
    summary = payout_results_import(batch=batch, text=good, actor=organizer)
    again = payout_results_import(batch=batch, text=good, actor=organizer)

    assert (summary.paid, summary.failed, again.unchanged) == (1, 1, 2)
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1


def test_a_payee_over_the_tax_threshold_without_a_form_is_held_back_and_named(money):
    term, people = money["term"], money["people"]
    stipend_accrue(term=term, user=people["participant"], actor=None)
    sheet = timesheet_get_or_create(term=term, facilitator=people["facilitator"], week=1)
    timesheet_submit(timesheet=sheet, actor=people["facilitator"], prep_minutes=0)
    timesheet_approve(timesheet=sheet, actor=people["organizer"])

    batch = _frozen(money)

    assert list(batch.lines.values_list("pay_kind", flat=True)) == ["facilitator_pay"]
    assert len(batch.held_back) == 1
    assert "needs a tax form" in batch.held_back[0]["reason"]
    tax_form_record(
        term=term,
        user=people["participant"],
        year=timezone.now().year,
        received_on=timezone.now().date(),
        actor=people["organizer"],
    )
    assert list(_frozen(money).lines.values_list("pay_kind", flat=True)) == ["stipend"]


def test_the_batch_page_says_who_is_held_back_and_why(money, client_as):
    stipend_accrue(term=money["term"], user=money["people"]["participant"], actor=None)
    batch = payout_batch_build(term=money["term"], actor=money["people"]["organizer"])

    page = client_as("organizer").get(
        reverse("payments:batch_detail", args=["fall-2022", batch.pk])
    )

    assert "will be held back" in page.content.decode()
    assert "needs a tax form for" in page.content.decode()


def test_four_eyes_another_organizer_freezes(owed):
    term, builder = owed["term"], owed["people"]["organizer"]
    second = UserFactory(email="second-organizer@example.org")
    MembershipFactory(term=term, user=second, role=Role.ORGANIZER)
    pay_settings_update(
        term=term,
        actor=builder,
        prep_minutes_cap_per_week=180,
        facilitator_cap_minor=None,
        four_eyes=True,
    )
    batch = payout_batch_build(term=term, actor=builder)

    with pytest.raises(NotAllowedError, match="Four-eyes"):
        payout_batch_freeze(batch=batch, actor=builder)
    frozen = payout_batch_freeze(batch=batch, actor=second)

    assert frozen.frozen_by_id == second.pk
    with pytest.raises(TooLateError):
        payout_batch_freeze(batch=batch, actor=builder)


def test_only_organizers_build_batches(owed):
    with pytest.raises(NotAllowedError):
        payout_batch_build(term=owed["term"], actor=owed["people"]["facilitator"])


def test_the_ledger_check_names_a_difference_and_exits_1(owed, capsys):
    batch = _frozen(owed)
    PayoutLine.objects.filter(batch=batch, number=1).update(amount_minor=1)

    result = ledger_check(owed["term"])
    with pytest.raises(SystemExit) as exit_info:
        call_command("ledger", "check")

    assert exit_info.value.code == 1
    assert any("payment entries" in line for line in result.differences)
    assert "difference:" in capsys.readouterr().out


def test_the_money_page_makes_as_many_queries_for_one_person_as_for_many(money, client_as):
    term, organizer = money["term"], money["people"]["organizer"]
    client = client_as("organizer")
    url = reverse("payments:money", args=[term.slug])

    def add_people(first: int, count: int) -> None:
        for number in range(first, first + count):
            user = UserFactory(email=f"p{number}@example.org")
            MembershipFactory(term=term, user=user, role=Role.PARTICIPANT)
            stipend_eligibility_set(term=term, user=user, status="eligible", actor=organizer)
            stipend_accrue(term=term, user=user, actor=None)

    add_people(0, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    add_people(1, 12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert "p12@example.org" in response.content.decode()
    assert len(many) == len(one), [query["sql"] for query in many]
