"""Command line: ``cohortkit schedule solve|check|generate`` (or ``python -m`` this package).

``solve INSTANCE -o SOLUTION [--time-limit SECONDS]`` exits 0 with the solution written, or 2 with
one line on stderr naming the bad field (and nothing written) when the instance is invalid. On a
terminal it prints its progress (placed, bound, seconds) on stderr unless ``--quiet``; never when
stdout is not a terminal or is the output itself (``-o -``).
``check INSTANCE SOLUTION`` exits 0 when the solution obeys every hard rule and 1 listing every
violation. ``generate PARTICIPANTS -o INSTANCE`` writes a seeded instance with a planted optimum.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NoReturn

from cohortkit.scheduling.solver.generate import FAMILIES, generate_instance
from cohortkit.scheduling.solver.instance_io import (
    InstanceError,
    SolutionFormatError,
    instance_to_json,
    load_instance,
    load_solution,
    solution_to_json,
)
from cohortkit.scheduling.solver.model import Progress
from cohortkit.scheduling.solver.solve import solve
from cohortkit.scheduling.solver.validate import validate_solution

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_INVALID_INPUT = 2


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` atomically, so a crash never leaves half a file behind."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=1)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cohortkit schedule",
        description="Form discussion sections from participants and facilitators.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    solve_command = commands.add_parser(
        "solve",
        help="solve an instance",
        prog="cohortkit schedule solve",
        description="Form sections for INSTANCE and write the solution to OUTPUT ('-': stdout).",
    )
    solve_command.add_argument("instance", type=Path)
    solve_command.add_argument("-o", "--output", type=Path, required=True, metavar="OUTPUT")
    solve_command.add_argument("--time-limit", type=float, default=30.0, metavar="SECONDS")
    solve_command.add_argument("--seed", type=int, default=0)
    shown = solve_command.add_mutually_exclusive_group()
    shown.add_argument(
        "--progress",
        action="store_true",
        help="print progress on stderr even when it is not a terminal (not with -o -)",
    )
    shown.add_argument(
        "--quiet", action="store_true", help="print no progress (default when not a terminal)"
    )

    check_command = commands.add_parser(
        "check", help="check a solution against every hard rule", prog="cohortkit schedule check"
    )
    check_command.add_argument("instance", type=Path)
    check_command.add_argument("solution", type=Path)

    generate_command = commands.add_parser(
        "generate",
        help="write a seeded instance with a planted optimum",
        prog="cohortkit schedule generate",
    )
    generate_command.add_argument("participants", type=int)
    generate_command.add_argument("-o", "--output", type=Path, required=True)
    generate_command.add_argument("--seed", type=int, default=0)
    generate_command.add_argument("--wrap", action="store_true")
    generate_command.add_argument(
        "--family", choices=sorted(FAMILIES), default="full", help="the shape of the instance"
    )
    return parser


def _print_progress(progress: Progress) -> None:
    print(
        f"placed {progress.placed}, bound {progress.bound}, {progress.elapsed_seconds:.1f} s "
        f"({progress.phase})",
        file=sys.stderr,
        flush=True,
    )


def _to_stdout(output: Path) -> bool:
    """Whether the solution goes to stdout (``-o -`` or a path naming it)."""
    if str(output) == "-":
        return True
    try:
        return output.exists() and os.path.samefile(output, "/dev/stdout")
    except OSError:
        return False


def progress_shown(*, quiet: bool, forced: bool, output: Path) -> bool:
    """Progress is printed on a terminal unless ``--quiet`` (``--progress`` prints it anyway),
    and never when the solution itself goes to stdout."""
    if quiet or _to_stdout(output):
        return False
    return forced or (sys.stdout.isatty() and sys.stderr.isatty())


def seconds_since_process_start() -> float:
    """Wall-clock seconds since this process started (interpreter start-up and imports count).

    Read from ``/proc`` on Linux; elsewhere, from when this module was imported.
    """
    try:
        with open("/proc/self/stat", encoding="ascii") as stream:
            fields = stream.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as stream:
            uptime = float(stream.read().split()[0])
        # Field 22 of stat (the 20th after the command name) is the start, in clock ticks.
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return max(0.0, uptime - started)
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


_IMPORTED = time.monotonic()


def _writing_reserve(participants: int) -> float:
    """Seconds kept back to write the file and exit, and for a last step that overruns a little
    (measured on a 2-core machine under a load of 11: up to 0.5 s at 1,000 people)."""
    return 0.6 + 8e-5 * participants


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit status."""
    arguments = _parser().parse_args(argv)
    if arguments.command == "solve":
        if arguments.time_limit <= 0:
            print("--time-limit: must be positive", file=sys.stderr)
            return EXIT_INVALID_INPUT
        try:
            instance = load_instance(arguments.instance)
        except InstanceError as problem:
            print(str(problem), file=sys.stderr)
            return EXIT_INVALID_INPUT
        # The limit is for the whole command: start-up, parsing and writing count too.
        left = (
            arguments.time_limit
            - seconds_since_process_start()
            - _writing_reserve(len(instance.participants))
        )
        shown = progress_shown(
            quiet=arguments.quiet, forced=arguments.progress, output=arguments.output
        )
        solution = solve(
            instance,
            time_limit=max(left, 0.05),
            seed=arguments.seed,
            progress=_print_progress if shown else None,
        )
        if _to_stdout(arguments.output):
            json.dump(solution_to_json(solution), sys.stdout, indent=1)
            sys.stdout.write("\n")
        else:
            _write_json(arguments.output, solution_to_json(solution))
        return EXIT_OK

    if arguments.command == "check":
        try:
            instance = load_instance(arguments.instance)
            solution = load_solution(arguments.solution)
        except (InstanceError, SolutionFormatError) as problem:
            print(str(problem), file=sys.stderr)
            return EXIT_INVALID_INPUT
        violations = validate_solution(instance, solution)
        if violations:
            for violation in violations:
                print(violation)
            print(f"{len(violations)} violations", file=sys.stderr)
            return EXIT_VIOLATIONS
        print(
            f"valid: {sum(len(s.participants) for s in solution.sections)} placed in "
            f"{len(solution.sections)} sections, objective {solution.objective}, "
            f"bound {solution.bound}"
        )
        return EXIT_OK

    generated = generate_instance(
        arguments.participants, seed=arguments.seed, wrap=arguments.wrap, family=arguments.family
    )
    _write_json(arguments.output, instance_to_json(generated.instance))
    print(f"planted optimum {generated.optimum}")
    return EXIT_OK


def run(argv: list[str] | None = None) -> NoReturn:
    """Run one command as the whole process and exit at once with its status.

    The output is written and flushed first; skipping the interpreter's slow shutdown (OR-Tools'
    and the solver's threads, measured at 0.4 s) keeps the command within its time limit.
    """
    status = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
