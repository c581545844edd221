"""A refusal no view caught is answered with its own status and message, for pages and the API."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from cohortkit.common.errors import (
    ConflictError,
    InvalidInputError,
    NotAllowedError,
    NotFoundError,
    TooLateError,
)
from cohortkit.common.refusals import RefusalMiddleware

pytestmark = pytest.mark.django_db


def _middleware() -> RefusalMiddleware:
    return RefusalMiddleware(lambda request: None)  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInputError("Pick a date.", field_errors={"date": "Required."}), 400),
        (NotAllowedError("Only organizers may do this."), 403),
        (TooLateError("The deadline has passed."), 403),
        (NotFoundError("No such section."), 404),
        (ConflictError("Someone changed this first."), 409),
    ],
)
def test_api_refusal_is_json_with_its_status(error: Exception, status: int) -> None:
    request = RequestFactory().post("/api/v1/terms/x")
    response = _middleware().process_exception(request, error)
    assert response is not None
    assert response.status_code == status
    body = json.loads(response.content)
    assert body["detail"] == str(error)


def test_page_refusal_shows_the_message_and_fields() -> None:
    request = RequestFactory().post("/terms/x/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    error = InvalidInputError("Pick a date.", field_errors={"date": "Required."})
    response = _middleware().process_exception(request, error)
    assert response is not None
    assert response.status_code == 400
    text = response.content.decode()
    assert "Pick a date." in text
    assert "Required." in text
    assert "Nothing was changed" in text


def test_other_exceptions_are_left_alone() -> None:
    request = RequestFactory().get("/")
    assert _middleware().process_exception(request, RuntimeError("boom")) is None
