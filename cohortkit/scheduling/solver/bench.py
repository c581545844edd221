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

``--work W`` (e.g. ``--work 4 --seeds 10 --jobs 2``) compares by work instead: it calls
:func:`solve.solve` with ``max_work=W`` (the search's total CP-SAT deterministic time; HiGHS is
limited by ``--nodes``), which gives the same plan on a quiet or an overloaded machine, and prints
placed / optimum per instance and the worst and median per family, so two versions of the solver
can be compared on any machine, at any load.
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
from cohortkit.scheduling.solver.solve import EXACT_COLUMNS, solve
from cohortkit.scheduling.solver.validate import validate_solution

# The families of the counted comparison (the hardest ones, and the acceptance's mix).
WORK_RUNS = ("full:1000", "venues:1000", "either:1000", "sparse:1000", "scarce:1000")
# The search's deterministic seconds that about 10 s buy at 1,000 people on a quiet 2-core
# machine. Measured (full, seed 1, load 11.6): one deterministic second took 4.5 s of processor
# time; the first plan and HiGHS's relaxation take about 1.5 s, so the search has about 17 s of
# processor time on 2 cores: about 4 (more on a quiet machine, where a processor second does more).
WORK_BUDGET = 4.0

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


@dataclass(frozen=True)
class WorkRow:
    """One instance solved with counted work."""

    family: str
    seed: int
    optimum: int
    placed: int
    cpu_seconds: float
    valid: bool


def run_counted(family: str, size: int, seed: int, work: float, nodes: int) -> WorkRow:
    """Solve one generated instance with ``work`` deterministic seconds of search (the same plan
    on any machine)."""
    generated = generate_instance(size, seed=seed, family=family)
    started = time.process_time()
    solution = solve(
        generated.instance, time_limit=1e9, seed=seed, max_work=work, exact_node_limit=nodes
    )
    return WorkRow(
        family=family,
        seed=seed,
        optimum=generated.optimum,
        placed=solution.objective,
        cpu_seconds=time.process_time() - started,
        valid=not validate_solution(generated.instance, solution),
    )


def _counted(job: tuple[str, int, int, float, int]) -> WorkRow:
    return run_counted(*job)


def work_summary(rows: list[WorkRow]) -> list[str]:
    """Per family: worst and median of placed / optimum over the seeds."""
    lines = ["| family | seeds | worst | median | optimal |", "| --- | --- | --- | --- | --- |"]
    families: dict[str, list[WorkRow]] = {}
    for row in rows:
        families.setdefault(row.family, []).append(row)
    for family, group in families.items():
        shares = [_share(row.placed, row.optimum) for row in group]
        lines.append(
            f"| {family} | {len(group)} | {min(shares):.2f}% | {statistics.median(shares):.2f}% "
            f"| {sum(row.placed == row.optimum for row in group)} of {len(group)} |"
        )
    return lines


def main_counted(
    runs: list[tuple[str, int]], seeds: int, work: float, nodes: int, jobs: int
) -> int:
    """The counted comparison of ``--work``; exit status 1 if any solution broke a hard rule."""
    todo = [
        (family, size, seed, work, nodes) for family, size in runs for seed in range(1, seeds + 1)
    ]
    rows: list[WorkRow] = []

    def show(row: WorkRow) -> None:
        rows.append(row)
        print(
            f"{row.family:>10} {row.seed:>3}  {row.placed:>5} of {row.optimum:>5}  "
            f"{_share(row.placed, row.optimum):7.3f}%  cpu {row.cpu_seconds:5.1f}s  "
            f"{'valid' if row.valid else 'INVALID'}",
            flush=True,
        )

    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs) as pool:
            for row in pool.map(_counted, todo):
                show(row)
    else:
        for job in todo:
            show(_counted(job))
    print(f"\ncounted work: {work} deterministic seconds of search, HiGHS node limit {nodes}")
    print("\n".join(work_summary(rows)))
    return 0 if all(row.valid for row in rows) else 1


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 if any solution broke a hard rule."""
    parser = argparse.ArgumentParser(prog="python -m cohortkit.scheduling.solver.bench")
    parser.add_argument(
        "--runs",
        nargs="+",
        help="family:size pairs, comma- or space-separated, e.g. full:1000 one-track:300",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds 1..N per family and size")
    parser.add_argument(
        "--work",
        type=float,
        metavar="W",
        help="compare by counted work instead of time: W deterministic seconds of search "
        f"(about 10 s at 1,000 people: {WORK_BUDGET})",
    )
    parser.add_argument("--nodes", type=int, default=0, help="HiGHS node limit with --work")
    parser.add_argument("--jobs", type=int, default=1, help="processes in parallel with --work")
    arguments = parser.parse_args(argv)
    given = arguments.runs or (WORK_RUNS if arguments.work is not None else DEFAULT_RUNS)
    runs: list[tuple[str, int]] = []
    for item in ",".join(given).split(","):
        if not item.strip():
            continue
        family, _, people = item.strip().partition(":")
        runs.append((family, int(people)))
    if arguments.work is not None:
        return main_counted(runs, arguments.seeds, arguments.work, arguments.nodes, arguments.jobs)
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
