"""Who may see and change applications. Organizers manage a term's forms and deadlines."""

from __future__ import annotations

from typing import Any

from cohortkit.accounts.rules import is_organizer


def can_manage_applications(user: Any, term: Any) -> bool:
    return is_organizer(user, term)
