"""The validator: every hard rule of the scheduling contract, checked against a solution.

It never stops at the first problem: :func:`validate_solution` returns every violation as a
sentence a person can read, and an empty list when the solution is valid. The command line's
``check``, the solver's own tests and the organizer's hand edits all use it.
"""

from __future__ import annotations

from collections import Counter

from cohortkit.scheduling.solver.availability import meeting_mask, slot_mask
from cohortkit.scheduling.solver.model import (
    Facilitator,
    Instance,
    Participant,
    Section,
    Solution,
)


def _label(instance: Instance, section: Section) -> str:
    venue = "virtual" if section.location is None else f"at {section.location}"
    return (
        f"{section.facilitator}'s {section.track} section at "
        f"{instance.describe_slot(section.start)} ({venue})"
    )


def _first_missing_slot(instance: Instance, available: int, start: int) -> int | None:
    for slot in instance.meeting_slots_from(start):
        if not available >> slot & 1:
            return slot
    return None


def section_violations(
    instance: Instance,
    section: Section,
    *,
    enforce_minimum: bool = True,
    participants_by_id: dict[str, Participant] | None = None,
    facilitators_by_id: dict[str, Facilitator] | None = None,
) -> list[str]:
    """Hard-rule violations within one section (not those between sections).

    Checks the facilitator and every member: known, available for every slot of the meeting,
    track, venue, and the section's size (its minimum only when ``enforce_minimum``).
    """
    if participants_by_id is None:
        participants_by_id = {person.id: person for person in instance.participants}
    if facilitators_by_id is None:
        facilitators_by_id = {person.id: person for person in instance.facilitators}
    label = _label(instance, section)
    problems: list[str] = []
    week = instance.slots_per_week
    if not 0 <= section.start < week:
        return [f"{label}: start {section.start} is outside the week [0, {week})"]
    if section.track not in instance.known_tracks():
        problems.append(f"{label}: unknown track {section.track!r}")

    facilitator = facilitators_by_id.get(section.facilitator)
    if facilitator is None:
        problems.append(f"{label}: unknown facilitator {section.facilitator}")
    else:
        if section.track not in facilitator.tracks:
            problems.append(f"{label}: {facilitator.id} does not lead track {section.track}")
        if section.location not in facilitator.venues():
            if section.location is None:
                problems.append(f"{label}: {facilitator.id} does not lead virtual sections")
            else:
                problems.append(
                    f"{label}: {facilitator.id} does not lead in-person sections at "
                    f"{section.location}"
                )
        missing = _first_missing_slot(instance, slot_mask(facilitator.available), section.start)
        if missing is not None:
            problems.append(
                f"{label}: facilitator {facilitator.id} is not available at "
                f"{instance.describe_slot(missing)}"
            )

    for member_id in section.participants:
        member = participants_by_id.get(member_id)
        if member is None:
            problems.append(f"{label}: unknown participant {member_id}")
            continue
        if member.track != section.track:
            problems.append(f"{label}: {member.id} is in track {member.track}, not {section.track}")
        if section.location not in member.venues():
            wanted = " or ".join(
                "virtual" if venue is None else f"in person at {venue}" for venue in member.venues()
            )
            problems.append(f"{label}: {member.id} can only meet {wanted}")
        missing = _first_missing_slot(instance, slot_mask(member.available), section.start)
        if missing is not None:
            problems.append(
                f"{label}: {member.id} is not available at {instance.describe_slot(missing)}"
            )

    size = len(section.participants)
    if size > instance.section_max:
        problems.append(f"{label}: {size} members, more than the maximum {instance.section_max}")
    if enforce_minimum and size < instance.section_min:
        problems.append(f"{label}: {size} members, fewer than the minimum {instance.section_min}")
    return problems


def _matches_locked(section: Section, locked: Section) -> bool:
    return (
        section.facilitator == locked.facilitator
        and section.start == locked.start
        and section.track == locked.track
        and section.location == locked.location
    )


