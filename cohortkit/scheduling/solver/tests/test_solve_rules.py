"""One hand-made instance per hard rule that a careless solver would break.

Every solution is also passed through the validator (in ``solve_valid``), so besides the specific
outcome asserted here, no rule may be broken anywhere.
"""

from __future__ import annotations

from cohortkit.scheduling.solver.tests.builders import (
    TUESDAY_18,
    instance_data,
    leader,
    person,
    placed_ids,
    reasons,
    solve_valid,
)

T = TUESDAY_18


def test_every_member_is_available_for_every_slot_of_the_meeting():
    # p3 can make the start slot at T but not the second half-hour of that meeting.
    people = [person(f"p{number}", available=((T, T + 2),)) for number in range(3)]
    people.append(person("p3", available=((T, T + 1), (T + 5, T + 7))))
    data = instance_data(people, [leader("f1", available=((T, T + 2),))], section_min=3)

    _, solution = solve_valid(data)

    assert placed_ids(solution) == {"p0", "p1", "p2"}
    assert "no facilitator of track intro is available when p3 is" in reasons(solution)["p3"]


def test_the_facilitator_is_available_for_every_slot_of_the_meeting():
    # Everyone could start at T, but the facilitator leaves after one slot; T+5 works for all.
    people = [person(f"p{number}", available=((T, T + 2), (T + 5, T + 7))) for number in range(3)]
    data = instance_data(people, [leader("f1", available=((T, T + 1), (T + 5, T + 7)))])

    _, solution = solve_valid(data)

    assert [section.start for section in solution.sections] == [T + 5]
    assert solution.objective == 3


def test_track_matches_and_the_facilitator_can_lead_it():
    people = [person(f"i{number}") for number in range(3)]
    people += [person(f"a{number}", track="advanced") for number in range(3)]
    data = instance_data(
        people,
        [leader("f1", tracks=("intro",)), leader("f2", tracks=("intro",))],
        tracks=["intro", "advanced"],
    )

    _, solution = solve_valid(data)

    assert placed_ids(solution) == {"i0", "i1", "i2"}
    assert reasons(solution)["a0"] == "no facilitator leads track advanced"


def test_venue_is_allowed_for_everyone_in_the_section():
    people = [person(f"v{number}") for number in range(2)]
    people += [person(f"m{number}", mode="in_person", location="MIT") for number in range(2)]
    people += [person(f"e{number}", mode="either", location="MIT") for number in range(2)]
    data = instance_data(
        people, [leader("f1"), leader("f2", virtual=False, location="MIT")], section_max=4
    )

    _, solution = solve_valid(data)

    venues = {section.location: set(section.participants) for section in solution.sections}
    assert venues.keys() == {None, "MIT"}
    assert {"v0", "v1"} <= venues[None]
    assert {"m0", "m1"} <= venues["MIT"]
    assert solution.objective == 6


def test_nobody_without_a_facilitator_at_their_venue_is_placed():
    people = [person(f"m{number}", mode="in_person", location="MIT") for number in range(3)]
    data = instance_data(people, [leader("f1")])

    _, solution = solve_valid(data)

    assert solution.sections == ()
    assert reasons(solution)["m0"] == (
        "no facilitator of track intro leads in-person sections at MIT"
    )
    assert solution.status == "optimal"


def test_sizes_stay_within_min_and_max():
    people = [person(f"p{number}") for number in range(10)]
    data = instance_data(people, [leader("f1"), leader("f2")], section_min=3, section_max=4)

    _, solution = solve_valid(data)

    assert sorted(len(section.participants) for section in solution.sections) == [4, 4]
    assert solution.objective == 8
    assert solution.status == "optimal"
    assert "full" in reasons(solution)[next(iter(reasons(solution)))]


def test_too_few_people_for_the_minimum_open_no_section():
    data = instance_data([person("p0"), person("p1")], [leader("f1")], section_min=3)

    _, solution = solve_valid(data)

    assert solution.sections == ()
    assert solution.objective == 0
    assert solution.bound == 0
    assert solution.status == "optimal"
    assert "minimum section size of 3" in reasons(solution)["p0"]


