"""Attendance: recorded by the section's facilitator or an organizer only, for the people in the
meeting; apologies only before a meeting starts (excused unless recorded otherwise); two
consecutive absences tell the organizers and offer the participant a switch, once."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohortkit.common.errors import ServiceError
from cohortkit.sections.attendance import Mark, apology_send, attendance_record
from cohortkit.sections.errors import ProblemsError
from cohortkit.sections.models import (
    Apology,
    Attendance,
    AttendanceStatus,
    MissedMeetingsAlert,
    SectionVisit,
)
from cohortkit.sections.rosters import attendance_sheet
from cohortkit.sections.tests.weekly import join, term_running_now
from cohortkit.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRESENT, ABSENT, EXCUSED = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)
AFTER_THE_TERM = dt.datetime(2022, 12, 1, tzinfo=dt.UTC)


def _url(term, section, week):
    return reverse("sections:attendance", args=[term.slug, section.pk, week])


def _record(meeting, actor, marks, capture):
    with capture(execute=True):
        return attendance_record(meeting=meeting, actor=actor, marks=marks, now=AFTER_THE_TERM)


# Who records ---------------------------------------------------------------------------------


def test_the_facilitator_records_attendance_on_the_page_and_sees_it(
    term, sections, people, client_as
):
    a = sections["a"]
    participant = people["participant"]
    visitor = UserFactory(name="Vera Visitor")
    join(sections["b"], visitor)
    meeting = a.meetings.get(week=2)
    SectionVisit.objects.create(
        user=visitor, meeting=meeting, term=term, week=2, created_at=meeting.starts_at
    )
    client = client_as("facilitator")

    response = client.post(
        _url(term, a, 2),
        {
            f"status-{participant.pk}": PRESENT,
            f"note-{participant.pk}": "led the first question",
            f"status-{visitor.pk}": ABSENT,
        },
    )

    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("user_id", "status")) == {
        participant.pk: PRESENT,
        visitor.pk: ABSENT,
    }
    page = client.get(_url(term, a, 2)).content.decode()
    assert "Vera Visitor" in page and "visitor" in page
    assert f'name="status-{participant.pk}" value="present" checked' in page
    assert "led the first question" in page


def test_an_organizer_may_record_too(term, sections, people, django_capture_on_commit_callbacks):
    meeting = sections["a"].meetings.get(week=1)

    _record(
        meeting,
        people["organizer"],
        {people["participant"].pk: Mark(PRESENT)},
        django_capture_on_commit_callbacks,
    )

    assert Attendance.objects.get().recorded_by == people["organizer"]


@pytest.mark.parametrize("role", ["facilitator_other_section", "participant", "reviewer"])
def test_nobody_else_records(term, sections, people, role):
    meeting = sections["a"].meetings.get(week=1)

    with pytest.raises(ServiceError):
        attendance_record(
            meeting=meeting,
            actor=people[role],
            marks={people["participant"].pk: Mark(PRESENT)},
            now=AFTER_THE_TERM,
        )

    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("role", "answer"),
    [("facilitator_other_section", 404), ("participant", 403), ("reviewer", 403)],
)
def test_posting_attendance_of_another_section_is_refused(
    term, sections, people, client_as, role, answer
):
    response = client_as(role).post(
        _url(term, sections["a"], 1), {f"status-{people['participant'].pk}": ABSENT}
    )

    assert response.status_code == answer
    assert not Attendance.objects.exists()


def test_only_people_in_the_meeting_are_recorded_and_nothing_is_written_otherwise(
    term, sections, people
):
    meeting = sections["a"].meetings.get(week=1)
    stranger = UserFactory()

    with pytest.raises(ProblemsError) as refused:
        attendance_record(
            meeting=meeting,
            actor=people["facilitator"],
            marks={people["participant"].pk: Mark(PRESENT), stranger.pk: Mark(PRESENT)},
            now=AFTER_THE_TERM,
        )

    assert "not in this meeting" in " ".join(refused.value.problems)
    assert not Attendance.objects.exists()


def test_a_member_who_joined_later_is_not_on_an_earlier_sheet(term, sections, people):
    late = UserFactory(name="Lou Late")
    join(sections["a"], late, from_week=3)

    week_2 = attendance_sheet(meeting=sections["a"].meetings.get(week=2))
    week_3 = attendance_sheet(meeting=sections["a"].meetings.get(week=3))

    assert late.pk not in [row.user.pk for row in week_2.rows]
    assert late.pk in [row.user.pk for row in week_3.rows]


def test_a_member_away_visiting_is_listed_apart_and_not_recorded_here(term, sections, people):
    participant = people["participant"]
    elsewhere = sections["b"].meetings.get(week=2)
    SectionVisit.objects.create(
        user=participant, meeting=elsewhere, term=term, week=2, created_at=elsewhere.starts_at
    )
    meeting = sections["a"].meetings.get(week=2)

    sheet = attendance_sheet(meeting=meeting)
    with pytest.raises(ServiceError):
        attendance_record(
            meeting=meeting,
            actor=people["facilitator"],
            marks={participant.pk: Mark(ABSENT)},
            now=AFTER_THE_TERM,
        )

    assert [row.away_to for row in sheet.away] == [sections["b"]]
    assert not sheet.present


# Apologies -----------------------------------------------------------------------------------


def test_an_apology_before_the_meeting_excuses_and_tells_the_facilitator_once(
    term, sections, people, django_capture_on_commit_callbacks
):
    meeting = sections["a"].meetings.get(week=4)
    before = meeting.starts_at - dt.timedelta(hours=3)

    with django_capture_on_commit_callbacks(execute=True):
        apology_send(meeting=meeting, user=people["participant"], reason="Exam", now=before)
        apology_send(meeting=meeting, user=people["participant"], reason="Exam!", now=before)

    assert Apology.objects.get().reason == "Exam!"
    assert [message.to for message in mail.outbox] == [[people["facilitator"].email]]
    assert "Exam" in mail.outbox[0].body
    (row,) = attendance_sheet(meeting=meeting).rows
    assert row.status == EXCUSED


@pytest.mark.parametrize(
    "late_by", [dt.timedelta(0), dt.timedelta(minutes=1), dt.timedelta(days=2)]
)
def test_an_apology_once_the_meeting_has_started_is_refused(term, sections, people, late_by):
    meeting = sections["a"].meetings.get(week=4)

    with pytest.raises(ServiceError, match="already started"):
        apology_send(
            meeting=meeting, user=people["participant"], reason="", now=meeting.starts_at + late_by
        )

    assert not Apology.objects.exists()


def test_the_apology_page_refuses_a_past_meeting_on_the_servers_clock(
    term, sections, people, client_as
):
    meeting = sections["a"].meetings.get(week=1)  # in 2022

    response = client_as("participant").post(
        reverse("sections:apology", args=[term.slug, meeting.pk]),
        {"reason": "sorry"},
        follow=True,
    )

    assert "already started" in response.content.decode()
    assert not Apology.objects.exists()


def test_only_someone_in_the_meeting_apologises(term, sections, people):
    meeting = sections["b"].meetings.get(week=4)

    with pytest.raises(ServiceError, match="not in this meeting"):
        apology_send(
            meeting=meeting,
            user=people["participant"],
            reason="",
            now=meeting.starts_at - dt.timedelta(days=1),
        )


def test_the_participant_sends_an_apology_from_their_section_page(
    term, sections, people, client_as
):
    term_running_now(term, this_week=3)
    meeting = sections["a"].meetings.get(week=5)
    client = client_as("participant")
    page = client.get(reverse("sections:my_sections", args=[term.slug])).content.decode()
    assert 'data-testid="apology-form-5"' in page
    assert 'data-testid="apology-form-2"' not in page  # over already

    response = client.post(
        reverse("sections:apology", args=[term.slug, meeting.pk]),
        {"reason": "Travelling"},
        follow=True,
    )

    assert "Apology sent for week 5" in response.content.decode()
    assert Apology.objects.get(meeting=meeting).reason == "Travelling"
    sheet = client_as("facilitator").get(_url(term, sections["a"], 5)).content.decode()
    assert "Travelling" in sheet and 'value="excused" checked' in sheet


def test_a_recorded_status_overrides_the_apology(
    term, sections, people, django_capture_on_commit_callbacks
):
    meeting = sections["a"].meetings.get(week=4)
    participant = people["participant"]
    apology_send(
        meeting=meeting, user=participant, reason="", now=meeting.starts_at - dt.timedelta(days=1)
    )

    _record(
        meeting,
        people["facilitator"],
        {participant.pk: Mark(PRESENT)},
        django_capture_on_commit_callbacks,
    )

    (row,) = attendance_sheet(meeting=meeting).rows
    assert row.status == PRESENT


# Two consecutive misses ----------------------------------------------------------------------


def _emails_about(person):
    organizer = [m for m in mail.outbox if "in a row" in m.subject and person.email in m.body]
    offers = [m for m in mail.outbox if m.to == [person.email] and "missed you" in m.subject]
    return organizer, offers


def test_two_consecutive_absences_tell_the_organizers_and_offer_a_switch_once(
    term, sections, people, django_capture_on_commit_callbacks
):
    participant = people["participant"]
    lead = people["facilitator"]
    a = sections["a"]

    _record(
        a.meetings.get(week=1),
        lead,
        {participant.pk: Mark(ABSENT)},
        django_capture_on_commit_callbacks,
    )
    assert _emails_about(participant) == ([], [])
    summary = _record(
        a.meetings.get(week=2),
        lead,
        {participant.pk: Mark(ABSENT)},
        django_capture_on_commit_callbacks,
    )
    # Run again, and a third absence in the same run: no more emails.
    _record(
        a.meetings.get(week=2),
        lead,
        {participant.pk: Mark(ABSENT)},
        django_capture_on_commit_callbacks,
    )
    _record(
        a.meetings.get(week=3),
        lead,
        {participant.pk: Mark(ABSENT)},
        django_capture_on_commit_callbacks,
    )

    organizer, offers = _emails_about(participant)
    assert summary.alerts == 1
    assert [m.to for m in organizer] == [[people["organizer"].email]]
    assert "weeks 1, 2" in organizer[0].body
    assert len(offers) == 1
    assert f"/terms/{term.slug}/switch/" in offers[0].body
    assert MissedMeetingsAlert.objects.get().first_week == 1


def test_an_excused_week_or_an_apology_breaks_the_run(
    term, sections, people, django_capture_on_commit_callbacks
):
    participant = people["participant"]
    lead = people["facilitator"]
    a = sections["a"]
    week_2 = a.meetings.get(week=2)
    apology_send(
        meeting=week_2, user=participant, reason="", now=week_2.starts_at - dt.timedelta(days=1)
    )

    _record(
        a.meetings.get(week=1),
        lead,
        {participant.pk: Mark(ABSENT)},
        django_capture_on_commit_callbacks,
    )
    _record(
        a.meetings.get(week=3),
        lead,
        {participant.pk: Mark(ABSENT)},
        django_capture_on_commit_callbacks,
    )
    _record(
        a.meetings.get(week=4),
        lead,
        {participant.pk: Mark(EXCUSED)},
        django_capture_on_commit_callbacks,
    )
    _record(
        a.meetings.get(week=5),
        lead,
        {participant.pk: Mark(ABSENT)},
        django_capture_on_commit_callbacks,
    )

    assert _emails_about(participant) == ([], [])
    assert not MissedMeetingsAlert.objects.exists()


def test_a_missed_visit_counts_as_one_of_their_meetings(
    term, sections, people, django_capture_on_commit_callbacks
):
    participant = people["participant"]
    visited = sections["b"].meetings.get(week=2)
    SectionVisit.objects.create(
        user=participant, meeting=visited, term=term, week=2, created_at=visited.starts_at
    )

    _record(
        sections["a"].meetings.get(week=1),
        people["facilitator"],
        {participant.pk: Mark(ABSENT)},
        django_capture_on_commit_callbacks,
    )
    _record(
        visited,
        people["facilitator_other_section"],
        {participant.pk: Mark(ABSENT)},
        django_capture_on_commit_callbacks,
    )

    organizer, offers = _emails_about(participant)
    assert (len(organizer), len(offers)) == (1, 1)


def test_a_new_run_later_in_the_term_is_told_again(
    term, sections, people, django_capture_on_commit_callbacks
):
    participant = people["participant"]
    lead = people["facilitator"]
    a = sections["a"]
    for week, status in [(1, ABSENT), (2, ABSENT), (3, PRESENT), (5, ABSENT), (6, ABSENT)]:
        _record(
            a.meetings.get(week=week),
            lead,
            {participant.pk: Mark(status)},
            django_capture_on_commit_callbacks,
        )

    organizer, offers = _emails_about(participant)
    assert (len(organizer), len(offers)) == (2, 2)
    assert list(MissedMeetingsAlert.objects.values_list("first_week", flat=True)) == [1, 5]


# Query counts --------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def _crowd(term, sections, count):
    a = sections["a"]
    for index in range(count):
        member = UserFactory(name=f"Member {index:02d}", time_zone="Asia/Kolkata")
        join(a, member)
        Attendance.objects.create(
            meeting=a.meetings.get(week=1),
            user=member,
            status=PRESENT,
            recorded_by=a.facilitator,
            recorded_at=AFTER_THE_TERM,
        )
        Apology.objects.create(
            meeting=a.meetings.get(week=1), user=member, created_at=AFTER_THE_TERM
        )
    visitor = UserFactory()
    meeting = a.meetings.get(week=1)
    SectionVisit.objects.create(
        user=visitor, meeting=meeting, term=term, week=1, created_at=AFTER_THE_TERM
    )


def test_the_attendance_page_does_not_grow_its_queries_with_the_members(term, sections, client_as):
    client = client_as("facilitator")
    url = _url(term, sections["a"], 1)
    one, _ = _count(client, url)

    _crowd(term, sections, 12)
    many, page = _count(client, url)

    assert page.count('data-testid="attendance-row"') == 14
    assert many == one


def test_the_roster_page_does_not_grow_its_queries_with_the_members(term, sections, client_as):
    client = client_as("facilitator")
    url = reverse("sections:facilitator_sections", args=[term.slug])
    one, _ = _count(client, url)

    _crowd(term, sections, 12)
    many, page = _count(client, url)

    assert "Member 11" in page
    assert many == one


def test_an_organizer_oversees_every_section_and_a_facilitator_only_their_own(
    term, sections, client_as
):
    url = reverse("sections:facilitator_sections", args=[term.slug])

    organizer_page = client_as("organizer").get(url).content.decode()
    facilitator_page = client_as("facilitator_other_section").get(url).content.decode()

    assert "The term's sections" in organizer_page
    assert organizer_page.count('data-testid="facilitated-section"') == 2
    assert facilitator_page.count('data-testid="facilitated-section"') == 1
    assert "Introductory B" in facilitator_page and "Introductory A" not in facilitator_page
    assert "participant@example.org" not in facilitator_page


def test_this_weeks_guide_is_shown_to_the_facilitator_and_never_to_participants(
    term, sections, client_as
):
    from cohortkit.programs.models import DiscussionGuide
    from cohortkit.tests.factories import WeekFactory

    term_running_now(term, this_week=2)
    guide = DiscussionGuide.objects.create(
        week=WeekFactory(term=term, number=2), title="Guide", body="Ask about threat models."
    )
    guide.tracks.set([sections["a"].track])
    url = reverse("sections:facilitator_sections", args=[term.slug])

    facilitator_page = client_as("facilitator").get(url).content.decode()
    participant_answer = client_as("participant").get(url)
    own_page = client_as("participant").get(reverse("sections:my_sections", args=[term.slug]))

    assert "Ask about threat models." in facilitator_page
    assert participant_answer.status_code == 403
    assert "threat models" not in own_page.content.decode()
