"""Plain data of the section-scheduling problem and its answer.

Everything here is immutable and free of Django, so the same objects serve the organizer's page,
the JSON API and the command line. Time is measured in slots of one reference week in UTC: slot 0
starts Monday 00:00 UTC and a week has ``7 * 24 * 60 / slot_minutes`` slots. A meeting lasts
``meeting_slots`` consecutive slots and may wrap from the end of the week to its start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["virtual", "in_person", "either"]
Status = Literal["optimal", "feasible"]

MINUTES_PER_WEEK = 7 * 24 * 60
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# A venue is ``None`` for a virtual section, or the name of the place of an in-person one.
Venue = str | None
# A half-open range of slots ``[start, end)``.
SlotRange = tuple[int, int]


@dataclass(frozen=True)
class Participant:
    """A confirmed participant who needs a section."""

    id: str
    track: str
    mode: Mode
    location: str | None
    available: tuple[SlotRange, ...]
    priority: int = 1
    timezone: str | None = None

    def venues(self) -> tuple[Venue, ...]:
        """The venues this participant accepts: ``None`` means virtual."""
        if self.mode == "virtual":
            return (None,)
        if self.mode == "in_person":
            return (self.location,)
        return (None,) if self.location is None else (None, self.location)


@dataclass(frozen=True)
class Facilitator:
    """A facilitator who can lead up to ``max_sections`` sections that never overlap."""

    id: str
    tracks: tuple[str, ...]
    max_sections: int
    virtual: bool
    location: str | None
    available: tuple[SlotRange, ...]
    timezone: str | None = None

    def venues(self) -> tuple[Venue, ...]:
        """The venues this facilitator can lead at: ``None`` means virtual."""
        venues: list[Venue] = []
        if self.virtual:
            venues.append(None)
        if self.location is not None:
            venues.append(self.location)
        return tuple(venues)


@dataclass(frozen=True)
class Section:
    """A section: one facilitator, one weekly start slot, one track, one venue, its members."""

    facilitator: str
    start: int
    track: str
    location: str | None
    participants: tuple[str, ...]


# A locked section has exactly the shape of a section: it already exists and must be kept.
LockedSection = Section


@dataclass(frozen=True)
class Instance:
    """One scheduling problem, as described in the scheduling contract.

    ``tracks`` is optional: when given it is the list of known tracks; otherwise the known tracks
    are those some facilitator can lead.
    """

    slot_minutes: int
    meeting_slots: int
    section_min: int
    section_max: int
    participants: tuple[Participant, ...]
    facilitators: tuple[Facilitator, ...]
    locked: tuple[LockedSection, ...] = ()
    tracks: tuple[str, ...] | None = None

    @property
    def slots_per_week(self) -> int:
        """Number of slots in the reference week."""
        return MINUTES_PER_WEEK // self.slot_minutes

    def meeting_slots_from(self, start: int) -> tuple[int, ...]:
        """The slots a meeting starting at ``start`` occupies, wrapping at the end of the week."""
        week = self.slots_per_week
        return tuple((start + offset) % week for offset in range(self.meeting_slots))

    def known_tracks(self) -> frozenset[str]:
        """Tracks a participant or section may name."""
        if self.tracks is not None:
            return frozenset(self.tracks)
        return frozenset(track for person in self.facilitators for track in person.tracks)

    def describe_slot(self, slot: int) -> str:
        """A slot as a person reads it, e.g. ``Tue 19:30 UTC``."""
        minutes = slot * self.slot_minutes
        day, minute_of_day = divmod(minutes, 24 * 60)
        hour, minute = divmod(minute_of_day, 60)
        return f"{WEEKDAY_NAMES[day % 7]} {hour:02d}:{minute:02d} UTC"


@dataclass(frozen=True)
class Unplaced:
    """A participant left without a section, with a reason a person can act on."""

    id: str
    reason: str


@dataclass(frozen=True)
class Solution:
    """The solver's answer.

    ``objective`` is the total priority placed, ``bound`` a proven upper bound on it, and
    ``status`` is ``optimal`` exactly when the two are equal.
    """

    sections: tuple[Section, ...]
    unplaced: tuple[Unplaced, ...]
    objective: int
    bound: int
    status: Status
    seconds: float


@dataclass(frozen=True)
class Progress:
    """What the solver reports while it runs, for a live progress display."""

    placed: int
    bound: int
    elapsed_seconds: float
    phase: str = field(default="")
