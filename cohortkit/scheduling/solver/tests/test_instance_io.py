"""Invalid instances are refused with one line naming the bad field; valid ones round-trip."""

from __future__ import annotations

import json

import pytest

from cohortkit.scheduling.solver.instance_io import (
    InstanceError,
    instance_to_json,
    parse_instance,
)
from cohortkit.scheduling.solver.tests.builders import instance_data, leader, person


def _refusal(data: object) -> str:
    with pytest.raises(InstanceError) as refused:
        parse_instance(data)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_unknown_track_is_refused_naming_the_field():
    data = instance_data(
        [person(f"p{number}") for number in range(3)] + [person("p3", track="advnced")],
        [leader("f1", tracks=("intro", "advanced"))],
    )

    assert _refusal(data) == 'participants[3].track: unknown track "advnced"'


def test_declared_tracks_define_the_known_tracks():
    data = instance_data(
        [person("p0", track="advanced")], [leader("f1")], tracks=["intro", "advanced"]
    )

    assert parse_instance(data).participants[0].track == "advanced"


def test_range_out_of_bounds_is_refused():
    data = instance_data([person("p0", available=((330, 340),))], [leader("f1")])

    assert _refusal(data) == "participants[0].available[0]: range [330, 340] out of bounds [0, 336]"


def test_empty_range_is_refused():
    data = instance_data([person("p0")], [leader("f1", available=((40, 40),))])

    assert _refusal(data) == "facilitators[0].available[0]: start 40 is not before end 40"


def test_duplicate_id_is_refused():
    data = instance_data([person("p0"), person("p1"), person("p0")], [leader("f1")])

    assert _refusal(data) == 'participants[2].id: duplicate id "p0"'


def test_min_greater_than_max_is_refused():
    data = instance_data([person("p0")], [leader("f1")], section_min=9, section_max=8)

    assert _refusal(data) == "section_size.min: 9 is greater than section_size.max 8"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"slot_minutes": 20}, "slot_minutes: must be 15 or 30, got 20"),
        ({"meeting_slots": 0}, "meeting_slots: must be at least 1, got 0"),
        ({"meeting_slots": True}, "meeting_slots: expected an integer, got true"),
        ({"participants": {}}, "participants: expected a list"),
    ],
)
def test_bad_top_level_fields_are_refused(change, expected):
    data = instance_data([person("p0")], [leader("f1")])
    data.update(change)

    assert _refusal(data) == expected


def test_in_person_without_location_is_refused():
    data = instance_data([person("p0", mode="in_person")], [leader("f1")])

    assert _refusal(data) == "participants[0].location: an in_person participant needs a location"


def test_priority_below_one_is_refused():
    data = instance_data([person("p0", priority=0)], [leader("f1")])

    assert _refusal(data) == "participants[0].priority: must be at least 1, got 0"


def test_locked_section_with_unknown_people_is_refused():
    section = {"facilitator": "f1", "start": 84, "track": "intro", "location": None}
    unknown_member = instance_data(
        [person("p0")], [leader("f1")], locked=[{**section, "participants": ["p0", "p9"]}]
    )
    unknown_leader = instance_data(
        [person("p0")],
        [leader("f1")],
        locked=[{**section, "facilitator": "f7", "participants": ["p0"]}],
    )

    assert _refusal(unknown_member) == 'locked[0].participants[1]: unknown participant "p9"'
    assert _refusal(unknown_leader) == 'locked[0].facilitator: unknown facilitator "f7"'


def test_locked_section_breaking_a_rule_is_refused():
    data = instance_data(
        [person("p0", available=((10, 12),))],
        [leader("f1")],
        locked=[
            {
                "facilitator": "f1",
                "start": 84,
                "track": "intro",
                "location": None,
                "participants": ["p0"],
            }
        ],
    )

    assert _refusal(data).startswith("locked[0]: ")
    assert "p0 is not available at Tue 18:00 UTC" in _refusal(data)


def test_instance_round_trips_through_json():
    data = instance_data(
        [person("p0", mode="either", location="MIT", priority=3), person("p1")],
        [leader("f1", location="MIT", max_sections=2)],
        locked=[
            {
                "facilitator": "f1",
                "start": 84,
                "track": "intro",
                "location": None,
                "participants": ["p1"],
            }
        ],
    )
    instance = parse_instance(data)

    assert parse_instance(json.loads(json.dumps(instance_to_json(instance)))) == instance