def validate_solution(instance: Instance, solution: Solution) -> list[str]:
    """Every violation of the contract's hard rules by ``solution``; empty when it is valid.

    Beyond the per-section rules this checks that nobody is placed twice, each facilitator's
    count and non-overlap, that locked sections are kept (same facilitator, time, track and venue,
    all their members still in), that every participant is either placed or listed as unplaced,
    and that objective, bound and status agree.
    """
    participants_by_id = {person.id: person for person in instance.participants}
    facilitators_by_id = {person.id: person for person in instance.facilitators}
    problems: list[str] = []

    locked_keys = {
        (locked.facilitator, locked.start, locked.track, locked.location)
        for locked in instance.locked
    }
    for section in solution.sections:
        is_locked = (
            section.facilitator,
            section.start,
            section.track,
            section.location,
        ) in locked_keys
        problems.extend(
            section_violations(
                instance,
                section,
                enforce_minimum=not is_locked,
                participants_by_id=participants_by_id,
                facilitators_by_id=facilitators_by_id,
            )
        )

    placements = Counter(member for section in solution.sections for member in section.participants)
    for member, count in sorted(placements.items()):
        if count > 1:
            problems.append(f"{member} is placed {count} times")

    week = instance.slots_per_week
    by_facilitator: dict[str, list[Section]] = {}
    for section in solution.sections:
        by_facilitator.setdefault(section.facilitator, []).append(section)
    for facilitator_id, sections in sorted(by_facilitator.items()):
        facilitator = facilitators_by_id.get(facilitator_id)
        if facilitator is not None and len(sections) > facilitator.max_sections:
            problems.append(
                f"{facilitator_id} leads {len(sections)} sections, more than max_sections "
                f"{facilitator.max_sections}"
            )
        for index, first in enumerate(sections):
            first_slots = meeting_mask(first.start, week, instance.meeting_slots)
            for second in sections[index + 1 :]:
                if first_slots & meeting_mask(second.start, week, instance.meeting_slots):
                    problems.append(
                        f"{facilitator_id}'s sections at {instance.describe_slot(first.start)} "
                        f"and {instance.describe_slot(second.start)} overlap"
                    )

    for index, locked in enumerate(instance.locked):
        kept = [section for section in solution.sections if _matches_locked(section, locked)]
        if not kept:
            problems.append(
                f"locked[{index}] ({_label(instance, locked)}) is missing from the solution"
            )
            continue
        members = set(kept[0].participants)
        lost = [member for member in locked.participants if member not in members]
        if lost:
            problems.append(
                f"locked[{index}] ({_label(instance, locked)}) lost its members {', '.join(lost)}"
            )

    unplaced_ids = Counter(item.id for item in solution.unplaced)
    for person_id, count in sorted(unplaced_ids.items()):
        if person_id not in participants_by_id:
            problems.append(f"unplaced lists unknown participant {person_id}")
        elif person_id in placements:
            problems.append(f"{person_id} is both placed and listed as unplaced")
        elif count > 1:
            problems.append(f"{person_id} is listed {count} times as unplaced")
    forgotten = [
        person.id
        for person in instance.participants
        if person.id not in placements and person.id not in unplaced_ids
    ]
    if forgotten:
        shown = ", ".join(forgotten[:10]) + (" ..." if len(forgotten) > 10 else "")
        problems.append(f"{len(forgotten)} participants neither placed nor unplaced: {shown}")
    for item in solution.unplaced:
        if not item.reason.strip():
            problems.append(f"unplaced {item.id} has no reason")

    placed_priority = sum(
        participants_by_id[member].priority for member in placements if member in participants_by_id
    )
    if solution.objective != placed_priority:
        problems.append(
            f"objective {solution.objective} is not the total priority placed, {placed_priority}"
        )
    if solution.bound < solution.objective:
        problems.append(f"bound {solution.bound} is below the objective {solution.objective}")
    expected_status = "optimal" if solution.objective == solution.bound else "feasible"
    if solution.status != expected_status:
        problems.append(
            f"status {solution.status} does not match objective {solution.objective} and "
            f"bound {solution.bound} (expected {expected_status})"
        )
    return problems
