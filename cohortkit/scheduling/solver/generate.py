"""Seeded, realistic instances whose optimum is known exactly (a "planted" optimum).

Sections are planted first: each facilitator gets one to three sections at times they can make,
and each planted section gets members whose availability (evenings and weekends in their own time
zone, converted to UTC slots of a reference week) includes that meeting. So every planted member
can be placed, and the planted placement is optimal. A few extra participants are added that no
facilitator can ever serve (an in-person university without a facilitator, or hours when no
facilitator of their track is free); they cannot be placed by any solver, so the optimum is the
total priority of the planted members.

Capacity is tight: most facilitators may lead exactly as many sections as were planted for them,
and planted sections are nearly full. ``wrap=True`` plants a share of the sections across the end
of the week (Sunday evening in the Americas is Monday 00:00 UTC), with members available only then,
so the optimum needs wrap-around meetings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from cohortkit.scheduling.solver.availability import bits, conflicting_starts_mask, start_mask
from cohortkit.scheduling.solver.model import (
    Facilitator,
    Instance,
    Mode,
    Participant,
    Section,
    SlotRange,
)

# Time zones weighted roughly like an international online course.
TIME_ZONES: tuple[tuple[str, float], ...] = (
    ("America/New_York", 0.16),
    ("America/Chicago", 0.06),
    ("America/Los_Angeles", 0.11),
    ("America/Sao_Paulo", 0.03),
    ("Europe/London", 0.09),
    ("Europe/Berlin", 0.11),
    ("Europe/Madrid", 0.04),
    ("Africa/Lagos", 0.03),
    ("Asia/Kolkata", 0.12),
    ("Asia/Singapore", 0.04),
    ("Asia/Shanghai", 0.05),
    ("Asia/Tokyo", 0.05),
    ("Australia/Sydney", 0.06),
    ("Australia/Perth", 0.02),
)
UNIVERSITIES: tuple[tuple[str, str], ...] = (
    ("UC Berkeley", "America/Los_Angeles"),
    ("University of Toronto", "America/Toronto"),
    ("University of Edinburgh", "Europe/London"),
    ("TU Munich", "Europe/Berlin"),
    ("IIT Delhi", "Asia/Kolkata"),
    ("University of Melbourne", "Australia/Melbourne"),
)
# A university where people want to meet in person but no facilitator is: never placeable.
UNSERVED_UNIVERSITY = ("Sorbonne University", "Europe/Paris")
TRACKS = ("intro", "advanced")
# Monday 2025-10-06: northern summer time still on, Australian summer time just started.
REFERENCE_MONDAY = datetime(2025, 10, 6, tzinfo=UTC)
# Many universities, for the family where most sections meet in person.
MANY_UNIVERSITIES: tuple[tuple[str, str], ...] = (
    *UNIVERSITIES,
    ("Stanford University", "America/Los_Angeles"),
    ("MIT", "America/New_York"),
    ("Columbia University", "America/New_York"),
    ("University of Chicago", "America/Chicago"),
    ("University of Oxford", "Europe/London"),
    ("ETH Zurich", "Europe/Zurich"),
    ("KU Leuven", "Europe/Brussels"),
    ("University of Cape Town", "Africa/Johannesburg"),
    ("National University of Singapore", "Asia/Singapore"),
    ("University of Tokyo", "Asia/Tokyo"),
    ("Tsinghua University", "Asia/Shanghai"),
    ("University of Sydney", "Australia/Sydney"),
    ("IISc Bangalore", "Asia/Kolkata"),
    ("University of Sao Paulo", "America/Sao_Paulo"),
)


@dataclass(frozen=True)
class Family:
    """The knobs of one family of generated instances (every family has a planted optimum).

    ``in_person_share`` of facilitators belong to a university (of ``universities``); of the
    virtual members, ``either_share`` would also meet in person; of the in-person members,
    ``in_person_either_share`` would also meet online. ``member_windows`` is the range of extra
    availability windows a planted member has besides the one around their section (fewer means
    sparser availability); ``spare_capacity_share`` of facilitators may lead one more section
    than planted. ``wrap`` plants a share of the sections across the end of the week.
    """

    name: str
    tracks: tuple[str, ...] = TRACKS
    zones: tuple[tuple[str, float], ...] = TIME_ZONES
    in_person_share: float = 0.12
    universities: tuple[tuple[str, str], ...] = UNIVERSITIES
    either_share: float = 0.08
    in_person_either_share: float = 0.3
    member_windows: tuple[int, int] = (1, 3)
    facilitator_windows: tuple[int, int] = (3, 6)
    sections_per_facilitator: tuple[float, float, float] = (0.35, 0.4, 0.25)
    spare_capacity_share: float = 0.2
    multi_track_share: float = 0.3
    wrap: bool = False


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family("full"),
        Family("one-track", tracks=("intro",), in_person_share=0.0, either_share=0.0),
        Family(
            "clustered",
            zones=(("Europe/London", 0.3), ("Europe/Berlin", 0.4), ("Africa/Lagos", 0.3)),
        ),
        Family("sparse", member_windows=(0, 1), facilitator_windows=(2, 4)),
        Family(
            "either",
            in_person_share=0.35,
            either_share=0.45,
            in_person_either_share=0.6,
        ),
        Family(
            "scarce",
            sections_per_facilitator=(0.1, 0.3, 0.6),
            spare_capacity_share=0.0,
            multi_track_share=0.6,
        ),
        Family(
            "venues",
            in_person_share=0.6,
            universities=MANY_UNIVERSITIES,
            either_share=0.2,
        ),
        Family("wrap", wrap=True),
    )
}


@dataclass(frozen=True)
class GeneratedInstance:
    """An instance with its planted sections and the exact optimum (total priority placeable)."""

    instance: Instance
    planted: tuple[Section, ...]
    optimum: int


@cache
def _utc_offset_minutes(zone: str, local_day: int) -> int:
    local_noon = datetime(2025, 10, 6 + local_day, 12, tzinfo=ZoneInfo(zone))
    offset = local_noon.utcoffset()
    return 0 if offset is None else int(offset / timedelta(minutes=1))


def _local_to_slot(zone: str, local_day: int, local_minute: int, slot_minutes: int) -> int:
    """The UTC slot (wrapping) of a local wall-clock time on a day of the reference week."""
    minutes = local_day * 24 * 60 + local_minute - _utc_offset_minutes(zone, local_day)
    return (minutes // slot_minutes) % (7 * 24 * 60 // slot_minutes)


def _slot_local_time(zone: str, slot: int, slot_minutes: int) -> tuple[int, int]:
    """Local weekday (0 = Monday) and hour of a UTC slot of the reference week."""
    moment = REFERENCE_MONDAY + timedelta(minutes=slot * slot_minutes)
    local = moment.astimezone(ZoneInfo(zone))
    return (local.weekday(), local.hour)


def _window(start_slot: int, length: int, slots_per_week: int) -> list[SlotRange]:
    """A window of ``length`` slots from ``start_slot``, split in two if it wraps."""
    start_slot %= slots_per_week
    end = start_slot + length
    if end <= slots_per_week:
        return [(start_slot, end)]
    return [(start_slot, slots_per_week), (0, end - slots_per_week)]


class _Builder:
    """Holds the random stream and the fixed parameters while one instance is generated."""

    def __init__(self, seed: int, slot_minutes: int, meeting_slots: int, family: Family) -> None:
        self.random = random.Random(seed)
        self.family = family
        self.slot_minutes = slot_minutes
        self.meeting_slots = meeting_slots
        self.slots_per_week = 7 * 24 * 60 // slot_minutes

    def zone(self) -> str:
        names = [name for name, _ in self.family.zones]
        weights = [weight for _, weight in self.family.zones]
        return self.random.choices(names, weights)[0]

    def local_windows(self, zone: str, count: int) -> list[SlotRange]:
        """Typical evening and weekend availability in ``zone``, as UTC slot ranges."""
        ranges: list[SlotRange] = []
        for _ in range(count):
            kind = self.random.random()
            if kind < 0.6:
                day = self.random.randrange(5)
                start_hour = self.random.choice((17, 18, 18.5, 19, 19.5, 20))
                hours = self.random.choice((2, 2.5, 3, 4))
            elif kind < 0.9:
                day = self.random.choice((5, 6))
                start_hour = self.random.choice((9, 10, 13, 14, 16, 19))
                hours = self.random.choice((2, 3, 4))
            else:
                day = self.random.randrange(5)
                start_hour = self.random.choice((7, 12))
                hours = self.random.choice((1, 1.5, 2))
            start = _local_to_slot(zone, day, int(start_hour * 60), self.slot_minutes)
            length = int(hours * 60) // self.slot_minutes
            ranges.extend(_window(start, length, self.slots_per_week))
        return ranges

    def covering_window(self, start: int) -> list[SlotRange]:
        """A window that contains the meeting from ``start``, with a little margin around it."""
        before = self.random.choice((0, 30, 60, 90)) // self.slot_minutes
        after = self.random.choice((0, 30, 60, 90)) // self.slot_minutes
        return _window(start - before, before + self.meeting_slots + after, self.slots_per_week)

    def plausible_zones(self, slot: int) -> list[tuple[str, float]]:
        """Zones where a meeting at ``slot`` falls in an evening or weekend daytime."""
        plausible = []
        for zone, weight in self.family.zones:
            weekday, hour = _slot_local_time(zone, slot, self.slot_minutes)
            if (weekday < 5 and 17 <= hour < 23) or (weekday >= 5 and 8 <= hour < 22):
                plausible.append((zone, weight))
        return plausible


def generate_instance(
    participants: int,
    *,
    seed: int = 0,
    slot_minutes: int = 30,
    meeting_slots: int = 2,
    section_min: int = 4,
    section_max: int = 8,
    wrap: bool = False,
    unplaceable_share: float = 0.02,
    family: Family | str = "full",
) -> GeneratedInstance:
    """A realistic instance with about ``participants`` people and its exact optimum.

    About one facilitator per 12 participants, each leading one to three planted sections; about
    10% of people meet in person at a handful of universities. The same arguments always give
    the same instance. ``family`` (a :class:`Family` or the name of one of :data:`FAMILIES`) sets
    the shape: zones, tracks, venues, how sparse availability is, how scarce facilitators are.
    """
    if isinstance(family, str):
        family = FAMILIES[family]
    wrap = wrap or family.wrap
    builder = _Builder(seed, slot_minutes, meeting_slots, family)
    rng = builder.random
    week = builder.slots_per_week
    unplaceable_count = round(participants * unplaceable_share)
    planted_target = participants - unplaceable_count
    wrap_starts = [week - offset for offset in range(1, meeting_slots)] or [0]

    facilitators: list[Facilitator] = []
    planted_sections: list[Section] = []
    people: list[Participant] = []
    while len(people) < planted_target:
        number = len(facilitators) + 1
        in_person = rng.random() < family.in_person_share
        if in_person:
            location, zone = rng.choice(family.universities)
            virtual = rng.random() < 0.6
        else:
            location, zone, virtual = None, builder.zone(), True
        tracks = (
            (rng.choice(family.tracks),)
            if len(family.tracks) > 1 and rng.random() < 1 - family.multi_track_share
            else family.tracks
        )
        availability = builder.local_windows(zone, rng.randint(*family.facilitator_windows))
        planted_count = rng.choices((1, 2, 3), family.sections_per_facilitator)[0]
        forced_wrap = wrap and rng.random() < 0.35
        if forced_wrap:
            availability.extend(builder.covering_window(rng.choice(wrap_starts)))
        free_starts = start_mask(availability, week, meeting_slots)
        chosen_starts: list[int] = []
        if forced_wrap:
            wrapping = [start for start in bits(free_starts) if start in wrap_starts]
            if wrapping:
                chosen_starts.append(wrapping[0])
                free_starts &= ~conflicting_starts_mask(wrapping[0], week, meeting_slots)
        while len(chosen_starts) < planted_count and free_starts:
            start = rng.choice(list(bits(free_starts)))
            chosen_starts.append(start)
            free_starts &= ~conflicting_starts_mask(start, week, meeting_slots)
        if not chosen_starts:
            continue
        max_sections = len(chosen_starts) + (1 if rng.random() < family.spare_capacity_share else 0)
        facilitator_id = f"f{number}"
        venues = ([None] if virtual else []) + ([location] if location is not None else [])
        for start in chosen_starts:
            track = rng.choice(tracks)
            venue = rng.choice(venues)
            if venue is not None and location is not None and rng.random() < 0.4 and virtual:
                venue = None
            size = rng.choice(
                [section_max, section_max, section_max - 1, section_max - 2, section_min]
            )
            size = max(section_min, min(size, planted_target - len(people)))
            members: list[str] = []
            wrap_section = start in wrap_starts and wrap
            for _ in range(size):
                person = _planted_member(
                    builder, f"p{len(people) + 1}", start, track, venue, zone, wrap_section
                )
                people.append(person)
                members.append(person.id)
            planted_sections.append(
                Section(
                    facilitator=facilitator_id,
                    start=start,
                    track=track,
                    location=venue,
                    participants=tuple(members),
                )
            )
        facilitators.append(
            Facilitator(
                id=facilitator_id,
                tracks=tracks,
                max_sections=max_sections,
                virtual=virtual,
                location=location,
                available=tuple(availability),
                timezone=zone,
            )
        )

    optimum = sum(person.priority for person in people)
    instance_without_extras = Instance(
        slot_minutes=slot_minutes,
        meeting_slots=meeting_slots,
        section_min=section_min,
        section_max=section_max,
        participants=(),
        facilitators=tuple(facilitators),
    )
    for _ in range(unplaceable_count):
        people.append(_unplaceable_member(builder, f"p{len(people) + 1}", instance_without_extras))
    rng.shuffle(people)
    instance = Instance(
        slot_minutes=slot_minutes,
        meeting_slots=meeting_slots,
        section_min=section_min,
        section_max=section_max,
        participants=tuple(people),
        facilitators=tuple(facilitators),
        tracks=family.tracks,
    )
    return GeneratedInstance(instance=instance, planted=tuple(planted_sections), optimum=optimum)


def _planted_member(
    builder: _Builder,
    person_id: str,
    start: int,
    track: str,
    venue: str | None,
    facilitator_zone: str,
    only_this_meeting: bool,
) -> Participant:
    rng = builder.random
    mode: Mode
    if venue is None:
        zones = builder.plausible_zones(start)
        zone = (
            rng.choices([name for name, _ in zones], [weight for _, weight in zones])[0]
            if zones
            else facilitator_zone
        )
        if rng.random() < builder.family.either_share:
            mode, location = "either", rng.choice(builder.family.universities)[0]
        else:
            mode, location = "virtual", None
    else:
        zone = facilitator_zone
        either = rng.random() >= 1 - builder.family.in_person_either_share
        mode = "either" if either else "in_person"
        location = venue
    availability = builder.covering_window(start)
    if not only_this_meeting or rng.random() < 0.5:
        availability.extend(
            builder.local_windows(zone, rng.randint(*builder.family.member_windows))
        )
    return Participant(
        id=person_id,
        track=track,
        mode=mode,
        location=location,
        available=tuple(availability),
        priority=2 if rng.random() < 0.05 else 1,
        timezone=zone,
    )


def _unplaceable_member(builder: _Builder, person_id: str, instance: Instance) -> Participant:
    """A participant that no facilitator of ``instance`` can ever serve."""
    rng = builder.random
    week = builder.slots_per_week
    track = rng.choice(builder.family.tracks)
    if rng.random() < 0.5:
        # Awake at an hour when no facilitator of this track leads virtual sections.
        servable = 0
        for facilitator in instance.facilitators:
            if track in facilitator.tracks and facilitator.virtual:
                servable |= start_mask(facilitator.available, week, builder.meeting_slots)
        for _ in range(50):
            window = builder.covering_window(rng.randrange(week))
            if not start_mask(window, week, builder.meeting_slots) & servable:
                return Participant(
                    id=person_id,
                    track=track,
                    mode="virtual",
                    location=None,
                    available=tuple(window),
                    priority=1,
                    timezone=builder.zone(),
                )
    location, zone = UNSERVED_UNIVERSITY
    return Participant(
        id=person_id,
        track=track,
        mode="in_person",
        location=location,
        available=tuple(builder.local_windows(zone, 2)),
        priority=1,
        timezone=zone,
    )
