"""Reads of section scheduling: runs, what a run's page shows, published sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.shortcuts import get_object_or_404

from cohortkit.accounts.models import User
from cohortkit.common.timezones import format_instant, time_zone_label
from cohortkit.programs.models import Term, Track
from cohortkit.scheduling import slots
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.selectors.daylight_saving import (
    DaylightSavingConflict,
    daylight_saving_conflicts,
    section_wall_clock,
)
from cohortkit.scheduling.selectors.instances import run_instance, run_solution
from cohortkit.scheduling.selectors.moves import MoveOptions, Teller, move_options
from cohortkit.scheduling.selectors.placements import publish_new_members, run_unknown_ids
from cohortkit.scheduling.selectors.staleness import run_is_empty, run_staleness
from cohortkit.scheduling.solver import Instance, Solution
from cohortkit.sections.meetings import meeting_starts

HEAT_LEVELS = 5


def runs_of_term(*, term: Term, limit: int = 10) -> list[ScheduleRun]:
    """The term's latest runs, without their (large) instance and solution JSON."""
    return list(
        ScheduleRun.objects.filter(term=term)
        .defer("instance", "solution", "notes")
        .order_by("-created_at", "-id")[:limit]
    )


def run_get(*, term: Term, run_id: int) -> ScheduleRun:
    return get_object_or_404(ScheduleRun, term=term, pk=run_id)


def run_latest(*, term: Term) -> ScheduleRun | None:
    return ScheduleRun.objects.filter(term=term).order_by("-created_at", "-id").first()


def run_progress_get(*, term: Term, run_id: int) -> ScheduleRun:
    """The run's status and progress only, for the page's polling."""
    return get_object_or_404(
        ScheduleRun.objects.only(
            "id",
            "term",
            "status",
            "placed",
            "participants_total",
            "objective",
            "bound",
            "stop_requested_at",
            "elapsed_seconds",
            "phase",
            "time_limit_seconds",
            "error",
            "published_at",
        ),
        term=term,
        pk=run_id,
    )


@dataclass(frozen=True)
class PersonLabel:
    id: str
    name: str
    email: str


@dataclass
class MemberRow:
    id: str
    name: str
    local_time: str
    zone: str


@dataclass
class SectionRow:
    index: int
    track: str
    facilitator: PersonLabel
    venue: str
    viewer_time: str
    section_time: str
    members: list[MemberRow] = field(default_factory=list)


@dataclass(frozen=True)
class UnplacedRow:
    id: str
    name: str
    reason: str


@dataclass(frozen=True)
class HeatRow:
    track: str
    who: str
    cells: list[tuple[int, int]]  # (count, level 0..HEAT_LEVELS) per UTC hour


@dataclass(frozen=True)
class ConflictRow:
    name: str
    section: str
    week: int
    when: str
    usual_local: str
    local: str
    zone: str


@dataclass
class RunView:
    instance: Instance
    solution: Solution | None
    sections: list[SectionRow]
    unplaced: list[UnplacedRow]
    heat: list[HeatRow]
    conflicts: list[ConflictRow]
    participants: list[PersonLabel]
    facilitators: list[PersonLabel]
    tracks: list[str]
    unknown_ids: list[str] = field(default_factory=list)
    new_members: list[Any] = field(default_factory=list)
    # Why the run no longer matches its term (people or sections changed); empty if current.
    stale: list[str] = field(default_factory=list)
    empty: bool = False
    teller: Teller | None = None

    @property
    def placed_people(self) -> int:
        """People placed in sections (the objective counts priorities, this counts people)."""
        return sum(len(row.members) for row in self.sections)

    def section_label(self, index: int) -> str:
        row = self.sections[index]
        track = self.teller.track(row.track) if self.teller else row.track
        return f"{index + 1}. {track}, {row.facilitator.name}, {row.viewer_time}"

    def move_options(self, participant: str) -> MoveOptions | None:
        """Where ``participant`` may be moved, and why not elsewhere (None without a plan)."""
        if self.solution is None or self.teller is None:
            return None
        return move_options(
            teller=self.teller,
            solution=self.solution,
            participant=participant,
            labels={row.index: self.section_label(row.index) for row in self.sections},
        )


def _labels(ids: list[str], people: dict[str, int]) -> dict[str, PersonLabel]:
    """Names for the ids that name people of the term (``ScheduleRun.people``); any other id
    is shown as it is, never looked up as an account."""
    users = {
        user.pk: user
        for user in User.objects.filter(pk__in=[people[p] for p in ids if p in people]).only(
            "id", "name", "email"
        )
    }
    labels = {}
    for person in ids:
        user = users.get(people.get(person, 0))
        labels[person] = (
            PersonLabel(person, user.name or user.email, user.email)
            if user is not None
            else PersonLabel(person, person, "")
        )
    return labels


