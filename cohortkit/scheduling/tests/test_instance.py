"""The instance builder: each person's wall-clock availability in their own zone becomes UTC slots
of the term's first real week; tracks, modes and sizes come from the term and the answers."""

import datetime as dt

import pytest

from cohortkit.admissions.models import Enrollment
from cohortkit.scheduling.people import facilitator_id, participant_id
from cohortkit.scheduling.selectors.instances import instance_build, instance_build_with_notes
from cohortkit.scheduling.solver import instance_to_json, parse_instance
from cohortkit.scheduling.tests.factories import facilitator, participant, scheduling_term

pytestmark = pytest.mark.django_db

# Fall 2022 starts on Monday 26 September: slot 0 is 2022-09-26 00:00 UTC, slot 44 is 22:00.
MONDAY_22_UTC = 44
SUNDAY = 6 * 48


@pytest.fixture
def fall(term):
    return scheduling_term(term)


def test_kolkata_and_los_angeles_availability_become_utc_slots_of_the_first_week(fall):
    kolkata = participant(fall, "Asia/Kolkata", "Tue 03:30-05:30; Mon 02:00-03:00")
    los_angeles = participant(fall, "America/Los_Angeles", "Mon 15:00-17:00; Sun 17:00-18:00")

    instance = instance_build(term=fall, week_start=fall.starts_on)

    by_id = {person.id: person for person in instance.participants}
    # Tue 03:30 IST (UTC+05:30) is Mon 22:00 UTC; Mon 02:00 IST is the Sunday before, 20:30 UTC,
    # which the reference week holds at its end.
    assert by_id[participant_id(kolkata.pk)].available == (
        (MONDAY_22_UTC, MONDAY_22_UTC + 4),
        (SUNDAY + 41, SUNDAY + 43),
    )
    assert by_id[participant_id(kolkata.pk)].timezone == "Asia/Kolkata"
    # Mon 15:00 PDT (UTC−07:00) is Mon 22:00 UTC; Sun 17:00 PDT (2 Oct) is Mon 00:00 UTC: wraps.
    assert by_id[participant_id(los_angeles.pk)].available == (
        (0, 2),
        (MONDAY_22_UTC, MONDAY_22_UTC + 4),
    )


def test_the_instance_has_the_terms_tracks_sizes_and_facilitators(fall):
    person = participant(
        fall,
        "Europe/Berlin",
        "Wed 18:00-20:00",
        track="advanced",
        mode="either",
        university="ETH Zürich",
    )
    lead = facilitator(
        fall,
        "America/New_York",
        "Mon 18:00-20:00",
        tracks="intro\nadvanced",
        sections="2",
        mode="either",
        university="MIT",
    )

    built = instance_build_with_notes(term=fall)

    instance = built.instance
    assert built.source == "applications"
    assert built.week_monday == dt.date(2022, 9, 26)
    assert instance.slot_minutes == 30 and instance.meeting_slots == 2
    assert (instance.section_min, instance.section_max) == (1, 4)
    assert instance.tracks == ("intro", "advanced")
    (only,) = instance.participants
    assert (only.id, only.track, only.mode, only.location, only.priority) == (
        participant_id(person.pk),
        "advanced",
        "either",
        "ETH Zürich",
        1,
    )
    # Wed 18:00 CEST (UTC+02:00) is Wed 16:00 UTC: slot 2*48 + 32.
    assert only.available == ((2 * 48 + 32, 2 * 48 + 36),)
    (lead_row,) = instance.facilitators
    assert lead_row.id == facilitator_id(lead.pk)
    assert lead_row.tracks == ("advanced", "intro")
    assert lead_row.max_sections == 2
    assert lead_row.virtual and lead_row.location == "MIT"
    assert lead_row.available == ((MONDAY_22_UTC, MONDAY_22_UTC + 4),)


def test_confirmed_enrollments_win_over_applications_once_there_are_any(fall):
    confirmed = participant(fall, "UTC", "Mon 10:00-12:00")
    participant(fall, "UTC", "Mon 10:00-12:00")  # applied, not enrolled
    offered = participant(fall, "UTC", "Mon 10:00-12:00")
    advanced = fall.tracks.get(slug="advanced")
    Enrollment.objects.create(
        term=fall,
        user=confirmed,
        role="participant",
        track=advanced,
        status="confirmed",
        responded_at=dt.datetime(2022, 9, 20, tzinfo=dt.UTC),
    )
    Enrollment.objects.create(
        term=fall,
        user=offered,
        role="participant",
        status="offered",
        confirm_by=dt.datetime(2022, 9, 24, tzinfo=dt.UTC),
    )

    built = instance_build_with_notes(term=fall)

    assert built.source == "enrollments"
    assert [(p.id, p.track) for p in built.instance.participants] == [
        (participant_id(confirmed.pk), "advanced")
    ]


def test_people_the_solver_cannot_take_are_left_out_with_a_note(fall):
    participant(fall, "UTC", "Mon 10:00-12:00", mode="in_person")  # no university

    built = instance_build_with_notes(term=fall)

    assert built.instance.participants == ()
    assert "named no university" in built.notes[0]


def test_the_instance_json_round_trips_through_the_contract(fall):
    participant(fall, "Asia/Kolkata", "Tue 03:30-05:30")
    facilitator(fall, "America/Los_Angeles", "Mon 15:00-17:00")
    instance = instance_build(term=fall)

    assert parse_instance(instance_to_json(instance)) == instance
