"""The one family of refusals every service raises, and the HTTP status each one means.

A service that refuses a write raises one of these; pages and the API map them to a response in
one place each (``http_status``), so no caller has to re-derive *why* a service said no.

| refusal | meaning | HTTP |
| --- | --- | --- |
| ``InvalidInputError`` | the input is wrong; ``field_errors`` says where | 400 |
| ``NotAllowedError`` | this person may not do this | 403 |
| ``TooLateError`` | a deadline has passed (or the thing is closed) | 403 |
| ``NotFoundError`` | the object does not exist for this person | 404 |
| ``ConflictError`` | the state changed under the request (stale, done, full) | 409 |

``ServiceError`` itself is the base class; raising it directly means "invalid input" (400).
"""

from __future__ import annotations


class ServiceError(Exception):
    """A write that was refused; ``message`` is shown to the person as it is."""

    http_status = 400

    def __init__(self, message: str, *, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class InvalidInputError(ServiceError):
    """The input is wrong; ``field_errors`` names the fields and what is wrong with each."""

    http_status = 400


class NotAllowedError(ServiceError):
    """The person is a member but lacks the right to do this."""

    http_status = 403


class TooLateError(ServiceError):
    """A deadline has passed, or the thing acted on is closed."""

    http_status = 403


class NotFoundError(ServiceError):
    """The object does not exist, or must not be revealed to this person."""

    http_status = 404


class ConflictError(ServiceError):
    """The state changed under the request: a stale revision, already done, no room left."""

    http_status = 409


def refusal_payload(error: ServiceError) -> dict[str, object]:
    """The API's body for a refusal: ``detail`` always, ``field_errors`` when fields are named."""
    payload: dict[str, object] = {"detail": error.message}
    if error.field_errors:
        payload["field_errors"] = dict(error.field_errors)
    return payload
