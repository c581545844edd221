"""Two organizers build batches at the same moment: nobody ends up in both (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from cohortkit.accounts.models import Role
from cohortkit.common.errors import ServiceError
from cohortkit.payments.models import PayoutLine
from cohortkit.payments.services.batches import payout_batch_build
from cohortkit.payments.services.stipends import stipend_accrue, stipend_eligibility_set
from cohortkit.tests.factories import MembershipFactory, TermFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has one writer at a time by design"
)
def test_two_organizers_building_at_once_never_put_one_person_in_both_batches():
    term = TermFactory(slug="concurrent")
    organizers = [UserFactory(email=f"organizer{n}@example.org") for n in (1, 2)]
    for organizer in organizers:
        MembershipFactory(term=term, user=organizer, role=Role.ORGANIZER)
    for number in range(30):
        person = UserFactory(email=f"person{number}@example.org")
        MembershipFactory(term=term, user=person, role=Role.PARTICIPANT)
        stipend_eligibility_set(term=term, user=person, status="eligible", actor=organizers[0])
        stipend_accrue(term=term, user=person, actor=organizers[0])
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def build(organizer):
        try:
            start.wait()
            batch = payout_batch_build(term=term, actor=organizer)
            outcomes.append(f"batch {batch.pk}")
        except ServiceError as error:
            outcomes.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=build, args=(organizer,)) for organizer in organizers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lines = list(PayoutLine.objects.filter(term=term).values_list("payee_id", flat=True))
    assert len(outcomes) == 2
    assert len(lines) == 30
    assert len(set(lines)) == 30  # each person in exactly one batch
