"""The organizer's home: organizers of the term only (see cohortkit/tests/permission_roles.py)."""

from __future__ import annotations

from cohortkit.tests.permission_roles import ORGANIZER_ONLY

ROWS = {
    "organize:home": (lambda term: [term.slug], ORGANIZER_ONLY),
}
