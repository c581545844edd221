"""Reading a feed as a calendar app would: by its secret URL, with no login, parsed by icalendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
from django.test import Client
from django.urls import reverse

from cohortkit.calendars.services import calendar_feed_reset


def feed_path(token: str) -> str:
    return reverse("calendars:feed", args=[token])


def fetch_feed(user: Any) -> icalendar.Calendar:
    """Create the person's feed URL, fetch it as a calendar app would (no login) and parse it."""
    response = Client().get(feed_path(calendar_feed_reset(user=user)))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content.decode())


def events_by_kind(calendar: icalendar.Calendar, prefix: str) -> list[Any]:
    return sorted(
        (event for event in calendar.walk("VEVENT") if str(event["UID"]).startswith(prefix)),
        key=lambda event: event.decoded("DTSTART"),
    )


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)
