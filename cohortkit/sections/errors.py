"""The one refusal of this app that adds meaning to the ``cohortkit.common.errors`` family."""

from __future__ import annotations

from collections.abc import Sequence

from cohortkit.common.errors import InvalidInputError


class ProblemsError(InvalidInputError):
    """Refused for several reasons at once (every row of a sheet, every rule a change breaks):
    ``problems`` lists each, so the page shows them all and nothing is half-saved."""

    def __init__(
        self,
        message: str,
        problems: Sequence[str] = (),
        *,
        field_errors: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, field_errors=field_errors)
        self.problems = list(problems)
