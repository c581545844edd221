"""The CP-SAT model of (part of) the aggregated problem.

A :class:`SubProblem` is a neighbourhood of the current plan: some facilitators may open sections
of some kinds, some people are free to join them, and the rest of the plan is fixed. The whole
problem is the neighbourhood where everything is free. Free people who may join exactly the same
kinds here and have the same priority form one *group* with one head-count variable per kind,
which shrinks a neighbourhood's model a lot.

Variables: ``open[f, k]`` (facilitator ``f`` opens a section of kind ``k``), integer head counts
``join[g, k]`` for group ``g`` and kind ``k``, and ``join[g, l]`` for a locked section ``l``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cohortkit.scheduling.solver.prepare import Problem

if TYPE_CHECKING:
    from ortools.sat.python import cp_model


@dataclass
class Group:
    """Free people of one priority who may join the same kinds and locked sections here."""

    priority: int
    kinds: tuple[int, ...]
    locked: tuple[int, ...]
    free: int
    # (type, free count) of the participant types merged into this group.
    members: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class SubProblem:
    """The part of a plan a CP-SAT run may change; see the module docstring.

    ``options[f]`` are the kinds facilitator ``f`` may open here and ``sections_left[f]`` how many.
    ``fixed_sections[k]`` counts sections of kind ``k`` that stay, led by facilitators outside the
    neighbourhood; people who join kind ``k`` here fill those too. ``locked_room`` gives the free
    seats of locked sections that groups may join.
    """

    options: dict[int, list[int]]
    sections_left: dict[int, int]
    groups: list[Group]
    fixed_sections: dict[int, int] = field(default_factory=dict)
    locked_room: dict[int, int] = field(default_factory=dict)


@dataclass
class SubHint:
    """A known solution of a neighbourhood: opened (facilitator, kind) pairs, group head counts."""

    opened: set[tuple[int, int]]
    joins: dict[tuple[int, int], int]
    locked_joins: dict[tuple[int, int], int]


@dataclass
class SubResult:
    """The best solution CP-SAT found for a neighbourhood, its value and CP-SAT's bound."""

    opened: list[tuple[int, int]]
    joins: dict[tuple[int, int], int]
    locked_joins: dict[tuple[int, int], int]
    value: int
    bound: int
    optimal: bool
    # CP-SAT's deterministic time spent (machine-independent work, in its "seconds").
    work: float = 0.0


