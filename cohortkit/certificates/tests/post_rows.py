"""POST rows of the certificate pages (collected by cohortkit/tests/test_permissions_post.py).

The participant has completed the term and holds a certificate: only they may collect, withdraw
or (with the organizers) rename it; organizers revoke. To anyone else the certificate does not
exist (404), whatever their role.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cohortkit.tests.permission_roles import FORBIDDEN, NOT_FOUND, ORGANIZER_ONLY
from cohortkit.tests.post_matrix import DONE, LOGIN, ORGANIZER_POSTS, Post, World
from conftest import ROLES


def _participant_completed(world: World) -> list[str]:
    from django.utils import timezone

    from cohortkit.completion.models import Completion

    Completion.objects.create(
        term=world.term,
        user=world.person("participant"),
        completed=True,
        rule_verdict=True,
        confirmed_at=timezone.now(),
    )
    return [world.term.slug]


def _participants_certificate(world: World) -> list[str]:
    import secrets

    from cohortkit.certificates.models import Certificate

    certificate = Certificate.objects.create(
        public_id=secrets.token_urlsafe(24),
        term=world.term,
        user=world.person("participant"),
        role="participant",
        holder_name="Priya Participant",
        issued_on=dt.date(2022, 11, 25),
        issued_at=dt.datetime(2022, 11, 25, 12, 0, tzinfo=dt.UTC),
    )
    return [certificate.public_id]


def _certificate(world: World) -> Any:
    from cohortkit.certificates.models import Certificate

    return Certificate.objects.get(public_id=world.args[0])


HOLDER_ONLY = {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "participant": DONE}

POST_ROWS: dict[str, Post] = {
    # Members with nothing to collect are refused (403) and nothing is issued.
    "certificates:mine": Post(
        args=_participant_completed,
        data={"role": "participant", "holder_name": "Priya Participant"},
        answers={
            **ORGANIZER_ONLY,
            "participant": DONE,
            "organizer": FORBIDDEN,
        },
    ),
    "certificates:rename": Post(
        args=_participants_certificate,
        data={"holder_name": "Priya P. Participant"},
        answers={**HOLDER_ONLY, "organizer": DONE},
    ),
    "certificates:withdraw": Post(args=_participants_certificate, answers=HOLDER_ONLY),
    "certificates:revoke": Post(
        args=_participants_certificate,
        data={"reason": "Issued by mistake."},
        answers=ORGANIZER_POSTS,
    ),
}
