"""Benchmark: ``python -m cohortkit.scheduling.solver.bench [--sizes 300,1000,10000] [--quick]``.

For each size it generates a seeded instance with a planted optimum, runs the greedy baseline and
the solver on it in the same run, checks both solutions with the validator, and prints placed /
optimum, the bound, seconds, peak memory and the ratio to the baseline. A last row does the same
for an instance whose optimum needs wrap-around meetings. Each row runs in its own process so that
its peak memory is its own.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from dataclasses import dataclass

from cohortkit.scheduling.solver.generate import generate_instance
from cohortkit.scheduling.solver.greedy import greedy_solve
from cohortkit.scheduling.solver.solve import solve
from cohortkit.scheduling.solver.validate import validate_solution

DEFAULT_SIZES = (300, 1000, 10000)
SEED = 1


@dataclass(frozen=True)
class Row:
    """One benchmark measurement."""

    label: str
    participants: int
    facilitators: int
    optimum: int
    greedy: int
    greedy_seconds: float
    placed: int
    bound: int
    seconds: float
    time_limit: float
    peak_megabytes: float
    violations: int


def time_limit_for(size: int, *, quick: bool) -> float:
    """The time limit of the goals: 10 s up to 1,000 people, 60 s beyond (a third if quick)."""
    limit = 10.0 if size <= 1000 else 60.0
    return limit / 3 if quick else limit


def run_row(label: str, size: int, wrap: bool, time_limit: float) -> Row:
    """Generate, solve with both methods, validate, and measure one instance."""
    generated = generate_instance(size, seed=SEED, wrap=wrap)
    instance = generated.instance
    greedy_started = time.monotonic()
    baseline = greedy_solve(instance)
    greedy_seconds = time.monotonic() - greedy_started
    solution = solve(instance, time_limit=time_limit, seed=SEED)
    violations = validate_solution(instance, solution) + validate_solution(instance, baseline)
    # ru_maxrss is in kilobytes on Linux.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Row(
        label=label,
        participants=len(instance.participants),
        facilitators=len(instance.facilitators),
        optimum=generated.optimum,
        greedy=baseline.objective,
        greedy_seconds=greedy_seconds,
        placed=solution.objective,
        bound=solution.bound,
        seconds=solution.seconds,
        time_limit=time_limit,
        peak_megabytes=peak,
        violations=len(violations),
    )


def _format(row: Row) -> str:
    share = 100 * row.placed / row.optimum
    greedy_share = 100 * row.greedy / row.optimum
    return (
        f"{row.label:>12} {row.participants:>6} {row.facilitators:>5}  "
        f"{row.placed:>6}/{row.optimum:<6} {share:7.2f}%  {row.bound:>6}  "
        f"{row.seconds:6.1f}s/{row.time_limit:<3.0f} {row.peak_megabytes:8.0f} MB  "
        f"{row.greedy:>6} {greedy_share:6.2f}% {row.greedy_seconds:5.1f}s  "
        f"{row.placed / max(row.greedy, 1):6.3f}  {'yes' if row.violations == 0 else 'NO'}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 if any solution broke a hard rule."""
    parser = argparse.ArgumentParser(prog="python -m cohortkit.scheduling.solver.bench")
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in DEFAULT_SIZES),
        help="comma-separated participant counts",
    )
    parser.add_argument("--quick", action="store_true", help="a third of the time limits")
    arguments = parser.parse_args(argv)
    sizes = [int(size) for size in arguments.sizes.split(",") if size.strip()]
    wrap_size = min(1000, max(sizes))
    jobs = [(f"{size}", size, False) for size in sizes]
    jobs.append((f"wrap {wrap_size}", wrap_size, True))

    print(
        f"{'instance':>12} {'people':>6} {'facil':>5}  {'placed/optimum':>13} {'':>8}  "
        f"{'bound':>6}  {'seconds':>10} {'peak mem':>11}  {'greedy':>21}  "
        f"{'ratio':>6}  valid"
    )
    all_valid = True
    context = multiprocessing.get_context("spawn")
    for label, size, wrap in jobs:
        limit = time_limit_for(size, quick=arguments.quick)
        with context.Pool(processes=1) as pool:
            row = pool.apply(run_row, (label, size, wrap, limit))
        all_valid &= row.violations == 0
        print(_format(row), flush=True)
    print(
        "every solution checked by the validator: "
        + ("all valid" if all_valid else "VIOLATIONS FOUND")
    )
    return 0 if all_valid else 1


if __name__ == "__main__":
    sys.exit(main())
