"""Certificates' rows of the permission matrix. The verification page, its JSON and PDF and the
key set are public (an unknown id is 404 to everyone, signed in or not); the holder's page is
for the term's members; the organizers' list for organizers."""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import NOT_FOUND, ORGANIZER_ONLY, PUBLIC, TERM_MEMBERS
from conftest import ROLES

UNKNOWN_ID = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def _issued(term: Any) -> list[str]:
    """A real certificate of the term's participant (issued as the services would)."""
    import datetime as dt
    import secrets

    from cohortkit.accounts.models import User
    from cohortkit.certificates.models import Certificate

    certificate = Certificate.objects.create(
        public_id=secrets.token_urlsafe(24),
        term=term,
        user=User.objects.get(email="participant@example.org"),
        role="participant",
        holder_name="Priya Participant",
        issued_on=dt.date(2022, 11, 25),
        issued_at=dt.datetime(2022, 11, 25, 12, 0, tzinfo=dt.UTC),
    )
    return [certificate.public_id]


ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "certificates:detail": (_issued, PUBLIC),
    "certificates:json": (_issued, PUBLIC),
    "certificates:pdf": (_issued, PUBLIC),
    "certificates:keys": (lambda term: [], PUBLIC),
    # Only the holder downloads the signed credential; to everyone else it does not exist.
    "certificates:credential": (
        _issued,
        {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": 302, "participant": 200},
    ),
    "certificates:mine": (lambda term: [term.slug], TERM_MEMBERS),
    "certificates:organize": (lambda term: [term.slug], ORGANIZER_ONLY),
}

POST_ONLY: dict[str, Any] = {
    "certificates:rename": lambda term: [UNKNOWN_ID],
    "certificates:withdraw": lambda term: [UNKNOWN_ID],
    "certificates:revoke": lambda term: [UNKNOWN_ID],
}
