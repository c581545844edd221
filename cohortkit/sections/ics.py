"""A calendar file (RFC 5545): one VEVENT per event, times in UTC.

Used for a section's meetings in the publish email and for each person's calendar feed (meetings
and due dates). Written by hand (it is a few lines of text) so the web process needs no calendar
library; tests parse it with ``icalendar`` to prove it is well formed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

PRODUCT_ID = "-//cohortkit//sections//EN"


# Control characters other than tab may not appear in a TEXT value (RFC 5545 3.3.11); line breaks
# are escaped first, so what is left of them is dropped.
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


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("calendar times must be aware instants")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks (RFC 5545 3.3.11)."""
    escaped = (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )
    return _CONTROL_CHARACTERS.sub("", escaped)


def _duration(delta: dt.timedelta) -> str:
    """A DURATION value (RFC 5545 3.3.6) in whole hours, minutes or seconds."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    if seconds % 3600 == 0:
        return f"PT{seconds // 3600}H"
    if seconds % 60 == 0:
        return f"PT{seconds // 60}M"
    return f"PT{seconds}S"


def _fold(line: str) -> list[str]:
    """Split a content line into pieces of at most 75 octets, continuation lines led by a space."""
    pieces: list[str] = []
    current = ""
    limit = 75
    for character in line:
        if len((current + character).encode("utf-8")) > limit:
            pieces.append(current)
            current = " "
            limit = 75
        current += character
    pieces.append(current)
    return pieces


def calendar_text(
    events: Sequence[CalendarEvent],
    *,
    stamp: dt.datetime,
    name: str = "",
    refresh_interval: dt.timedelta | None = None,
) -> str:
    """The VCALENDAR text (CRLF line endings) with one VEVENT per event.

    ``refresh_interval`` tells a subscribed calendar app how often to fetch it again (RFC 7986,
    and the older X-PUBLISHED-TTL that Outlook and Apple Calendar read).
    """
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT_ID}", "CALSCALE:GREGORIAN"]
    lines.append("METHOD:PUBLISH")
    if name:
        lines.append(f"X-WR-CALNAME:{_text(name)}")
    if refresh_interval is not None:
        lines.append(f"REFRESH-INTERVAL;VALUE=DURATION:{_duration(refresh_interval)}")
        lines.append(f"X-PUBLISHED-TTL:{_duration(refresh_interval)}")
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_text(event.uid)}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(event.starts_at)}",
        ]
        if event.ends_at is not None:
            if event.ends_at <= event.starts_at:
                raise ValueError("an event must end after it starts")
            lines.append(f"DTEND:{_utc(event.ends_at)}")
        lines.append(f"SUMMARY:{_text(event.summary)}")
        if event.description:
            lines.append(f"DESCRIPTION:{_text(event.description)}")
        if event.location:
            lines.append(f"LOCATION:{_text(event.location)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(piece + "\r\n" for line in lines for piece in _fold(line))
