"""Moving a person by hand: only the sections the validator would accept are offered, and every
refused one says why in names and local time (the person's zone and the organizer's), never ids
or UTC; the reasons of the unplaced read the same way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from cohortkit.accounts.models import Role
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.tests.factories import ScheduleRunFactory
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# Slots of 30 minutes from Monday 26 Sep 2022, 00:00 UTC (Berlin is UTC+2, Los Angeles UTC−7).
MONDAY_16_UTC = 32  # Monday 18:00 in Berlin, 09:00 in Los Angeles
TUESDAY_16_UTC = 48 + 32  # Tuesday 18:00 in Berlin, 09:00 in Los Angeles
NAMES = {
    "p-ana": "Ana Berlin",
    "p-ben": "Ben Monday",
    "p-cleo": "Cleo Tuesday",
    "p-dev": "Dev Advanced",
    "p-eli": "Eli Tuesday",
    "p-gus": "Gus Late",
    "f-one": "Fran Monday",
    "f-two": "Flo Tuesday",
    "f-three": "Fil Advanced",
    "f-four": "Fey Tuesday",
}


def _participant(person_id: str, start: int, *, track: str = "intro") -> dict[str, Any]:
    return {
        "id": person_id,
        "track": track,
        "mode": "virtual",
        "location": None,
        "available": [[start, start + 2]],
        "priority": 1,
        "timezone": "Europe/Berlin",
    }


def _facilitator(person_id: str, start: int, *, track: str = "intro") -> dict[str, Any]:
    return {
        "id": person_id,
        "tracks": [track],
        "max_sections": 1,
        "virtual": True,
        "location": None,
        "available": [[start, start + 2]],
        "timezone": "Europe/Berlin",
    }


def _section(facilitator: str, start: int, members: list[str], track: str = "intro") -> Any:
    return {
        "facilitator": facilitator,
        "start": start,
        "track": track,
        "location": None,
        "participants": members,
    }


INSTANCE = {
    "slot_minutes": 30,
    "meeting_slots": 2,
    "section_size": {"min": 1, "max": 3},
    "tracks": ["intro", "advanced"],
    "participants": [
        _participant("p-ana", TUESDAY_16_UTC),
        _participant("p-ben", MONDAY_16_UTC),
        _participant("p-cleo", TUESDAY_16_UTC),
        _participant("p-dev", TUESDAY_16_UTC, track="advanced"),
        _participant("p-eli", TUESDAY_16_UTC),
        _participant("p-gus", 200),
    ],
    "facilitators": [
        _facilitator("f-one", MONDAY_16_UTC),
        _facilitator("f-two", TUESDAY_16_UTC),
        _facilitator("f-three", TUESDAY_16_UTC, track="advanced"),
        _facilitator("f-four", TUESDAY_16_UTC),
    ],
}
SOLUTION = {
    "sections": [
        _section("f-one", MONDAY_16_UTC, ["p-ben"]),
        _section("f-two", TUESDAY_16_UTC, ["p-ana", "p-cleo"]),
        _section("f-three", TUESDAY_16_UTC, ["p-dev"], track="advanced"),
        _section("f-four", TUESDAY_16_UTC, ["p-eli"]),
    ],
    "unplaced": [
        {
            "id": "p-gus",
            "reason": "no facilitator of track intro is available when p-gus is (Mon 18:00 UTC)",
        }
    ],
    "objective": 5,
    "bound": 5,
    "status": "optimal",
    "seconds": 0.1,
}


def moves_run(term: Any, organizer: Any | None = None) -> ScheduleRun:
    """A solved run of people with names, all in Berlin: Ana meets on Tuesdays at 18:00 her time
    and can go to the other Tuesday intro section only (not the Monday one, nor Advanced)."""
    people = {}
    for person_id, name in NAMES.items():
        user = UserFactory(name=name, time_zone="Europe/Berlin")
        role = Role.FACILITATOR if person_id.startswith("f-") else Role.PARTICIPANT
        MembershipFactory(term=term, user=user, role=role)
        people[person_id] = user.pk
    return ScheduleRunFactory.create(
        term=term,
        instance=INSTANCE,
        solution=SOLUTION,
        people=people,
        week_monday=dt.date(2022, 9, 26),
        placed=5,
        objective=5,
        bound=5,
        participants_total=6,
        created_by=organizer,
    )


@pytest.fixture
def organizer_client(people, client_as):
    people["organizer"].time_zone = "America/Los_Angeles"
    people["organizer"].save(update_fields=["time_zone"])
    return client_as("organizer")


def test_a_move_offers_only_the_sections_that_would_accept_the_person(
    fall, organizer_client, people
):
    run = moves_run(fall)
    url = reverse("scheduling:run_detail", args=[fall.slug, run.pk])

    page = organizer_client.get(url, {"participant": "p-ana"}).content.decode()

    options = page[
        page.index('data-testid="move-options"') : page.index(
            "</form>", page.index('data-testid="move-options"')
        )
    ]
    assert options.count('type="radio"') == 1
    assert 'value="3"' in options  # Fey's Tuesday section
    assert "Fey Tuesday" in options
    refused = page[page.index('data-testid="move-refused"') :]
    refused = refused[: refused.index("</details>")]
    assert (
        "Ana Berlin is not free on Monday 18:00 in their zone, Europe/Berlin "
        "(Monday 09:00 in yours, America/Los Angeles)"
    ) in refused
    assert "Ana Berlin is in the Introductory track; this section is Advanced" in refused
    assert "p-ana" not in refused and "UTC" not in refused.replace("UTC−07:00", "")


def test_the_move_is_made_into_an_offered_section(fall, organizer_client):
    run = moves_run(fall)

    response = organizer_client.post(
        reverse("scheduling:run_edit", args=[fall.slug, run.pk]),
        {"action": "move", "participant": "p-ana", "to_section": "3"},
    )

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.solution is not None
    assert run.solution["sections"][3]["participants"] == ["p-eli", "p-ana"]
    assert run.placed == 5


def test_a_refused_move_is_explained_in_names_and_the_organizers_time(fall, organizer_client):
    run = moves_run(fall)

    response = organizer_client.post(
        reverse("scheduling:run_edit", args=[fall.slug, run.pk]),
        {"action": "move", "participant": "p-ana", "to_section": "0"},
    )

    assert response.status_code == 400
    text = response.content.decode()
    problems = text[text.index('data-testid="problems"') :]
    problems = problems[: problems.index("</div>")]
    assert "Ana Berlin is not available at Monday 09:00" in problems
    assert "Fran Monday" in problems
    assert "times in your zone, America/Los Angeles" in problems
    assert "p-ana" not in problems and "f-one" not in problems
    run.refresh_from_db()
    assert run.solution == SOLUTION


def test_the_reasons_of_the_unplaced_name_people_and_local_times(fall, organizer_client):
    run = moves_run(fall)

    page = organizer_client.get(reverse("scheduling:run_detail", args=[fall.slug, run.pk]))

    text = page.content.decode()
    unplaced = text[text.index('data-testid="unplaced"') :]
    unplaced = unplaced[: unplaced.index("</ul>")]
    assert (
        "Gus Late: no facilitator of track intro is available when Gus Late is (Monday 11:00) "
        "(times in your zone, America/Los Angeles)"
    ) in unplaced
    assert "p-gus" not in unplaced and "UTC" not in unplaced


def test_a_stopped_runs_plan_is_edited_like_any_other(fall, organizer_client):
    from cohortkit.scheduling.models import RunStatus

    run = moves_run(fall)
    ScheduleRun.objects.filter(pk=run.pk).update(status=RunStatus.STOPPED)

    response = organizer_client.post(
        reverse("scheduling:run_edit", args=[fall.slug, run.pk]),
        {"action": "move", "participant": "p-ana", "to_section": "3"},
    )

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.solution is not None
    assert "p-ana" in run.solution["sections"][3]["participants"]
