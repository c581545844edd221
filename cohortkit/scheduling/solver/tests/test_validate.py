"""The validator catches each kind of violation, and accepts a valid solution."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cohortkit.scheduling.solver.instance_io import parse_instance
from cohortkit.scheduling.solver.model import Instance, Section, Solution, Unplaced
from cohortkit.scheduling.solver.tests.builders import TUESDAY_18, instance_data, leader, person
from cohortkit.scheduling.solver.validate import validate_solution

T = TUESDAY_18


@pytest.fixture
def instance() -> Instance:
    people = [person(f"p{number}", available=((T, T + 4),)) for number in range(6)]
    people.append(person("adv", track="advanced", available=((T, T + 4),)))
    people.append(person("mit", mode="in_person", location="MIT", available=((T, T + 4),)))
    people.append(person("late", available=((T + 1, T + 3),)))
    return parse_instance(
        instance_data(
            people,
            [
                leader("f1", available=((T, T + 4),), max_sections=1),
                leader("f2", tracks=("intro", "advanced"), available=((T, T + 4),)),
            ],
            locked=[
                {
                    "facilitator": "f1",
                    "start": T,
                    "track": "intro",
                    "location": None,
                    "participants": ["p0", "p1"],
                }
            ],
            section_min=2,
            section_max=3,
        )
    )


def _solution(sections: list[Section], instance: Instance) -> Solution:
    """A solution with consistent objective, bound, status and unplaced list."""
    placed = {member for section in sections for member in section.participants}
    return Solution(
        sections=tuple(sections),
        unplaced=tuple(
            Unplaced(p.id, "no room") for p in instance.participants if p.id not in placed
        ),
        objective=len(placed),
        bound=len(placed),
        status="optimal",
        seconds=0.1,
    )


def _valid_sections() -> list[Section]:
    return [
        Section("f1", T, "intro", None, ("p0", "p1", "p2")),
        Section("f2", T + 2, "intro", None, ("p3", "p4")),
    ]


def _violations(instance: Instance, sections: list[Section]) -> list[str]:
    return validate_solution(instance, _solution(sections, instance))


def test_a_valid_solution_has_no_violations(instance):
    assert _violations(instance, _valid_sections()) == []


def test_member_unavailable_for_the_second_slot(instance):
    sections = _valid_sections()
    sections[1] = Section("f2", T + 2, "intro", None, ("p3", "late"))

    assert _violations(instance, sections) == [
        "f2's intro section at Tue 19:00 UTC (virtual): late is not available at Tue 19:30 UTC"
    ]


def test_facilitator_unavailable(instance):
    sections = _valid_sections()
    sections[1] = Section("f2", T + 3, "intro", None, ("p3", "p4"))

    assert _violations(instance, sections) == [
        "f2's intro section at Tue 19:30 UTC (virtual): facilitator f2 is not available at "
        "Tue 20:00 UTC",
        "f2's intro section at Tue 19:30 UTC (virtual): p3 is not available at Tue 20:00 UTC",
        "f2's intro section at Tue 19:30 UTC (virtual): p4 is not available at Tue 20:00 UTC",
    ]


def test_wrong_track_and_facilitator_who_cannot_lead_it(instance):
    sections = _valid_sections()
    sections[0] = Section("f1", T, "intro", None, ("p0", "p1", "adv"))
    sections.append(Section("f1", T + 2, "advanced", None, ("p5",)))

    violations = _violations(instance, sections)

    assert any("adv is in track advanced, not intro" in line for line in violations)
    assert any("f1 does not lead track advanced" in line for line in violations)


def test_venue_not_allowed(instance):
    sections = _valid_sections()
    sections[1] = Section("f2", T + 2, "intro", None, ("p3", "mit"))

    assert _violations(instance, sections) == [
        "f2's intro section at Tue 19:00 UTC (virtual): mit can only meet in person at MIT"
    ]


def test_size_outside_min_and_max(instance):
    sections = _valid_sections()
    sections[0] = Section("f1", T, "intro", None, ("p0", "p1", "p2", "p5"))
    sections[1] = Section("f2", T + 2, "intro", None, ("p3",))

    violations = _violations(instance, sections)

    assert any("4 members, more than the maximum 3" in line for line in violations)
    assert any("1 members, fewer than the minimum 2" in line for line in violations)


def test_placed_twice(instance):
    sections = _valid_sections()
    sections[1] = Section("f2", T + 2, "intro", None, ("p3", "p2"))

    assert _violations(instance, sections) == ["p2 is placed 2 times"]


def test_max_sections_and_overlap(instance):
    sections = _valid_sections()
    sections.append(Section("f1", T + 1, "intro", None, ("p5", "late")))

    violations = _violations(instance, sections)

    assert "f1 leads 2 sections, more than max_sections 1" in violations
    assert "f1's sections at Tue 18:00 UTC and Tue 18:30 UTC overlap" in violations


def test_overlap_across_the_end_of_the_week():
    wrap = ((335, 336), (0, 2))
    instance = parse_instance(
        instance_data(
            [person(f"p{number}", available=wrap) for number in range(4)],
            [leader("f1", available=wrap, max_sections=2)],
        )
    )
    sections = [
        Section("f1", 335, "intro", None, ("p0", "p1")),
        Section("f1", 0, "intro", None, ("p2", "p3")),
    ]

    assert _violations(instance, sections) == [
        "f1's sections at Sun 23:30 UTC and Mon 00:00 UTC overlap"
    ]


def test_locked_section_moved_or_emptied(instance):
    moved = _valid_sections()
    moved[0] = Section("f1", T + 2, "intro", None, ("p0", "p1", "p2"))
    moved[1] = Section("f2", T, "intro", None, ("p3", "p4"))
    emptied = _valid_sections()
    emptied[0] = Section("f1", T, "intro", None, ("p2", "p5", "p1"))

    assert any("locked[0]" in line and "missing" in line for line in _violations(instance, moved))
    assert any("lost its members p0" in line for line in _violations(instance, emptied))


def test_objective_bound_status_and_unplaced_must_agree(instance):
    good = _solution(_valid_sections(), instance)

    wrong_objective = replace(good, objective=9, bound=9)
    low_bound = replace(good, bound=good.objective - 1, status="feasible")
    wrong_status = replace(good, bound=good.objective + 1)
    forgotten = replace(good, unplaced=good.unplaced[1:])

    assert validate_solution(instance, wrong_objective) == [
        "objective 9 is not the total priority placed, 5"
    ]
    assert "bound 4 is below the objective 5" in validate_solution(instance, low_bound)
    assert validate_solution(instance, wrong_status) == [
        "status optimal does not match objective 5 and bound 6 (expected feasible)"
    ]
    assert validate_solution(instance, forgotten) == [
        f"1 participants neither placed nor unplaced: {good.unplaced[0].id}"
    ]
