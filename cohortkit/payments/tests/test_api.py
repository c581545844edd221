"""The money API with real data, and what people outside the term see (nothing)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Role
from cohortkit.accounts.services import api_token_create
from cohortkit.payments.models import TaxFormReceipt
from cohortkit.payments.services.batches import payout_batch_build, payout_batch_freeze
from cohortkit.payments.services.stipends import stipend_accrue
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(money):
    people = money["people"]
    stipend_accrue(term=money["term"], user=people["participant"], actor=people["organizer"])
    today = timezone.now().date()
    TaxFormReceipt.objects.create(user=people["participant"], year=today.year, received_on=today)
    batch = payout_batch_build(term=money["term"], actor=people["organizer"])
    return payout_batch_freeze(batch=batch, actor=people["organizer"])


def _get(client, user, url):
    return client.get(url, headers={"Authorization": f"Bearer {api_token_create(user=user)}"})


def test_organizers_read_balances_and_a_batch_with_its_lines(frozen, people, client):
    balances = _get(client, people["organizer"], "/api/v1/terms/fall-2022/money/balances").json()
    detail = _get(
        client, people["organizer"], f"/api/v1/terms/fall-2022/money/batches/{frozen.pk}"
    ).json()

    mine = {row["email"]: row for row in balances}["participant@example.org"]
    assert (mine["approved"], mine["in_batches"], mine["currency"]) == ("0.00", "1000.00", "USD")
    assert (detail["status"], detail["total"], detail["sha256"]) == (
        "frozen",
        "1000.00",
        frozen.sha256,
    )
    assert detail["items"] == [
        {
            "line_key": f"ck-{frozen.pk}-1",
            "email": "participant@example.org",
            "kind": "stipend",
            "amount": "1000.00",
            "status": "pending",
            "settled_at": None,
        }
    ]


def test_a_participant_reads_only_their_own_money(frozen, people, client):
    mine = _get(client, people["participant"], "/api/v1/terms/fall-2022/money/mine").json()
    theirs = _get(client, people["facilitator"], "/api/v1/terms/fall-2022/money/mine").json()
    refused = _get(client, people["participant"], "/api/v1/terms/fall-2022/money/balances")

    assert (mine["stipend_status"], mine["balance"]) == ("in_payout", "0.00")
    assert [entry["kind"] for entry in mine["entries"]] == ["accrual", "payment"]
    assert theirs["entries"] == [] and theirs["stipend_status"] is None
    assert refused.status_code == 403


def test_a_facilitator_of_another_term_sees_nothing(frozen, other_term, client):
    stranger = UserFactory(email="stranger@example.org")
    MembershipFactory(term=other_term, user=stranger, role=Role.FACILITATOR)
    client.force_login(stranger)

    for name, args in [
        ("payments:my_money", ["fall-2022"]),
        ("payments:timesheets", ["fall-2022"]),
        ("payments:money", ["fall-2022"]),
        ("payments:batch_detail", ["fall-2022", frozen.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert _get(client, stranger, "/api/v1/terms/fall-2022/money/mine").status_code == 404


def test_the_term_page_shows_the_participants_stipend_status(frozen, client_as):
    page = client_as("participant").get(reverse("programs:term_detail", args=["fall-2022"]))

    assert "Your stipend" in page.content.decode()
    assert "in a payout" in page.content.decode()
