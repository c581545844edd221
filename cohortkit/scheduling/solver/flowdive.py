"""A first plan by rounding the flow relaxation (a "dive" on the min-cost flow of :mod:`bound`).

The flow relaxation is exact on every generated family (its bound is the planted optimum), but
its flow spreads a facilitator's seats over several kinds. The dive rounds it: each round solves
the flow, then every facilitator who still has sections to give fixes the kind that carries the
most of their flow as a real section (which rules out the starts that overlap it); fixed sections
are seats of their own, with a small reward for reaching the minimum size. When no facilitator
can fix more, a last flow over the fixed sections only assigns the people; sections that stay
below the minimum are closed one at a time and the flow is solved again. Each round is one
min-cost flow (milliseconds in C++), so the dive takes a fraction of a second at 1,000 people and
a few seconds at 10,000, much less than rounding the linear program with HiGHS.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import min_cost_flow

from cohortkit.scheduling.solver.availability import conflicting_starts_mask
from cohortkit.scheduling.solver.bound import _max_non_overlapping_starts
from cohortkit.scheduling.solver.plan import Plan, construct
from cohortkit.scheduling.solver.prepare import Problem


class _Network:
    """The flow of every round, built once; a round only changes arc capacities.

    For every pair (facilitator ``f``, kind ``k``) that ``f`` may open there is a *seat* arc from
    ``k`` to ``f``'s node (open capacity, ``section_max`` while ``f`` may still choose ``k``) and
    a *section* node fed from ``k`` by two arcs, the first ``section_min`` seats rewarded, that has
    capacity only once (f, k) is fixed.
    """

    def __init__(self, problem: Problem, *, reward: bool) -> None:
        instance = problem.instance
        self.section_min, self.section_max = instance.section_min, instance.section_max
        self.pairs = [
            (facilitator, kind)
            for facilitator, kinds in enumerate(problem.facilitator_kinds)
            if problem.facilitator_capacity[facilitator] > 0
            for kind in kinds
        ]
        pairs = len(self.pairs)
        # Placing one unit of priority outweighs every reward for filling sections (without
        # rewards the costs are the priorities alone, and each flow solves several times faster).
        sections = sum(problem.facilitator_capacity)
        scale = (sections + 1) * self.section_min + 1 if reward else 1
        source, sink = 0, 1
        type_node = 2
        kind_node = type_node + len(problem.types)
        locked_node = kind_node + len(problem.kinds)
        facilitator_node = locked_node + len(problem.locked_room)
        section_node = facilitator_node + len(problem.facilitator_kinds)
        tails: list[int] = []
        heads: list[int] = []
        capacities: list[int] = []
        costs: list[int] = []

        def arc(tail: int, head: int, capacity: int, cost: int) -> int:
            tails.append(tail)
            heads.append(head)
            capacities.append(capacity)
            costs.append(cost)
            return len(tails) - 1

        total = 0
        self.join_arcs: list[tuple[int, int, int]] = []
        self.locked_arcs: list[tuple[int, int, int]] = []
        for index, person_type in enumerate(problem.types):
            total += person_type.count
            arc(source, type_node + index, person_type.count, -person_type.priority * scale)
            for kind in person_type.kinds:
                self.join_arcs.append(
                    (index, kind, arc(type_node + index, kind_node + kind, person_type.count, 0))
                )
            for locked in person_type.locked:
                if problem.locked_room[locked] > 0:
                    self.locked_arcs.append(
                        (
                            index,
                            locked,
                            arc(type_node + index, locked_node + locked, person_type.count, 0),
                        )
                    )
        for locked, room in enumerate(problem.locked_room):
            if room > 0:
                arc(locked_node + locked, sink, room, 0)
        arc(source, sink, total, 0)
        self.seat = np.empty(pairs, dtype=np.int64)
        self.rewarded = np.empty(pairs, dtype=np.int64)
        self.rest = np.empty(pairs, dtype=np.int64)
        for number, (facilitator, kind) in enumerate(self.pairs):
            self.seat[number] = arc(kind_node + kind, facilitator_node + facilitator, 0, 0)
            self.rewarded[number] = arc(
                kind_node + kind, section_node + number, 0, -1 if reward else 0
            )
            self.rest[number] = arc(kind_node + kind, section_node + number, 0, 0)
            arc(section_node + number, sink, self.section_max, 0)
        self.out = np.array(
            [
                arc(facilitator_node + facilitator, sink, 0, 0)
                for facilitator in range(len(problem.facilitator_kinds))
            ],
            dtype=np.int64,
        )
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            np.array(tails, dtype=np.int32),
            np.array(heads, dtype=np.int32),
            np.array(capacities, dtype=np.int64),
            np.array(costs, dtype=np.int64),
        )
        flow.set_node_supply(source, total)
        flow.set_node_supply(sink, -total)
        self.flow = flow

    def solve(
        self, seats: np.ndarray, fixed: np.ndarray, facilitator_seats: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Solve with the open pairs ``seats``, the fixed pairs ``fixed`` (boolean per pair) and
        each facilitator's open seats; the flow on each pair (seat or section), or None."""
        flow = self.flow
        flow.set_arc_capacities(self.seat, np.where(seats, self.section_max, 0))
        flow.set_arc_capacities(self.rewarded, np.where(fixed, self.section_min, 0))
        flow.set_arc_capacities(self.rest, np.where(fixed, self.section_max - self.section_min, 0))
        flow.set_arc_capacities(self.out, facilitator_seats)
        if flow.solve() != flow.OPTIMAL:
            return None
        return np.asarray(flow.flows(self.seat)), np.asarray(
            flow.flows(self.rewarded)
        ) + np.asarray(flow.flows(self.rest))


