"""Building the solver's instance from the term's people, and reading a run's instance back.

The solver (``cohortkit.scheduling.solver``) is a pure library; this turns the term's people into
its instance: availability in each person's own zone → UTC slots of the term's first week, the
term's tracks and sizes, and its published sections locked for a re-solve.

Person ids in an instance built here are ``p<user id>`` for participants and ``f<user id>`` for
facilitators (the id codec is ``scheduling.people``); each run stores which ids name which people
of its term (``ScheduleRun.people``). An imported instance's ids are matched only to people of
this term; any other id stays unknown, whatever it looks like: the run can be solved and edited,
never published.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from cohortkit.accounts.models import User
from cohortkit.admissions.models import Answer, Application, ApplicationStatus, Enrollment
from cohortkit.common.errors import InvalidInputError
from cohortkit.programs.models import Term, Track
from cohortkit.scheduling import slots
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.people import (
    APPLICATIONS,
    SOURCE_STATUSES,
    facilitator_id,
    participant_id,
    source_choice,
)
from cohortkit.scheduling.solver import (
    Facilitator,
    Instance,
    InstanceError,
    LockedSection,
    Participant,
    Solution,
    instance_to_json,
    parse_instance,
    parse_solution,
)
from cohortkit.scheduling.solver import Section as SolverSection
from cohortkit.scheduling.solver.model import Mode
from cohortkit.sections.models import Section, SectionMembership
from cohortkit.sections.selectors import availability_from_answers

SLOT_MINUTES = 30
MODES = ("virtual", "in_person", "either")
SlotRanges = tuple[tuple[int, int], ...]
ANSWER_KEYS = ("time_zone", "availability", "track", "tracks", "mode", "university", "sections")


@dataclass(frozen=True)
class BuiltInstance:
    """The instance and how it was made: ``source`` is the set of people it was built from
    (``people.SOURCE_LABELS``), ``notes`` name the people left out and why, ``people`` maps
    each id to its person."""

    instance: Instance
    source: str
    notes: tuple[str, ...]
    week_monday: dt.date
    people: dict[str, int]


@dataclass(frozen=True)
class _Person:
    user: User
    answers: dict[str, Any]
    enrolled_track: str | None


def _track_map(tracks: Sequence[Track]) -> dict[str, str]:
    """Form values → the term's track slugs: the slug itself, or the slug that starts with the
    value or that the value starts with (``intro`` → ``introductory``)."""
    slugs = [track.slug for track in tracks]
    mapping = {slug: slug for slug in slugs}
    for track in tracks:
        for key in (track.slug, track.name.lower()):
            for slug in slugs:
                if slug != key and (slug.startswith(key) or key.startswith(slug)):
                    mapping.setdefault(key, slug)
    return mapping


def _map_track(value: Any, mapping: dict[str, str]) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    if value in mapping:
        return mapping[value]
    for key, slug in mapping.items():
        if key.startswith(value) or value.startswith(key):
            return slug
    return None


def source_people(term: Term, role: str, source: str) -> list[_Person]:
    """The term's people of ``role`` in ``source`` (``people.SOURCE_LABELS``) and their answers:
    submitted applications, or enrollments of the source's statuses (with their track)."""
    if source in SOURCE_STATUSES:
        enrolled = list(
            Enrollment.objects.filter(
                term=term, role=role, status__in=SOURCE_STATUSES[source]
            ).select_related("user", "track")
        )
        applications = Application.objects.filter(
            form__term=term,
            form__kind=role,
            applicant_id__in=[enrollment.user_id for enrollment in enrolled],
        ).order_by("-id")
        application_of: dict[int, int] = {}
        for app in applications.only("id", "applicant"):
            application_of.setdefault(app.applicant_id, app.pk)
        pairs = [
            (
                enrollment.user,
                application_of.get(enrollment.user_id),
                enrollment.track.slug if enrollment.track else None,
            )
            for enrollment in enrolled
        ]
    elif source == APPLICATIONS:
        submitted = Application.objects.filter(
            form__term=term, form__kind=role, status=ApplicationStatus.SUBMITTED
        ).select_related("applicant")
        pairs = [(application.applicant, application.pk, None) for application in submitted]
    else:
        raise InvalidInputError(f"Unknown source of people: {source}.")
    answers: dict[int, dict[str, Any]] = defaultdict(dict)
    rows = Answer.objects.filter(
        application_id__in=[pk for _, pk, _ in pairs if pk is not None],
        question__key__in=ANSWER_KEYS,
    ).values_list("application_id", "question__key", "value", "number")
    for application_id, key, value, number in rows:
        answers[application_id][key] = number if number is not None else value
    people = [
        _Person(user=user, answers=answers.get(pk, {}) if pk else {}, enrolled_track=track)
        for user, pk, track in pairs
    ]
    people.sort(key=lambda person: person.user.pk)
    return people


