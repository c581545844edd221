"""A proven upper bound on the total priority that can be placed, from a min-cost flow.

The flow relaxes the problem: each facilitator offers ``section_max`` seats at every kind they may
open and ``max_sections * section_max`` seats in all, ignoring that sections must not overlap and
must reach the minimum size. Every real schedule is such a flow, so the best flow is an upper
bound. On planted instances the bound is exact, which is why the benchmark can prove optimality.
"""

from __future__ import annotations

from ortools.graph.python import min_cost_flow

from cohortkit.scheduling.solver.prepare import Problem


def _max_non_overlapping_starts(starts: list[int], slots_per_week: int, meeting_slots: int) -> int:
    """At least as many meetings from ``starts`` as fit without overlapping.

    Earliest-end greedy is exact on a line; the week is a circle, where a meeting that wraps
    conflicts with more starts, so the line's count is an upper bound there.
    """
    count = 0
    last_end = -1
    for start in sorted(set(starts)):
        if start >= last_end:
            count += 1
            last_end = start + meeting_slots
    return count


def flow_bound(problem: Problem) -> int:
    """An upper bound on the objective, including the priority already fixed in locked sections."""
    return flow_relaxation(problem)[0]


def flow_relaxation(problem: Problem) -> tuple[int, set[tuple[int, int]]]:
    """The flow bound and the (facilitator, kind) pairs its best flow uses.

    The pairs are where the relaxation would open sections: a neighbourhood search that leans
    towards them (as a relaxation-induced neighbourhood) finds the optimum of a tight relaxation
    sooner.
    """
    instance = problem.instance
    section_max = instance.section_max
    total_people = sum(person_type.count for person_type in problem.types)
    if total_people == 0:
        return problem.fixed_objective, set()

    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    type_node = 2
    kind_node = type_node + len(problem.types)
    facilitator_node = kind_node + len(problem.kinds)
    locked_node = facilitator_node + len(problem.facilitator_kinds)

    for index, person_type in enumerate(problem.types):
        flow.add_arc_with_capacity_and_unit_cost(
            source, type_node + index, person_type.count, -person_type.priority
        )
        for kind in person_type.kinds:
            flow.add_arc_with_capacity_and_unit_cost(
                type_node + index, kind_node + kind, person_type.count, 0
            )
        for locked in person_type.locked:
            flow.add_arc_with_capacity_and_unit_cost(
                type_node + index, locked_node + locked, person_type.count, 0
            )
    week = instance.slots_per_week
    seat_arcs: list[tuple[tuple[int, int], int]] = []
    for facilitator, kinds in enumerate(problem.facilitator_kinds):
        if not kinds:
            continue
        for kind in kinds:
            arc = flow.add_arc_with_capacity_and_unit_cost(
                kind_node + kind, facilitator_node + facilitator, section_max, 0
            )
            seat_arcs.append(((facilitator, kind), arc))
        starts = [problem.kinds[kind].start for kind in kinds]
        sections = min(
            problem.facilitator_capacity[facilitator],
            _max_non_overlapping_starts(starts, week, instance.meeting_slots),
        )
        flow.add_arc_with_capacity_and_unit_cost(
            facilitator_node + facilitator, sink, sections * section_max, 0
        )
    for index, room in enumerate(problem.locked_room):
        if room > 0:
            flow.add_arc_with_capacity_and_unit_cost(locked_node + index, sink, room, 0)
    # Nobody has to be placed: this arc lets the rest of the supply skip to the sink.
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total_people, 0)
    flow.set_node_supply(source, total_people)
    flow.set_node_supply(sink, -total_people)
    status = flow.solve()
    if status != flow.OPTIMAL:
        # Cannot happen for a well-formed network; fall back to the trivial bound.
        return problem.fixed_objective + problem.free_priority, set()
    used = {pair for pair, arc in seat_arcs if flow.flow(arc) > 0}
    return problem.fixed_objective - int(flow.optimal_cost()), used
