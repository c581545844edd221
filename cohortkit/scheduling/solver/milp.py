"""The whole aggregated problem as one mixed-integer program, solved exactly by HiGHS.

Variables: ``open[f, k]`` (binary: facilitator ``f`` opens a section of kind ``k``), integer head
counts ``join[t, k]`` (people of type ``t`` in kind ``k``) and ``join[t, l]`` (into locked section
``l``). Rows: each type places at most its people; each kind's head count lies between ``min`` and
``max`` times its open sections; nobody joins a kind without an open section (the facility-
location rows that make the relaxation tight); a facilitator opens at most ``max_sections``, never
two that overlap (one row per meeting-long run of starts); locked sections keep their room.

The model is the same one CP-SAT solves for a neighbourhood, so a plan of either is a solution of
the other. HiGHS's branch and bound proves optimality on instances of a course's size and gives a
dual bound that can be tighter than the flow's. :class:`HighsProcess` runs it (relaxation, a dive
that rounds it, then branch and bound; see :mod:`highs_worker`) in a process of its own, reporting
improving plans and bounds, accepting plans found elsewhere (the neighbourhood search's) and
stopping on request.
"""

from __future__ import annotations

import contextlib
import math
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cohortkit.scheduling.solver.highs_worker import read_message, write_message
from cohortkit.scheduling.solver.plan import Plan
from cohortkit.scheduling.solver.prepare import Problem

WORKER_SCRIPT = Path(__file__).with_name("highs_worker.py")