def _availability(person: _Person, term: Term, monday: dt.date) -> tuple[str, SlotRanges]:
    """The person's zone and availability as UTC slots of the week of ``monday``."""
    given = availability_from_answers(answers=person.answers, user=person.user, term=term)
    ranges = slots.local_intervals_to_slots(given.intervals, given.zone, monday, SLOT_MINUTES)
    return given.zone, ranges


def _label(person: _Person) -> str:
    return person.user.name or person.user.email


def _participants(
    term: Term,
    monday: dt.date,
    mapping: dict[str, str],
    notes: list[str],
    ids: dict[str, int],
    source: str,
) -> list[Participant]:
    people = source_people(term, "participant", source)
    participants: list[Participant] = []
    for person in people:
        track = person.enrolled_track or _map_track(person.answers.get("track"), mapping)
        if track is None:
            notes.append(f"{_label(person)} (participant) has no track of this term.")
            continue
        mode = person.answers.get("mode")
        mode = mode if mode in MODES else "virtual"
        university = person.answers.get("university") or None
        if mode == "in_person" and university is None:
            notes.append(f"{_label(person)} wants to meet in person but named no university.")
            continue
        zone, available = _availability(person, term, monday)
        ids[participant_id(person.user.pk)] = person.user.pk
        participants.append(
            Participant(
                id=participant_id(person.user.pk),
                track=track,
                mode=cast(Mode, mode),
                location=university,
                available=available,
                priority=1,
                timezone=zone,
            )
        )
    return participants


def _facilitators(
    term: Term,
    monday: dt.date,
    mapping: dict[str, str],
    notes: list[str],
    ids: dict[str, int],
    source: str,
) -> list[Facilitator]:
    people = source_people(term, "facilitator", source)
    facilitators: list[Facilitator] = []
    for person in people:
        answered = person.answers.get("tracks") or []
        tracks = [_map_track(value, mapping) for value in answered]
        known = sorted({track for track in tracks if track is not None})
        if not known and person.enrolled_track:
            known = [person.enrolled_track]
        if not known:
            notes.append(f"{_label(person)} (facilitator) leads no track of this term.")
            continue
        mode = person.answers.get("mode")
        mode = mode if mode in MODES else "virtual"
        university = person.answers.get("university") or None
        virtual = mode in ("virtual", "either")
        location = university if mode in ("in_person", "either") else None
        if not virtual and location is None:
            notes.append(f"{_label(person)} leads in person only but named no university.")
            continue
        sections = person.answers.get("sections")
        zone, available = _availability(person, term, monday)
        ids[facilitator_id(person.user.pk)] = person.user.pk
        facilitators.append(
            Facilitator(
                id=facilitator_id(person.user.pk),
                tracks=tuple(known),
                max_sections=max(1, int(sections)) if sections is not None else 1,
                virtual=virtual,
                location=location,
                available=available,
                timezone=zone,
            )
        )
    return facilitators


def section_slot(section: Section, monday: dt.date) -> int:
    return slots.wall_clock_to_slot(
        section.weekday, section.start_time, section.time_zone, monday, SLOT_MINUTES
    )


