"""What-if: how many more people would be placed with one more facilitator at a given time."""

from __future__ import annotations

from dataclasses import replace

from cohortkit.scheduling.solver.model import Facilitator, Instance, SlotRange, Solution
from cohortkit.scheduling.solver.solve import solve

WHAT_IF_FACILITATOR_ID = "what-if facilitator"


def _placed_count(solution: Solution) -> int:
    return sum(len(section.participants) for section in solution.sections)


def with_extra_facilitator(
    instance: Instance, *, track: str, start_slot: int, location: str | None = None
) -> Instance:
    """``instance`` plus one facilitator of ``track`` free for exactly one meeting from
    ``start_slot``, leading it virtually (``location`` None) or in person at ``location``."""
    week = instance.slots_per_week
    if not 0 <= start_slot < week:
        raise ValueError(f"start_slot: {start_slot} out of bounds [0, {week})")
    if track not in instance.known_tracks():
        raise ValueError(f"track: unknown track {track!r}")
    end = start_slot + instance.meeting_slots
    available: tuple[SlotRange, ...] = (
        ((start_slot, end),) if end <= week else ((start_slot, week), (0, end - week))
    )
    taken_ids = {person.id for person in instance.facilitators}
    extra_id = WHAT_IF_FACILITATOR_ID
    while extra_id in taken_ids:
        extra_id += "'"
    extra = Facilitator(
        id=extra_id,
        tracks=(track,),
        max_sections=1,
        virtual=location is None,
        location=location,
        available=available,
    )
    return replace(instance, facilitators=(*instance.facilitators, extra))


def what_if(
    instance: Instance,
    *,
    track: str,
    start_slot: int,
    location: str | None = None,
    time_limit: float,
    baseline: Solution | None = None,
    seed: int = 0,
) -> int:
    """How many MORE participants would be placed with one more facilitator of ``track``
    available for one meeting from ``start_slot`` (virtual, or in person at ``location``).

    ``baseline`` is the current solution if there is one (then the whole ``time_limit`` goes to
    the new instance); otherwise the time is split between the two solves. The answer is never
    negative: an extra facilitator can always be left unused.
    """
    if baseline is None:
        baseline = solve(instance, time_limit=time_limit / 2, seed=seed)
        time_limit /= 2
    extended = with_extra_facilitator(
        instance, track=track, start_slot=start_slot, location=location
    )
    improved = solve(extended, time_limit=time_limit, seed=seed)
    return max(0, _placed_count(improved) - _placed_count(baseline))
