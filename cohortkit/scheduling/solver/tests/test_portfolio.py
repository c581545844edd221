"""The portfolio's pieces: HiGHS closes small instances exactly, its bound is shared, a stop keeps
the best plan, and the command line budgets the whole process. No test here depends on how fast
the machine is: work is bounded by steps and node counts, time limits are far away."""

from __future__ import annotations

import json

import pytest

from cohortkit.scheduling.solver.bound import flow_bound
from cohortkit.scheduling.solver.cli import main, seconds_since_process_start
from cohortkit.scheduling.solver.flowdive import VARIANTS, flow_dive
from cohortkit.scheduling.solver.generate import FAMILIES, generate_instance
from cohortkit.scheduling.solver.instance_io import parse_instance
from cohortkit.scheduling.solver.milp import HighsProcess, build_program
from cohortkit.scheduling.solver.model import Solution, Unplaced
from cohortkit.scheduling.solver.plan import construct, plan_is_valid
from cohortkit.scheduling.solver.prepare import prepare
from cohortkit.scheduling.solver.solve import solve
from cohortkit.scheduling.solver.tests.builders import TUESDAY_18, instance_data, leader, person
from cohortkit.scheduling.solver.validate import validate_solution

FAR = 600.0  # A time limit no test reaches: the work is bounded by steps or nodes instead.
LATER = TUESDAY_18 + 10


def _loose_flow_instance():
    """One facilitator with room for one section, and five people at each of two times.

    The flow relaxation spreads the facilitator's eight seats over both times (bound 8); only the
    exact model knows that one section at one time places at most five.
    """
    early = [person(f"e{number}") for number in range(5)]
    late = [person(f"l{number}", available=((LATER, LATER + 2),)) for number in range(5)]
    facilitator = leader("f1", available=((TUESDAY_18, TUESDAY_18 + 2), (LATER, LATER + 2)))
    return parse_instance(instance_data(early + late, [facilitator], section_min=2, section_max=8))


def test_exact_model_proves_the_optimum_the_flow_bound_cannot():
    instance = _loose_flow_instance()
    assert flow_bound(prepare(instance)) == 8

    solution = solve(instance, time_limit=FAR, max_steps=3, exact_node_limit=1000)

    assert validate_solution(instance, solution) == []
    assert (solution.objective, solution.bound, solution.status) == (5, 5, "optimal")


def test_highs_shares_its_bound_and_a_valid_plan():
    instance = _loose_flow_instance()
    problem = prepare(instance)
    model, program = build_program(problem)
    worker = HighsProcess()
    try:
        worker.solve(model, program, time_limit=FAR, start=construct(problem), node_limit=1000)
        assert worker.finished.wait(FAR)
        found = worker.best_plan()
    finally:
        worker.close()

    assert worker.optimal
    assert worker.bound == 5
    assert found is not None
    plan, value = found
    assert value == 5 == plan.objective(problem)
    assert plan_is_valid(problem, plan)


def test_a_plan_that_breaks_a_rule_is_not_adopted():
    instance = _loose_flow_instance()
    problem = prepare(instance)
    plan = construct(problem)
    assert plan_is_valid(problem, plan)
    both_times = type(plan)(
        opened=[(0, kind) for kind in range(len(problem.kinds))],
        joins={
            (index, kind): 5
            for index, details in enumerate(problem.types)
            for kind in details.kinds
        },
    )

    assert not plan_is_valid(problem, both_times)


def test_stop_keeps_the_best_plan_so_far():
    generated = generate_instance(300, seed=3)
    problem = prepare(generated.instance)
    # The first plan is the best of the greedy and the roundings of the flow.
    dives = [flow_dive(problem, share=share, reward=reward) for share, reward in VARIANTS]
    first = max(
        plan.objective(problem) for plan in (construct(problem), *dives) if plan is not None
    )

    solution = solve(generated.instance, time_limit=FAR, stop=lambda: True)

    assert validate_solution(generated.instance, solution) == []
    assert solution.objective == first
    assert solution.bound == generated.optimum
    assert solution.status == ("optimal" if first == generated.optimum else "feasible")


def test_search_alone_and_portfolio_both_give_valid_plans_within_counted_steps():
    generated = generate_instance(300, seed=6)
    alone = solve(generated.instance, time_limit=FAR, exact=False, max_steps=12)
    both = solve(generated.instance, time_limit=FAR, max_steps=12, exact_node_limit=50)

    for solution in (alone, both):
        assert validate_solution(generated.instance, solution) == []
        assert solution.bound == generated.optimum
        assert 0.9 * generated.optimum <= solution.objective <= solution.bound


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_plants_a_valid_optimum(family):
    generated = generate_instance(150, seed=2, family=family)
    placed = {member for section in generated.planted for member in section.participants}
    planted = Solution(
        sections=generated.planted,
        unplaced=tuple(
            Unplaced(person.id, "unplaceable")
            for person in generated.instance.participants
            if person.id not in placed
        ),
        objective=generated.optimum,
        bound=generated.optimum,
        status="optimal",
        seconds=0.0,
    )

    assert validate_solution(generated.instance, planted) == []
    assert flow_bound(prepare(generated.instance)) == generated.optimum
    if family == "one-track":
        assert {person.track for person in generated.instance.participants} == {"intro"}


def test_usage_line_names_the_command(capsys):
    with pytest.raises(SystemExit):
        main(["solve", "--help"])

    assert capsys.readouterr().out.startswith("usage: cohortkit schedule solve ")


def test_progress_only_when_asked_or_on_a_terminal(tmp_path, capsys):
    path = tmp_path / "instance.json"
    path.write_text(
        json.dumps(instance_data([person(f"p{number}") for number in range(3)], [leader("f1")])),
        encoding="utf-8",
    )
    output = tmp_path / "solution.json"

    assert main(["solve", str(path), "-o", str(output), "--time-limit", "60"]) == 0
    assert capsys.readouterr().err == ""  # stderr is not a terminal here
    assert main(["solve", str(path), "-o", str(output), "--time-limit", "60", "--progress"]) == 0
    shown = capsys.readouterr().err.splitlines()
    assert "placed 3, bound 3" in shown[-1]
    assert main(["solve", str(path), "-o", str(output), "--time-limit", "60", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_the_clock_starts_with_the_process():
    assert seconds_since_process_start() > 0


def test_counted_work_gives_the_same_valid_plan_on_any_machine():
    # ``max_work`` bounds the search by CP-SAT's deterministic time, which the benchmark's
    # ``--work`` comparison relies on: two runs give the same plan, whatever the load.
    generated = generate_instance(200, seed=5, family=FAMILIES["venues"])

    first = solve(generated.instance, time_limit=FAR, max_work=0.3, exact_node_limit=0)
    second = solve(generated.instance, time_limit=FAR, max_work=0.3, exact_node_limit=0)

    assert validate_solution(generated.instance, first) == []
    assert first.objective == second.objective
    assert first.sections == second.sections
    assert 0.9 * generated.optimum <= first.objective <= first.bound == generated.optimum
