"""``cohortkit calendar export --email EMAIL`` prints the same feed as the person's URL."""

from __future__ import annotations

import re
from io import StringIO

import icalendar
import pytest
from django.core.management import call_command
from django.test import Client

from cohortkit.calendars.services import calendar_feed_reset
from cohortkit.calendars.tests.reading import feed_path
from cohortkit.cli import main

pytestmark = pytest.mark.django_db


def _without_stamps(text: str) -> str:
    """The feed with its DTSTAMP lines (the moment it was written) blanked out."""
    return re.sub(r"DTSTAMP:\d{8}T\d{6}Z", "DTSTAMP:…", text)


def test_export_prints_the_same_feed_as_the_url(people, sections, curriculum):
    participant = people["participant"]
    from_url = Client().get(feed_path(calendar_feed_reset(user=participant))).content.decode()
    output = StringIO()

    call_command("calendar", "export", "--email", "PARTICIPANT@example.org", stdout=output)

    printed = output.getvalue()
    assert _without_stamps(printed) == _without_stamps(from_url)
    events = icalendar.Calendar.from_ical(printed).walk("VEVENT")
    assert len(events) == 8 + 4  # eight meetings, two essays and two quizzes


def test_export_through_the_cohortkit_command(people, sections, capsys):
    main(["calendar", "export", "--email", "participant@example.org"])

    out = capsys.readouterr().out
    assert out.startswith("BEGIN:VCALENDAR\r\n")
    assert out.endswith("END:VCALENDAR\r\n")


def test_an_unknown_email_exits_2_with_one_line(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["calendar", "export", "--email", "nobody@example.org"])

    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().count("\n") == 0
    assert "nobody@example.org" in captured.err
