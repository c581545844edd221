"""The solver's entry point: :func:`solve`.

How it works, and why:

1. **Aggregate** (:mod:`prepare`): sections become *kinds* (start, track, venue) and people with
   the same options become *types*, so the model does not grow with every individual.
2. **Bound** (:mod:`bound`): a min-cost flow relaxation gives a proven upper bound in well under a
   second even at 10,000 people, independently of how far the search gets.
3. **Warm start** (:func:`plan.construct`): a greedy plan, typically 95-99% of the optimum.
4. **Improve** by large-neighbourhood search (:mod:`lns`): each step rebuilds a few time windows
   of one track, or everything a few facilitators could lead, exactly with CP-SAT, hinted by
   the current plan. On a small instance that stalls below the bound, CP-SAT then gets the whole
   model, started from the search's plan, which can also prove a tighter bound than the flow.
5. **Finish**: the plan is split into concrete sections and every unplaced person gets a reason.

All of it, model building included, runs within ``time_limit`` (a little is kept back for the
finishing step).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cohortkit.scheduling.solver.bound import flow_bound
from cohortkit.scheduling.solver.cpsat import Group, SubHint, SubProblem, solve_subproblem
from cohortkit.scheduling.solver.lns import NeighbourhoodSearch, Schedule
from cohortkit.scheduling.solver.model import Instance, Progress, Solution, Unplaced
from cohortkit.scheduling.solver.plan import Plan, construct, materialize
from cohortkit.scheduling.solver.prepare import Problem, prepare
from cohortkit.scheduling.solver.reasons import unplaced_reasons

# Up to this many (type, kind) head-count variables, CP-SAT on the whole model can still prove a
# bound tighter than the flow's within seconds; above it, it cannot (measured: 25% of the
# optimum at 10,000 people in 60 s), so large instances rely on the search and the flow bound.
WHOLE_MODEL_LIMIT = 6_000
# On a small instance the search gets this share of the time, or stops after this many steps
# without improvement, before CP-SAT on the whole model tries to close the gap to the bound.
SEARCH_SHARE_WHEN_SMALL = 0.5
STALLED_STEPS = 150


def _finishing_reserve(instance: Instance) -> float:
    """Seconds kept back to split the plan into sections and explain the unplaced."""
    # Measured: about 0.2 s at 10,000 people; kept generous so the limit holds on a busy machine.
    return 0.1 + 6e-5 * len(instance.participants)


def _whole_problem(problem: Problem, plan: Plan) -> tuple[SubProblem, SubHint]:
    """The whole problem as one CP-SAT neighbourhood (one group per type), hinted by ``plan``."""
    groups = [
        Group(
            priority=person_type.priority,
            kinds=person_type.kinds,
            locked=person_type.locked,
            free=person_type.count,
            members=[(index, person_type.count)],
        )
        for index, person_type in enumerate(problem.types)
    ]
    sub = SubProblem(
        options={
            facilitator: list(kinds) for facilitator, kinds in enumerate(problem.facilitator_kinds)
        },
        sections_left=dict(enumerate(problem.facilitator_capacity)),
        groups=groups,
        locked_room={index: room for index, room in enumerate(problem.locked_room) if room > 0},
    )
    hint = SubHint(
        opened=set(plan.opened), joins=dict(plan.joins), locked_joins=dict(plan.locked_joins)
    )
    return sub, hint


def _improve_whole(
    problem: Problem,
    plan: Plan,
    value: int,
    bound: int,
    deadline: float,
    seed: int,
    report: Callable[[int, int, str], None],
) -> tuple[Plan, int, int]:
    """Run CP-SAT on the whole model from ``plan``; returns the better plan, value and bound."""
    sub, hint = _whole_problem(problem, plan)
    offset = problem.fixed_objective

    def on_solution(found: int, found_bound: int) -> None:
        report(offset + found, min(bound, offset + found_bound), "exact")

    result = solve_subproblem(
        problem,
        sub,
        hint=hint,
        time_limit=deadline - time.monotonic(),
        seed=seed,
        on_solution=on_solution,
    )
    if result is None:
        return plan, value, bound
    bound = min(bound, offset + result.bound)
    if offset + result.value <= value:
        return plan, value, bound
    better = Plan(
        opened=result.opened,
        joins={
            (sub.groups[group].members[0][0], kind): count
            for (group, kind), count in result.joins.items()
        },
        locked_joins={
            (sub.groups[group].members[0][0], locked): count
            for (group, locked), count in result.locked_joins.items()
        },
    )
    return better, better.objective(problem), bound


def solve(
    instance: Instance,
    *,
    time_limit: float,
    progress: Callable[[Progress], None] | None = None,
    seed: int = 0,
) -> Solution:
    """Form sections for ``instance`` within ``time_limit`` seconds of wall-clock time.

    Returns a solution that obeys every hard rule of the contract, keeps the locked sections
    (filling their free places), gives every unplaced participant a reason, and reports a proven
    ``bound``; ``status`` is ``optimal`` when the objective reaches it. ``progress`` is called
    with the placed total priority, the bound and the elapsed seconds whenever they change.
    The same instance and seed give the same answer when the search is not cut short by time.
    """
    started = time.monotonic()
    deadline = started + time_limit - _finishing_reserve(instance)

    def report(placed: int, bound: int, phase: str) -> None:
        if progress is not None:
            progress(Progress(placed, bound, time.monotonic() - started, phase))

    problem = prepare(instance)
    bound = flow_bound(problem)
    plan = construct(problem, seed=seed)
    value = plan.objective(problem)
    report(value, bound, "greedy")

    if value < bound:
        # Search first: on our benchmarks it beats CP-SAT on the whole model at every size.
        schedule = Schedule(problem, plan)
        search = NeighbourhoodSearch(problem, schedule, seed=seed)
        head_count_variables = sum(len(person_type.kinds) for person_type in problem.types)
        small = head_count_variables <= WHOLE_MODEL_LIMIT
        search.run(
            deadline=started + SEARCH_SHARE_WHEN_SMALL * time_limit if small else deadline,
            bound=bound,
            on_improvement=lambda placed: report(placed, bound, "search"),
            give_up_after=STALLED_STEPS if small else None,
        )
        plan = schedule.to_plan()
        value = schedule.value
        if value < bound and small:
            # The flow bound may be loose (it ignores overlaps and minimum sizes); CP-SAT on
            # the whole model, started from the search's plan, can close the gap and prove it.
            plan, value, bound = _improve_whole(problem, plan, value, bound, deadline, seed, report)

    sections, placed = materialize(problem, plan)
    left_out = [person for person in instance.participants if person.id not in placed]
    reasons = unplaced_reasons(instance, sections, left_out)
    bound = max(bound, value)
    seconds = time.monotonic() - started
    report(value, bound, "done")
    return Solution(
        sections=tuple(sections),
        unplaced=tuple(Unplaced(person.id, reasons[person.id]) for person in left_out),
        objective=value,
        bound=bound,
        status="optimal" if value == bound else "feasible",
        seconds=seconds,
    )
