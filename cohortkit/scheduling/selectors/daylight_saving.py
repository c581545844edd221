"""Daylight saving: a section's weekly time is fixed in its facilitator's zone, each member's
availability in theirs; every week of the term is checked on its real dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cohortkit.common.timezones import is_valid_time_zone
from cohortkit.programs.models import Term
from cohortkit.scheduling import slots
from cohortkit.scheduling.solver import Instance, Solution
from cohortkit.scheduling.solver import Section as SolverSection
from cohortkit.sections.meetings import meeting_starts


@dataclass(frozen=True)
class DaylightSavingConflict:
    """In ``week`` the section's fixed local time falls outside what the member said they can
    make, on their own wall clock, because a daylight-saving change moved one of the two."""

    participant: str
    section: int
    week: int
    starts_at: dt.datetime
    member_zone: str
    usual_local: str
    local: str


def section_zone(instance: Instance, facilitator: str, term: Term) -> str:
    """A section's weekly time is fixed in its facilitator's zone (the term's if unknown)."""
    for person in instance.facilitators:
        if person.id == facilitator and person.timezone and is_valid_time_zone(person.timezone):
            return person.timezone
    return term.time_zone


def section_wall_clock(
    instance: Instance, section: SolverSection, term: Term, monday: dt.date
) -> tuple[int, dt.time, str]:
    zone = section_zone(instance, section.facilitator, term)
    weekday, start = slots.slot_to_wall_clock(section.start, zone, monday, instance.slot_minutes)
    return weekday, start, zone


def _clock(instant: dt.datetime, zone: str) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a %H:%M}"


def daylight_saving_conflicts(
    *, term: Term, instance: Instance, solution: Solution, monday: dt.date
) -> list[DaylightSavingConflict]:
    """Every member and week of the term whose meeting falls outside their availability.

    A section meets at a fixed time in its own zone; each member's availability is a fixed
    wall-clock time in theirs. Every week of the term is checked on its real dates.
    """
    participants = {person.id: person for person in instance.participants}
    step = dt.timedelta(minutes=instance.slot_minutes)
    conflicts: list[DaylightSavingConflict] = []
    for index, section in enumerate(solution.sections):
        weekday, start, zone = section_wall_clock(instance, section, term, monday)
        starts = meeting_starts(term, weekday, start, zone)
        for member_id in section.participants:
            member = participants.get(member_id)
            if member is None or not member.timezone or not is_valid_time_zone(member.timezone):
                continue
            member_zone = member.timezone
            available = slots.available_local_half_hours(
                member.available, member_zone, monday, instance.slot_minutes
            )
            usual = _clock(
                slots.slot_instant(section.start, monday, instance.slot_minutes), member_zone
            )
            for week, starts_at in starts:
                pieces = [starts_at + step * k for k in range(instance.meeting_slots)]
                if all(
                    slots.local_slot_key(piece, member_zone, instance.slot_minutes) in available
                    for piece in pieces
                ):
                    continue
                conflicts.append(
                    DaylightSavingConflict(
                        participant=member_id,
                        section=index,
                        week=week,
                        starts_at=starts_at,
                        member_zone=member_zone,
                        usual_local=usual,
                        local=_clock(starts_at, member_zone),
                    )
                )
    return conflicts
