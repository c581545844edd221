"""Switching sections: for one week (a visit) or from a week on (history kept), only into a
section of the same term and track with room (the term's maximum) at a time the person can make,
read from the availability of their application on their own wall clock."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from cohortkit.common.errors import ServiceError
from cohortkit.common.models import AuditEvent
from cohortkit.scheduling.tests.factories import participant, scheduling_term
from cohortkit.sections.models import SectionMembership, SectionVisit
from cohortkit.sections.rosters import attendance_sheet, seats_taken
from cohortkit.sections.selectors import person_availability
from cohortkit.sections.switching import (
    section_switch,
    section_visit,
    switch_options,
)
from cohortkit.sections.tests.weekly import add_section, join, term_running_now
from cohortkit.tests.factories import TermFactory, UserFactory

pytestmark = pytest.mark.django_db

# Tuesday of week 2 of Fall 2022: Monday's meetings of week 2 are over, Wednesday's ahead.
NOW = dt.datetime(2022, 10, 4, 12, 0, tzinfo=dt.UTC)
MONDAY, WEDNESDAY, THURSDAY = 0, 2, 3


@pytest.fixture
def town(fall):
    """Pat (New York, free Mondays 17–20 and Wednesdays 17:30–19:30) is in Monday's section A;
    B meets Wednesdays 18:00 New York, C Thursdays 09:00, D is another track's."""
    intro = fall.tracks.get(slug="intro")
    advanced = fall.tracks.get(slug="advanced")
    pat = participant(fall, "America/New_York", "Mon 17:00-20:00; Wed 17:30-19:30")
    a = add_section(fall, intro, name="Intro A", weekday=MONDAY, members=[pat])
    b = add_section(fall, intro, name="Intro B", weekday=WEDNESDAY)
    c = add_section(fall, intro, name="Intro C", weekday=THURSDAY, start=dt.time(9, 0))
    d = add_section(fall, advanced, name="Advanced D", weekday=WEDNESDAY)
    return {"pat": pat, "a": a, "b": b, "c": c, "d": d}


def _weeks(user, term):
    return list(
        SectionMembership.objects.filter(user=user, section__term=term)
        .order_by("from_week")
        .values_list("section__name", "from_week", "to_week")
    )


def test_a_switch_ends_the_old_membership_and_starts_a_new_one(
    fall, town, django_capture_on_commit_callbacks
):
    pat = town["pat"]

    with django_capture_on_commit_callbacks(execute=True):
        result = section_switch(user=pat, to_section=town["b"], from_week=3, now=NOW)

    assert result.section == town["b"]
    assert _weeks(pat, fall) == [("Intro A", 1, 2), ("Intro B", 3, None)]
    week_3_b = attendance_sheet(meeting=town["b"].meetings.get(week=3))
    week_3_a = attendance_sheet(meeting=town["a"].meetings.get(week=3))
    week_2_a = attendance_sheet(meeting=town["a"].meetings.get(week=2))
    assert [row.user for row in week_3_b.rows] == [pat]
    assert week_3_a.rows == []
    assert [row.user for row in week_2_a.rows] == [pat]  # history kept
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [town["a"].facilitator.email, town["b"].facilitator.email]
    )
    assert AuditEvent.objects.filter(action="section.switch").count() == 1


def test_a_section_at_a_time_the_person_cannot_make_is_refused(fall, town):
    with pytest.raises(ServiceError, match="outside the times you said you can make"):
        section_switch(user=town["pat"], to_section=town["c"], from_week=3, now=NOW)

    assert _weeks(town["pat"], fall) == [("Intro A", 1, None)]


def test_another_track_or_another_term_is_refused(fall, town):
    other_term = scheduling_term(TermFactory(slug="spring-2023"))
    elsewhere = add_section(other_term, other_term.tracks.get(slug="intro"), name="Intro Z")

    with pytest.raises(ServiceError, match="not a section of your track"):
        section_switch(user=town["pat"], to_section=town["d"], from_week=3, now=NOW)
    with pytest.raises(ServiceError, match="not in a section of"):
        section_switch(user=town["pat"], to_section=elsewhere, from_week=3, now=NOW)

    assert _weeks(town["pat"], fall) == [("Intro A", 1, None)]


def test_a_full_section_is_refused(fall, town):
    for _ in range(fall.section_size_max):
        join(town["b"], UserFactory())

    with pytest.raises(ServiceError, match="is full") as refused:
        section_switch(user=town["pat"], to_section=town["b"], from_week=3, now=NOW)
    with pytest.raises(ServiceError, match="is full"):
        section_visit(user=town["pat"], meeting=town["b"].meetings.get(week=3), now=NOW)

    assert "maximum is 4" in refused.value.message
    assert _weeks(town["pat"], fall) == [("Intro A", 1, None)]
    assert not SectionVisit.objects.exists()


def test_a_section_full_only_from_a_later_week_takes_a_visit_but_not_a_switch(fall, town):
    for _ in range(fall.section_size_max - 1):
        join(town["b"], UserFactory())
    join(town["b"], UserFactory(), from_week=6)

    with pytest.raises(ServiceError, match="weeks 6, 7, 8"):
        section_switch(user=town["pat"], to_section=town["b"], from_week=3, now=NOW)
    section_visit(user=town["pat"], meeting=town["b"].meetings.get(week=3), now=NOW)

    assert SectionVisit.objects.get().week == 3