def _heat(instance: Instance, tracks: list[str]) -> list[HeatRow]:
    def hours(available: tuple[tuple[int, int], ...]) -> set[int]:
        return {
            (slot * instance.slot_minutes // 60) % 24
            for start, end in available
            for slot in range(start, end)
        }

    counts: dict[tuple[str, str], list[int]] = {}
    for track in tracks:
        counts[(track, "participants")] = [0] * 24
        counts[(track, "facilitators")] = [0] * 24
    for participant in instance.participants:
        row = counts.get((participant.track, "participants"))
        if row is not None:
            for hour in hours(participant.available):
                row[hour] += 1
    for facilitator in instance.facilitators:
        available = hours(facilitator.available)
        for track in facilitator.tracks:
            row = counts.get((track, "facilitators"))
            if row is not None:
                for hour in available:
                    row[hour] += 1
    rows = []
    for (track, who), row in counts.items():
        top = max(row) or 1
        rows.append(HeatRow(track, who, [(count, -(-count * HEAT_LEVELS // top)) for count in row]))
    return rows


def run_view(*, run: ScheduleRun, term: Term, viewer_zone: str) -> RunView:
    """Everything a run's page shows: sections (time in the viewer's zone and each member's),
    the unplaced with reasons, the availability heat map and the daylight-saving conflicts."""
    instance = run_instance(run)
    solution = run_solution(run)
    tracks = list(instance.tracks or sorted(instance.known_tracks()))
    labels = _labels(
        [person.id for person in instance.participants]
        + [person.id for person in instance.facilitators],
        run.people,
    )
    zones = {person.id: person.timezone for person in instance.participants}
    monday = run.week_monday
    teller = Teller(
        instance=instance,
        week_monday=monday,
        names={person_id: label.name for person_id, label in labels.items()},
        track_names=dict(Track.objects.filter(term=term).values_list("slug", "name")),
        viewer_zone=viewer_zone,
    )
    sections: list[SectionRow] = []
    unplaced: list[UnplacedRow] = []
    conflicts: list[ConflictRow] = []
    if solution is not None:
        for index, section in enumerate(solution.sections):
            weekday, start, zone = section_wall_clock(instance, section, term, monday)
            # The first real meeting (inside the term), not the reference week's day.
            starts = meeting_starts(term, weekday, start, zone)
            first = starts[0][1] if starts else slots.weekly_start(monday, weekday, start, zone)
            row = SectionRow(
                index=index,
                track=section.track,
                facilitator=labels[section.facilitator],
                venue="virtual" if section.location is None else f"in person at {section.location}",
                viewer_time=format_instant(first, viewer_zone),
                section_time=f"{first.astimezone(ZoneInfo(zone)):%a %H:%M} {time_zone_label(zone)}",
            )
            for member in section.participants:
                member_zone = zones.get(member) or "UTC"
                row.members.append(
                    MemberRow(
                        id=member,
                        name=labels[member].name if member in labels else member,
                        local_time=format_instant(first, member_zone),
                        zone=time_zone_label(member_zone),
                    )
                )
            sections.append(row)
        unplaced = [
            UnplacedRow(
                item.id,
                labels[item.id].name if item.id in labels else item.id,
                teller.in_words(item.reason),
            )
            for item in solution.unplaced
        ]
        found: list[DaylightSavingConflict] = daylight_saving_conflicts(
            term=term, instance=instance, solution=solution, monday=monday
        )
        conflicts = [
            ConflictRow(
                name=labels[c.participant].name if c.participant in labels else c.participant,
                section=f"section {c.section + 1}",
                week=c.week,
                when=format_instant(c.starts_at, c.member_zone),
                usual_local=c.usual_local,
                local=c.local,
                zone=time_zone_label(c.member_zone),
            )
            for c in found
        ]
    return RunView(
        instance=instance,
        solution=solution,
        sections=sections,
        unplaced=unplaced,
        heat=_heat(instance, tracks),
        conflicts=conflicts,
        participants=[labels[person.id] for person in instance.participants],
        facilitators=[labels[person.id] for person in instance.facilitators],
        tracks=tracks,
        unknown_ids=run_unknown_ids(run),
        new_members=publish_new_members(run=run),
        stale=run_staleness(run=run),
        empty=solution is not None and run_is_empty(run),
        teller=teller,
    )
