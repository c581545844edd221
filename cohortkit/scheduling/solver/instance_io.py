"""Reading and writing the instance and solution JSON of the scheduling contract.

Reading is strict: the first problem found raises :class:`InstanceError` (or
:class:`SolutionFormatError`) whose message is one line that names the bad field, such as
``participants[3].track: unknown track "advnced"``. Unknown keys are ignored so that newer
producers can add informational fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from cohortkit.scheduling.solver.model import (
    Facilitator,
    Instance,
    LockedSection,
    Mode,
    Participant,
    Section,
    SlotRange,
    Solution,
    Status,
    Unplaced,
)
from cohortkit.scheduling.solver.validate import section_violations

ALLOWED_SLOT_MINUTES = (15, 30)
MODES: tuple[Mode, ...] = ("virtual", "in_person", "either")
STATUSES: tuple[Status, ...] = ("optimal", "feasible")


class InstanceError(ValueError):
    """An instance that does not follow the contract; the message is one line naming the field."""


class SolutionFormatError(ValueError):
    """A solution file whose shape does not follow the contract (not a rule violation)."""


# ---------------------------------------------------------------------------------------------
# Small typed readers. Each takes the JSON value and the path used in error messages.


def _object(value: object, where: str, error: type[ValueError]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise error(f"{where}: expected an object")
    return cast(Mapping[str, Any], value)


def _list(value: object, where: str, error: type[ValueError]) -> Sequence[Any]:
    if not isinstance(value, list):
        raise error(f"{where}: expected a list")
    return value


def _required(data: Mapping[str, Any], key: str, where: str, error: type[ValueError]) -> Any:
    if key not in data:
        raise error(f"{where}.{key}: missing" if where else f"{key}: missing")
    return data[key]


def _integer(value: object, where: str, error: type[ValueError]) -> int:
    # bool is a subclass of int in Python; JSON true is not a number.
    if not isinstance(value, int) or isinstance(value, bool):
        raise error(f"{where}: expected an integer, got {json.dumps(value)}")
    return value


def _text(value: object, where: str, error: type[ValueError]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise error(f"{where}: expected a non-empty string, got {json.dumps(value)}")
    return value


def _optional_text(value: object, where: str, error: type[ValueError]) -> str | None:
    if value is None:
        return None
    return _text(value, where, error)


def _boolean(value: object, where: str, error: type[ValueError]) -> bool:
    if not isinstance(value, bool):
        raise error(f"{where}: expected true or false, got {json.dumps(value)}")
    return value


def _ranges(value: object, where: str, slots_per_week: int) -> tuple[SlotRange, ...]:
    ranges: list[SlotRange] = []
    for index, item in enumerate(_list(value, where, InstanceError)):
        item_where = f"{where}[{index}]"
        pair = _list(item, item_where, InstanceError)
        if len(pair) != 2:
            raise InstanceError(f"{item_where}: expected [start, end]")
        start = _integer(pair[0], f"{item_where}[0]", InstanceError)
        end = _integer(pair[1], f"{item_where}[1]", InstanceError)
        if start < 0 or end > slots_per_week:
            raise InstanceError(
                f"{item_where}: range [{start}, {end}] out of bounds [0, {slots_per_week}]"
            )
        if start >= end:
            raise InstanceError(f"{item_where}: start {start} is not before end {end}")
        ranges.append((start, end))
    return tuple(ranges)


def _track(value: object, where: str, known_tracks: frozenset[str] | None) -> str:
    track = _text(value, where, InstanceError)
    if known_tracks is not None and track not in known_tracks:
        raise InstanceError(f"{where}: unknown track {json.dumps(track)}")
    return track


# ---------------------------------------------------------------------------------------------
# Instance


def parse_instance(data: object) -> Instance:
    """Build an :class:`Instance` from decoded JSON, or raise :class:`InstanceError`.

    Besides the shape, this refuses contradictions that no solution could repair: duplicate ids,
    ``min > max``, ranges outside the week, a person in two locked sections, and locked sections
    that break a hard rule themselves.
    """
    root = _object(data, "instance", InstanceError)

    slot_minutes = _integer(
        _required(root, "slot_minutes", "", InstanceError), "slot_minutes", InstanceError
    )
    if slot_minutes not in ALLOWED_SLOT_MINUTES:
        raise InstanceError(f"slot_minutes: must be 15 or 30, got {slot_minutes}")
    slots_per_week = 7 * 24 * 60 // slot_minutes

    meeting_slots = _integer(
        _required(root, "meeting_slots", "", InstanceError), "meeting_slots", InstanceError
    )
    if meeting_slots < 1:
        raise InstanceError(f"meeting_slots: must be at least 1, got {meeting_slots}")
    if meeting_slots > slots_per_week:
        raise InstanceError(
            f"meeting_slots: {meeting_slots} is longer than the week ({slots_per_week} slots)"
        )

    size = _object(
        _required(root, "section_size", "", InstanceError), "section_size", InstanceError
    )
    section_min = _integer(
        _required(size, "min", "section_size", InstanceError), "section_size.min", InstanceError
    )
    section_max = _integer(
        _required(size, "max", "section_size", InstanceError), "section_size.max", InstanceError
    )
    if section_min < 1:
        raise InstanceError(f"section_size.min: must be at least 1, got {section_min}")
    if section_min > section_max:
        raise InstanceError(
            f"section_size.min: {section_min} is greater than section_size.max {section_max}"
        )

    declared_tracks: tuple[str, ...] | None = None
    if root.get("tracks") is not None:
        declared_tracks = tuple(
            _text(track, f"tracks[{index}]", InstanceError)
            for index, track in enumerate(_list(root["tracks"], "tracks", InstanceError))
        )

    facilitators = _parse_facilitators(
        root.get("facilitators", []),
        slots_per_week,
        None if declared_tracks is None else frozenset(declared_tracks),
    )
    if declared_tracks is not None:
        known_tracks: frozenset[str] | None = frozenset(declared_tracks)
    elif facilitators:
        known_tracks = frozenset(track for person in facilitators for track in person.tracks)
    else:
        # Nothing says which tracks exist; every participant will be reported unplaced anyway.
        known_tracks = None
    participants = _parse_participants(
        _required(root, "participants", "", InstanceError), slots_per_week, known_tracks
    )
    locked = _parse_locked(root.get("locked", []) or [], slots_per_week, known_tracks)

    instance = Instance(
        slot_minutes=slot_minutes,
        meeting_slots=meeting_slots,
        section_min=section_min,
        section_max=section_max,
        participants=participants,
        facilitators=facilitators,
        locked=locked,
        tracks=declared_tracks,
    )
    _check_locked_sections(instance)
    return instance


def _parse_participants(
    value: object, slots_per_week: int, known_tracks: frozenset[str] | None
) -> tuple[Participant, ...]:
    participants: list[Participant] = []
    seen: set[str] = set()
    for index, item in enumerate(_list(value, "participants", InstanceError)):
        where = f"participants[{index}]"
        data = _object(item, where, InstanceError)
        person_id = _text(_required(data, "id", where, InstanceError), f"{where}.id", InstanceError)
        if person_id in seen:
            raise InstanceError(f"{where}.id: duplicate id {json.dumps(person_id)}")
        seen.add(person_id)
        track = _track(
            _required(data, "track", where, InstanceError), f"{where}.track", known_tracks
        )
        mode = data.get("mode", "virtual")
        if mode not in MODES:
            raise InstanceError(
                f"{where}.mode: must be virtual, in_person or either, got {json.dumps(mode)}"
            )
        location = _optional_text(data.get("location"), f"{where}.location", InstanceError)
        if mode == "in_person" and location is None:
            raise InstanceError(f"{where}.location: an in_person participant needs a location")
        available = _ranges(
            _required(data, "available", where, InstanceError), f"{where}.available", slots_per_week
        )
        priority = _integer(data.get("priority", 1), f"{where}.priority", InstanceError)
        if priority < 1:
            raise InstanceError(f"{where}.priority: must be at least 1, got {priority}")
        timezone = _optional_text(data.get("timezone"), f"{where}.timezone", InstanceError)
        participants.append(
            Participant(
                id=person_id,
                track=track,
                mode=cast(Mode, mode),
                location=location,
                available=available,
                priority=priority,
                timezone=timezone,
            )
        )
    return tuple(participants)


def _parse_facilitators(
    value: object, slots_per_week: int, known_tracks: frozenset[str] | None
) -> tuple[Facilitator, ...]:
    facilitators: list[Facilitator] = []
    seen: set[str] = set()
    for index, item in enumerate(_list(value, "facilitators", InstanceError)):
        where = f"facilitators[{index}]"
        data = _object(item, where, InstanceError)
        person_id = _text(_required(data, "id", where, InstanceError), f"{where}.id", InstanceError)
        if person_id in seen:
            raise InstanceError(f"{where}.id: duplicate id {json.dumps(person_id)}")
        seen.add(person_id)
        raw_tracks = _list(
            _required(data, "tracks", where, InstanceError), f"{where}.tracks", InstanceError
        )
        if not raw_tracks:
            raise InstanceError(f"{where}.tracks: a facilitator needs at least one track")
        tracks = tuple(
            _track(track, f"{where}.tracks[{position}]", known_tracks)
            for position, track in enumerate(raw_tracks)
        )
        max_sections = _integer(
            _required(data, "max_sections", where, InstanceError),
            f"{where}.max_sections",
            InstanceError,
        )
        if max_sections < 0:
            raise InstanceError(f"{where}.max_sections: must not be negative, got {max_sections}")
        virtual = _boolean(data.get("virtual", True), f"{where}.virtual", InstanceError)
        location = _optional_text(data.get("location"), f"{where}.location", InstanceError)
        if not virtual and location is None:
            raise InstanceError(
                f"{where}.location: a facilitator who is not virtual needs a location"
            )
        available = _ranges(
            _required(data, "available", where, InstanceError), f"{where}.available", slots_per_week
        )
        timezone = _optional_text(data.get("timezone"), f"{where}.timezone", InstanceError)
        facilitators.append(
            Facilitator(
                id=person_id,
                tracks=tracks,
                max_sections=max_sections,
                virtual=virtual,
                location=location,
                available=available,
                timezone=timezone,
            )
        )
    return tuple(facilitators)


def _parse_section(
    item: object,
    where: str,
    slots_per_week: int,
    known_tracks: frozenset[str] | None,
    error: type[ValueError],
) -> Section:
    data = _object(item, where, error)
    facilitator = _text(_required(data, "facilitator", where, error), f"{where}.facilitator", error)
    start = _integer(_required(data, "start", where, error), f"{where}.start", error)
    if not 0 <= start < slots_per_week:
        raise error(f"{where}.start: {start} out of bounds [0, {slots_per_week})")
    track_value = _required(data, "track", where, error)
    if error is InstanceError:
        track = _track(track_value, f"{where}.track", known_tracks)
    else:
        track = _text(track_value, f"{where}.track", error)
    location = _optional_text(data.get("location"), f"{where}.location", error)
    members = tuple(
        _text(member, f"{where}.participants[{position}]", error)
        for position, member in enumerate(
            _list(_required(data, "participants", where, error), f"{where}.participants", error)
        )
    )
    return Section(
        facilitator=facilitator, start=start, track=track, location=location, participants=members
    )


def _parse_locked(
    value: object, slots_per_week: int, known_tracks: frozenset[str] | None
) -> tuple[LockedSection, ...]:
    return tuple(
        _parse_section(item, f"locked[{index}]", slots_per_week, known_tracks, InstanceError)
        for index, item in enumerate(_list(value, "locked", InstanceError))
    )


def _check_locked_sections(instance: Instance) -> None:
    """Refuse locked sections that reference unknown people or break a hard rule themselves."""
    participants = {person.id: person for person in instance.participants}
    facilitators = {person.id: person for person in instance.facilitators}
    locked_member_of: dict[str, int] = {}
    sections_per_facilitator: dict[str, list[Section]] = {}
    for index, section in enumerate(instance.locked):
        where = f"locked[{index}]"
        if section.facilitator not in facilitators:
            raise InstanceError(
                f"{where}.facilitator: unknown facilitator {json.dumps(section.facilitator)}"
            )
        for position, member in enumerate(section.participants):
            if member not in participants:
                raise InstanceError(
                    f"{where}.participants[{position}]: unknown participant {json.dumps(member)}"
                )
            if member in locked_member_of:
                raise InstanceError(
                    f"{where}.participants[{position}]: {member} is already in "
                    f"locked[{locked_member_of[member]}]"
                )
            locked_member_of[member] = index
        # A locked section may be below the minimum after drop-outs; it is kept as it is.
        problems = section_violations(instance, section, enforce_minimum=False)
        if problems:
            raise InstanceError(f"{where}: {problems[0]}")
        earlier = sections_per_facilitator.setdefault(section.facilitator, [])
        facilitator = facilitators[section.facilitator]
        if len(earlier) >= facilitator.max_sections:
            raise InstanceError(
                f"{where}.facilitator: {facilitator.id} would lead more than max_sections "
                f"{facilitator.max_sections} locked sections"
            )
        occupied = set(instance.meeting_slots_from(section.start))
        for other in earlier:
            if occupied & set(instance.meeting_slots_from(other.start)):
                raise InstanceError(
                    f"{where}.start: overlaps another locked section of {facilitator.id} "
                    f"at {instance.describe_slot(other.start)}"
                )
        earlier.append(section)


def load_instance(path: str | Path) -> Instance:
    """Read and parse an instance file; unreadable JSON is an :class:`InstanceError` too."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as problem:
        raise InstanceError(f"instance: cannot read {path}: {problem.strerror}") from problem
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise InstanceError(
            f"instance: not valid JSON (line {problem.lineno}, column {problem.colno}): "
            f"{problem.msg}"
        ) from problem
    return parse_instance(data)