def _progress_reporter(report: Callable[[int, int], None]) -> Any:
    """A CP-SAT callback that forwards each improving solution's value and the current bound."""
    from ortools.sat.python import cp_model

    class ProgressReporter(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            report(round(self.objective_value), int(self.best_objective_bound + 1e-6))

    return ProgressReporter()


def solve_subproblem(
    problem: Problem,
    sub: SubProblem,
    *,
    hint: SubHint | None,
    time_limit: float,
    seed: int,
    workers: int = 2,
    on_solution: Callable[[int, int], None] | None = None,
    work_limit: float | None = None,
) -> SubResult | None:
    """Optimize the neighbourhood ``sub``; ``None`` if CP-SAT found no solution in time.

    ``hint``, when given, is passed to CP-SAT as a complete starting solution, so with a valid
    hint the result is never worse than it.
    """
    # CP-SAT takes two seconds to import (it brings pandas along): imported here, when the first
    # neighbourhood is solved, HiGHS is already working on the relaxation meanwhile.
    from ortools.sat.python import cp_model

    instance = problem.instance
    section_min, section_max = instance.section_min, instance.section_max
    week, meeting = instance.slots_per_week, instance.meeting_slots
    model = cp_model.CpModel()

    open_vars: dict[tuple[int, int], cp_model.IntVar] = {}
    leaders_of_kind: dict[int, list[cp_model.IntVar]] = {}
    for facilitator, kinds in sub.options.items():
        limit = sub.sections_left.get(facilitator, 0)
        if limit <= 0 or not kinds:
            continue
        by_start: dict[int, list[cp_model.IntVar]] = {}
        for kind in kinds:
            variable = model.new_bool_var("")
            open_vars[(facilitator, kind)] = variable
            leaders_of_kind.setdefault(kind, []).append(variable)
            by_start.setdefault(problem.kinds[kind].start, []).append(variable)
        # No two sections of one facilitator overlap: at most one start in any meeting-long run.
        for start in by_start:
            window = [
                variable
                for offset in range(meeting)
                for variable in by_start.get((start + offset) % week, [])
            ]
            if len(window) > 1:
                model.add_at_most_one(window)
        every = [variable for variables in by_start.values() for variable in variables]
        if len(every) > limit:
            model.add(sum(every) <= limit)

    joinable = set(leaders_of_kind) | {
        kind for kind, count in sub.fixed_sections.items() if count > 0
    }
    join_vars: dict[tuple[int, int], cp_model.IntVar] = {}
    locked_vars: dict[tuple[int, int], cp_model.IntVar] = {}
    joiners_of_kind: dict[int, list[cp_model.IntVar]] = {}
    link_caps: dict[int, int] = {}
    joiners_of_locked: dict[int, list[cp_model.IntVar]] = {}
    objective_terms: list[tuple[cp_model.IntVar, int]] = []
    for index, group in enumerate(sub.groups):
        if group.free <= 0:
            continue
        chosen: list[cp_model.IntVar] = []
        for kind in group.kinds:
            if kind not in joinable:
                continue
            ceiling = section_max * (
                sub.fixed_sections.get(kind, 0) + len(leaders_of_kind.get(kind, []))
            )
            variable = model.new_int_var(0, min(group.free, ceiling), "")
            join_vars[(index, kind)] = variable
            joiners_of_kind.setdefault(kind, []).append(variable)
            link_caps[variable.index] = min(group.free, section_max)
            chosen.append(variable)
        for locked in group.locked:
            room = sub.locked_room.get(locked, 0)
            if room <= 0:
                continue
            variable = model.new_int_var(0, min(group.free, room), "")
            locked_vars[(index, locked)] = variable
            joiners_of_locked.setdefault(locked, []).append(variable)
            chosen.append(variable)
        if len(chosen) > 1:
            model.add(sum(chosen) <= group.free)
        objective_terms.extend((variable, group.priority) for variable in chosen)

    for kind in joinable:
        joiners = joiners_of_kind.get(kind, [])
        fixed = sub.fixed_sections.get(kind, 0)
        leaders = leaders_of_kind.get(kind, [])
        if not joiners:
            if fixed > 0:
                return None  # Fixed sections of this kind could never be filled: not a valid sub.
            for variable in leaders:
                model.add(variable == 0)
            continue
        head_count = sum(joiners)
        sections = sum(leaders) + fixed
        model.add(head_count <= section_max * sections)
        model.add(head_count >= section_min * sections)
        if fixed == 0:
            # Redundant, but it makes the linear relaxation much tighter (as in facility
            # location): nobody joins a kind unless one of its sections is open.
            opened = sum(leaders)
            for variable in joiners:
                model.add(variable <= link_caps[variable.index] * opened)
    for locked, joiners in joiners_of_locked.items():
        model.add(sum(joiners) <= sub.locked_room[locked])

    if not objective_terms:
        return SubResult(opened=[], joins={}, locked_joins={}, value=0, bound=0, optimal=True)
    model.maximize(sum(priority * variable for variable, priority in objective_terms))

    if hint is not None:
        for key, variable in open_vars.items():
            model.add_hint(variable, 1 if key in hint.opened else 0)
        for key, variable in join_vars.items():
            model.add_hint(variable, hint.joins.get(key, 0))
        for key, variable in locked_vars.items():
            model.add_hint(variable, hint.locked_joins.get(key, 0))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    if work_limit is not None:
        # Counted work instead of seconds: the same answer on a fast or a busy machine.
        solver.parameters.max_deterministic_time = work_limit
        # Workers racing in parallel find different plans depending on the machine's timing;
        # interleaved, they take turns in a fixed order.
        solver.parameters.interleave_search = True
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    reporter = _progress_reporter(on_solution) if on_solution is not None else None
    status = solver.solve(model, reporter)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return SubResult(
        opened=[key for key, variable in open_vars.items() if solver.boolean_value(variable)],
        joins={
            key: value
            for key, variable in join_vars.items()
            if (value := int(solver.value(variable))) > 0
        },
        locked_joins={
            key: value
            for key, variable in locked_vars.items()
            if (value := int(solver.value(variable))) > 0
        },
        value=round(solver.objective_value),
        bound=int(solver.best_objective_bound + 1e-6),
        optimal=status == cp_model.OPTIMAL,
        work=solver.response_proto.deterministic_time,
    )