# The ways of rounding :func:`solve` tries, best first (measured at 1,000 people over the
# families: each is best on some instances, none on all; (2, True) most often). The first is the
# slowest (0.2-0.35 s of processor time at 1,000 people); FAST is the quickest (0.1 s).
VARIANTS: tuple[tuple[int, bool], ...] = ((2, True), (1, False), (2, False), (1, True))
FAST: tuple[int, bool] = (1, False)


def flow_dive(
    problem: Problem, *, share: int = 2, reward: bool = False, deadline: float | None = None
) -> Plan | None:
    """A plan that rounds the flow relaxation (always valid: the last step keeps only sections
    within the size limits). Each round fixes ``1/share`` of the facilitators' best kinds.

    ``None`` if the ``deadline`` (a ``time.monotonic`` value) passes first.
    """
    instance = problem.instance
    section_min, section_max = instance.section_min, instance.section_max
    week, meeting = instance.slots_per_week, instance.meeting_slots
    network = _Network(problem, reward=reward)
    pairs = network.pairs
    if not pairs:
        return Plan()
    facilitator_of = np.array([facilitator for facilitator, _ in pairs], dtype=np.int64)
    start_of = [problem.kinds[kind].start for _, kind in pairs]
    pairs_of: dict[int, list[int]] = {}
    for number, facilitator in enumerate(facilitator_of.tolist()):
        pairs_of.setdefault(facilitator, []).append(number)
    seats = np.ones(len(pairs), dtype=bool)
    fixed = np.zeros(len(pairs), dtype=bool)
    sections_left = {
        facilitator: problem.facilitator_capacity[facilitator] for facilitator in pairs_of
    }
    facilitator_seats = np.zeros(len(problem.facilitator_kinds), dtype=np.int64)
    blocked = [0] * len(problem.facilitator_kinds)

    def open_seats(facilitator: int) -> None:
        numbers = pairs_of[facilitator]
        starts = [start_of[number] for number in numbers if seats[number]]
        sections = min(
            sections_left.get(facilitator, 0), _max_non_overlapping_starts(starts, week, meeting)
        )
        facilitator_seats[facilitator] = sections * section_max

    for facilitator in pairs_of:
        open_seats(facilitator)
    while sections_left:
        if deadline is not None and time.monotonic() > deadline:
            return None
        result = network.solve(seats, fixed, facilitator_seats)
        if result is None:
            break
        seat_flow, _ = result
        candidates: list[tuple[int, int, int]] = []
        for facilitator in list(sections_left):
            numbers = pairs_of[facilitator]
            best = max(numbers, key=lambda number: seat_flow[number])
            if seat_flow[best] <= 0:
                # The relaxation has no use for this facilitator any more.
                del sections_left[facilitator]
                for number in numbers:
                    seats[number] = False
                facilitator_seats[facilitator] = 0
            else:
                candidates.append((int(seat_flow[best]), facilitator, best))
        if not candidates:
            break
        # Fix only the surest share: the next flow moves the rest around them.
        candidates.sort(reverse=True)
        for _, facilitator, best in candidates[: max(1, len(candidates) // share)]:
            fixed[best] = True
            blocked[facilitator] |= conflicting_starts_mask(start_of[best], week, meeting)
            sections_left[facilitator] -= 1
            for number in pairs_of[facilitator]:
                if seats[number] and (
                    sections_left[facilitator] == 0 or blocked[facilitator] >> start_of[number] & 1
                ):
                    seats[number] = False
            if sections_left[facilitator] == 0:
                del sections_left[facilitator]
            open_seats(facilitator)

    # Assign the people to the fixed sections; close those that stay too small, one at a time.
    seats[:] = False
    facilitator_seats[:] = 0
    network = _Network(problem, reward=True)
    while True:
        result = network.solve(seats, fixed, facilitator_seats)
        if result is None:
            return Plan()
        _, loads = result
        small = np.flatnonzero(fixed & (loads < section_min))
        if len(small) == 0:
            break
        fixed[small[np.argmin(loads[small])]] = False
    flow = network.flow
    plan = Plan(opened=[pairs[number] for number in np.flatnonzero(fixed & (loads > 0)).tolist()])
    join_flow = flow.flows(np.array([arc for _, _, arc in network.join_arcs], dtype=np.int64))
    for (person_type, kind, _), count in zip(network.join_arcs, join_flow.tolist(), strict=True):
        if count > 0:
            plan.joins[(person_type, kind)] = count
    if network.locked_arcs:
        locked_flow = flow.flows(
            np.array([arc for _, _, arc in network.locked_arcs], dtype=np.int64)
        )
        for (person_type, locked, _), count in zip(
            network.locked_arcs, locked_flow.tolist(), strict=True
        ):
            if count > 0:
                plan.locked_joins[(person_type, locked)] = count
    # Closing sections that stayed too small may have left capacity and people over: the
    # greedy opens what it can with them.
    return construct(problem, start=plan)
