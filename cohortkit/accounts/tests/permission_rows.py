"""Permission rows of the API-token pages (collected by cohortkit/tests/test_permissions.py)."""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import OK, everyone_but_anonymous

# Everyone signed in manages their own tokens; another person's token is 404 (test_api_tokens).
ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "accounts:api_tokens": (lambda term: [], everyone_but_anonymous(OK)),
}

POST_ONLY: dict[str, Any] = {
    "accounts:api_token_revoke": lambda term: [1],
    "accounts:account_unlock": lambda term: [term.slug, 1],
}
