"""The aggregated form of an instance that the solver, the bound and the baseline work on.

Two ideas make 10,000 people tractable:

* A **kind** of section is a (start, track, venue) that at least one facilitator can lead. Sections
  of the same kind are interchangeable for participants, so only the number of sections of each
  kind and how many people of each type join that kind matter; the split into sections is done
  at the end.
* A **type** of participant groups the people who can join exactly the same kinds (and locked
  sections) with the same priority. The model then has one count per type instead of one
  decision per person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cohortkit.scheduling.solver.availability import (
    bits,
    conflicting_starts_mask,
    start_mask,
)
from cohortkit.scheduling.solver.model import Instance, Participant, Venue


@dataclass(frozen=True)
class Kind:
    """A kind of section that at least one facilitator can lead."""

    start: int
    track: str
    venue: Venue


@dataclass
class ParticipantType:
    """People who can join the same kinds and locked sections, with the same priority."""

    priority: int
    kinds: tuple[int, ...]
    locked: tuple[int, ...]
    members: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many people share this type."""
        return len(self.members)


@dataclass
class Problem:
    """An instance in aggregated form (see the module docstring).

    ``facilitator_kinds[f]`` lists the kinds facilitator ``f`` may still open (available, right
    track and venue, not overlapping their locked sections), ``facilitator_capacity[f]`` how
    many more sections they may open. ``locked_room[i]`` is how many more people fit into
    locked section ``i``. ``fixed_objective`` is the priority already placed in locked sections.
    """

    instance: Instance
    kinds: list[Kind]
    kind_facilitators: list[list[int]]
    facilitator_kinds: list[list[int]]
    facilitator_capacity: list[int]
    types: list[ParticipantType]
    locked_room: list[int]
    fixed_objective: int
    unreachable: list[Participant]

    @property
    def free_priority(self) -> int:
        """Total priority of the people the solver may still place."""
        return sum(kind_type.priority * kind_type.count for kind_type in self.types)


def prepare(instance: Instance) -> Problem:
    """Aggregate ``instance`` into kinds and participant types.

    People who cannot join any kind or locked section go to ``unreachable``; they can never be
    placed, and the unplaced reasons explain why.
    """
    week = instance.slots_per_week
    meeting = instance.meeting_slots
    facilitator_position = {person.id: index for index, person in enumerate(instance.facilitators)}

    blocked_starts = [0] * len(instance.facilitators)
    locked_count = [0] * len(instance.facilitators)
    for section in instance.locked:
        position = facilitator_position[section.facilitator]
        blocked_starts[position] |= conflicting_starts_mask(section.start, week, meeting)
        locked_count[position] += 1

    kinds: list[Kind] = []
    kind_position: dict[Kind, int] = {}
    kind_facilitators: list[list[int]] = []
    facilitator_kinds: list[list[int]] = []
    facilitator_capacity: list[int] = []
    # For each (track, venue), the starts at which some facilitator can open a section.
    open_starts: dict[tuple[str, Venue], int] = {}
    for index, facilitator in enumerate(instance.facilitators):
        capacity = facilitator.max_sections - locked_count[index]
        facilitator_capacity.append(max(capacity, 0))
        options: list[int] = []
        if capacity > 0:
            starts = start_mask(facilitator.available, week, meeting) & ~blocked_starts[index]
            for start in bits(starts):
                for track in facilitator.tracks:
                    for venue in facilitator.venues():
                        kind = Kind(start, track, venue)
                        kind_index = kind_position.get(kind)
                        if kind_index is None:
                            kind_index = len(kinds)
                            kind_position[kind] = kind_index
                            kinds.append(kind)
                            kind_facilitators.append([])
                        kind_facilitators[kind_index].append(index)
                        options.append(kind_index)
            for track in facilitator.tracks:
                for venue in facilitator.venues():
                    open_starts[(track, venue)] = open_starts.get((track, venue), 0) | starts
        facilitator_kinds.append(options)

    locked_members = {member for section in instance.locked for member in section.participants}
    locked_room = [instance.section_max - len(section.participants) for section in instance.locked]
    fixed_objective = sum(
        person.priority for person in instance.participants if person.id in locked_members
    )

    reachable: list[tuple[Participant, int, list[int]]] = []
    interested = [0] * len(kinds)
    for person in instance.participants:
        if person.id in locked_members:
            continue
        person_starts = start_mask(person.available, week, meeting)
        reachable_kinds: list[int] = []
        for venue in person.venues():
            common = person_starts & open_starts.get((person.track, venue), 0)
            for start in bits(common):
                reachable_kinds.append(kind_position[Kind(start, person.track, venue)])
        for kind_index in reachable_kinds:
            interested[kind_index] += 1
        reachable.append((person, person_starts, reachable_kinds))

    # A kind that fewer than ``section_min`` people could join can never be opened; dropping it
    # keeps the model small and the bound tight.
    useless = {
        kind_index for kind_index, count in enumerate(interested) if count < instance.section_min
    }
    if useless:
        for facilitator_index, choices in enumerate(facilitator_kinds):
            facilitator_kinds[facilitator_index] = [
                kind_index for kind_index in choices if kind_index not in useless
            ]
        for kind_index in useless:
            kind_facilitators[kind_index] = []

    # Locked sections with room left, indexed by (track, venue) and start for quick lookup.
    locked_starts: dict[tuple[str, Venue], int] = {}
    locked_at: dict[tuple[str, Venue, int], list[int]] = {}
    for index, section in enumerate(instance.locked):
        if locked_room[index] > 0:
            key = (section.track, section.location)
            locked_starts[key] = locked_starts.get(key, 0) | 1 << section.start
            locked_at.setdefault((section.track, section.location, section.start), []).append(index)

    types_by_key: dict[tuple[object, ...], ParticipantType] = {}
    unreachable: list[Participant] = []
    for person, person_starts, all_kinds in reachable:
        reachable_kinds = [kind for kind in all_kinds if kind not in useless]
        reachable_locked: list[int] = []
        for venue in person.venues():
            common = person_starts & locked_starts.get((person.track, venue), 0)
            for start in bits(common):
                reachable_locked.extend(locked_at[(person.track, venue, start)])
        reachable_locked.sort()
        if not reachable_kinds and not reachable_locked:
            unreachable.append(person)
            continue
        sorted_kinds = tuple(sorted(reachable_kinds))
        type_key = (person.priority, sorted_kinds, tuple(reachable_locked))
        person_type = types_by_key.get(type_key)
        if person_type is None:
            person_type = ParticipantType(
                priority=person.priority,
                kinds=sorted_kinds,
                locked=tuple(reachable_locked),
                members=[],
            )
            types_by_key[type_key] = person_type
        person_type.members.append(person.id)

    return Problem(
        instance=instance,
        kinds=kinds,
        kind_facilitators=kind_facilitators,
        facilitator_kinds=facilitator_kinds,
        facilitator_capacity=facilitator_capacity,
        types=list(types_by_key.values()),
        locked_room=locked_room,
        fixed_objective=fixed_objective,
        unreachable=unreachable,
    )