@dataclass
class MilpModel:
    """The column layout of the program, to turn plans into column values and back."""

    open_columns: list[tuple[int, int]]
    join_columns: list[tuple[int, int]]
    locked_columns: list[tuple[int, int]]
    columns: int
    rows: int

    def values_of(self, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
        """The non-zero columns of ``plan`` and their values."""
        if not hasattr(self, "_position"):
            self._position = {("open", key): index for index, key in enumerate(self.open_columns)}
            first_join = len(self.open_columns)
            self._position.update(
                (("join", key), first_join + index) for index, key in enumerate(self.join_columns)
            )
            first_locked = first_join + len(self.join_columns)
            self._position.update(
                (("locked", key), first_locked + index)
                for index, key in enumerate(self.locked_columns)
            )
        position = self._position
        columns: list[int] = []
        values: list[int] = []
        for key in plan.opened:
            columns.append(position[("open", key)])
            values.append(1)
        for key, count in plan.joins.items():
            if count > 0:
                columns.append(position[("join", key)])
                values.append(count)
        for key, count in plan.locked_joins.items():
            if count > 0:
                columns.append(position[("locked", key)])
                values.append(count)
        return np.array(columns, dtype=np.int32), np.array(values, dtype=np.int32)

    def plan_of(self, columns: np.ndarray, values: np.ndarray) -> Plan:
        """The plan that the non-zero ``columns`` with ``values`` describe."""
        plan = Plan()
        first_join = len(self.open_columns)
        first_locked = first_join + len(self.join_columns)
        for column, value in zip(columns.tolist(), values.tolist(), strict=True):
            if value <= 0:
                continue
            if column < first_join:
                plan.opened.append(self.open_columns[column])
            elif column < first_locked:
                plan.joins[self.join_columns[column - first_join]] = value
            else:
                plan.locked_joins[self.locked_columns[column - first_locked]] = value
        return plan


def build_program(problem: Problem, *, linking: bool = True) -> tuple[MilpModel, dict[str, Any]]:
    """The aggregated problem as a maximization in arrays (see :mod:`highs_worker`), and its
    column layout."""
    instance = problem.instance
    section_min, section_max = instance.section_min, instance.section_max
    week, meeting = instance.slots_per_week, instance.meeting_slots

    open_columns = [
        (facilitator, kind)
        for facilitator, kinds in enumerate(problem.facilitator_kinds)
        if problem.facilitator_capacity[facilitator] > 0
        for kind in kinds
    ]
    open_index = {key: index for index, key in enumerate(open_columns)}
    leaders_of_kind: list[list[int]] = [[] for _ in problem.kinds]
    for index, (_, kind) in enumerate(open_columns):
        leaders_of_kind[kind].append(index)
    join_columns = [
        (person_type, kind)
        for person_type, details in enumerate(problem.types)
        for kind in details.kinds
        if leaders_of_kind[kind]
    ]
    locked_columns = [
        (person_type, locked)
        for person_type, details in enumerate(problem.types)
        for locked in details.locked
        if problem.locked_room[locked] > 0
    ]
    first_join = len(open_columns)
    first_locked = first_join + len(join_columns)
    columns = first_locked + len(locked_columns)

    np.zeros(columns)
    upper = np.empty(columns)
    cost = np.zeros(columns)
    upper[:first_join] = 1.0
    for offset, (person_type, kind) in enumerate(join_columns):
        details = problem.types[person_type]
        upper[first_join + offset] = min(details.count, section_max * len(leaders_of_kind[kind]))
        cost[first_join + offset] = details.priority
    for offset, (person_type, locked) in enumerate(locked_columns):
        details = problem.types[person_type]
        upper[first_locked + offset] = min(details.count, problem.locked_room[locked])
        cost[first_locked + offset] = details.priority

    row_lower: list[float] = []
    row_upper: list[float] = []
    starts: list[int] = [0]
    indices: list[int] = []
    values: list[float] = []

    def add_row(columns_: list[int], coefficients: list[float], low: float, high: float) -> None:
        row_lower.append(low)
        row_upper.append(high)
        indices.extend(columns_)
        values.extend(coefficients)
        starts.append(len(indices))

    infinity = math.inf
    # Each type places at most its people.
    joins_of_type: list[list[int]] = [[] for _ in problem.types]
    for offset, (person_type, _) in enumerate(join_columns):
        joins_of_type[person_type].append(first_join + offset)
    for offset, (person_type, _) in enumerate(locked_columns):
        joins_of_type[person_type].append(first_locked + offset)
    for person_type, details in enumerate(problem.types):
        chosen = joins_of_type[person_type]
        if len(chosen) > 1:
            add_row(chosen, [1.0] * len(chosen), -infinity, float(details.count))

    # Each kind's head count lies within [min, max] times its open sections.
    joiners_of_kind: list[list[int]] = [[] for _ in problem.kinds]
    for offset, (_, kind) in enumerate(join_columns):
        joiners_of_kind[kind].append(first_join + offset)
    for kind, leaders in enumerate(leaders_of_kind):
        if not leaders:
            continue
        joiners = joiners_of_kind[kind]
        if not joiners:
            for leader in leaders:
                upper[leader] = 0.0
            continue
        row = joiners + leaders
        add_row(row, [1.0] * len(joiners) + [-float(section_max)] * len(leaders), -infinity, 0.0)
        add_row(row, [1.0] * len(joiners) + [-float(section_min)] * len(leaders), 0.0, infinity)
        if linking:
            for joiner in joiners:
                cap = min(upper[joiner], float(section_max))
                if cap < upper[joiner] or len(leaders) == 1:
                    add_row([joiner, *leaders], [1.0] + [-cap] * len(leaders), -infinity, 0.0)

    # A facilitator opens at most max_sections, never two that overlap.
    for facilitator, kinds in enumerate(problem.facilitator_kinds):
        if problem.facilitator_capacity[facilitator] <= 0 or not kinds:
            continue
        by_start: dict[int, list[int]] = {}
        for kind in kinds:
            by_start.setdefault(problem.kinds[kind].start, []).append(
                open_index[(facilitator, kind)]
            )
        for start in by_start:
            window = [
                column
                for offset in range(meeting)
                for column in by_start.get((start + offset) % week, [])
            ]
            if len(window) > 1:
                add_row(window, [1.0] * len(window), -infinity, 1.0)
        every = [column for group in by_start.values() for column in group]
        if len(every) > problem.facilitator_capacity[facilitator]:
            add_row(
                every,
                [1.0] * len(every),
                -infinity,
                float(problem.facilitator_capacity[facilitator]),
            )

    # Locked sections keep their room.
    joiners_of_locked: dict[int, list[int]] = {}
    for offset, (_, locked) in enumerate(locked_columns):
        joiners_of_locked.setdefault(locked, []).append(first_locked + offset)
    for locked, joiners in joiners_of_locked.items():
        add_row(joiners, [1.0] * len(joiners), -infinity, float(problem.locked_room[locked]))

    model = MilpModel(
        open_columns=open_columns,
        join_columns=join_columns,
        locked_columns=locked_columns,
        columns=columns,
        rows=len(row_lower),
    )
    program = {
        "num_col": columns,
        "col_cost": cost,
        "col_upper": upper,
        "row_lower": np.array(row_lower),
        "row_upper": np.array(row_upper),
        "a_start": np.array(starts, dtype=np.int32),
        "a_index": np.array(indices, dtype=np.int32),
        "a_value": np.array(values),
        "offset": problem.fixed_objective,
        "open_facilitator": np.array([f for f, _ in open_columns], dtype=np.int32),
    }
    return model, program


class HighsProcess:
    """HiGHS's branch and bound on the whole problem, in a process of its own (see
    :mod:`highs_worker` for why), steered from this one.

    Start it early (:meth:`__init__` only launches the interpreter), then :meth:`solve` hands it
    the program. A reader thread keeps the best plan and the dual bound it reports;
    :meth:`offer` gives it a plan found elsewhere, :meth:`stop` ends it.
    """

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._lock = threading.Lock()
        self.model: MilpModel | None = None
        self.best_value = -1
        self._best: tuple[np.ndarray, np.ndarray] | None = None
        self.bound: int | None = None
        self.finished = threading.Event()
        self.optimal = False
        self._reader: threading.Thread | None = None
        self._offered = -1
        # The (facilitator, kind) openings the linear relaxation uses, once it is solved.
        self.guide: set[tuple[int, int]] | None = None

    def solve(
        self,
        model: MilpModel,
        program: dict[str, Any],
        *,
        time_limit: float,
        start: Plan | None = None,
        threads: int = 1,
        seed: int = 0,
        node_limit: int | None = None,
        branch_columns: int | None = None,
    ) -> None:
        """Send the program; HiGHS starts from ``start`` and stops after ``time_limit`` s.

        With ``branch_columns`` set, branch and bound runs only on a program with at most that
        many columns (larger ones end after the relaxation and its dives)."""
        self.model = model
        message = dict(program)
        message.update(time_limit=time_limit, threads=threads, seed=seed, node_limit=node_limit)
        if branch_columns is not None:
            message["branch_columns"] = branch_columns
        if start is not None:
            message["start"] = model.values_of(start)
        assert self.process.stdin is not None
        try:
            write_message(self.process.stdin.fileno(), message)
        except OSError:
            self.finished.set()
            return
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        try:
            while True:
                message = read_message(fd)
                if message is None:
                    break
                kind = message[0]
                if kind == "solution":
                    self._note_solution(round(message[1]), message[2], message[3])
                elif kind == "bound":
                    self._note_bound(message[1])
                elif kind == "guide" and self.model is not None:
                    openings = self.model.open_columns
                    self.guide = {openings[column] for column in message[1].tolist()}
                elif kind == "done":
                    _, optimal, value, bound, columns, values = message
                    if columns is not None and math.isfinite(value):
                        self._note_solution(round(value), columns, values)
                    if math.isfinite(bound):
                        self._note_bound(bound)
                    with self._lock:
                        self.optimal = bool(optimal)
                        if self.optimal and self.best_value >= 0:
                            self.bound = self.best_value
                    break
        except (OSError, EOFError, ValueError):
            pass
        finally:
            self.finished.set()

    def _note_solution(self, value: int, columns: np.ndarray, values: np.ndarray) -> None:
        with self._lock:
            if value > self.best_value:
                self.best_value = value
                self._best = (columns, values)

    def _note_bound(self, dual_bound: float) -> None:
        bound = math.floor(dual_bound + 1e-3)
        with self._lock:
            if self.bound is None or bound < self.bound:
                self.bound = bound

    def best_plan(self) -> tuple[Plan, int] | None:
        """The best plan HiGHS has found so far and its value, if any."""
        with self._lock:
            best, value = self._best, self.best_value
        if best is None or self.model is None:
            return None
        return self.model.plan_of(*best), value

    def offer(self, plan: Plan, value: int) -> None:
        """Give HiGHS a better plan found elsewhere (used to prune its search)."""
        if self.model is None or self.finished.is_set():
            return
        with self._lock:
            if value <= max(self.best_value, self._offered):
                return
            self._offered = value
        columns, values = self.model.values_of(plan)
        assert self.process.stdin is not None
        with contextlib.suppress(OSError):
            write_message(self.process.stdin.fileno(), ("offer", value, columns, values))

    def stop(self, *, wait: float = 0.0) -> None:
        """End the run (politely, then for good after ``wait`` seconds)."""
        if self.process.poll() is None:
            assert self.process.stdin is not None
            with contextlib.suppress(OSError):
                write_message(self.process.stdin.fileno(), ("stop",))
            if wait > 0:
                self.finished.wait(wait)
        self.close()

    def close(self) -> None:
        """Kill the process if it still runs and release its pipes."""
        if self.process.poll() is None:
            self.process.kill()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        if self._reader is not None:
            self._reader.join(timeout=1)
