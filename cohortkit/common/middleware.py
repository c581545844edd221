"""Activate the viewer's time zone for every request, so templates show their local time."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

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
