"""The refusal every service raises: a message for the person, and messages per field."""

from __future__ import annotations


class ServiceError(Exception):
    """A write that was refused; ``message`` is shown to the person as it is."""

    def __init__(self, message: str, *, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