def _locked_from_published(
    term: Term, instance: Instance, monday: dt.date, notes: list[str]
) -> tuple[LockedSection, ...]:
    """The term's published sections, as they stand, for a re-solve that keeps them.

    Members no longer in the instance (dropped out) or whose answers no longer fit are left out,
    with a note; a section whose facilitator is gone or no longer fits is not locked.
    """
    participants = {person.id: person for person in instance.participants}
    facilitators = {person.id: person for person in instance.facilitators}
    locked: list[LockedSection] = []
    published = Section.objects.filter(term=term).select_related("track")
    open_members: dict[int, list[int]] = defaultdict(list)
    for section_id, user_id in SectionMembership.objects.filter(
        section__term=term, to_week__isnull=True
    ).values_list("section_id", "user_id"):
        open_members[section_id].append(user_id)
    for section in published:
        if section.facilitator_id is None:
            notes.append(f"{section.name} has no facilitator; it is not kept.")
            continue
        lead = facilitator_id(section.facilitator_id)
        try:
            start = section_slot(section, monday)
        except ValueError:
            notes.append(f"{section.name} is not on a slot boundary and is not kept.")
            continue
        location = None if section.is_virtual else section.location
        candidate = SolverSection(lead, start, section.track.slug, location, ())
        if lead not in facilitators or _violations_of(instance, candidate, facilitators):
            notes.append(f"{section.name}: its facilitator no longer fits it; it is not kept.")
            continue
        members = []
        for user_id in sorted(open_members[section.pk]):
            member = participant_id(user_id)
            alone = replace(candidate, participants=(member,))
            if member not in participants or _violations_of(instance, alone, facilitators):
                notes.append(f"{section.name}: participant {member} no longer fits; not kept.")
                continue
            members.append(member)
        locked.append(replace(candidate, participants=tuple(members)))
    return tuple(locked)


def _violations_of(
    instance: Instance, section: SolverSection, facilitators: dict[str, Facilitator]
) -> list[str]:
    from cohortkit.scheduling.solver import section_violations

    return section_violations(
        instance, section, enforce_minimum=False, facilitators_by_id=facilitators
    )


def instance_build_with_notes(
    *, term: Term, source: str | None = None, week_start: dt.date | None = None
) -> BuiltInstance:
    """The term's instance from ``source`` (default: what ``source_choice`` suggests) with its
    notes; see :func:`instance_build`."""
    source = source or source_choice(term=term).default
    monday = slots.reference_monday(week_start or term.starts_on)
    tracks = list(Track.objects.filter(term=term))
    mapping = _track_map(tracks)
    notes: list[str] = []
    people: dict[str, int] = {}
    participants = _participants(term, monday, mapping, notes, people, source)
    facilitators = _facilitators(term, monday, mapping, notes, people, source)
    instance = Instance(
        slot_minutes=SLOT_MINUTES,
        meeting_slots=math.ceil(term.meeting_minutes / SLOT_MINUTES),
        section_min=term.section_size_min,
        section_max=term.section_size_max,
        participants=tuple(participants),
        facilitators=tuple(facilitators),
        tracks=tuple(track.slug for track in tracks),
    )
    instance = replace(instance, locked=_locked_from_published(term, instance, monday, notes))
    try:
        instance = parse_instance(instance_to_json(instance))
    except InstanceError as error:
        raise InvalidInputError(f"The term's data is not a valid instance: {error}") from error
    return BuiltInstance(
        instance=instance, source=source, notes=tuple(notes), week_monday=monday, people=people
    )


def instance_build(
    *, term: Term, source: str | None = None, week_start: dt.date | None = None
) -> Instance:
    """The scheduling instance of ``term``: the participants and facilitators of ``source``
    (submitted applications, released offers or confirmed enrollments; by default the one
    ``people.source_choice`` suggests), availability turned from each person's wall-clock time
    into UTC slots of the week of ``week_start`` (default: the term's first week), the term's
    tracks and sizes, and its published sections locked."""
    return instance_build_with_notes(term=term, source=source, week_start=week_start).instance


def run_instance(run: ScheduleRun) -> Instance:
    return parse_instance(run.instance)


def run_solution(run: ScheduleRun) -> Solution | None:
    return None if run.solution is None else parse_solution(run.solution)
