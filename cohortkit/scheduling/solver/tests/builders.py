"""Small builders for hand-made instances, written in the contract's JSON shape."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cohortkit.scheduling.solver.instance_io import parse_instance
from cohortkit.scheduling.solver.model import Instance, Solution
from cohortkit.scheduling.solver.solve import solve
from cohortkit.scheduling.solver.validate import validate_solution

# Tuesday 18:00 UTC with 30-minute slots: 48 slots per day.
TUESDAY_18 = 48 + 36


def person(
    person_id: str,
    *,
    track: str = "intro",
    available: Iterable[tuple[int, int]] = ((TUESDAY_18, TUESDAY_18 + 2),),
    mode: str = "virtual",
    location: str | None = None,
    priority: int = 1,
) -> dict[str, Any]:
    return {
        "id": person_id,
        "track": track,
        "mode": mode,
        "location": location,
        "available": [list(pair) for pair in available],
        "priority": priority,
        "timezone": "UTC",
    }


def leader(
    leader_id: str,
    *,
    tracks: Iterable[str] = ("intro",),
    available: Iterable[tuple[int, int]] = ((TUESDAY_18, TUESDAY_18 + 2),),
    max_sections: int = 1,
    virtual: bool = True,
    location: str | None = None,
) -> dict[str, Any]:
    return {
        "id": leader_id,
        "tracks": list(tracks),
        "max_sections": max_sections,
        "virtual": virtual,
        "location": location,
        "available": [list(pair) for pair in available],
        "timezone": "UTC",
    }


def instance_data(
    participants: list[dict[str, Any]],
    facilitators: list[dict[str, Any]],
    *,
    locked: list[dict[str, Any]] | None = None,
    section_min: int = 2,
    section_max: int = 4,
    meeting_slots: int = 2,
    slot_minutes: int = 30,
    tracks: list[str] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slot_minutes": slot_minutes,
        "meeting_slots": meeting_slots,
        "section_size": {"min": section_min, "max": section_max},
        "participants": participants,
        "facilitators": facilitators,
        "locked": locked or [],
    }
    if tracks is not None:
        data["tracks"] = tracks
    return data


def solve_valid(data: dict[str, Any], *, time_limit: float = 5.0) -> tuple[Instance, Solution]:
    """Solve ``data`` and assert that the validator finds nothing wrong with the answer."""
    instance = parse_instance(data)
    solution = solve(instance, time_limit=time_limit)
    assert validate_solution(instance, solution) == []
    return instance, solution


def placed_ids(solution: Solution) -> set[str]:
    return {member for section in solution.sections for member in section.participants}


def reasons(solution: Solution) -> dict[str, str]:
    return {item.id: item.reason for item in solution.unplaced}
