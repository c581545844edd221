"""HiGHS on the whole aggregated program, in a process of its own (run as a script by path).

OR-Tools ships its own, older ``libhighs.so.1``; the dynamic loader keeps one library per name in a
process, so ``highspy`` cannot be imported where OR-Tools already is (and vice versa). This script
therefore imports only the standard library, NumPy and ``highspy``, and talks to the solver over
its standard input and output with length-prefixed pickles:

* in: first the program (a dict of arrays, see :func:`cohortkit.scheduling.solver.milp`), then
  ``("offer", value, columns, values)`` (a plan found by the neighbourhood search, given to HiGHS
  as a user solution) and ``("stop",)``;
* out: ``("solution", value, columns, values)`` for every improving plan (non-zero columns only),
  ``("bound", value)`` when the dual bound improves, and a last
  ``("done", optimal, value, bound, columns, values)``.

Running it in its own process also puts the branch and bound on the second core while the
neighbourhood search runs on the first.
"""

from __future__ import annotations

import math
import os
import pickle
import select
import struct
import sys
from typing import Any

import numpy as np

_HEADER = struct.Struct("<Q")


def read_message(fd: int) -> Any:
    """One length-prefixed pickle from ``fd``; ``None`` at end of file."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    body = _read_exactly(fd, length)
    return None if body is None else pickle.loads(body)  # noqa: S301 (our own parent process)


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def write_message(fd: int, message: Any) -> None:
    """Write ``message`` as one length-prefixed pickle to ``fd``."""
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    data = _HEADER.pack(len(body)) + body
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _sparse(values: Any) -> tuple[np.ndarray, np.ndarray]:
    array = np.asarray(values)
    columns = np.flatnonzero(array > 0.5)
    return columns.astype(np.int32), np.rint(array[columns]).astype(np.int32)


class Worker:
    """One run of HiGHS with the callbacks of the protocol."""

    def __init__(self, program: dict[str, Any], in_fd: int, out_fd: int) -> None:
        self.in_fd = in_fd
        self.out_fd = out_fd
        self.columns = int(program["num_col"])
        self.offset = int(program.get("offset", 0))
        self.best = -math.inf
        self.bound = math.inf
        self.stopping = False
        self.offered: np.ndarray | None = None
        # The best plan known here, HiGHS's own or handed in (its value without the offset).
        self.best_start: tuple[np.ndarray, np.ndarray] | None = None
        self.input_closed = False
        import highspy

        self.highspy = highspy
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        self.highs = highs
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", int(program.get("threads", 1)))
        highs.setOptionValue("random_seed", int(program.get("seed", 0)))
        highs.setOptionValue("mip_rel_gap", 0.0)
        # The objective is integral: a gap below one proves optimality.
        highs.setOptionValue("mip_abs_gap", 1.0 - 1e-4)
        highs.setOptionValue("time_limit", max(0.01, float(program["time_limit"])))
        if program.get("node_limit") is not None:
            highs.setOptionValue("mip_max_nodes", int(program["node_limit"]))
        lp = highspy.HighsLp()
        lp.num_col_ = self.columns
        lp.num_row_ = len(program["row_lower"])
        lp.col_cost_ = np.asarray(program["col_cost"], dtype=float)
        lp.col_lower_ = np.zeros(self.columns)
        lp.col_upper_ = np.asarray(program["col_upper"], dtype=float)
        lp.row_lower_ = np.asarray(program["row_lower"], dtype=float)
        lp.row_upper_ = np.asarray(program["row_upper"], dtype=float)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.asarray(program["a_start"], dtype=np.int32)
        lp.a_matrix_.index_ = np.asarray(program["a_index"], dtype=np.int32)
        lp.a_matrix_.value_ = np.asarray(program["a_value"], dtype=float)
        highs.passModel(lp)
        self.open_facilitator = np.asarray(program["open_facilitator"], dtype=np.int64)
        self.upper = np.asarray(program["col_upper"], dtype=float)
        start = program.get("start")
        if start is not None:
            self.best_start = (np.asarray(start[0]), np.asarray(start[1]))
            cost = np.asarray(program["col_cost"], dtype=float)
            self.best = float(np.dot(cost[self.best_start[0]], self.best_start[1]))
        self.dive = bool(program.get("dive", True))
        # Branch and bound only pays on models this small (measured: it proves 300-person terms
        # in seconds, and stalls in its root cuts at 1,000); larger ones stop after the dives,
        # which gives the search both cores.
        self.branch_limit = int(program.get("branch_columns", 1 << 62))
        highs.cbMipImprovingSolution.subscribe(self._improving)
        highs.cbMipInterrupt.subscribe(self._interrupt)
        highs.cbMipUserSolution.subscribe(self._user_solution)

    def _dense(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        dense = np.zeros(self.columns)
        dense[np.asarray(columns, dtype=np.int64)] = values
        return dense

    def _set_start(self, start: tuple[np.ndarray, np.ndarray]) -> None:
        solution = self.highspy.HighsSolution()
        solution.col_value = list(self._dense(*start))
        solution.value_valid = True
        self.highs.setSolution(solution)

    def _note_bound(self, dual_bound: float) -> None:
        if math.isfinite(dual_bound) and dual_bound < self.bound - 0.5:
            self.bound = dual_bound
            write_message(self.out_fd, ("bound", dual_bound + self.offset))

    def _improving(self, event: Any) -> None:
        data = event.data_out
        value = float(data.objective_function_value)
        if value > self.best + 0.5:
            self.best = value
            columns, values = _sparse(data.mip_solution)
            self.best_start = (columns, values)
            write_message(self.out_fd, ("solution", value + self.offset, columns, values))
        self._note_bound(float(data.mip_dual_bound))

    def _poll_input(self) -> None:
        while not self.input_closed and select.select([self.in_fd], [], [], 0)[0]:
            message = read_message(self.in_fd)
            if message is None:
                self.input_closed = True
                self.stopping = True
            elif message[0] == "stop":
                self.stopping = True
            elif message[0] == "offer":
                _, value, columns, values = message
                if value - self.offset > self.best + 0.5:
                    self.best = value - self.offset
                    self.best_start = (np.asarray(columns), np.asarray(values))
                    self.offered = self._dense(columns, values)

    def _interrupt(self, event: Any) -> None:
        self._poll_input()
        self._note_bound(float(event.data_out.mip_dual_bound))
        if self.stopping:
            event.data_in.user_interrupt = True

    def _user_solution(self, event: Any) -> None:
        self._poll_input()
        if self.offered is None:
            return
        offered, self.offered = self.offered, None
        event.data_in.user_has_solution = True
        event.data_in.user_solution = list(offered)

    def _solved(self) -> bool:
        return bool(self.highs.getModelStatus() == self.highspy.HighsModelStatus.kOptimal)

    def _relaxation(self, *, guide: bool = False) -> bool:
        """Solve the linear relaxation; report its value as a bound (and, if ``guide``, the
        openings it uses, to guide the search). False if it failed."""
        self.highs.run()
        if not self._solved():
            return False
        self._note_bound(float(self.highs.getInfo().objective_function_value) + 1e-6)
        if guide:
            x = np.asarray(self.highs.getSolution().col_value)[: len(self.open_facilitator)]
            write_message(self.out_fd, ("guide", np.flatnonzero(x > 1e-6).astype(np.int32)))
        return True

    def _dive(self, share: int) -> None:
        """Round the relaxation by diving: fix the most open sections, re-solve, repeat.

        Each round fixes every opening the relaxation already takes fully plus the largest
        fractional ones (``1/share`` of them, at most one per facilitator, so fixings rarely
        clash); a round that makes the relaxation infeasible keeps only its best fixing. With
        every opening fixed the head counts form a network flow, whose optimal vertex is
        integral: a plan.
        """
        highs = self.highs
        openings = len(self.open_facilitator)
        lower = np.zeros(openings)
        while not self.stopping:
            self._poll_input()
            x = np.asarray(highs.getSolution().col_value)[:openings]
            free = lower < 0.5
            fractional = np.flatnonzero((x > 1e-6) & (x < 1 - 1e-6) & free)
            whole = np.flatnonzero((x >= 1 - 1e-6) & free)
            if len(fractional) == 0:
                break
            want = max(1, len(fractional) // share)
            taken = set(self.open_facilitator[whole].tolist())
            chosen: list[int] = []
            for column in fractional[np.argsort(-x[fractional], kind="stable")].tolist():
                if len(chosen) >= want:
                    break
                if self.open_facilitator[column] in taken:
                    continue
                taken.add(int(self.open_facilitator[column]))
                chosen.append(column)
            fix = np.unique(np.concatenate([whole, np.array(chosen, dtype=np.int64)]))
            self._set_lower(fix, lower, 1.0)
            highs.run()
            if not self._solved():
                self._set_lower(np.array(chosen[1:], dtype=np.int64), lower, 0.0)
                highs.run()
                if not self._solved():
                    break
        if self._solved():
            values = np.asarray(highs.getSolution().col_value)
            if np.max(np.abs(values - np.rint(values)), initial=0.0) < 1e-6:
                value = float(highs.getInfo().objective_function_value)
                if value > self.best + 0.5:
                    self.best = value
                    columns, counts = _sparse(values)
                    self.best_start = (columns, counts)
                    write_message(self.out_fd, ("solution", value + self.offset, columns, counts))
        # Undo the dive's fixings for whatever runs next.
        self._set_lower(np.arange(openings), lower, 0.0)

    def _set_lower(self, columns: np.ndarray, lower: np.ndarray, value: float) -> None:
        if len(columns) == 0:
            return
        columns = columns.astype(np.int32)
        lower[columns] = value
        self.highs.changeColsBounds(len(columns), columns, lower[columns], self.upper[columns])

    def run(self) -> None:
        highs = self.highs
        highspy = self.highspy
        branching = self.columns <= self.branch_limit
        if self.dive and self._relaxation(guide=True):
            if branching:
                # Branch and bound will prove the optimum: a quick, coarse dive is enough to start.
                self._dive(8)
            else:
                # One opening per round is slower but closest to the relaxation (measured: it
                # reaches the optimum of 1,000-person one-track terms); a second, coarser dive
                # differs from it.
                self._dive(1)
                if not self.stopping and self._relaxation():
                    self._dive(8)
        if not branching:
            write_message(self.out_fd, ("done", False, -math.inf, math.inf, None, None))
            return
        highs.changeColsIntegrality(
            self.columns,
            np.arange(self.columns, dtype=np.int32),
            np.array([highspy.HighsVarType.kInteger] * self.columns),
        )
        best_start = self.best_start
        if best_start is not None:
            self._set_start(best_start)
        if self.stopping:
            write_message(self.out_fd, ("done", False, -math.inf, math.inf, None, None))
            return
        highs.run()
        status = highs.getModelStatus()
        info = highs.getInfo()
        optimal = status == self.highspy.HighsModelStatus.kOptimal
        columns = values = None
        value = -math.inf
        if info.primal_solution_status == 2:
            columns, values = _sparse(highs.getSolution().col_value)
            value = float(info.objective_function_value)
        bound = float(info.mip_dual_bound)
        if optimal and math.isfinite(value):
            bound = min(bound, value + 0.5) if math.isfinite(bound) else value
        write_message(
            self.out_fd,
            ("done", optimal, value + self.offset, bound + self.offset, columns, values),
        )


def main() -> int:
    in_fd, out_fd = sys.stdin.fileno(), sys.stdout.fileno()
    # Anything HiGHS or NumPy might print must not corrupt the protocol on standard output.
    protocol_fd = os.dup(out_fd)
    os.dup2(sys.stderr.fileno(), out_fd)
    write_message(protocol_fd, ("ready",))
    program = read_message(in_fd)
    if program is None:
        return 0
    Worker(program, in_fd, protocol_fd).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
