"""The admissions refusals that say more than their family in ``cohortkit.common.errors``."""

from __future__ import annotations

from cohortkit.common.errors import ConflictError, TooLateError


class DeadlinePassedError(TooLateError):
    """The person's own deadline has passed; nothing was changed."""


class StaleRevisionError(ConflictError):
    """The text is based on an older version than the one stored (another window saved)."""


class OfferMadeError(TooLateError):
    """Refused because the person holds an offer (or a confirmed place): they answer the offer on
    their decision page instead, at ``decision_path``."""

    def __init__(self, message: str, *, decision_path: str) -> None:
        super().__init__(message)
        self.decision_path = decision_path


class ReleaseCountChangedError(ConflictError):
    """A release was confirmed for a number of decisions that is no longer the number staged;
    nothing was released or sent. ``current`` is the number staged now (also in
    ``field_errors["expected_count"]``, which the API answers with)."""

    def __init__(self, message: str, *, current: int) -> None:
        super().__init__(
            message, field_errors={"expected_count": f"{current} staged decision(s) now."}
        )
        self.current = current