def _ranges_to_json(ranges: tuple[SlotRange, ...]) -> list[list[int]]:
    return [[start, end] for start, end in ranges]


def _section_to_json(section: Section) -> dict[str, Any]:
    return {
        "facilitator": section.facilitator,
        "start": section.start,
        "track": section.track,
        "location": section.location,
        "participants": list(section.participants),
    }


def instance_to_json(instance: Instance) -> dict[str, Any]:
    """The contract's JSON form of an instance (``parse_instance`` reads it back unchanged)."""
    data: dict[str, Any] = {
        "slot_minutes": instance.slot_minutes,
        "meeting_slots": instance.meeting_slots,
        "section_size": {"min": instance.section_min, "max": instance.section_max},
    }
    if instance.tracks is not None:
        data["tracks"] = list(instance.tracks)
    data["participants"] = [
        {
            "id": person.id,
            "track": person.track,
            "mode": person.mode,
            "location": person.location,
            "available": _ranges_to_json(person.available),
            "priority": person.priority,
            "timezone": person.timezone,
        }
        for person in instance.participants
    ]
    data["facilitators"] = [
        {
            "id": person.id,
            "tracks": list(person.tracks),
            "max_sections": person.max_sections,
            "virtual": person.virtual,
            "location": person.location,
            "available": _ranges_to_json(person.available),
            "timezone": person.timezone,
        }
        for person in instance.facilitators
    ]
    data["locked"] = [_section_to_json(section) for section in instance.locked]
    return data


