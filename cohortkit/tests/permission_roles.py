"""Expected answers per role, shared by the permission matrix and every app's rows.

An app keeps its rows in ``cohortkit/<app>/tests/permission_rows.py`` with up to three dicts:
``ROWS`` (URL name → (arguments from the ``term`` fixture, answer per role)), ``POST_ONLY``
(URL name → arguments: GET must answer 405) and ``API_ROWS`` ((method, OpenAPI path) →
(URL, answer per role)). ``cohortkit/tests/test_permissions.py`` collects them all; a URL or API
route without a row fails the suite.

The ``term`` fixture's term has a participant and a facilitator form, two tracks and two
sections (``conftest.sections``): ``facilitator@example.org`` leads section A, where
``participant@example.org`` is a member; ``facilitator_other_section@example.org`` leads B.
"""

from __future__ import annotations

from typing import Any

from conftest import ROLES

OK, LOGIN, NOT_FOUND, FORBIDDEN = 200, 302, 404, 403

PUBLIC = dict.fromkeys(ROLES, OK)


def everyone_but_anonymous(answer: Any, anonymous: Any = LOGIN) -> dict[str, Any]:
    return {role: (anonymous if role == "anonymous" else answer) for role in ROLES}


ORGANIZER_ONLY = {
    "anonymous": LOGIN,
    "applicant": NOT_FOUND,
    "participant": FORBIDDEN,
    "facilitator_other_section": FORBIDDEN,
    "facilitator": FORBIDDEN,
    "reviewer": FORBIDDEN,
    "organizer_other_term": NOT_FOUND,
    "organizer": OK,
}

REVIEWERS_AND_ORGANIZERS = {**ORGANIZER_ONLY, "reviewer": OK}

TERM_MEMBERS = {
    **everyone_but_anonymous(OK),
    "applicant": NOT_FOUND,
    "organizer_other_term": NOT_FOUND,
}

API_ORGANIZER_ONLY = {
    "anonymous": 401,
    "applicant": NOT_FOUND,
    "participant": FORBIDDEN,
    "facilitator_other_section": FORBIDDEN,
    "facilitator": FORBIDDEN,
    "reviewer": FORBIDDEN,
    "organizer_other_term": NOT_FOUND,
    "organizer": OK,
}
API_ALL_AUTHENTICATED: dict[str, Any] = dict.fromkeys(ROLES, OK) | {"anonymous": 401}
