"""A schedule in aggregated form, the constructive heuristic, and turning a plan into sections.

A :class:`Plan` says which facilitator opens which kind of section and how many people of each type
join each kind (or each locked section). Any plan whose per-kind head count lies between
``sections * min`` and ``sections * max`` can be split into valid sections, which
:func:`materialize` does.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field

from cohortkit.scheduling.solver.availability import conflicting_starts_mask
from cohortkit.scheduling.solver.model import Section
from cohortkit.scheduling.solver.prepare import Problem


@dataclass
class Plan:
    """Opened sections and head counts per (type, kind) and per (type, locked section)."""

    opened: list[tuple[int, int]] = field(default_factory=list)
    joins: dict[tuple[int, int], int] = field(default_factory=dict)
    locked_joins: dict[tuple[int, int], int] = field(default_factory=dict)

    def objective(self, problem: Problem) -> int:
        """Total priority placed, including the members already in locked sections."""
        placed = sum(
            problem.types[person_type].priority * count
            for (person_type, _), count in self.joins.items()
        )
        placed += sum(
            problem.types[person_type].priority * count
            for (person_type, _), count in self.locked_joins.items()
        )
        return problem.fixed_objective + placed


def kind_types(problem: Problem) -> list[list[int]]:
    """For each kind, the participant types that may join it."""
    result: list[list[int]] = [[] for _ in problem.kinds]
    for index, person_type in enumerate(problem.types):
        for kind in person_type.kinds:
            result[kind].append(index)
    return result


def construct(problem: Problem, *, seed: int = 0, start: Plan | None = None) -> Plan:
    """A good first plan, built greedily.

    Repeatedly opens a section of the kind with the most people still waiting for it, led by the
    least flexible facilitator who can lead it, filled first with the people who have the fewest
    other options. Locked sections are filled first, the same way. With ``start`` (a valid plan)
    the greedy only adds to it: sections of the people ``start`` leaves waiting, led with the
    capacity it leaves free.
    """
    instance = problem.instance
    rng = random.Random(seed)
    section_min, section_max = instance.section_min, instance.section_max
    week, meeting = instance.slots_per_week, instance.meeting_slots
    remaining = [person_type.count for person_type in problem.types]
    flexibility = [
        len(person_type.kinds) + len(person_type.locked) for person_type in problem.types
    ]
    plan = Plan()
    if start is not None:
        plan = Plan(
            opened=list(start.opened),
            joins=dict(start.joins),
            locked_joins=dict(start.locked_joins),
        )
        for (type_index, _), count in (*start.joins.items(), *start.locked_joins.items()):
            remaining[type_index] -= count

    locked_room = list(problem.locked_room)
    for (_, locked), count in plan.locked_joins.items():
        locked_room[locked] -= count
    locked_candidates: list[list[int]] = [[] for _ in problem.locked_room]
    for index, person_type in enumerate(problem.types):
        for locked in person_type.locked:
            locked_candidates[locked].append(index)
    for locked, room in enumerate(locked_room):
        for type_index in sorted(
            locked_candidates[locked],
            key=lambda index: (-problem.types[index].priority, flexibility[index]),
        ):
            if room <= 0:
                break
            taken = min(room, remaining[type_index])
            if taken:
                plan.locked_joins[(type_index, locked)] = (
                    plan.locked_joins.get((type_index, locked), 0) + taken
                )
                remaining[type_index] -= taken
                room -= taken

    types_of_kind = kind_types(problem)
    demand = [sum(remaining[index] for index in members) for members in types_of_kind]
    facilitator_flexibility = [
        len({problem.kinds[kind].start for kind in kinds}) for kinds in problem.facilitator_kinds
    ]
    sections_left = list(problem.facilitator_capacity)
    blocked = [0] * len(problem.facilitator_kinds)
    for facilitator, kind in plan.opened:
        sections_left[facilitator] -= 1
        blocked[facilitator] |= conflicting_starts_mask(problem.kinds[kind].start, week, meeting)

    if start is not None:
        # Free seats in the sections ``start`` opened go to the people it leaves waiting.
        seats_of_kind: dict[int, int] = {}
        for _, kind in plan.opened:
            seats_of_kind[kind] = seats_of_kind.get(kind, 0) + section_max
        for (_, kind), count in plan.joins.items():
            seats_of_kind[kind] -= count
        for kind, seats in seats_of_kind.items():
            for type_index in sorted(
                types_of_kind[kind],
                key=lambda index: (-problem.types[index].priority, flexibility[index]),
            ):
                if seats <= 0:
                    break
                taken = min(seats, remaining[type_index])
                if not taken:
                    continue
                seats -= taken
                remaining[type_index] -= taken
                key = (type_index, kind)
                plan.joins[key] = plan.joins.get(key, 0) + taken
                for other_kind in problem.types[type_index].kinds:
                    demand[other_kind] -= taken

    heap = [
        (-min(section_max, demand[kind]), rng.random(), kind)
        for kind in range(len(problem.kinds))
        if demand[kind] >= section_min
    ]
    heapq.heapify(heap)
    while heap:
        negative_value, tie, kind = heapq.heappop(heap)
        value = min(section_max, demand[kind])
        if value < -negative_value:
            if value >= section_min:
                heapq.heappush(heap, (-value, tie, kind))
            continue
        kind_start = problem.kinds[kind].start
        leaders = [
            facilitator
            for facilitator in problem.kind_facilitators[kind]
            if sections_left[facilitator] > 0 and not blocked[facilitator] >> kind_start & 1
        ]
        if not leaders:
            continue
        leader = min(leaders, key=lambda facilitator: facilitator_flexibility[facilitator])
        seats = section_max
        for type_index in sorted(
            types_of_kind[kind],
            key=lambda index: (-problem.types[index].priority, flexibility[index]),
        ):
            if seats == 0:
                break
            taken = min(seats, remaining[type_index])
            if not taken:
                continue
            seats -= taken
            remaining[type_index] -= taken
            key = (type_index, kind)
            plan.joins[key] = plan.joins.get(key, 0) + taken
            for other_kind in problem.types[type_index].kinds:
                demand[other_kind] -= taken
        plan.opened.append((leader, kind))
        sections_left[leader] -= 1
        blocked[leader] |= conflicting_starts_mask(kind_start, week, meeting)
        value = min(section_max, demand[kind])
        if value >= section_min:
            heapq.heappush(heap, (-value, rng.random(), kind))
    return plan


def materialize(problem: Problem, plan: Plan) -> tuple[list[Section], set[str]]:
    """Concrete sections for ``plan`` (locked ones first, in their order) and the placed ids.

    People of a type are interchangeable, so members are taken from each type in order, and the
    people of each kind are spread over its sections as evenly as possible, which keeps every
    section within ``[min, max]`` whenever the kind's head count is.
    """
    instance = problem.instance
    pools = [list(person_type.members) for person_type in problem.types]
    placed: set[str] = set()

    locked_additions: list[list[str]] = [[] for _ in instance.locked]
    for (person_type, locked), count in sorted(plan.locked_joins.items()):
        taken, pools[person_type] = pools[person_type][:count], pools[person_type][count:]
        locked_additions[locked].extend(taken)
    sections: list[Section] = []
    for index, locked_section in enumerate(instance.locked):
        members = (*locked_section.participants, *locked_additions[index])
        placed.update(members)
        sections.append(
            Section(
                facilitator=locked_section.facilitator,
                start=locked_section.start,
                track=locked_section.track,
                location=locked_section.location,
                participants=members,
            )
        )

    people_of_kind: dict[int, list[str]] = {}
    for (person_type, kind), count in sorted(plan.joins.items()):
        taken, pools[person_type] = pools[person_type][:count], pools[person_type][count:]
        people_of_kind.setdefault(kind, []).extend(taken)
    leaders_of_kind: dict[int, list[int]] = {}
    for facilitator, kind in plan.opened:
        leaders_of_kind.setdefault(kind, []).append(facilitator)

    new_sections: list[Section] = []
    for kind, leaders in leaders_of_kind.items():
        people = people_of_kind.get(kind, [])
        count = len(leaders)
        share, extra = divmod(len(people), count)
        position = 0
        for number, facilitator in enumerate(sorted(leaders)):
            size = share + (1 if number < extra else 0)
            members = tuple(people[position : position + size])
            position += size
            if not members:
                continue
            placed.update(members)
            details = problem.kinds[kind]
            new_sections.append(
                Section(
                    facilitator=instance.facilitators[facilitator].id,
                    start=details.start,
                    track=details.track,
                    location=details.venue,
                    participants=members,
                )
            )
    new_sections.sort(key=lambda section: (section.start, section.track, section.facilitator))
    return sections + new_sections, placed


def plan_is_valid(problem: Problem, plan: Plan) -> bool:
    """Whether ``plan`` keeps every rule of the aggregated problem (so it can be materialized).

    Plans that come from another solver (HiGHS's, through floating point) are checked with this
    before they are adopted.
    """
    instance = problem.instance
    week, meeting = instance.slots_per_week, instance.meeting_slots
    sections_of: dict[int, list[int]] = {}
    sections_of_kind: dict[int, int] = {}
    for facilitator, kind in plan.opened:
        if not 0 <= facilitator < len(problem.facilitator_kinds):
            return False
        if kind not in problem.facilitator_kinds[facilitator]:
            return False
        sections_of.setdefault(facilitator, []).append(kind)
        sections_of_kind[kind] = sections_of_kind.get(kind, 0) + 1
    for facilitator, kinds in sections_of.items():
        if len(kinds) > problem.facilitator_capacity[facilitator]:
            return False
        blocked = 0
        for kind in kinds:
            start = problem.kinds[kind].start
            if blocked >> start & 1:
                return False
            blocked |= conflicting_starts_mask(start, week, meeting)
    placed = [0] * len(problem.types)
    head_count: dict[int, int] = {}
    for (person_type, kind), count in plan.joins.items():
        if count < 0 or kind not in problem.types[person_type].kinds:
            return False
        placed[person_type] += count
        head_count[kind] = head_count.get(kind, 0) + count
    locked_count: dict[int, int] = {}
    for (person_type, locked), count in plan.locked_joins.items():
        if count < 0 or locked not in problem.types[person_type].locked:
            return False
        placed[person_type] += count
        locked_count[locked] = locked_count.get(locked, 0) + count
    if any(
        count > person_type.count for count, person_type in zip(placed, problem.types, strict=True)
    ):
        return False
    if any(count > problem.locked_room[locked] for locked, count in locked_count.items()):
        return False
    for kind in set(head_count) | set(sections_of_kind):
        sections = sections_of_kind.get(kind, 0)
        count = head_count.get(kind, 0)
        if not instance.section_min * sections <= count <= instance.section_max * sections:
            return False
    return True
