"""Permission rows of the programs URLs added since the matrix (see test_permissions.py)."""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import ORGANIZER_ONLY

ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "programs:term_copy": (lambda term: [term.slug], ORGANIZER_ONLY),
    "programs:term_state": (lambda term: [term.slug], ORGANIZER_ONLY),
    "programs:outbox": (lambda term: [term.slug], ORGANIZER_ONLY),
}

POST_ONLY: dict[str, Any] = {
    "programs:outbox_retry": lambda term: [term.slug, 1],
}
