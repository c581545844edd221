"""Benchmark: ``python -m cohortkit.scheduling.solver.bench [--runs full:1000,one-track:300]``.

For each family and size of generated instances (planted optimum known exactly; see
:data:`generate.FAMILIES`) and several seeds it runs, in the same run and with the same time limit:

* ``greedy``: the plain greedy baseline (:mod:`greedy`);
* ``exact``: a straightforward exact model, HiGHS's branch and bound on the aggregated program
  started from the solver's constructive plan, with no dive and no search (the peer to beat;
  past 40,000 columns it keeps that plan, as HiGHS cannot relax the program in time);
* ``cohortkit``: the real command, ``cohortkit schedule solve``, as a process of its own, timed
  from its start to its exit (start-up, parsing, solving and writing the file), with its peak
  memory; its solution is checked by the validator.

It prints one line per run, then per family and size the worst and the median over the seeds of
placed / optimum for each method, cohortkit's seconds and memory, and whether it proved the optimum.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cohortkit.scheduling.solver.bound import flow_bound
from cohortkit.scheduling.solver.generate import generate_instance
from cohortkit.scheduling.solver.greedy import greedy_solve
from cohortkit.scheduling.solver.instance_io import instance_to_json, parse_solution
from cohortkit.scheduling.solver.milp import HighsProcess, build_program
from cohortkit.scheduling.solver.plan import construct, plan_is_valid
from cohortkit.scheduling.solver.prepare import prepare
from cohortkit.scheduling.solver.solve import EXACT_COLUMNS
from cohortkit.scheduling.solver.validate import validate_solution

DEFAULT_RUNS = (
    "one-track:300",
    "one-track:1000",
    "full:1000",
    "clustered:1000",
    "sparse:1000",
    "either:1000",
    "scarce:1000",
    "venues:1000",
    "wrap:1000",
    "full:3000",
    "full:10000",
)


@dataclass(frozen=True)
class Row:
    """One instance, measured with every method."""

    family: str
    size: int
    seed: int
    optimum: int
    greedy: int
    exact: int
    placed: int
    bound: int
    status: str
    wall_seconds: float
    time_limit: float
    peak_megabytes: float
    valid: bool


def time_limit_for(size: int) -> float:
    """The time limits of the goals: 10 s up to 1,000 people, 30 s to 3,000, 60 s beyond."""
    if size <= 1000:
        return 10.0
    return 30.0 if size <= 3000 else 60.0


def exact_peer(instance_problem: object, time_limit: float, seed: int) -> int:
    """HiGHS's branch and bound alone on the aggregated program, from the greedy plan."""
    started = time.monotonic()
    worker = HighsProcess()
    try:
        problem = prepare(instance_problem)  # type: ignore[arg-type]
        plan = construct(problem, seed=seed)
        value = plan.objective(problem)
        columns = sum(len(kinds) for kinds in problem.facilitator_kinds) + sum(
            len(person_type.kinds) + len(person_type.locked) for person_type in problem.types
        )
        if value >= flow_bound(problem) or columns > EXACT_COLUMNS:
            # Past EXACT_COLUMNS HiGHS does not finish even the relaxation within the limit
            # (measured at 10,000 people: over 120 s); the peer keeps its starting plan.
            return value
        model, program = build_program(problem)
        program["dive"] = False
        left = time_limit - (time.monotonic() - started)
        worker.solve(model, program, time_limit=max(0.05, left), start=plan, seed=seed)
        worker.finished.wait(max(0.05, time_limit - (time.monotonic() - started)))
        found = worker.best_plan()
        if found is not None and found[1] > value and plan_is_valid(problem, found[0]):
            value = found[1]
        return value
    finally:
        worker.close()


def run_cohortkit(
    instance_path: Path, time_limit: float, seed: int
) -> tuple[dict[str, Any], float, float]:
    """Run ``cohortkit schedule solve`` as its own process: (solution, wall seconds, peak MB)."""
    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "solution.json"
        command = [
            sys.executable,
            "-m",
            "cohortkit.scheduling.solver",
            "solve",
            str(instance_path),
            "-o",
            str(output),
            "--time-limit",
            str(time_limit),
            "--seed",
            str(seed),
            "--quiet",
        ]
        started = time.monotonic()
        process = subprocess.Popen(command)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"cohortkit schedule solve exited {process.returncode}")
        # ru_maxrss is in kilobytes on Linux; the HiGHS worker is a grandchild and not counted
        # here, so its peak is reported by the solver's own process tree only approximately.
        return json.loads(output.read_text(encoding="utf-8")), wall, usage.ru_maxrss / 1024


