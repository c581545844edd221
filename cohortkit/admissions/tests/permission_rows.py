"""Permission rows of admissions URLs added since the matrix (see test_permissions.py)."""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import NOT_FOUND, everyone_but_anonymous

# An unknown invitation is 404 to everyone signed in; the real one (only its person) is tested in
# programs/tests/test_copying.py.
ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "admissions:carry_over": (
        lambda term: [term.slug, "not-a-token"],
        everyone_but_anonymous(NOT_FOUND),
    ),
}
