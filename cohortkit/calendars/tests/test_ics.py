"""The calendar writer (``sections.ics``, made with icalendar), read back by icalendar."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from cohortkit.sections.ics import CalendarEvent, calendar_text

STAMP = dt.datetime(2022, 10, 1, 12, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2022, 10, 3, 7, 0, tzinfo=dt.UTC)


def test_a_due_date_is_a_moment_with_no_end_and_the_feed_asks_to_be_refreshed():
    text = calendar_text(
        [CalendarEvent(uid="quiz-1-due-2@cohortkit", starts_at=DUE, ends_at=None, summary="Q")],
        stamp=STAMP,
        name="Ada: meetings and due dates",
        refresh_interval=dt.timedelta(hours=1),
    )

    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == DUE
    assert "DTEND" not in event
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "X-PUBLISHED-TTL:PT1H\r\n" in text
    assert str(calendar["X-WR-CALNAME"]) == "Ada: meetings and due dates"


def test_text_escapes_backslashes_separators_and_every_kind_of_line_break():
    summary = "a\\b, c; d\r\ne\rf\ng\x07h\ti"

    text = calendar_text(
        [CalendarEvent(uid="x@cohortkit", starts_at=DUE, ends_at=None, summary=summary)],
        stamp=STAMP,
    )

    assert "SUMMARY:a\\\\b\\, c\\; d\\ne\\nf\\ng" in text
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == "a\\b, c; d\ne\nf\ngh\ti"  # the bell is dropped


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    summary = "Détection d'anomalies — " * 10

    text = calendar_text(
        [CalendarEvent(uid="x@cohortkit", starts_at=DUE, ends_at=None, summary=summary)],
        stamp=STAMP,
    )

    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary


def test_an_event_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="end after it starts"):
        calendar_text(
            [CalendarEvent(uid="x", starts_at=DUE, ends_at=DUE, summary="nothing")], stamp=STAMP
        )
