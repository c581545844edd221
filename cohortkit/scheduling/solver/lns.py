"""Large-neighbourhood search over a plan, with CP-SAT solving each neighbourhood exactly.

A neighbourhood is a set of kinds (one track, a few windows of start times, usually around the
times a still-unplaced person could meet) together with every facilitator who could lead them.
All sections of those kinds are released and everyone in them is free again, along with the
unplaced people who could join them; CP-SAT then rebuilds that part optimally while the rest of the
plan stays. Each step is small, so it takes the same time at 1,000 people as at 10,000, and it
never makes the plan worse because the current plan is given as a hint.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from cohortkit.scheduling.solver.availability import conflicting_starts_mask
from cohortkit.scheduling.solver.cpsat import Group, SubHint, SubProblem, solve_subproblem
from cohortkit.scheduling.solver.plan import Plan, kind_types
from cohortkit.scheduling.solver.prepare import Problem

# Counted work charged to every step for building and applying its model (about 10-30 ms of
# processor time, in CP-SAT's deterministic seconds), so that a run of many trivial steps is not
# free when work is counted.
STEP_OVERHEAD = 0.01


class Schedule:
    """A mutable plan with the indexes that let a neighbourhood be built and applied quickly."""

    def __init__(self, problem: Problem, plan: Plan) -> None:
        self.problem = problem
        self.leaders: list[list[int]] = [[] for _ in problem.kinds]
        self.sections_of: list[list[int]] = [[] for _ in problem.facilitator_kinds]
        self.kind_joins: list[dict[int, int]] = [{} for _ in problem.kinds]
        self.type_joins: list[dict[int, int]] = [{} for _ in problem.types]
        self.locked_joins: dict[tuple[int, int], int] = dict(plan.locked_joins)
        self.placed = [0] * len(problem.types)
        for facilitator, kind in plan.opened:
            self.leaders[kind].append(facilitator)
            self.sections_of[facilitator].append(kind)
        for (person_type, kind), count in plan.joins.items():
            self.kind_joins[kind][person_type] = count
            self.type_joins[person_type][kind] = count
            self.placed[person_type] += count
        for (person_type, _), count in plan.locked_joins.items():
            self.placed[person_type] += count
        self.value = plan.objective(problem)
        self.locked_left = list(problem.locked_room)
        for (_, locked), count in plan.locked_joins.items():
            self.locked_left[locked] -= count

    def to_plan(self) -> Plan:
        """The current plan."""
        return Plan(
            opened=[
                (facilitator, kind)
                for facilitator, kinds in enumerate(self.sections_of)
                for kind in kinds
            ],
            joins={
                (person_type, kind): count
                for person_type, joins in enumerate(self.type_joins)
                for kind, count in joins.items()
            },
            locked_joins=dict(self.locked_joins),
        )

    def waiting(self, person_type: int) -> int:
        """How many people of ``person_type`` are not placed yet."""
        return self.problem.types[person_type].count - self.placed[person_type]


class NeighbourhoodSearch:
    """Improves a :class:`Schedule` step by step until a deadline or the bound is reached."""

    def __init__(
        self,
        problem: Problem,
        schedule: Schedule,
        *,
        seed: int,
        guide: set[tuple[int, int]] | None = None,
        workers: int = 2,
    ) -> None:
        self.problem = problem
        self.guide = guide
        # Share of steps whose facilitators may open only what the flow relaxation uses (or
        # what they lead now): smaller models, so larger neighbourhoods solve in time.
        self.guided_share = 0.5
        self.workers = workers
        self.schedule = schedule
        self.random = random.Random(seed)
        self.seed = seed
        self.types_of_kind = kind_types(problem)
        week = problem.instance.slots_per_week
        self.kinds_at_start: list[list[int]] = [[] for _ in range(week)]
        self.kinds_at_venue: dict[str | None, list[int]] = {}
        for index, kind in enumerate(problem.kinds):
            self.kinds_at_start[kind.start].append(index)
            self.kinds_at_venue.setdefault(kind.venue, []).append(index)
        # Half-width of the windows of start times, in slots; adapted to how hard steps are.
        self.window = 2
        # How many facilitators a facilitator-centred neighbourhood frees; adapted likewise.
        self.facilitator_count = 4
        self.largest_window = week // 2
        self.most_facilitators = max(len(problem.facilitator_kinds), 2)
        self.step_seconds = 1.0
        # When set, each step is limited by CP-SAT's deterministic time instead of seconds (for
        # tests and counted runs that must not depend on the machine).
        self.step_work: float | None = None
        self.steps = 0
        self.improvements = 0
        # CP-SAT's deterministic time spent so far, plus STEP_OVERHEAD a step for building it.
        self.work = 0.0

    def run(
        self,
        *,
        deadline: float,
        bound: int,
        on_improvement: Callable[[int], None] | None = None,
        give_up_after: int | None = None,
    ) -> None:
        """Search until ``deadline`` (a ``time.monotonic`` value), until the bound is reached,
        or, when ``give_up_after`` is set, after that many steps in a row without improvement.
        """
        without_improvement = 0
        while self.schedule.value < bound:
            left = deadline - time.monotonic()
            if left < 0.05:
                return
            if give_up_after is not None and without_improvement >= give_up_after:
                return
            before = self.schedule.value
            self.step(min(self.step_seconds, left), deadline=deadline)
            if self.schedule.value > before:
                without_improvement = 0
                if on_improvement is not None:
                    on_improvement(self.schedule.value)
            else:
                without_improvement += 1

    def _seed_kinds(self) -> tuple[int, ...]:
        """The kinds of a person still waiting (usually) or of anyone (for diversity)."""
        problem = self.problem
        waiting = [
            index
            for index in range(len(problem.types))
            if self.schedule.waiting(index) > 0 and problem.types[index].kinds
        ]
        if waiting and self.random.random() < 0.85:
            return problem.types[self.random.choice(waiting)].kinds
        return problem.types[self.random.randrange(len(problem.types))].kinds

    def _pick_neighbourhood(self) -> tuple[set[int], set[int]]:
        """Kinds and facilitators to rebuild.

        Either a few windows of start times in one track with every facilitator who could lead
        there (moves people and sections in time), or a few facilitators who could serve a
        waiting person with everything they could lead all week (moves a facilitator's section
        to a distant day), or, for a person who would meet in person, the facilitators of that
        venue.
        """
        problem = self.problem
        seed_kinds = self._seed_kinds()
        if not seed_kinds:
            return set(), set()
        in_person = [kind for kind in seed_kinds if problem.kinds[kind].venue is not None]
        if in_person and self.random.random() < 0.3:
            return self._venue_neighbourhood(problem.kinds[self.random.choice(in_person)].venue)
        if self.random.random() < 0.5:
            kinds = self._pick_kinds(seed_kinds)
            facilitators = {
                facilitator for kind in kinds for facilitator in problem.kind_facilitators[kind]
            }
            return kinds, facilitators
        candidates = sorted(
            {
                facilitator
                for kind in self.random.sample(seed_kinds, min(len(seed_kinds), 3))
                for facilitator in problem.kind_facilitators[kind]
            }
        )
        facilitators = set(
            self.random.sample(candidates, min(len(candidates), self.facilitator_count))
        )
        kinds = {
            kind for facilitator in facilitators for kind in problem.facilitator_kinds[facilitator]
        }
        # Also free the times around the waiting person, so that the people who make room for
        # them can move as well.
        around = self._pick_kinds(seed_kinds)
        kinds |= around
        facilitators |= {
            facilitator for kind in around for facilitator in problem.kind_facilitators[kind]
        }
        return kinds, facilitators

    def _venue_neighbourhood(self, venue: str | None) -> tuple[set[int], set[int]]:
        """Everything at one venue: the facilitators who can lead there, with all they could
        lead all week (a university's sections depend mostly on each other, and on little
        else)."""
        problem = self.problem
        at_venue = self.kinds_at_venue.get(venue, [])
        facilitators = {
            facilitator for kind in at_venue for facilitator in problem.kind_facilitators[kind]
        }
        if len(facilitators) > self.facilitator_count:
            facilitators = set(self.random.sample(sorted(facilitators), self.facilitator_count))
        kinds = {
            kind for facilitator in facilitators for kind in problem.facilitator_kinds[facilitator]
        }
        return kinds, facilitators

    def _pick_kinds(self, seed_kinds: tuple[int, ...]) -> set[int]:
        problem = self.problem
        centers = self.random.sample(seed_kinds, min(len(seed_kinds), self.random.randint(1, 3)))
        track = problem.kinds[centers[0]].track
        any_track = self.random.random() < 0.15
        week = problem.instance.slots_per_week
        chosen: set[int] = set()
        for center in centers:
            middle = problem.kinds[center].start
            for offset in range(-self.window, self.window + 1):
                for kind in self.kinds_at_start[(middle + offset) % week]:
                    if any_track or problem.kinds[kind].track == track:
                        chosen.add(kind)
        return chosen

    def step(self, time_limit: float, *, deadline: float | None = None) -> None:
        """Rebuild one neighbourhood optimally (or as well as ``time_limit`` allows).

        Building the model takes time too, so CP-SAT gets at most what is left before
        ``deadline``.
        """
        problem = self.problem
        schedule = self.schedule
        instance = problem.instance
        week, meeting = instance.slots_per_week, instance.meeting_slots
        kinds, facilitators = self._pick_neighbourhood()
        self.work += STEP_OVERHEAD
        if not kinds:
            self.steps += 1
            return
        fixed_sections = {
            kind: outside
            for kind in kinds
            if (
                outside := sum(1 for leader in schedule.leaders[kind] if leader not in facilitators)
            )
        }

        guide = self.guide if self.guide and self.random.random() < self.guided_share else None
        options: dict[int, list[int]] = {}
        sections_left: dict[int, int] = {}
        hint_opened: set[tuple[int, int]] = set()
        for facilitator in facilitators:
            blocked = 0
            kept = 0
            for kind in schedule.sections_of[facilitator]:
                if kind in kinds:
                    hint_opened.add((facilitator, kind))
                else:
                    kept += 1
                    blocked |= conflicting_starts_mask(problem.kinds[kind].start, week, meeting)
            sections_left[facilitator] = problem.facilitator_capacity[facilitator] - kept
            options[facilitator] = [
                kind
                for kind in problem.facilitator_kinds[facilitator]
                if kind in kinds
                and not blocked >> problem.kinds[kind].start & 1
                and (
                    guide is None
                    or (facilitator, kind) in guide
                    or (facilitator, kind) in hint_opened
                )
            ]

        released: dict[int, int] = {}
        for kind in kinds:
            for person_type, count in schedule.kind_joins[kind].items():
                released[person_type] = released.get(person_type, 0) + count
        released_value = sum(
            problem.types[person_type].priority * count for person_type, count in released.items()
        )
        candidates = set(released)
        for kind in kinds:
            for person_type in self.types_of_kind[kind]:
                if schedule.waiting(person_type) > 0:
                    candidates.add(person_type)

        groups_by_key: dict[tuple[object, ...], Group] = {}
        for person_type in candidates:
            details = problem.types[person_type]
            free = schedule.waiting(person_type) + released.get(person_type, 0)
            here = tuple(kind for kind in details.kinds if kind in kinds)
            locked = tuple(index for index in details.locked if schedule.locked_left[index] > 0)
            key = (details.priority, here, locked)
            group = groups_by_key.get(key)
            if group is None:
                group = Group(priority=details.priority, kinds=here, locked=locked, free=0)
                groups_by_key[key] = group
            group.free += free
            group.members.append((person_type, free))
        groups = list(groups_by_key.values())

        hint_joins: dict[tuple[int, int], int] = {}
        for index, group in enumerate(groups):
            for person_type, _ in group.members:
                for kind, count in schedule.type_joins[person_type].items():
                    if kind in kinds:
                        hint_joins[(index, kind)] = hint_joins.get((index, kind), 0) + count

        sub = SubProblem(
            options=options,
            sections_left=sections_left,
            groups=groups,
            fixed_sections=fixed_sections,
            locked_room={
                index: room for index, room in enumerate(schedule.locked_left) if room > 0
            },
        )
        started = time.monotonic()
        if deadline is not None:
            time_limit = min(time_limit, deadline - started)
            if time_limit < 0.02:
                return
        result = solve_subproblem(
            problem,
            sub,
            hint=SubHint(opened=hint_opened, joins=hint_joins, locked_joins={}),
            time_limit=time_limit,
            seed=self.seed + self.steps,
            workers=self.workers,
            work_limit=self.step_work,
        )
        spent = time.monotonic() - started
        self.steps += 1
        # A step that found nothing in time used all it was given.
        self.work += result.work if result is not None else (self.step_work or 0.0)
        easy = (
            spent < 0.25 * time_limit
            if self.step_work is None
            else result is not None and result.work < 0.25 * self.step_work
        )
        # Grow neighbourhoods while CP-SAT solves them easily, shrink them when it cannot.
        if result is not None and result.optimal and easy:
            self.window = min(self.window + 1 + self.window // 4, self.largest_window)
            self.facilitator_count = min(
                self.facilitator_count + 1 + self.facilitator_count // 4, self.most_facilitators
            )
        elif result is None or not result.optimal:
            self.window = max(self.window * 3 // 4, 0)
            self.facilitator_count = max(self.facilitator_count * 3 // 4, 2)
        if result is None or result.value < released_value:
            return
        if result.value > released_value:
            self.improvements += 1
        self._apply(kinds, facilitators, groups, result.opened, result.joins, result.locked_joins)

    def _apply(
        self,
        kinds: set[int],
        facilitators: set[int],
        groups: list[Group],
        opened: list[tuple[int, int]],
        joins: dict[tuple[int, int], int],
        locked_joins: dict[tuple[int, int], int],
    ) -> None:
        problem = self.problem
        schedule = self.schedule
        for facilitator in facilitators:
            schedule.sections_of[facilitator] = [
                kind for kind in schedule.sections_of[facilitator] if kind not in kinds
            ]
        for kind in kinds:
            schedule.leaders[kind] = [
                leader for leader in schedule.leaders[kind] if leader not in facilitators
            ]
            for person_type, count in schedule.kind_joins[kind].items():
                del schedule.type_joins[person_type][kind]
                schedule.placed[person_type] -= count
                schedule.value -= problem.types[person_type].priority * count
            schedule.kind_joins[kind] = {}
        for facilitator, kind in opened:
            schedule.leaders[kind].append(facilitator)
            schedule.sections_of[facilitator].append(kind)

        # Hand each group's head counts back to the participant types it merged.
        room = {
            (index, person_type): free
            for index, group in enumerate(groups)
            for person_type, free in group.members
        }
        for (index, kind), count in sorted(joins.items()):
            for person_type, _ in groups[index].members:
                taken = min(count, room[(index, person_type)])
                if not taken:
                    continue
                room[(index, person_type)] -= taken
                count -= taken
                schedule.kind_joins[kind][person_type] = (
                    schedule.kind_joins[kind].get(person_type, 0) + taken
                )
                schedule.type_joins[person_type][kind] = (
                    schedule.type_joins[person_type].get(kind, 0) + taken
                )
                schedule.placed[person_type] += taken
                schedule.value += problem.types[person_type].priority * taken
                if count == 0:
                    break
        for (index, locked), count in sorted(locked_joins.items()):
            for person_type, _ in groups[index].members:
                taken = min(count, room[(index, person_type)])
                if not taken:
                    continue
                room[(index, person_type)] -= taken
                count -= taken
                key = (person_type, locked)
                schedule.locked_joins[key] = schedule.locked_joins.get(key, 0) + taken
                schedule.locked_left[locked] -= taken
                schedule.placed[person_type] += taken
                schedule.value += problem.types[person_type].priority * taken
                if count == 0:
                    break
