"""Permission rows of the money pages and API routes.

Organizers see and move everyone's money; facilitators fill in their own timesheets (organizers
approve them elsewhere); every member sees only their own money; outsiders (an applicant, an
organizer of another term) get 404.
"""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import (
    API_ORGANIZER_ONLY,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    ORGANIZER_ONLY,
    TERM_MEMBERS,
)
from conftest import ROLES


def _frozen_batch(term: Any) -> Any:
    from cohortkit.accounts.models import User
    from cohortkit.payments.services.batches import payout_batch_build, payout_batch_freeze
    from cohortkit.payments.services.stipends import stipend_accrue, stipend_eligibility_set

    organizer = User.objects.get(email="organizer@example.org")
    participant = User.objects.get(email="participant@example.org")
    stipend_eligibility_set(term=term, user=participant, status="eligible", actor=organizer)
    stipend_accrue(term=term, user=participant, actor=organizer)
    from django.utils import timezone

    from cohortkit.payments.models import TaxFormReceipt

    today = timezone.now().date()
    TaxFormReceipt.objects.create(user=participant, year=today.year, received_on=today)
    batch = payout_batch_build(term=term, actor=organizer)
    return payout_batch_freeze(batch=batch, actor=organizer)


FACILITATORS_ONLY = {
    **ORGANIZER_ONLY,
    "facilitator": OK,
    "facilitator_other_section": OK,
    "organizer": FORBIDDEN,
}

ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "payments:money": (lambda term: [term.slug], ORGANIZER_ONLY),
    "payments:money_csv": (lambda term: [term.slug], ORGANIZER_ONLY),
    "payments:pay_settings": (lambda term: [term.slug], ORGANIZER_ONLY),
    "payments:eligibility": (lambda term: [term.slug], ORGANIZER_ONLY),
    "payments:timesheet_review": (lambda term: [term.slug], ORGANIZER_ONLY),
    "payments:batches": (lambda term: [term.slug], ORGANIZER_ONLY),
    "payments:batch_detail": (
        lambda term: [term.slug, _frozen_batch(term).pk],
        ORGANIZER_ONLY,
    ),
    "payments:batch_export": (
        lambda term: [term.slug, _frozen_batch(term).pk, "csv"],
        ORGANIZER_ONLY,
    ),
    "payments:timesheets": (lambda term: [term.slug], FACILITATORS_ONLY),
    "payments:timesheet_week": (lambda term: [term.slug, 1], FACILITATORS_ONLY),
    "payments:my_money": (lambda term: [term.slug], TERM_MEMBERS),
}

POST_ONLY: dict[str, Any] = {
    "payments:timesheet_decide": lambda term: [term.slug, 1],
    "payments:batch_build": lambda term: [term.slug],
    "payments:batch_act": lambda term: [term.slug, 1],
    "payments:meeting_hand_over": lambda term: [term.slug, 1],
}

API_MEMBERS = dict.fromkeys(ROLES, OK) | {
    "anonymous": 401,
    "applicant": NOT_FOUND,
    "organizer_other_term": NOT_FOUND,
}
API_ROWS: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("get", "/api/v1/terms/{slug}/money/balances"): (
        "/api/v1/terms/fall-2022/money/balances",
        API_ORGANIZER_ONLY,
    ),
    ("get", "/api/v1/terms/{slug}/money/batches"): (
        "/api/v1/terms/fall-2022/money/batches",
        API_ORGANIZER_ONLY,
    ),
    # No batch in the fixtures: 404 even to organizers (test_api has a real one).
    ("get", "/api/v1/terms/{slug}/money/batches/{batch_id}"): (
        "/api/v1/terms/fall-2022/money/batches/999999",
        API_ORGANIZER_ONLY | {"organizer": NOT_FOUND},
    ),
    ("get", "/api/v1/terms/{slug}/money/mine"): (
        "/api/v1/terms/fall-2022/money/mine",
        API_MEMBERS,
    ),
}
