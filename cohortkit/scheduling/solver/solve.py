"""The solver's entry point: :func:`solve`.

How it works, and why:

1. **Aggregate** (:mod:`prepare`): sections become *kinds* (start, track, venue) and people with
   the same options become *types*, so the model does not grow with every individual.
2. **Bound** (:mod:`bound`): a min-cost flow relaxation gives a proven upper bound in well under a
   second even at 10,000 people, and the (facilitator, kind) pairs its flow uses.
3. **Warm start**: the better of a greedy plan (:func:`plan.construct`) and two roundings of the
   flow relaxation (:mod:`flowdive`), typically 93-99.7% of the optimum at 1,000 people.
4. **A portfolio on both cores**, sharing the best plan and the bound:

   * on one core, large-neighbourhood search (:mod:`lns`): each step rebuilds a few time windows
     of one track, or everything a few facilitators could lead, exactly with CP-SAT, hinted by
     the current plan and leaning towards the pairs the flow uses;
   * on the other, HiGHS on the whole aggregated program (:mod:`milp`, in a process of its own):
     its linear relaxation (often tighter than the flow), a dive that rounds it into a plan, then
     branch and bound started from the best plan known, which proves the optimum of a course-
     sized instance. Each side takes the other's better plans; the search stops at the bound.
5. **Finish**: the plan is split into concrete sections and every unplaced person gets a reason.

Everything, model building included, ends by the deadline (a little is kept back for the
finishing step); ``stop`` ends it early, keeping the best plan found so far.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable

from cohortkit.scheduling.solver.bound import flow_relaxation
from cohortkit.scheduling.solver.flowdive import FAST as FAST_DIVE
from cohortkit.scheduling.solver.flowdive import VARIANTS as DIVE_VARIANTS
from cohortkit.scheduling.solver.flowdive import flow_dive
from cohortkit.scheduling.solver.lns import NeighbourhoodSearch, Schedule
from cohortkit.scheduling.solver.milp import HighsProcess, build_program
from cohortkit.scheduling.solver.model import Instance, Progress, Solution, Unplaced
from cohortkit.scheduling.solver.plan import construct, materialize, plan_is_valid
from cohortkit.scheduling.solver.prepare import prepare
from cohortkit.scheduling.solver.reasons import unplaced_reasons

# Seconds one neighbourhood may take; short steps keep the plans flowing between the two sides.
STEP_SECONDS = 0.25
# With counted work (``max_steps`` or ``max_work``), a step's limit in CP-SAT's deterministic
# time instead.
STEP_WORK = 0.2
# HiGHS's branch and bound runs only on programs up to this many columns (measured: it proves
# 300-person one-track terms, 3,700 columns, in seconds, and stalls in its root cuts at 1,000
# people, 13,000 columns); on larger ones HiGHS stops after its dives and the search gets both
# cores.
BRANCH_COLUMNS = 8_000
# Above this many columns even HiGHS's linear relaxation takes longer than a run may (measured:
# 1,000 people, 13,000 columns, 0.5-1.5 s; 10,000 people, 145,000 columns, over 120 s), so
# HiGHS is left out and the search has both cores.
EXACT_COLUMNS = 40_000


# Share of the time limit the flow dive may take before the search starts.
DIVE_SHARE = 0.3


def _finishing_reserve(instance: Instance) -> float:
    """Seconds kept back to split the plan into sections and explain the unplaced."""
    # Measured: about 0.3 s at 10,000 people on a quiet machine and up to five times that under
    # a load of 11 on 2 cores; kept generous so the limit holds on a busy machine.
    return 0.2 + 1.5e-4 * len(instance.participants)


def _start_worker() -> HighsProcess | None:
    try:
        return HighsProcess()
    except OSError:
        return None  # No second process here: the search runs alone.


def solve(
    instance: Instance,
    *,
    time_limit: float,
    progress: Callable[[Progress], None] | None = None,
    seed: int = 0,
    stop: Callable[[], bool] | None = None,
    exact: bool = True,
    max_steps: int | None = None,
    exact_node_limit: int | None = None,
    max_work: float | None = None,
) -> Solution:
    """Form sections for ``instance`` within ``time_limit`` seconds of wall-clock time.

    Returns a solution that obeys every hard rule of the contract, keeps the locked sections
    (filling their free places), gives every unplaced participant a reason, and reports a proven
    ``bound``; ``status`` is ``optimal`` when the objective reaches it. ``progress`` is called
    with the placed total priority, the bound and the elapsed seconds whenever they change.
    ``stop``, polled between steps, ends the run early with the best plan so far. ``exact=False``
    leaves HiGHS out (the search alone, on both cores). ``max_steps`` and ``exact_node_limit``
    bound the work by count instead of time, for tests that must not depend on the machine;
    ``max_work`` likewise bounds the search's total CP-SAT deterministic time (the fairest way to
    compare two searches: a cheap step costs little, as it does in seconds).
    """
    started = time.monotonic()
    deadline = started + time_limit - _finishing_reserve(instance)
    # Launch HiGHS's interpreter first: it starts while this process prepares the model.
    worker = _start_worker() if exact else None
    try:
        return _solve(
            instance,
            started,
            deadline,
            worker,
            progress,
            seed,
            stop,
            max_steps,
            exact_node_limit,
            max_work,
        )
    finally:
        if worker is not None:
            worker.close()


def _solve(
    instance: Instance,
    started: float,
    deadline: float,
    worker: HighsProcess | None,
    progress: Callable[[Progress], None] | None,
    seed: int,
    stop: Callable[[], bool] | None,
    max_steps: int | None,
    exact_node_limit: int | None,
    max_work: float | None,
) -> Solution:
    # Counted work (steps or CP-SAT's deterministic time) instead of seconds: the same plan on
    # any machine.
    counted = max_steps is not None or max_work is not None
    last_report: list[tuple[int, int]] = []

    def report(placed: int, bound: int, phase: str) -> None:
        if progress is not None and (phase == "done" or last_report[-1:] != [(placed, bound)]):
            last_report.append((placed, bound))
            progress(Progress(placed, bound, time.monotonic() - started, phase))

    problem = prepare(instance)
    bound, guide = flow_relaxation(problem)
    plan = construct(problem, seed=seed)
    if plan.objective(problem) < bound:
        # Rounding the flow takes longer than the greedy (0.1-0.3 s of processor time at 1,000
        # people) but is usually better (measured at 1,000: 92-99.7% of the optimum against
        # 88-98%); the ways of rounding differ, and the best plan is kept. They get a share of
        # the time; counted work (``max_steps``, ``max_work``) runs them to the end, so the
        # result does not depend on the machine.
        dive_deadline = None if counted else started + DIVE_SHARE * (deadline - started)
        # Past 3,000 people one rounding takes seconds; only the quickest is tried.
        variants = DIVE_VARIANTS if len(instance.participants) <= 3000 else (FAST_DIVE,)
        for share, reward in variants:
            dived = flow_dive(problem, share=share, reward=reward, deadline=dive_deadline)
            if dived is not None and dived.objective(problem) > plan.objective(problem):
                plan = dived
            if plan.objective(problem) >= bound:
                break
    schedule = Schedule(problem, plan)
    report(schedule.value, bound, "greedy")

    columns = sum(len(kinds) for kinds in problem.facilitator_kinds) + sum(
        len(person_type.kinds) + len(person_type.locked) for person_type in problem.types
    )
    if schedule.value < bound and worker is not None and columns <= EXACT_COLUMNS:
        model, program = build_program(problem)
        worker.solve(
            model,
            program,
            time_limit=max(0.05, deadline - time.monotonic()),
            start=plan,
            seed=seed,
            node_limit=exact_node_limit,
            branch_columns=BRANCH_COLUMNS,
        )
        if counted:
            # Counted work: HiGHS runs to its node limit before the search starts and is offered
            # nothing, so what it finds does not depend on how two processes' timing interleaves.
            worker.finished.wait(max(0.05, deadline - time.monotonic()))
    elif worker is not None:
        worker.close()
        worker = None
    # CP-SAT takes seconds to import on a busy machine: in a thread, waited for only until the
    # deadline, so the limit holds even when it is slow (HiGHS's plans are taken meanwhile).
    importer = threading.Thread(
        target=importlib.import_module, args=("ortools.sat.python.cp_model",), daemon=True
    )
    importer.start()
    search = NeighbourhoodSearch(
        problem, schedule, seed=seed, guide=guide, workers=1 if worker is not None else 2
    )
    if counted:
        search.step_work = STEP_WORK
    steps = 0
    while schedule.value < bound:
        if stop is not None and stop():
            break
        if worker is not None:
            found = worker.best_plan()
            if found is not None and found[1] > schedule.value and plan_is_valid(problem, found[0]):
                schedule = Schedule(problem, found[0])
                search.schedule = schedule
                report(schedule.value, bound, "exact")
            if worker.guide is not None and search.guide is not worker.guide:
                search.guide = worker.guide
            if worker.bound is not None and worker.bound < bound:
                bound = max(worker.bound, schedule.value)
                report(schedule.value, bound, "exact")
            if worker.finished.is_set():
                if worker.optimal and worker.best_value <= schedule.value:
                    bound = schedule.value
                    break
                if worker.best_plan() is None or worker.best_value <= schedule.value:
                    # HiGHS has ended (a node limit or a failure): the search gets both cores.
                    worker.close()
                    worker = None
                    search.workers = 2
            if schedule.value >= bound:
                break
        left = deadline - time.monotonic()
        if (
            left < 0.05
            or (max_steps is not None and steps >= max_steps)
            or (max_work is not None and search.work >= max_work)
        ):
            if worker is not None and counted and left >= 0.05 and not worker.finished.is_set():
                # Counted work: let HiGHS finish its (node-limited) run, then take its result.
                worker.finished.wait(left)
                continue
            break
        if importer.is_alive():
            importer.join(min(0.1, left))
            continue
        before = schedule.value
        if max_work is not None:
            search.step_work = min(STEP_WORK, max(max_work - search.work, 0.01))
        search.step(min(STEP_SECONDS if not counted else left, left), deadline=deadline)
        steps += 1
        if schedule.value > before:
            report(schedule.value, bound, "search")
            if worker is not None and not counted:
                worker.offer(schedule.to_plan(), schedule.value)

    if worker is not None:
        worker.stop()
    plan = schedule.to_plan()
    value = schedule.value
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
