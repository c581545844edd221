"""A plain greedy baseline, for the benchmark only.

Facilitators are taken in the order given; each opens, one after another, the section (start,
track, venue) that the most still-unplaced people could join, and fills it to the maximum. This
is what a careful organizer would do by hand, and what the solver is measured against.
"""

from __future__ import annotations

import time

from cohortkit.scheduling.solver.availability import conflicting_starts_mask
from cohortkit.scheduling.solver.bound import flow_bound
from cohortkit.scheduling.solver.model import Instance, Solution, Unplaced
from cohortkit.scheduling.solver.plan import Plan, kind_types, materialize
from cohortkit.scheduling.solver.prepare import prepare
from cohortkit.scheduling.solver.reasons import unplaced_reasons


def greedy_solve(instance: Instance) -> Solution:
    """A valid solution built by the plain greedy rule (no search, no time limit)."""
    started = time.monotonic()
    problem = prepare(instance)
    section_min, section_max = instance.section_min, instance.section_max
    week, meeting = instance.slots_per_week, instance.meeting_slots
    remaining = [person_type.count for person_type in problem.types]
    types_of_kind = kind_types(problem)
    plan = Plan()

    for facilitator, options in enumerate(problem.facilitator_kinds):
        blocked = 0
        for _ in range(problem.facilitator_capacity[facilitator]):
            best_kind, best_demand = -1, 0
            for kind in options:
                if blocked >> problem.kinds[kind].start & 1:
                    continue
                demand = sum(remaining[index] for index in types_of_kind[kind])
                if demand > best_demand:
                    best_kind, best_demand = kind, demand
            if best_demand < section_min:
                break
            seats = section_max
            for index in types_of_kind[best_kind]:
                taken = min(seats, remaining[index])
                if taken:
                    plan.joins[(index, best_kind)] = plan.joins.get((index, best_kind), 0) + taken
                    remaining[index] -= taken
                    seats -= taken
                if seats == 0:
                    break
            plan.opened.append((facilitator, best_kind))
            blocked |= conflicting_starts_mask(problem.kinds[best_kind].start, week, meeting)

    sections, placed = materialize(problem, plan)
    left_out = [person for person in instance.participants if person.id not in placed]
    reasons = unplaced_reasons(instance, sections, left_out)
    value = plan.objective(problem)
    bound = max(flow_bound(problem), value)
    return Solution(
        sections=tuple(sections),
        unplaced=tuple(Unplaced(person.id, reasons[person.id]) for person in left_out),
        objective=value,
        bound=bound,
        status="optimal" if value == bound else "feasible",
        seconds=time.monotonic() - started,
    )
