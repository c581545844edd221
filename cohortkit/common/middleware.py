"""Request-wide guards: the viewer's time zone for every request, and text no database stores.

``ViewerTimeZoneMiddleware`` activates the viewer's zone so templates show their local time.
``UnstorableTextMiddleware`` answers 400 with a message, before any view runs, to a query string
with a NUL character (PostgreSQL refuses NUL in any text it is asked to compare) and to a JSON body
holding a NUL, a lone surrogate or a string longer than anything a person writes: no API route
can forget the check, and the view behind it never sees such text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from cohortkit.common.text import first_text_problem, text_problem
from cohortkit.common.timezones import canonical_time_zone, is_valid_time_zone

TIME_ZONE_COOKIE = "tz"
# A zone a signed-in person picked in the footer to view times in, for this session only: it
# never changes the zone of their profile (which their emails and forms use).
VIEW_TIME_ZONE_SESSION_KEY = "view_time_zone"


def viewer_time_zone_name(request: HttpRequest) -> tuple[str, bool]:
    """The zone to show times in and whether it is known (not the UTC fallback).

    For a signed-in person: the zone they picked in the footer for this session, else their
    profile's. Otherwise the zone the browser reported or the visitor picked (the ``tz`` cookie);
    then UTC, which the page's script replaces at once.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        session = getattr(request, "session", None)
        picked = session.get(VIEW_TIME_ZONE_SESSION_KEY, "") if session is not None else ""
        if isinstance(picked, str) and is_valid_time_zone(picked):
            return picked, True
    if user is not None and user.is_authenticated and is_valid_time_zone(user.time_zone):
        return user.time_zone, True
    # The page script stores the zone percent-encoded (Asia%2FTokyo), as cookie values should be.
    cookie = canonical_time_zone(unquote(request.COOKIES.get(TIME_ZONE_COOKIE, "")))
    if is_valid_time_zone(cookie):
        return cookie, True
    return "UTC", False


class ViewerTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name, known = viewer_time_zone_name(request)
        request.viewer_time_zone = name  # type: ignore[attr-defined]
        request.viewer_time_zone_known = known  # type: ignore[attr-defined]
        timezone.activate(name)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class UnstorableTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            for value in [key, *values]:
                if "\x00" in value:
                    return _refuse(request, key, text_problem(value) or "")
        if request.content_type == "application/json" and request.body:
            try:
                data = json.loads(request.body)
            except ValueError:
                data = None  # not JSON at all: the API says so itself
            found = first_text_problem(data)
            if found is not None:
                return _refuse(request, *found)
        return self.get_response(request)


def _refuse(request: HttpRequest, where: str, problem: str) -> HttpResponse:
    detail = f"{where}: {problem}"
    if request.path.startswith("/api/") or request.content_type == "application/json":
        return JsonResponse({"detail": detail, "field_errors": {where: problem}}, status=400)
    return HttpResponse(
        f"Bad request. {detail}".encode(), status=400, content_type="text/plain; charset=utf-8"
    )
