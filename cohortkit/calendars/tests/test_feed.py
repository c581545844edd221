"""The calendar feed, read by its secret URL and parsed with the independent icalendar library."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cohortkit.calendars.selectors import calendar_feed_text
from cohortkit.calendars.services import calendar_feed_reset
from cohortkit.calendars.tests.reading import events_by_kind, feed_path, fetch_feed, utc
from cohortkit.coursework.due import due_override_set
from cohortkit.programs.models import Assignment, Track, Week
from cohortkit.sections.models import Meeting, Section, SectionMembership, SectionVisit, Venue

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def test_a_monday_18_00_new_york_section_stays_at_18_00_local_across_the_us_clock_change(
    people, sections
):
    # Section A meets Mondays 18:00 America/New_York through Fall 2022 (Sep 26 – Nov 18); US
    # clocks go back on Sun Nov 6, so the UTC instant moves from 22:00Z to 23:00Z.
    calendar = fetch_feed(people["participant"])

    meetings = events_by_kind(calendar, "meeting-")
    starts = [event.decoded("DTSTART") for event in meetings]
    assert [start.astimezone(NEW_YORK).date() for start in starts] == [
        dt.date(2022, 9, 26) + dt.timedelta(weeks=week) for week in range(8)
    ]
    assert {
        (start.astimezone(NEW_YORK).hour, start.astimezone(NEW_YORK).minute) for start in starts
    } == {(18, 0)}
    assert starts[5] == utc(2022, 10, 31, 22, 0)  # week 6, before the change: EDT, UTC−4
    assert starts[6] == utc(2022, 11, 7, 23, 0)  # week 7, after it: EST, UTC−5
    assert [start.hour for start in starts] == [22] * 6 + [23] * 2
    assert all(
        start.tzinfo is not None and start.utcoffset() == dt.timedelta(0) for start in starts
    )
    raw = calendar.to_ical().decode()
    assert "DTSTART:20221107T230000Z" in raw
    assert all(
        event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(hours=1)
        for event in meetings
    )


def test_each_meeting_says_what_it_is_where_to_join_and_keeps_its_uid(people, sections):
    participant = people["participant"]

    first = events_by_kind(fetch_feed(participant), "meeting-")
    again = events_by_kind(fetch_feed(participant), "meeting-")

    week_3 = first[2]
    assert str(week_3["SUMMARY"]) == "Introductory A: week 3 discussion"
    assert str(week_3["LOCATION"]) == "https://meet.example.org/a"
    assert "led by" in str(week_3["DESCRIPTION"])
    assert isinstance(week_3.decoded("DTSTAMP"), dt.datetime)
    meeting = Meeting.objects.get(section=sections["a"], week=3)
    assert str(week_3["UID"]) == f"meeting-{meeting.pk}@cohortkit"
    assert [str(e["UID"]) for e in first] == [str(e["UID"]) for e in again]
    assert len({str(e["UID"]) for e in first}) == 8


def test_a_facilitator_sees_the_meetings_they_lead_and_no_other_section(people, sections):
    calendar = fetch_feed(people["facilitator"])

    meetings = events_by_kind(calendar, "meeting-")
    assert {str(event["SUMMARY"]).split(":")[0] for event in meetings} == {"Introductory A"}
    assert len(meetings) == 8
    assert "You lead" in str(meetings[0]["DESCRIPTION"])
    assert not events_by_kind(fetch_feed(people["reviewer"]), "meeting-")


def test_a_member_who_switched_sections_gets_each_section_for_the_weeks_they_belonged(
    people, sections
):
    mover = people["participant"]
    SectionMembership.objects.filter(user=mover).update(to_week=3)
    SectionMembership.objects.create(section=sections["b"], user=mover, from_week=4)

    meetings = events_by_kind(fetch_feed(mover), "meeting-")

    assert [str(event["SUMMARY"]) for event in meetings] == [
        *(f"Introductory A: week {week} discussion" for week in (1, 2, 3)),
        *(f"Introductory B: week {week} discussion" for week in range(4, 9)),
    ]
    # Section B meets Wednesdays 19:00 in Berlin: 17:00Z in summer time, 18:00Z after Oct 30.
    assert meetings[3].decoded("DTSTART") == utc(2022, 10, 19, 17, 0)
    assert meetings[5].decoded("DTSTART") == utc(2022, 11, 2, 18, 0)


def test_a_one_week_visit_replaces_that_weeks_own_meeting(term, people, sections):
    participant = people["participant"]
    visited = Meeting.objects.get(section=sections["b"], week=5)
    SectionVisit.objects.create(
        user=participant, meeting=visited, term=term, week=5, created_at=utc(2022, 10, 20, 9, 0)
    )

    meetings = events_by_kind(fetch_feed(participant), "meeting-")

    assert [str(event["SUMMARY"]).split(":")[0] for event in meetings] == [
        *["Introductory A"] * 4,
        "Introductory B",
        *["Introductory A"] * 3,
    ]
    assert meetings[4].decoded("DTSTART") == utc(2022, 10, 26, 17, 0)  # Wed 19:00 in Berlin
    assert "for week 5 only" in str(meetings[4]["DESCRIPTION"])
    # The facilitator of section A still has all eight meetings; B's facilitator only B's.
    assert len(events_by_kind(fetch_feed(people["facilitator"]), "meeting-")) == 8
    led_b = events_by_kind(fetch_feed(people["facilitator_other_section"]), "meeting-")
    assert {str(event["SUMMARY"]).split(":")[0] for event in led_b} == {"Introductory B"}


def test_an_in_person_section_gives_the_university_and_room(people, sections):
    Section.objects.filter(pk=sections["a"].pk).update(
        venue=Venue.IN_PERSON, meeting_url="", location="University of Chicago", room="Ryerson 251"
    )

    meetings = events_by_kind(fetch_feed(people["participant"]), "meeting-")

    assert str(meetings[0]["LOCATION"]) == "University of Chicago, Ryerson 251"
    assert "URL" not in meetings[0]


def test_a_participant_gets_their_tracks_due_dates_and_an_extension_moves_one(people, curriculum):
    participant = people["participant"]

    before = events_by_kind(fetch_feed(participant), "assignment-") + events_by_kind(
        fetch_feed(participant), "quiz-"
    )
    titles = sorted(str(event["SUMMARY"]) for event in before)
    assert titles == ["Due: Essay 1", "Due: Essay 2", "Quiz due: Quiz 1", "Quiz due: Quiz 2"]
    (essay_1,) = [e for e in before if str(e["SUMMARY"]) == "Due: Essay 1"]
    # Week 1 starts Mon Sep 26; due the end of Sun Oct 2 in the term's zone (Los Angeles, PDT).
    assert essay_1.decoded("DTSTART") == utc(2022, 10, 3, 7, 0)
    assert "DTEND" not in essay_1
    assert "the term's due date" in str(essay_1["DESCRIPTION"])

    due_override_set(
        item=curriculum["essay_1"],
        user=participant,
        due=utc(2022, 10, 6, 16, 0),
        actor=people["organizer"],
        reason="illness",
    )
    after = events_by_kind(fetch_feed(participant), "assignment-")

    (moved,) = [e for e in after if str(e["SUMMARY"]) == "Due: Essay 1"]
    assert moved.decoded("DTSTART") == utc(2022, 10, 6, 16, 0)
    assert str(moved["UID"]) == str(essay_1["UID"])
    assert "your personal extension" in str(moved["DESCRIPTION"])
    (essay_2,) = [e for e in after if str(e["SUMMARY"]) == "Due: Essay 2"]
    assert essay_2.decoded("DTSTART") == utc(2022, 10, 10, 7, 0)


def test_a_section_extension_moves_the_due_date_of_its_members_only(people, sections, curriculum):
    due_override_set(
        item=curriculum["quiz_1"],
        section=sections["a"],
        due=utc(2022, 10, 4, 12, 0),
        actor=people["organizer"],
    )

    (quiz_1,) = [
        event
        for event in events_by_kind(fetch_feed(people["participant"]), "quiz-")
        if str(event["SUMMARY"]) == "Quiz due: Quiz 1"
    ]

    assert quiz_1.decoded("DTSTART") == utc(2022, 10, 4, 12, 0)
    assert "your section's due date" in str(quiz_1["DESCRIPTION"])


def test_people_who_are_not_participants_get_no_due_dates(people, curriculum):
    for role in ("facilitator", "organizer", "reviewer"):
        calendar = fetch_feed(people[role])
        assert not events_by_kind(calendar, "assignment-")
        assert not events_by_kind(calendar, "quiz-")


def test_titles_with_commas_semicolons_and_newlines_are_escaped_and_long_lines_folded(
    term, people, sections
):
    title = "Risk, hazards; and\nfailure modes — " + "détection d'anomalies " * 6
    week = Week.objects.create(term=term, number=3, title="Robustness, again; part 2")
    assignment = Assignment.objects.create(week=week, title=title, prompt="…", minutes=30)
    assignment.tracks.add(Track.objects.get(term=term, slug="intro"))
    token = calendar_feed_reset(user=people["participant"])

    raw = Client().get(feed_path(token)).content.decode()

    assert "SUMMARY:Due: Risk\\, hazards\\; and\\nfailure modes" in raw.replace("\r\n ", "")
    physical_lines = raw.split("\r\n")
    assert physical_lines[-1] == ""
    assert all(len(line.encode()) <= 75 for line in physical_lines)
    assert all("\n" not in line and "\r" not in line for line in physical_lines)
    (event,) = events_by_kind(icalendar.Calendar.from_ical(raw), "assignment-")
    assert str(event["SUMMARY"]) == f"Due: {title}"
    assert "Robustness, again; part 2" in str(event["DESCRIPTION"])


def test_an_unknown_or_reset_token_is_404_and_the_new_one_works(people, sections):
    participant = people["participant"]
    old = calendar_feed_reset(user=participant)
    assert Client().get(feed_path(old)).status_code == 200

    new = calendar_feed_reset(user=participant)

    assert Client().get(feed_path(old)).status_code == 404
    assert Client().get(feed_path(new)).status_code == 200
    assert Client().get(feed_path("not-a-token")).status_code == 404


def test_the_feed_of_a_deactivated_account_is_404(people, sections):
    participant = people["participant"]
    token = calendar_feed_reset(user=participant)
    participant.is_active = False
    participant.save(update_fields=["is_active"])

    assert Client().get(feed_path(token)).status_code == 404


def test_the_feed_query_count_does_not_grow_with_more_weeks_of_work(
    term, people, curriculum, django_assert_max_num_queries
):
    participant = people["participant"]
    with CaptureQueriesContext(connection) as two_weeks:
        calendar_feed_text(user=participant)
    intro = Track.objects.get(term=term, slug="intro")
    for number in range(3, 9):
        week = Week.objects.create(term=term, number=number, title=f"Week {number}")
        essay = Assignment.objects.create(
            week=week, title=f"Essay {number}", prompt="…", minutes=30
        )
        essay.tracks.add(intro)
        due_override_set(
            item=essay,
            user=participant,
            due=utc(2022, 11, 30, 12, 0),
            actor=people["organizer"],
        )

    with django_assert_max_num_queries(len(two_weeks.captured_queries)):
        text = calendar_feed_text(user=participant)

    assert text.count("BEGIN:VEVENT") == 8 + 4 + 6
