"""Calendar files (RFC 5545) of meetings and due dates, written by the ``icalendar`` package.

Used for a section's meetings in the publish email and for each person's calendar feed (meetings
and due dates): one VEVENT per event, every time a UTC instant, so a calendar app shows each one
in its own zone on the right day across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import icalendar

PRODUCT_ID = "-//cohortkit//sections//EN"

# Control characters other than tab and line feed may not appear in a TEXT value (RFC 5545
# 3.3.11); every line break is made a line feed first (icalendar escapes it), the rest dropped.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT. ``ends_at`` None is a moment (a due date): the event has no DTEND."""

    uid: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("calendar times must be aware instants")
    return moment.astimezone(dt.UTC)


def _text(value: str) -> str:
    return _CONTROL_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _event(event: CalendarEvent, stamp: dt.datetime) -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", _text(event.uid))
    item.add("dtstamp", _utc(stamp))
    item.add("dtstart", _utc(event.starts_at))
    if event.ends_at is not None:
        if event.ends_at <= event.starts_at:
            raise ValueError("an event must end after it starts")
        item.add("dtend", _utc(event.ends_at))
    item.add("summary", _text(event.summary))
    if event.description:
        item.add("description", _text(event.description))
    if event.location:
        item.add("location", _text(event.location))
    if event.url:
        item.add("url", icalendar.vUri(event.url))
    return item


def calendar_text(
    events: Sequence[CalendarEvent],
    *,
    stamp: dt.datetime,
    name: str = "",
    refresh_interval: dt.timedelta | None = None,
) -> str:
    """The VCALENDAR text (CRLF line endings, lines folded at 75 octets) with one VEVENT per
    event.

    ``refresh_interval`` tells a subscribed calendar app how often to fetch it again (RFC 7986,
    and the older X-PUBLISHED-TTL that Outlook and Apple Calendar read).
    """
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", _text(name))
    if refresh_interval is not None:
        if refresh_interval <= dt.timedelta(0):
            raise ValueError("a duration must be positive")
        calendar.add(
            "refresh-interval",
            icalendar.vDuration(refresh_interval),
            parameters={"VALUE": "DURATION"},
        )
        calendar.add("x-published-ttl", icalendar.vDuration(refresh_interval))
    for event in events:
        calendar.add_component(_event(event, stamp))
    return calendar.to_ical().decode("utf-8")
