"""Permission rows of the calendar URLs (collected by cohortkit/tests/test_permissions.py)."""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import NOT_FOUND, everyone_but_anonymous
from conftest import ROLES

# The feed needs no login: its secret token is the key. A wrong token is 404 for everyone,
# signed in or not; a real one is tested in test_feed.
ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "calendars:feed": (lambda term: ["not-a-token"], dict.fromkeys(ROLES, NOT_FOUND)),
    "calendars:settings": (lambda term: [], everyone_but_anonymous(200)),
}

POST_ONLY: dict[str, Any] = {
    "calendars:reset": lambda term: [],
}
