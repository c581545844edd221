"""Hand moves explained to the organizer: where a participant may go (the validator decides) and,
for every section that would refuse them, why, in names and local times, never ids or UTC. The
reasons of the unplaced are told the same way."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from cohortkit.common.timezones import time_zone_label
from cohortkit.scheduling import slots
from cohortkit.scheduling.solver import Instance, Participant, Section, Solution
from cohortkit.scheduling.solver import section_violations as validator_section_violations
from cohortkit.scheduling.solver.availability import slot_mask

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHORT_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# How the solver and its validator write a time of the reference week: ``Tue 19:30 UTC``.
# A word that may be an id (dots only inside it, so the end of a sentence is not taken in).
WORD = re.compile(r"[\w@-]+(?:\.[\w@-]+)*")
UTC_SLOT = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d\d):(\d\d) UTC\b")


@dataclass(frozen=True)
class Teller:
    """What explaining needs: the run's week, names of its ids, the tracks' names and the
    organizer's zone."""

    instance: Instance
    week_monday: dt.date
    names: Mapping[str, str]
    track_names: Mapping[str, str]
    viewer_zone: str

    def name(self, person_id: str) -> str:
        return self.names.get(person_id, person_id)

    def track(self, slug: str) -> str:
        return self.track_names.get(slug, slug)

    def wall_clock(self, slot: int, zone: str) -> str:
        """``Monday 18:00`` of the reference week's ``slot`` in ``zone``."""
        instant = slots.slot_instant(slot, self.week_monday, self.instance.slot_minutes)
        local = instant.astimezone(ZoneInfo(zone))
        return f"{WEEKDAYS[local.weekday()]} {local:%H:%M}"

    def in_words(self, text: str) -> str:
        """A sentence of the solver's with its ids named and its UTC times in the organizer's
        zone (the zone said once, at the end)."""
        text = WORD.sub(lambda match: self.names.get(match.group(0), match.group(0)), text)
        changed = [False]

        def local(match: re.Match[str]) -> str:
            day = SHORT_WEEKDAYS.index(match.group(1))
            minutes = day * 24 * 60 + int(match.group(2)) * 60 + int(match.group(3))
            changed[0] = True
            return self.wall_clock(minutes // self.instance.slot_minutes, self.viewer_zone)

        text = UTC_SLOT.sub(local, text)
        if changed[0]:
            text += f" (times in your zone, {time_zone_label(self.viewer_zone)})"
        return text


@dataclass
class MoveTarget:
    index: int
    label: str
    reasons: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.reasons


@dataclass
class MoveOptions:
    participant: str
    name: str
    current: int | None
    accepted: list[MoveTarget]
    refused: list[MoveTarget]


def _venue(location: str | None) -> str:
    return "online" if location is None else f"in person at {location}"


def _why_not(
    teller: Teller, person: Participant, target: Section, before: list[str], after: list[str]
) -> list[str]:
    """The validator's new objections to ``target`` once ``person`` joins it, in words."""
    name = teller.name(person.id)
    instance = teller.instance
    new = [problem for problem in after if problem not in before]
    if not new:
        return []
    reasons: list[str] = []
    if person.track != target.track:
        reasons.append(
            f"{name} is in the {teller.track(person.track)} track; this section is "
            f"{teller.track(target.track)}"
        )
    if target.location not in person.venues():
        wanted = " or ".join(_venue(venue) for venue in person.venues())
        reasons.append(
            f"{name} can only meet {wanted}; this section meets {_venue(target.location)}"
        )
    available = slot_mask(person.available)
    missing = next(
        (slot for slot in instance.meeting_slots_from(target.start) if not available >> slot & 1),
        None,
    )
    if missing is not None:
        zone = person.timezone or "UTC"
        reasons.append(
            f"{name} is not free on {teller.wall_clock(missing, zone)} in their zone, "
            f"{time_zone_label(zone)} ({teller.wall_clock(missing, teller.viewer_zone)} in yours, "
            f"{time_zone_label(teller.viewer_zone)})"
        )
    if len(target.participants) > instance.section_max:
        reasons.append(f"the section is full: it has {instance.section_max}, the most allowed")
    # Anything else the validator found, said in names and local time.
    return reasons or [teller.in_words(problem) for problem in new]


def move_options(
    *, teller: Teller, solution: Solution, participant: str, labels: Mapping[int, str]
) -> MoveOptions:
    """Every section of ``solution`` but the participant's own, split into those that would
    accept ``participant`` (the validator finds nothing new against the moved plan) and those
    that would not, each with its reasons in words."""
    instance = teller.instance
    person = next((p for p in instance.participants if p.id == participant), None)
    if person is None:
        return MoveOptions(participant, participant, None, [], [])
    name = teller.name(participant)
    locked_keys = {(s.facilitator, s.start, s.track, s.location) for s in instance.locked}
    locked_members = {
        (s.facilitator, s.start, s.track, s.location): set(s.participants) for s in instance.locked
    }
    current = next(
        (index for index, s in enumerate(solution.sections) if participant in s.participants),
        None,
    )
    leaving: list[str] = []
    if current is not None:
        source = solution.sections[current]
        key = (source.facilitator, source.start, source.track, source.location)
        if participant in locked_members.get(key, set()):
            leaving.append(
                f"{name} is a member of this published section, which a run keeps as it is"
            )
        remaining = len(source.participants) - 1
        if key not in locked_keys and remaining < instance.section_min:
            leaving.append(
                f"{name}'s section would be left with {remaining} "
                f"member{'' if remaining == 1 else 's'}, fewer than the minimum of "
                f"{instance.section_min}"
            )
    accepted: list[MoveTarget] = []
    refused: list[MoveTarget] = []
    for index, target in enumerate(solution.sections):
        if index == current:
            continue
        joined = replace(target, participants=(*target.participants, participant))
        before = validator_section_violations(instance, target, enforce_minimum=False)
        after = validator_section_violations(instance, joined, enforce_minimum=False)
        option = MoveTarget(index, labels.get(index, str(index + 1)))
        option.reasons = leaving + _why_not(teller, person, joined, before, after)
        (accepted if option.accepted else refused).append(option)
    return MoveOptions(participant, name, current, accepted, refused)