def run_one(family: str, size: int, seed: int) -> Row:
    """Generate one instance and measure every method on it."""
    generated = generate_instance(size, seed=seed, family=family)
    instance = generated.instance
    limit = time_limit_for(size)
    baseline = greedy_solve(instance)
    exact = exact_peer(instance, limit, seed)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "instance.json"
        path.write_text(json.dumps(instance_to_json(instance)), encoding="utf-8")
        data, wall, peak = run_cohortkit(path, limit, seed)
    solution = parse_solution(data)
    valid = not validate_solution(instance, solution) and not validate_solution(instance, baseline)
    return Row(
        family=family,
        size=len(instance.participants),
        seed=seed,
        optimum=generated.optimum,
        greedy=baseline.objective,
        exact=exact,
        placed=solution.objective,
        bound=solution.bound,
        status=solution.status,
        wall_seconds=wall,
        time_limit=limit,
        peak_megabytes=peak,
        valid=valid,
    )


def _share(value: int, optimum: int) -> float:
    return 100 * value / optimum


def _format_row(row: Row) -> str:
    return (
        f"{row.family:>10} {row.size:>6} {row.seed:>3}  opt {row.optimum:>6}  "
        f"greedy {_share(row.greedy, row.optimum):6.2f}%  "
        f"exact {_share(row.exact, row.optimum):6.2f}%  "
        f"cohortkit {_share(row.placed, row.optimum):7.3f}% ({row.status}, bound {row.bound})  "
        f"{row.wall_seconds:5.1f}s/{row.time_limit:.0f}  {row.peak_megabytes:5.0f} MB  "
        f"{'valid' if row.valid else 'INVALID'}"
    )


def summary(rows: list[Row]) -> list[str]:
    """Markdown table: per family and size, worst and median over seeds of each method."""
    lines = [
        "| family | people | seeds | greedy worst / median | exact model worst / median "
        "| cohortkit worst / median | proven optimal | wall seconds worst / median (limit) "
        "| peak MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    groups: dict[tuple[str, int], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.family, round(row.size, -2)), []).append(row)
    for (family, size), group in groups.items():

        def pair(values: list[float]) -> str:
            return f"{min(values):.2f}% / {statistics.median(values):.2f}%"

        walls = [row.wall_seconds for row in group]
        lines.append(
            f"| {family} | {size:,} | {len(group)} "
            f"| {pair([_share(row.greedy, row.optimum) for row in group])} "
            f"| {pair([_share(row.exact, row.optimum) for row in group])} "
            f"| {pair([_share(row.placed, row.optimum) for row in group])} "
            f"| {sum(row.status == 'optimal' for row in group)} of {len(group)} "
            f"| {max(walls):.1f} / {statistics.median(walls):.1f} ({group[0].time_limit:.0f}) "
            f"| {max(row.peak_megabytes for row in group):.0f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 if any solution broke a hard rule."""
    parser = argparse.ArgumentParser(prog="python -m cohortkit.scheduling.solver.bench")
    parser.add_argument(
        "--runs",
        default=",".join(DEFAULT_RUNS),
        help="comma-separated family:size pairs, e.g. full:1000,one-track:300",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds 1..N per family and size")
    arguments = parser.parse_args(argv)
    runs = []
    for item in arguments.runs.split(","):
        family, _, size = item.strip().partition(":")
        runs.append((family, int(size)))
    rows: list[Row] = []
    for family, size in runs:
        for seed in range(1, arguments.seeds + 1):
            row = run_one(family, size, seed)
            rows.append(row)
            print(_format_row(row), flush=True)
    print()
    print("\n".join(summary(rows)))
    all_valid = all(row.valid for row in rows)
    print(
        "every solution checked by the validator: "
        + ("all valid" if all_valid else "VIOLATIONS FOUND")
    )
    return 0 if all_valid else 1


if __name__ == "__main__":
    sys.exit(main())
