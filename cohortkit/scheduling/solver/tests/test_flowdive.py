"""The flow dive (rounding the flow relaxation) and the greedy that completes a plan: every plan
keeps the rules, never exceeds the optimum, and the dive improves on the greedy where the greedy
spends scarce facilitators on popular times. Work is counted, never timed."""

from __future__ import annotations

import itertools

import pytest

from cohortkit.scheduling.solver.bound import flow_bound
from cohortkit.scheduling.solver.flowdive import VARIANTS, flow_dive
from cohortkit.scheduling.solver.generate import FAMILIES, generate_instance
from cohortkit.scheduling.solver.instance_io import parse_instance
from cohortkit.scheduling.solver.model import Solution, Unplaced
from cohortkit.scheduling.solver.plan import Plan, construct, materialize, plan_is_valid
from cohortkit.scheduling.solver.prepare import prepare
from cohortkit.scheduling.solver.reasons import unplaced_reasons
from cohortkit.scheduling.solver.tests.builders import TUESDAY_18, instance_data, leader, person
from cohortkit.scheduling.solver.validate import validate_solution

LATER = TUESDAY_18 + 10


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize(("share", "reward"), VARIANTS)
def test_dive_plans_are_valid_and_within_the_bound(family, share, reward):
    generated = generate_instance(200, seed=4, family=family)
    problem = prepare(generated.instance)

    plan = flow_dive(problem, share=share, reward=reward)

    assert plan is not None
    assert plan_is_valid(problem, plan)
    assert plan.objective(problem) <= flow_bound(problem) == generated.optimum
    instance = generated.instance
    sections, placed = materialize(problem, plan)
    left_out = [person for person in instance.participants if person.id not in placed]
    reasons = unplaced_reasons(instance, sections, left_out)
    objective = plan.objective(problem)
    solution = Solution(
        sections=tuple(sections),
        unplaced=tuple(Unplaced(person.id, reasons[person.id]) for person in left_out),
        objective=objective,
        bound=generated.optimum,
        status="optimal" if objective == generated.optimum else "feasible",
        seconds=0.0,
    )
    assert validate_solution(instance, solution) == []


def _brute_force_optimum(instance):
    """The optimum of a tiny instance by trying every set of openings (then a greedy is exact,
    as each person here has one time)."""
    problem = prepare(instance)
    pairs = [
        (facilitator, kind)
        for facilitator, kinds in enumerate(problem.facilitator_kinds)
        for kind in kinds
    ]
    best = 0
    for size in range(len(pairs) + 1):
        for opened in itertools.combinations(pairs, size):
            plan = construct(problem, start=Plan(opened=list(opened)))
            if plan_is_valid(problem, plan):
                best = max(best, plan.objective(problem))
    return best


def test_dive_finds_the_brute_force_optimum():
    """Six people at 18:00 and five at 23:00; one facilitator can lead only 18:00, the other
    either time: the dive must send the flexible one to 23:00."""
    early = [person(f"e{number}") for number in range(6)]
    late = [person(f"l{number}", available=((LATER, LATER + 2),)) for number in range(5)]
    only_early = leader("f1", available=((TUESDAY_18, TUESDAY_18 + 2),))
    either = leader("f2", available=((TUESDAY_18, TUESDAY_18 + 2), (LATER, LATER + 2)))
    instance = parse_instance(
        instance_data(early + late, [only_early, either], section_min=2, section_max=6)
    )
    problem = prepare(instance)

    plan = flow_dive(problem, share=1)

    assert plan is not None and plan_is_valid(problem, plan)
    assert plan.objective(problem) == _brute_force_optimum(instance) == 11


def test_construct_completes_a_plan_without_undoing_it():
    generated = generate_instance(150, seed=2)
    problem = prepare(generated.instance)
    full = construct(problem)
    half = Plan(opened=full.opened[: len(full.opened) // 2])

    completed = construct(problem, start=half)

    assert plan_is_valid(problem, completed)
    assert set(half.opened) <= set(completed.opened)
    assert completed.objective(problem) <= flow_bound(problem)