# ---------------------------------------------------------------------------------------------
# Solution


def solution_to_json(solution: Solution) -> dict[str, Any]:
    """The contract's JSON form of a solution."""
    return {
        "sections": [_section_to_json(section) for section in solution.sections],
        "unplaced": [{"id": item.id, "reason": item.reason} for item in solution.unplaced],
        "objective": solution.objective,
        "bound": solution.bound,
        "status": solution.status,
        "seconds": round(solution.seconds, 3),
    }


def parse_solution(data: object) -> Solution:
    """Build a :class:`Solution` from decoded JSON, checking only its shape.

    Whether it obeys the hard rules is the validator's job (:mod:`validate`), so that every
    violation can be listed rather than only the first.
    """
    error = SolutionFormatError
    root = _object(data, "solution", error)
    sections = tuple(
        _parse_section(item, f"sections[{index}]", 10**9, None, error)
        for index, item in enumerate(
            _list(_required(root, "sections", "", error), "sections", error)
        )
    )
    unplaced: list[Unplaced] = []
    for index, item in enumerate(_list(root.get("unplaced", []), "unplaced", error)):
        where = f"unplaced[{index}]"
        entry = _object(item, where, error)
        unplaced.append(
            Unplaced(
                id=_text(_required(entry, "id", where, error), f"{where}.id", error),
                reason=str(entry.get("reason", "")),
            )
        )
    objective = _integer(_required(root, "objective", "", error), "objective", error)
    bound = _integer(_required(root, "bound", "", error), "bound", error)
    status = root.get("status")
    if status not in STATUSES:
        raise error(f"status: must be optimal or feasible, got {json.dumps(status)}")
    seconds_value = root.get("seconds", 0.0)
    if not isinstance(seconds_value, int | float) or isinstance(seconds_value, bool):
        raise error(f"seconds: expected a number, got {json.dumps(seconds_value)}")
    return Solution(
        sections=sections,
        unplaced=tuple(unplaced),
        objective=objective,
        bound=bound,
        status=cast(Status, status),
        seconds=float(seconds_value),
    )


def load_solution(path: str | Path) -> Solution:
    """Read and parse a solution file, or raise :class:`SolutionFormatError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as problem:
        raise SolutionFormatError(f"solution: cannot read {path}: {problem.strerror}") from problem
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise SolutionFormatError(
            f"solution: not valid JSON (line {problem.lineno}, column {problem.colno}): "
            f"{problem.msg}"
        ) from problem
    return parse_solution(data)