def test_a_visit_is_for_one_week_and_frees_the_seat_at_home(fall, town):
    pat = town["pat"]

    section_visit(user=pat, meeting=town["b"].meetings.get(week=3), now=NOW)

    assert _weeks(pat, fall) == [("Intro A", 1, None)]  # still a member of A
    b_3 = attendance_sheet(meeting=town["b"].meetings.get(week=3))
    a_3 = attendance_sheet(meeting=town["a"].meetings.get(week=3))
    a_4 = attendance_sheet(meeting=town["a"].meetings.get(week=4))
    assert [(row.user, row.visitor) for row in b_3.rows] == [(pat, True)]
    assert [row.away_to for row in a_3.away] == [town["b"]]
    assert [row.user for row in a_4.present] == [pat]
    assert seats_taken(section=town["a"], weeks=[3, 4]).by_week == {3: 0, 4: 1}
    assert seats_taken(section=town["b"], weeks=[3, 4]).by_week == {3: 1, 4: 0}


def test_a_second_visit_in_the_same_week_replaces_the_first(fall, town):
    pat = town["pat"]
    later = add_section(
        fall,
        fall.tracks.get(slug="intro"),
        name="Intro E",
        weekday=WEDNESDAY,
        start=dt.time(18, 30),
    )

    section_visit(user=pat, meeting=town["b"].meetings.get(week=3), now=NOW)
    section_visit(user=pat, meeting=later.meetings.get(week=3), now=NOW)

    assert list(SectionVisit.objects.values_list("meeting__section__name", "week")) == [
        ("Intro E", 3)
    ]


def test_the_database_allows_one_visit_per_person_per_week(fall, town):
    pat = town["pat"]
    for section in ("b", "c"):
        meeting = town[section].meetings.get(week=3)
        if section == "c":
            with pytest.raises(IntegrityError):
                SectionVisit.objects.create(
                    user=pat, meeting=meeting, term=fall, week=3, created_at=NOW
                )
        else:
            SectionVisit.objects.create(
                user=pat, meeting=meeting, term=fall, week=3, created_at=NOW
            )


def test_without_availability_any_section_with_room_is_allowed_and_said_so(fall, town):
    nobody_asked = UserFactory(time_zone="Europe/Paris")
    join(town["a"], nobody_asked)

    result = section_switch(user=nobody_asked, to_section=town["c"], from_week=3, now=NOW)

    assert person_availability(term=fall, user=nobody_asked) is None
    assert any("gave no availability" in note for note in result.notes)
    assert _weeks(nobody_asked, fall) == [("Intro A", 1, 2), ("Intro C", 3, None)]


def test_a_week_whose_own_meeting_has_started_cannot_be_switched_from(fall, town):
    with pytest.raises(ServiceError, match="already started"):
        section_switch(user=town["pat"], to_section=town["b"], from_week=2, now=NOW)


def test_switching_again_from_the_same_week_replaces_a_membership_that_never_began(fall, town):
    pat = town["pat"]
    section_switch(user=pat, to_section=town["b"], from_week=4, now=NOW)

    section_switch(user=pat, to_section=town["a"], from_week=4, now=NOW)

    assert _weeks(pat, fall) == [("Intro A", 1, 3), ("Intro A", 4, None)]


def test_availability_across_midnight_and_daylight_saving(fall):
    london = participant(fall, "Europe/London", "Mon 22:00-24:00; Tue 00:00-01:00")
    availability = person_availability(term=fall, user=london)
    # 18:30 in New York is 23:30 in London in September (both on summer time) ...
    september = dt.datetime(2022, 9, 26, 22, 30, tzinfo=dt.UTC)
    # ... and on 31 Oct, with London back on GMT and New York still on EDT, 22:30.
    october = dt.datetime(2022, 10, 31, 22, 30, tzinfo=dt.UTC)

    assert availability is not None
    assert availability.can_make(september, september + dt.timedelta(hours=1))
    assert availability.can_make(october, october + dt.timedelta(hours=1))
    too_late = dt.datetime(2022, 9, 27, 0, 30, tzinfo=dt.UTC)  # 01:30 BST on Tuesday
    assert not availability.can_make(too_late, too_late + dt.timedelta(hours=1))


def test_the_options_list_what_is_allowed_and_why_not(fall, town):
    options = switch_options(term=fall, user=town["pat"], viewer_zone="Asia/Kolkata", now=NOW)

    assert options.week == 3  # A met on Monday of week 2 already
    assert options.home.section == town["a"]
    allowed = {o.section.name: o.allowed for o in options.switches}
    assert allowed == {"Intro B": True, "Intro C": False}  # D is another track
    (b,) = [o for o in options.visits if o.section.name == "Intro B"]
    assert b.local_time == "Thu, 13 Oct 2022, 03:30 UTC+05:30"


# The page ------------------------------------------------------------------------------------


def test_the_participant_switches_on_the_page(fall, town, client):
    term_running_now(fall, this_week=3)
    client.force_login(town["pat"])
    url = reverse("sections:switch", args=[fall.slug])

    page = client.get(url).content.decode()
    response = client.post(url, {"kind": "switch", "section": town["b"].pk, "from_week": 5})

    assert page.count('data-testid="switch-option"') == 1 and "Move to Intro B" in page
    assert "Intro C meets at" in page  # refused, with the reason
    assert response.status_code == 302
    assert _weeks(town["pat"], fall) == [("Intro A", 1, 4), ("Intro B", 5, None)]
    sections_page = client.get(response["Location"]).content.decode()
    assert "You are in Intro B from week 5 on." in sections_page


def test_the_page_refuses_a_full_section_with_the_reason(fall, town, client):
    term_running_now(fall, this_week=3)
    for _ in range(fall.section_size_max):
        join(town["b"], UserFactory())
    client.force_login(town["pat"])

    response = client.post(
        reverse("sections:switch", args=[fall.slug]),
        {"kind": "visit", "meeting": town["b"].meetings.get(week=5).pk},
    )

    assert response.status_code == 400
    assert "Intro B is full" in response.content.decode()
    assert not SectionVisit.objects.exists()
