"""A one-week visit to another section sends the person to that section's meeting that week on
every page that says where to go (week page, "your next meeting", calendar), and to their own
section in every other week: one selector answers "which meeting is theirs in week N"."""

import datetime as dt

import pytest
from django.utils import timezone

from cohortkit.calendars.selectors import calendar_events
from cohortkit.common.timezones import format_instant
from cohortkit.sections.models import Meeting
from cohortkit.sections.rosters import person_meetings
from cohortkit.sections.switching import section_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def visiting(term, people, sections):
    """Section A's week 2 meeting ended yesterday; week 3 is ahead, and ``participant`` (of A)
    visits section B that week only; week 4 is back at A."""
    now = timezone.now().replace(microsecond=0)
    a, b = sections["a"], sections["b"]
    hour = dt.timedelta(hours=1)
    times = {
        (a, 2): now - dt.timedelta(days=1),
        (a, 3): now + dt.timedelta(days=2),
        (b, 3): now + dt.timedelta(days=3),
        (a, 4): now + dt.timedelta(days=9),
        (b, 4): now + dt.timedelta(days=10),
    }
    for (section, week), starts_at in times.items():
        Meeting.objects.filter(section=section, week=week).update(
            starts_at=starts_at, ends_at=starts_at + hour
        )
    visited = Meeting.objects.get(section=b, week=3)
    section_visit(user=people["participant"], meeting=visited)
    return {"a": a, "b": b, "visited": visited, "times": times}


def _utc(instant):
    return format_instant(instant, "UTC")


def test_the_week_page_of_the_visited_week_shows_the_visited_sections_time_and_link(
    term, visiting, client_as
):
    page = client_as("participant").get(f"/terms/{term.slug}/week/3/").content.decode()

    assert 'data-testid="meeting-section">Introductory B with' in page
    assert "This week you visit Introductory B instead of your own section, Introductory A." in (
        page
    )
    assert _utc(visiting["times"][(visiting["b"], 3)]) in page
    assert 'href="https://meet.example.org/b"' in page
    assert "https://meet.example.org/a" not in page


def test_other_weeks_show_the_home_section(term, visiting, client_as):
    page = client_as("participant").get(f"/terms/{term.slug}/week/4/").content.decode()

    assert 'data-testid="meeting-section">Introductory A with' in page
    assert _utc(visiting["times"][(visiting["a"], 4)]) in page
    assert 'href="https://meet.example.org/a"' in page
    assert "https://meet.example.org/b" not in page
    assert 'data-testid="visit-note"' not in page


def test_the_next_meeting_after_a_past_week_is_the_visit_with_its_link(term, visiting, client_as):
    page = client_as("participant").get(f"/terms/{term.slug}/week/2/").content.decode()

    b_week_3 = _utc(visiting["times"][(visiting["b"], 3)])
    assert 'Your next meeting: <strong data-testid="next-meeting"><time' in page
    assert b_week_3 in page
    assert 'data-testid="next-section">Introductory B<' in page
    assert 'data-testid="next-join">Join link for week 3<' in page
    assert 'href="https://meet.example.org/b"' in page
    # A's own week 3 meeting, which they skip, is not offered.
    assert _utc(visiting["times"][(visiting["a"], 3)]) not in page


def test_the_section_page_says_the_next_meeting_is_the_visit(term, visiting, client_as):
    page = client_as("participant").get(f"/terms/{term.slug}/my-section/").content.decode()

    next_line = page[page.index('data-testid="your-next-meeting"') :].split("</p>")[0]
    assert _utc(visiting["times"][(visiting["b"], 3)]) in next_line
    assert "(week 3), Introductory B" in next_line and "visit, that week only" in next_line
    assert "https://meet.example.org/b" in next_line
    assert 'data-testid="away-3">you visit Introductory B instead<' in page


def test_the_calendar_and_the_pages_read_the_same_meetings(term, visiting, people):
    participant = people["participant"]

    attended = person_meetings(user=participant, term=term)
    events = [event for event in calendar_events(user=participant) if "discussion" in event.summary]

    by_week = {item.meeting.week: item for item in attended}
    assert by_week[3].meeting == visiting["visited"] and by_week[3].visit
    assert by_week[4].section == visiting["a"] and not by_week[4].visit
    assert len(attended) == term.week_count
    assert sorted(event.uid for event in events) == sorted(
        f"meeting-{item.meeting.pk}@cohortkit" for item in attended
    )
