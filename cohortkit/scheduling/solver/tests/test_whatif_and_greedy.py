"""What-if answers and the greedy baseline's validity."""

from __future__ import annotations

from cohortkit.scheduling.solver.generate import generate_instance
from cohortkit.scheduling.solver.greedy import greedy_solve
from cohortkit.scheduling.solver.instance_io import parse_instance
from cohortkit.scheduling.solver.tests.builders import TUESDAY_18, instance_data, leader, person
from cohortkit.scheduling.solver.validate import validate_solution
from cohortkit.scheduling.solver.whatif import what_if

T = TUESDAY_18


def _instance():
    people = [person(f"i{number}") for number in range(3)]
    people += [person(f"a{number}", track="advanced") for number in range(4)]
    return parse_instance(
        instance_data(
            people,
            [leader("f1", tracks=("intro",))],
            tracks=["intro", "advanced"],
            section_max=4,
        )
    )


def test_one_more_facilitator_when_the_waiting_people_are_free_places_them():
    assert what_if(_instance(), track="advanced", start_slot=T, time_limit=2) == 4


def test_one_more_facilitator_at_a_time_nobody_can_make_places_nobody():
    assert what_if(_instance(), track="advanced", start_slot=T + 10, time_limit=2) == 0
    assert what_if(_instance(), track="intro", start_slot=T, time_limit=2) == 0


def test_what_if_wraps_at_the_end_of_the_week():
    wrap = ((335, 336), (0, 1))
    instance = parse_instance(
        instance_data(
            [person(f"p{number}", available=wrap) for number in range(3)],
            [leader("f1", available=((10, 14),))],
        )
    )

    assert what_if(instance, track="intro", start_slot=335, time_limit=2) == 3


def test_greedy_baseline_is_valid_and_below_the_optimum():
    generated = generate_instance(300, seed=1)

    baseline = greedy_solve(generated.instance)

    assert validate_solution(generated.instance, baseline) == []
    assert 0 < baseline.objective <= generated.optimum


def test_the_solver_package_imports_no_django():
    import subprocess
    import sys

    code = (
        "import sys, cohortkit.scheduling.solver, cohortkit.scheduling.solver.bench;"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"
