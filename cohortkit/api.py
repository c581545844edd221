"""The JSON API at /api/v1/ (OpenAPI document at /api/v1/openapi.json).

Requests carry ``Authorization: Bearer <token>`` (``cohortkit token create --email …`` makes one).
Each route calls the same selectors and services as the pages, with the same permission rules:
a term you are not a member of is 404, a role without the right is 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError
from ninja.security import HttpBearer

from cohortkit.accounts import rules
from cohortkit.accounts.models import Role
from cohortkit.accounts.services import api_token_authenticate
from cohortkit.admissions.api.applying import router as applying_router
from cohortkit.admissions.api.deciding import router as deciding_router
from cohortkit.admissions.api.reviewing import router as reviewing_router
from cohortkit.common.errors import ServiceError, refusal_payload
from cohortkit.payments.api import router as payments_router
from cohortkit.programs import selectors
from cohortkit.programs.states import term_state
from cohortkit.scheduling.api import router as scheduling_router


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token=token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="cohortkit API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    docs_url=None,
    description=__doc__ or "",
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> Any:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> Any:
    """A body or parameter of the wrong shape is bad input: 400, with where and what."""
    field_errors: dict[str, str] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in {"body", "payload"}]
        field_errors.setdefault(".".join(location) or "body", str(error.get("msg", "Invalid.")))
    detail = "; ".join(f"{where}: {message}" for where, message in field_errors.items())
    return api.create_response(
        request,
        {"detail": detail or "The request is not valid.", "field_errors": field_errors},
        status=400,
    )


@api.exception_handler(ServiceError)
def refused(request: HttpRequest, exc: ServiceError) -> Any:
    """Any refusal a route did not answer itself: its own status, message and field errors."""
    return api.create_response(request, refusal_payload(exc), status=exc.http_status)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception) -> Any:
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


class MeOut(Schema):
    email: str
    name: str
    time_zone: str


class TrackOut(Schema):
    slug: str
    name: str
    audience: str


class TermOut(Schema):
    slug: str
    name: str
    program: str
    time_zone: str
    starts_on: dt.date
    ends_on: dt.date
    participant_deadline: dt.datetime
    facilitator_deadline: dt.datetime
    deadline_time_zone: str
    section_size_min: int
    section_size_max: int
    meeting_minutes: int
    stipend_cents: int
    stipend_currency: str
    facilitator_rate_cents: int
    # draft, open, running, finished or archived (cohortkit.programs.states).
    state: str
    tracks: list[TrackOut]


def _term_out(term: Any) -> dict[str, Any]:
    return {
        "slug": term.slug,
        "name": term.name,
        "program": term.program.slug,
        "time_zone": term.time_zone,
        "starts_on": term.starts_on,
        "ends_on": term.ends_on,
        "participant_deadline": term.participant_deadline,
        "facilitator_deadline": term.facilitator_deadline,
        "deadline_time_zone": term.deadline_time_zone,
        "section_size_min": term.section_size_min,
        "section_size_max": term.section_size_max,
        "meeting_minutes": term.meeting_minutes,
        "stipend_cents": term.stipend_cents,
        "stipend_currency": term.stipend_currency,
        "facilitator_rate_cents": term.facilitator_rate_cents,
        "state": str(term_state(term)),
        "tracks": [
            {"slug": track.slug, "name": track.name, "audience": track.audience}
            for track in term.tracks.all()
        ],
    }


api.add_router("/", applying_router)
api.add_router("/", scheduling_router)
api.add_router("/", reviewing_router)
api.add_router("/", deciding_router)
api.add_router("/", payments_router)


@api.get("/me", response=MeOut, summary="The person the token belongs to")
def me(request: HttpRequest) -> Any:
    return request.user


@api.get("/terms", response=list[TermOut], summary="Terms you organize")
def terms_list(request: HttpRequest) -> Any:
    terms = selectors.terms_organized_by(user=request.user)
    return [_term_out(term) for term in terms]


@api.get("/terms/{slug}", response=TermOut, summary="One term you organize")
def term_detail(request: HttpRequest, slug: str) -> Any:
    term = selectors.term_get(slug=slug)
    rules.require_term_role(request, term, Role.ORGANIZER)
    return _term_out(term)