def test_facilitator_max_sections_and_no_overlap():
    # Groups at T, T+1 (overlaps T) and T+6; one facilitator may lead two sections.
    people = [person(f"a{number}", available=((T, T + 2),)) for number in range(3)]
    people += [person(f"b{number}", available=((T + 1, T + 3),)) for number in range(4)]
    people += [person(f"c{number}", available=((T + 6, T + 8),)) for number in range(2)]
    data = instance_data(
        people, [leader("f1", available=((T, T + 8),), max_sections=2)], section_max=4
    )

    _, solution = solve_valid(data)

    assert sorted(section.start for section in solution.sections) == [T + 1, T + 6]
    assert solution.objective == 6


def test_one_facilitator_never_leads_two_sections_at_once():
    people = [person(f"p{number}") for number in range(8)]
    data = instance_data(people, [leader("f1", max_sections=3)], section_max=4)

    _, solution = solve_valid(data)

    assert len(solution.sections) == 1


def test_locked_sections_are_kept_and_only_joined_up_to_max():
    people = [person(f"p{number}", available=((T, T + 2), (T + 4, T + 6))) for number in range(7)]
    locked = {
        "facilitator": "f1",
        "start": T,
        "track": "intro",
        "location": None,
        "participants": ["p0", "p1"],
    }
    data = instance_data(
        people,
        [leader("f1", available=((T, T + 6),), max_sections=1), leader("f2")],
        locked=[locked],
        section_max=3,
    )

    _, solution = solve_valid(data)

    kept = solution.sections[0]
    assert (kept.facilitator, kept.start) == ("f1", T)
    assert kept.participants[:2] == ("p0", "p1")
    assert len(kept.participants) == 3
    # f1 may not open a second section (max_sections 1 is used by the locked one).
    assert all(section.facilitator != "f1" for section in solution.sections[1:])
    assert solution.objective == 6


def test_a_locked_section_below_the_minimum_is_still_kept():
    locked = {
        "facilitator": "f1",
        "start": T,
        "track": "intro",
        "location": None,
        "participants": ["p0"],
    }
    data = instance_data([person("p0")], [leader("f1")], locked=[locked], section_min=3)

    _, solution = solve_valid(data)

    assert solution.sections[0].participants == ("p0",)
    assert solution.objective == 1


def test_wrap_around_meeting_from_sunday_2330_to_monday_0030():
    week = 336
    wrap = ((week - 1, week), (0, 1))
    people = [person(f"p{number}", available=wrap) for number in range(3)]
    data = instance_data(people, [leader("f1", available=wrap)])

    instance, solution = solve_valid(data)

    assert [section.start for section in solution.sections] == [week - 1]
    assert instance.describe_slot(week - 1) == "Sun 23:30 UTC"
    assert instance.meeting_slots_from(week - 1) == (week - 1, 0)


def test_higher_priority_is_placed_first_when_seats_are_short():
    people = [person(f"p{number}") for number in range(4)] + [person("vip", priority=5)]
    data = instance_data(people, [leader("f1")], section_max=4)

    _, solution = solve_valid(data)

    assert "vip" in placed_ids(solution)
    assert solution.objective == 5 + 3


def test_objective_bound_and_status_agree():
    people = [person(f"p{number}", priority=1 + number % 2) for number in range(9)]
    data = instance_data(people, [leader("f1"), leader("f2")], section_min=2, section_max=4)

    instance, solution = solve_valid(data)

    priorities = {p.id: p.priority for p in instance.participants}
    assert solution.objective == sum(priorities[member] for member in placed_ids(solution))
    assert solution.bound >= solution.objective
    assert (solution.status == "optimal") == (solution.objective == solution.bound)
    assert solution.status == "optimal"
    assert len(solution.unplaced) == 1


def test_actionable_reason_when_no_facilitator_of_the_track_is_free_then():
    people = [person(f"p{number}", track="advanced") for number in range(3)]
    people.append(person("p5", track="advanced", available=((200, 204),)))
    data = instance_data(people, [leader("f1", tracks=("advanced",))])

    _, solution = solve_valid(data)

    assert reasons(solution)["p5"] == "no facilitator of track advanced is available when p5 is"


def test_reason_for_too_short_availability():
    data = instance_data([person("p0", available=((T, T + 1),))], [leader("f1")])

    _, solution = solve_valid(data)

    assert reasons(solution)["p0"] == (
        "p0's availability has no block of 60 minutes; ask them for a longer window"
    )
