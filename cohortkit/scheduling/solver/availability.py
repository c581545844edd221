"""Availability as sets of slots and of meeting starts, with wrap-around at the end of the week.

A set of slots is kept as a Python integer used as a bit mask (bit ``s`` set = slot ``s``), which
makes "can everyone in this group make this start?" a few integer operations even for 10,000
people.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from cohortkit.scheduling.solver.model import SlotRange


def slot_mask(ranges: Iterable[SlotRange]) -> int:
    """The slots covered by the half-open ``ranges``, as a bit mask."""
    mask = 0
    for start, end in ranges:
        mask |= ((1 << (end - start)) - 1) << start
    return mask


def start_mask(ranges: Iterable[SlotRange], slots_per_week: int, meeting_slots: int) -> int:
    """Starts ``s`` such that every slot of a meeting from ``s`` (wrapping) is in ``ranges``."""
    available = slot_mask(ranges)
    full_week = (1 << slots_per_week) - 1
    starts = full_week
    for offset in range(meeting_slots):
        # Bit s of the rotated mask tells whether slot (s + offset) mod week is available.
        rotated = (available >> offset) | (available << (slots_per_week - offset))
        starts &= rotated & full_week
    return starts


def meeting_mask(start: int, slots_per_week: int, meeting_slots: int) -> int:
    """The slots a meeting from ``start`` occupies, as a bit mask."""
    mask = 0
    for offset in range(meeting_slots):
        mask |= 1 << ((start + offset) % slots_per_week)
    return mask


def conflicting_starts_mask(start: int, slots_per_week: int, meeting_slots: int) -> int:
    """Starts of meetings that would overlap a meeting from ``start`` (including itself)."""
    mask = 0
    for offset in range(-(meeting_slots - 1), meeting_slots):
        mask |= 1 << ((start + offset) % slots_per_week)
    return mask


def bits(mask: int) -> Iterator[int]:
    """The positions of the set bits of ``mask``, lowest first."""
    while mask:
        lowest = mask & -mask
        yield lowest.bit_length() - 1
        mask ^= lowest
