"""Hand edits are checked by the validator: a change that breaks a hard rule is refused with the
violation shown and nothing saved. The what-if asks the solver about one more facilitator."""

import pytest
from django.urls import reverse

from cohortkit.common.errors import ServiceError
from cohortkit.scheduling.services.editing import MoveParticipant, run_solution_edit, run_what_if
from cohortkit.scheduling.tests.factories import ScheduleRunFactory

pytestmark = pytest.mark.django_db

MONDAY_22 = 44
TUESDAY_22 = 48 + 44
WEDNESDAY_10 = 2 * 48 + 20


def _person(person_id, start, track="intro"):
    return {
        "id": person_id,
        "track": track,
        "mode": "virtual",
        "location": None,
        "available": [[start, start + 2]],
        "priority": 1,
        "timezone": "UTC",
    }


INSTANCE = {
    "slot_minutes": 30,
    "meeting_slots": 2,
    "section_size": {"min": 1, "max": 4},
    "tracks": ["intro", "advanced"],
    "participants": [
        _person("p1", MONDAY_22),
        _person("p2", MONDAY_22),
        _person("p3", TUESDAY_22),
        {
            **_person("p4", MONDAY_22),
            "available": [[MONDAY_22, MONDAY_22 + 2], [TUESDAY_22, TUESDAY_22 + 2]],
        },
        _person("p5", WEDNESDAY_10),
    ],
    "facilitators": [
        {
            "id": "f1",
            "tracks": ["intro"],
            "max_sections": 1,
            "virtual": True,
            "location": None,
            "available": [[MONDAY_22, MONDAY_22 + 2]],
            "timezone": "UTC",
        },
        {
            "id": "f2",
            "tracks": ["intro"],
            "max_sections": 1,
            "virtual": True,
            "location": None,
            "available": [[TUESDAY_22, TUESDAY_22 + 2]],
            "timezone": "UTC",
        },
    ],
}
SOLUTION = {
    "sections": [
        {
            "facilitator": "f1",
            "start": MONDAY_22,
            "track": "intro",
            "location": None,
            "participants": ["p1", "p2", "p4"],
        },
        {
            "facilitator": "f2",
            "start": TUESDAY_22,
            "track": "intro",
            "location": None,
            "participants": ["p3"],
        },
    ],
    "unplaced": [{"id": "p5", "reason": "no facilitator of track intro is available when p5 is"}],
    "objective": 4,
    "bound": 4,
    "status": "optimal",
    "seconds": 0.1,
}


@pytest.fixture
def run(fall):
    return ScheduleRunFactory(term=fall, instance=INSTANCE, solution=SOLUTION, placed=4, bound=4)


def test_a_move_that_breaks_a_rule_is_refused_and_nothing_is_saved(run, people):
    with pytest.raises(ServiceError) as refused:
        run_solution_edit(run=run, edit=MoveParticipant("p1", 1), actor=people["organizer"])

    assert (
        "f2's intro section at Tue 22:00 UTC (virtual): p1 is not available at Tue 22:00 UTC"
        in (refused.value.problems)
    )
    run.refresh_from_db()
    assert run.solution == SOLUTION


def test_a_valid_move_is_saved(run, people):
    run_solution_edit(run=run, edit=MoveParticipant("p4", 1), actor=people["organizer"])

    run.refresh_from_db()
    assert run.solution["sections"][1]["participants"] == ["p3", "p4"]
    assert run.solution["sections"][0]["participants"] == ["p1", "p2"]


def test_the_page_shows_the_violation_of_a_refused_move(fall, run, client_as):
    response = client_as("organizer").post(
        reverse("scheduling:run_edit", args=[fall.slug, run.pk]),
        {"action": "move", "participant": "p1", "to_section": "1"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The change breaks a rule and was not saved." in page
    # In the organizer's zone (UTC here); these ids name nobody of the term, so stay ids.
    assert "p1 is not available at Tuesday 22:00" in page
    assert "(times in your zone, UTC)" in page
    run.refresh_from_db()
    assert run.solution == SOLUTION


def test_changing_a_sections_time_outside_its_facilitators_hours_is_refused(fall, run, client_as):
    response = client_as("organizer").post(
        reverse("scheduling:run_edit", args=[fall.slug, run.pk]),
        {"action": "time", "section": "0", "weekday": "2", "start_time": "10:00"},
    )

    assert response.status_code == 400
    assert "facilitator f1 is not available at Wednesday 10:00" in response.content.decode()


def test_what_if_counts_the_people_one_more_facilitator_would_place(run):
    assert run_what_if(run=run, track="intro", start_slot=WEDNESDAY_10, time_limit=3) == 1
    assert run_what_if(run=run, track="advanced", start_slot=WEDNESDAY_10, time_limit=3) == 0


def test_the_what_if_form_answers_in_a_message(fall, run, client_as):
    client = client_as("organizer")

    response = client.post(
        reverse("scheduling:run_what_if", args=[fall.slug, run.pk]),
        {"track": "intro", "weekday": "2", "start_time": "10:00"},
        follow=True,
    )

    assert "one more intro facilitator at Wed 10:00 UTC would place 1 more participant." in (
        response.content.decode()
    )
