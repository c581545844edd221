"""The calendar feed (no login: the secret URL is the key) and the page that hands out its URL."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from cohortkit.calendars import selectors, services


def _feed_url(request: HttpRequest, token: str) -> str:
    """The feed's address: on SITE_URL when the deployment set it, else on the host and scheme
    the person used to reach this page."""
    path = reverse("calendars:feed", args=[token])
    if settings.SITE_URL_IS_SET:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def _settings_page(request: HttpRequest, *, new_url: str = "") -> HttpResponse:
    return render(
        request,
        "calendars/settings.html",
        {
            "feed": selectors.calendar_feed_of(user=request.user),
            "new_url": new_url,
            "new_webcal_url": new_url.replace("https://", "webcal://", 1).replace(
                "http://", "webcal://", 1
            ),
        },
    )


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's meetings and due dates; an unknown or reset token is 404."""
    owner = selectors.calendar_feed_owner(token=token)
    if owner is None:
        raise Http404("No such calendar")
    response = HttpResponse(
        selectors.calendar_feed_text(user=owner), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="cohortkit.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_GET
@never_cache
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """Whether the person has a feed, and how to subscribe; the URL itself is never shown again."""
    return _settings_page(request)


@login_required
@require_POST
@never_cache
def reset(request: HttpRequest) -> HttpResponse:
    """Create the feed or replace its token, and show the new URL this once."""
    token = services.calendar_feed_reset(user=request.user)
    return _settings_page(request, new_url=_feed_url(request, token))
