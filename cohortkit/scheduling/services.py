"""Writes of section scheduling: build an instance, run the solver, edit by hand, publish.

The solver (``cohortkit.scheduling.solver``) is a pure library; these services turn the term's
people into its instance (availability in each person's own zone → UTC slots of the term's first
week), save its answers, and turn a solution into sections with real weekly meetings.

Person ids in an instance built here are ``p<user id>`` for participants and ``f<user id>`` for
facilitators; each run stores which ids name which people of its term (``ScheduleRun.people``).
An imported instance's ids are matched only to people of this term (``scheduling.people``); any
other id stays unknown, whatever it looks like: the run can be solved and edited, never published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.accounts.services import membership_grant
from cohortkit.admissions.models import (
    Answer,
    Application,
    ApplicationStatus,
    Enrollment,
)
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import format_instant, is_valid_time_zone, time_zone_label
from cohortkit.notifications.services import email_queue
from cohortkit.programs.models import Term, Track
from cohortkit.scheduling import slots
from cohortkit.scheduling.ics import CalendarEvent, calendar_text
from cohortkit.scheduling.models import RunStatus, ScheduleRun
from cohortkit.scheduling.people import (
    APPLICATIONS,
    IMPORT,
    SOURCE_CHOICES,
    SOURCE_LABELS,
    SOURCE_STATUSES,
    facilitator_id,
    participant_id,
    source_choice,
    term_people,
)
from cohortkit.scheduling.solver import (
    Facilitator,
    Instance,
    InstanceError,
    LockedSection,
    Participant,
    Progress,
    Solution,
    instance_to_json,
    parse_instance,
    parse_solution,
    solution_to_json,
    solve,
    validate_solution,
    what_if,
)
from cohortkit.scheduling.solver import Section as SolverSection
from cohortkit.scheduling.solver.model import Mode
from cohortkit.sections.models import Meeting, Section, SectionMembership, Venue

logger = logging.getLogger(__name__)

SLOT_MINUTES = 30
MODES = ("virtual", "in_person", "either")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Progress is written at most this often (seconds), plus the final report.
PROGRESS_INTERVAL = 0.5
ANSWER_KEYS = ("time_zone", "availability", "track", "tracks", "mode", "university", "sections")


class SchedulingError(Exception):
    """A request the scheduling services refuse; ``problems`` lists every reason."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


# Building the instance -------------------------------------------------------------------


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


def _people(term: Term, role: str, source: str) -> list[_Person]:
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
        raise SchedulingError(f"Unknown source of people: {source}.")
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


def _zone_of(person: _Person, term: Term) -> str:
    for candidate in (person.answers.get("time_zone"), person.user.time_zone, term.time_zone):
        if isinstance(candidate, str) and is_valid_time_zone(candidate):
            return candidate
    return "UTC"


def _availability(person: _Person, zone: str, monday: dt.date) -> tuple[tuple[int, int], ...]:
    intervals = person.answers.get("availability") or []
    return slots.local_intervals_to_slots(intervals, zone, monday, SLOT_MINUTES)


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
    people = _people(term, "participant", source)
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
        zone = _zone_of(person, term)
        ids[participant_id(person.user.pk)] = person.user.pk
        participants.append(
            Participant(
                id=participant_id(person.user.pk),
                track=track,
                mode=cast(Mode, mode),
                location=university,
                available=_availability(person, zone, monday),
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
    people = _people(term, "facilitator", source)
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
        zone = _zone_of(person, term)
        ids[facilitator_id(person.user.pk)] = person.user.pk
        facilitators.append(
            Facilitator(
                id=facilitator_id(person.user.pk),
                tracks=tuple(known),
                max_sections=max(1, int(sections)) if sections is not None else 1,
                virtual=virtual,
                location=location,
                available=_availability(person, zone, monday),
                timezone=zone,
            )
        )
    return facilitators


def _section_slot(section: Section, monday: dt.date) -> int:
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
        lead = facilitator_id(section.facilitator_id)
        try:
            start = _section_slot(section, monday)
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
        raise SchedulingError(f"The term's data is not a valid instance: {error}") from error
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


# Runs ------------------------------------------------------------------------------------


# Staleness: has the term changed under a run? -------------------------------------------------


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _sections_digest(term: Term) -> str:
    """The term's published sections as they stand: time, venue, facilitator, open members."""
    members: dict[int, list[int]] = defaultdict(list)
    for section_id, user_id in (
        SectionMembership.objects.filter(section__term=term, to_week__isnull=True)
        .order_by("section_id", "user_id")
        .values_list("section_id", "user_id")
    ):
        members[section_id].append(user_id)
    rows = [
        [*row, members[row[0]]]
        for row in Section.objects.filter(term=term)
        .order_by("pk")
        .values_list(
            "pk", "facilitator_id", "track_id", "weekday", "start_time", "time_zone", "location"
        )
    ]
    return _digest(rows)


def _people_digest(term: Term, source: str, instance: Instance | None = None) -> str:
    """A digest of what the run's people are built from: for a source of the term, each
    person's role, account, profile zone, enrolled track and every answer the scheduler reads,
    with the term's dates, zone, sizes and tracks; for an imported ``instance``, which of its
    ids name which people of the term. Read without building the instance (no slot maths)."""
    if source == IMPORT:
        assert instance is not None
        people, _ = term_people(term=term).resolve(
            participant_ids=[person.id for person in instance.participants],
            facilitator_ids=[person.id for person in instance.facilitators],
        )
        return _digest({"people": sorted(people.items())})
    rows = [
        [role, person.user.pk, person.user.time_zone, person.enrolled_track, answers]
        for role in ("participant", "facilitator")
        for person in _people(term, role, source)
        for answers in [sorted(person.answers.items())]
    ]
    tracks = list(Track.objects.filter(term=term).order_by("pk").values_list("slug", "name"))
    dates = [term.starts_on, term.ends_on, term.time_zone, term.meeting_minutes]
    sizes = [term.section_size_min, term.section_size_max]
    return _digest({"rows": rows, "tracks": tracks, "term": [*dates, *sizes]})


def _current_people(run: ScheduleRun, term: Term) -> tuple[Instance, dict[str, int]]:
    """What the run's source gives now: the rebuilt instance (an import keeps its own) and
    which of its ids name people of the term."""
    if run.source == IMPORT:
        instance = run_instance(run)
        people, _ = term_people(term=term).resolve(
            participant_ids=[person.id for person in instance.participants],
            facilitator_ids=[person.id for person in instance.facilitators],
        )
        return instance, people
    built = instance_build_with_notes(term=term, source=run.source)
    return built.instance, built.people


def source_fingerprint(*, term: Term, source: str, instance: Instance | None = None) -> str:
    """``<people>.<sections>``: the digest of the run's people (:func:`_people_digest`) and one
    of the term's published sections (time, zone, venue, facilitator, open members)."""
    return f"{_people_digest(term, source, instance)}.{_sections_digest(term)}"


def run_staleness(*, run: ScheduleRun) -> list[str]:
    """Why a finished, unpublished run no longer matches its term (empty when it does).

    A run is stale when its fingerprint taken now differs from the one taken when it was made:
    someone joined or left its source (applied, withdrew, was offered a place, confirmed,
    declined, lapsed), changed an answer the scheduler reads (or their profile zone), the
    term's dates, sizes or tracks changed, or sections were published or changed since.
    Publishing a stale run is refused; form sections again.
    """
    if run.solution is None or run.published_at is not None:
        return []
    if not run.source_fingerprint:
        return ["This run was made before cohortkit kept track of changes; form sections again."]
    term = run.term
    then_people, then_sections = run.source_fingerprint.split(".", 1)
    changes: list[str] = []
    if _people_digest(term, run.source, run_instance(run)) != then_people:
        instance, people = _current_people(run, term)
        old = run_instance(run)
        for role, before, after in (
            ("participant", old.participants, instance.participants),
            ("facilitator", old.facilitators, instance.facilitators),
        ):
            was = {person.id: person for person in before if person.id in run.people}
            now = {person.id: person for person in after if person.id in people}
            joined = [pid for pid in now if pid not in was]
            left = [pid for pid in was if pid not in now]
            edited = [pid for pid in was if pid in now and was[pid] != now[pid]]
            for count, what in ((joined, "joined"), (left, "left"), (edited, "changed answers")):
                if count:
                    changes.append(
                        f"{len(count)} {role}{'' if len(count) == 1 else 's'} {what} "
                        f"since this run was built ({', '.join(count[:10])}"
                        f"{', …' if len(count) > 10 else ''})."
                    )
        if not changes:
            changes.append(
                "The people of this run or the term's settings changed since it was built."
            )
    if _sections_digest(term) != then_sections:
        changes.append("Sections were published or changed since this run was built.")
    return changes


def run_is_empty(run: ScheduleRun) -> bool:
    """A run with nothing to publish: no section, or nobody placed."""
    solution = run.solution or {}
    return not solution.get("sections") or not solution.get("objective")


def schedule_run_create(
    *,
    term: Term,
    actor: Any,
    time_limit_seconds: int = 10,
    instance_data: Any | None = None,
    source: str | None = None,
) -> ScheduleRun:
    """Queue a solver run on the term's people of ``source`` (submitted applications, released
    offers or confirmed enrollments; by default the one ``people.source_choice`` suggests), or on
    an imported instance (``instance_data``, the contract's JSON), and enqueue its execution
    once this transaction commits. The run records a fingerprint of its people and of the
    published sections, so a run the term has moved away from is never published."""
    if not 1 <= time_limit_seconds <= 600:
        raise SchedulingError("The time limit must be between 1 and 600 seconds.")
    if source is not None and source not in SOURCE_STATUSES and source != APPLICATIONS:
        raise SchedulingError(
            f"Choose the people to use: {', '.join(SOURCE_LABELS[s] for s in SOURCE_CHOICES)}."
        )
    with transaction.atomic():
        Term.objects.select_for_update().filter(pk=term.pk).first()
        schedule_runs_expire(term=term)
        if ScheduleRun.objects.filter(
            term=term, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        ).exists():
            raise SchedulingError("A run is already in progress; wait for it to finish.")
        monday = slots.reference_monday(term.starts_on)
        if instance_data is None:
            built = instance_build_with_notes(term=term, source=source)
            instance, source, notes = built.instance, built.source, list(built.notes)
            people = built.people
        else:
            try:
                instance = parse_instance(instance_data)
            except InstanceError as error:
                raise SchedulingError(f"The uploaded instance is invalid: {error}") from error
            source, notes = IMPORT, []
            # Only people of this term are matched; the other ids stay unknown (never an
            # account found by its number).
            people, _ = term_people(term=term).resolve(
                participant_ids=[person.id for person in instance.participants],
                facilitator_ids=[person.id for person in instance.facilitators],
            )
        run = ScheduleRun.objects.create(
            term=term,
            instance=instance_to_json(instance),
            source=source,
            notes=notes,
            people=people,
            source_fingerprint=source_fingerprint(term=term, source=source, instance=instance),
            week_monday=monday,
            time_limit_seconds=time_limit_seconds,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(actor=actor, action="schedule_run.create", target=run)
        run_id = run.pk

        from cohortkit.scheduling.tasks import schedule_run_execute as execute_task

        transaction.on_commit(lambda: execute_task.enqueue(run_id=run_id))
    return run


WORKER_STOPPED = "the worker stopped"


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=max(1, int(settings.SCHEDULE_RUN_LEASE_SECONDS)))


def schedule_runs_expire(*, term: Term | None = None, now: dt.datetime | None = None) -> int:
    """Mark failed every running run (of ``term``, or of every term) whose worker's lease has
    run out, so a new run may start; returns how many. The page, a new run and the worker all
    call this. A run that finishes after all is not written over (its writes need RUNNING).

    The solver reports progress only when it improves, so a live run may be silent until its
    time limit: its lease lasts until ``started_at + time limit + lease`` and each report
    renews it to at least ``now + lease`` (``SCHEDULE_RUN_LEASE_SECONDS``).
    """
    now = now or timezone.now()
    lease = _lease()
    running = ScheduleRun.objects.filter(status=RunStatus.RUNNING)
    if term is not None:
        running = running.filter(term=term)
    # Runs from before leases existed: the longest time limit and a lease after their start.
    stale = Q(lease_expires_at__lt=now) | Q(
        lease_expires_at__isnull=True, started_at__lt=now - lease - dt.timedelta(seconds=600)
    )
    expired = 0
    for run in running.filter(stale).only("id", "term", "heartbeat_at", "started_at"):
        last = run.heartbeat_at or run.started_at
        message = (
            f"{WORKER_STOPPED}: no word from it since {format_instant(last, 'UTC')} "
            f"(a lease of {int(lease.total_seconds())} s after the time limit). Start it again."
            if last
            else f"{WORKER_STOPPED}. Start it again."
        )
        done = ScheduleRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, error=message, finished_at=now
        )
        if done:
            expired += 1
            logger.warning("schedule run %s lost its worker; marked failed", run.pk)
            audit_record(actor=None, action="schedule_run.expire", target=run)
    return expired


def schedule_run_execute(*, run_id: int) -> bool:
    """Solve a queued run, writing its progress (and renewing its lease) as it goes; True when
    this call ran it.

    The conditional UPDATE claims the run, so two workers never solve the same one; every
    later write needs the run still RUNNING, so a run marked failed after its lease ran out
    stays failed. Before claiming, the worker marks failed the runs whose workers died.
    """
    schedule_runs_expire()
    run = ScheduleRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).first()
    if run is None:
        return False
    lease = _lease()
    started = timezone.now()
    # Silent solving is alive until the time limit; after it, only a fresh report renews.
    first_deadline = started + dt.timedelta(seconds=run.time_limit_seconds) + lease
    claimed = ScheduleRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        started_at=started,
        heartbeat_at=started,
        lease_expires_at=first_deadline,
    )
    if claimed != 1:
        return False
    running = ScheduleRun.objects.filter(pk=run_id, status=RunStatus.RUNNING)
    last_write = [0.0]

    def on_progress(progress: Progress) -> None:
        now = time.monotonic()
        if progress.phase != "done" and now - last_write[0] < PROGRESS_INTERVAL:
            return
        last_write[0] = now
        beat = timezone.now()
        running.update(
            placed=progress.placed,
            bound=progress.bound,
            elapsed_seconds=progress.elapsed_seconds,
            phase=progress.phase[:20],
            heartbeat_at=beat,
            lease_expires_at=max(first_deadline, beat + lease),
        )

    try:
        instance = parse_instance(run.instance)
        solution = solve(instance, time_limit=run.time_limit_seconds, progress=on_progress)
    except Exception as error:
        logger.exception("schedule run %s failed", run_id)
        running.update(status=RunStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        return False
    finished = running.update(
        status=RunStatus.DONE,
        solution=solution_to_json(solution),
        placed=solution.objective,
        bound=solution.bound,
        elapsed_seconds=solution.seconds,
        phase="done",
        finished_at=timezone.now(),
    )
    return finished == 1


def schedule_run_restart(*, run: ScheduleRun, actor: Any) -> ScheduleRun:
    """Start a failed run again: the same people (built again from its source, or the same
    imported instance) and time limit."""
    if run.status != RunStatus.FAILED:
        raise SchedulingError("Only a failed run can be started again.")
    return schedule_run_create(
        term=run.term,
        actor=actor,
        time_limit_seconds=run.time_limit_seconds,
        instance_data=run.instance if run.source == IMPORT else None,
        source=None if run.source == IMPORT else run.source,
    )


def run_instance(run: ScheduleRun) -> Instance:
    return parse_instance(run.instance)


def run_solution(run: ScheduleRun) -> Solution | None:
    return None if run.solution is None else parse_solution(run.solution)


# Editing by hand -------------------------------------------------------------------------


@dataclass(frozen=True)
class MoveParticipant:
    participant: str
    to_section: int


@dataclass(frozen=True)
class ChangeTime:
    section: int
    start: int


@dataclass(frozen=True)
class ChangeFacilitator:
    section: int
    facilitator: str


Edit = MoveParticipant | ChangeTime | ChangeFacilitator


def _apply(solution: Solution, edit: Edit, instance: Instance) -> Solution:
    sections = list(solution.sections)
    index = edit.to_section if isinstance(edit, MoveParticipant) else edit.section
    if not 0 <= index < len(sections):
        raise SchedulingError("No such section in this run.")
    unplaced = solution.unplaced
    if isinstance(edit, MoveParticipant):
        if edit.participant not in {person.id for person in instance.participants}:
            raise SchedulingError(f"No participant {edit.participant} in this run.")
        sections = [
            replace(
                section,
                participants=tuple(p for p in section.participants if p != edit.participant),
            )
            for section in sections
        ]
        target = sections[index]
        sections[index] = replace(target, participants=(*target.participants, edit.participant))
        unplaced = tuple(item for item in unplaced if item.id != edit.participant)
    elif isinstance(edit, ChangeTime):
        sections[index] = replace(sections[index], start=edit.start)
    else:
        sections[index] = replace(sections[index], facilitator=edit.facilitator)
    priority = {person.id: person.priority for person in instance.participants}
    objective = sum(
        priority.get(member, 0) for section in sections for member in section.participants
    )
    bound = max(solution.bound, objective)
    return replace(
        solution,
        sections=tuple(sections),
        unplaced=unplaced,
        objective=objective,
        bound=bound,
        status="optimal" if objective == bound else "feasible",
    )


def run_solution_edit(*, run: ScheduleRun, edit: Edit, actor: Any) -> Solution:
    """Apply one hand edit to the run's solution if the validator accepts the result.

    Raises :class:`SchedulingError` with every violation, and saves nothing, when the edited
    solution breaks a hard rule (or the run is not done or already published).
    """
    with transaction.atomic():
        run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.DONE or run.solution is None:
            raise SchedulingError("Only a finished run can be edited.")
        if run.published_at is not None:
            raise SchedulingError("This run is published; start a new run to change sections.")
        instance = run_instance(run)
        solution = parse_solution(run.solution)
        edited = _apply(solution, edit, instance)
        problems = validate_solution(instance, edited)
        if problems:
            raise SchedulingError("The change breaks a rule and was not saved.", problems)
        run.solution = solution_to_json(edited)
        run.placed = edited.objective
        run.bound = edited.bound
        run.save(update_fields=["solution", "placed", "bound"])
        audit_record(
            actor=actor,
            action="schedule_run.edit",
            target=run,
            details={"edit": type(edit).__name__, **edit.__dict__},
        )
    return edited


def run_what_if(*, run: ScheduleRun, track: str, start_slot: int, time_limit: float = 5.0) -> int:
    """How many more participants one more facilitator of ``track`` free for one meeting from
    ``start_slot`` would let the solver place, against the run's current solution."""
    instance = run_instance(run)
    try:
        return what_if(
            instance,
            track=track,
            start_slot=start_slot,
            time_limit=time_limit,
            baseline=run_solution(run),
        )
    except ValueError as error:
        raise SchedulingError(str(error)) from error


# Daylight saving -------------------------------------------------------------------------


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


def meeting_days(term: Term, weekday: int) -> list[tuple[int, dt.date]]:
    """The date of each week's meeting of a section that meets on ``weekday`` (Monday = 0, on
    the section's own wall clock): the first such day on or after the week's first day.

    Week N of a term is the seven days from ``starts_on + 7 × (N − 1)``, so in a term that
    starts on a Wednesday a Monday section first meets on the Monday five days later, inside
    week 1, never before the term; a week whose day would fall after ``ends_on`` (a short last
    week) has no meeting for that section.
    """
    days = []
    for week in range(1, term.week_count + 1):
        first = term.week_starts_on(week)
        day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
        if term.starts_on <= day <= term.ends_on:
            days.append((week, day))
    return days


def meeting_starts(
    term: Term, weekday: int, start: dt.time, zone: str
) -> list[tuple[int, dt.datetime]]:
    """Each week's meeting of a section at ``weekday`` ``start`` in ``zone``, as a UTC instant
    (see :func:`meeting_days`); a daylight-saving change moves the instant, not the local time."""
    return [
        (week, slots.wall_instant(day, start.hour * 60 + start.minute, zone))
        for week, day in meeting_days(term, weekday)
    ]


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


# Publishing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishSummary:
    sections_created: int
    sections_kept: int
    memberships_created: int
    emails_queued: int


def _meetings(section: Section, term: Term) -> list[Meeting]:
    duration = dt.timedelta(minutes=section.duration_minutes)
    return [
        Meeting(section=section, week=week, starts_at=starts_at, ends_at=starts_at + duration)
        for week, starts_at in meeting_starts(
            term, section.weekday, section.start_time, section.time_zone
        )
    ]


def _venue_text(section: Section) -> str:
    if section.is_virtual:
        return (
            f"Online: {section.meeting_url}" if section.meeting_url else "Online (the link follows)"
        )
    room = f", {section.room}" if section.room else ""
    return f"In person at {section.location}{room}"


def section_email_body(
    *, section: Section, person: User, zone: str, meetings: Sequence[Meeting], role: str
) -> str:
    """The email telling one member (or the facilitator) about their section, with the .ics."""
    track = section.track
    facilitator = section.facilitator
    first = meetings[0]
    local_first = first.starts_at.astimezone(ZoneInfo(zone))
    lines = [
        f"Hello {person.name or person.email},",
        "",
        (
            f"You lead {section.name} ({track.name})."
            if role == "facilitator"
            else f"You are in {section.name} ({track.name})."
        ),
        f"Facilitator: {facilitator.name or facilitator.email} <{facilitator.email}>",
        (
            f"When: {WEEKDAY_NAMES[local_first.weekday()]}s at {local_first:%H:%M} your time "
            f"({time_zone_label(zone)}), {section.duration_minutes} minutes; first meeting "
            f"{format_instant(first.starts_at, zone)}."
        ),
        f"Where: {_venue_text(section)}",
        "",
        "Every meeting in your time zone (a daylight-saving change can move the local time):",
    ]
    lines += [f"  Week {m.week}: {format_instant(m.starts_at, zone)}" for m in meetings]
    events = [
        CalendarEvent(
            uid=f"meeting-{meeting.pk}@cohortkit",
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            summary=f"{section.name}: week {meeting.week} discussion",
            description=f"{track.name} discussion led by {facilitator.name or facilitator.email}",
            location=section.location if not section.is_virtual else section.meeting_url,
            url=section.meeting_url,
        )
        for meeting in meetings
    ]
    lines += [
        "",
        "Calendar invitation (save the lines below as section.ics and open it):",
        "",
        calendar_text(events, stamp=timezone.now(), name=section.name),
    ]
    return "\n".join(lines)


def _next_names(term: Term) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for track_slug in Section.objects.filter(term=term).values_list("track__slug", flat=True):
        counts[track_slug] += 1
    return counts


@dataclass(frozen=True)
class Placement:
    """One section of the solution: the published section it is (locked in the run) or None
    for a new one, and the instance ids that publishing adds to it (facilitator first)."""

    solved: SolverSection
    existing: Section | None
    new_people: tuple[str, ...]


@dataclass(frozen=True)
class NewMember:
    """Someone publishing would make a member of the term: they hold no such role yet (they
    applied, or were offered a place, but have not confirmed it)."""

    id: str
    user: User
    role: str


def _placements(run: ScheduleRun, term: Term, solution: Solution) -> list[Placement]:
    existing = {
        (
            facilitator_id(section.facilitator_id),
            _safe_slot(section, run.week_monday),
            section.track.slug,
            None if section.is_virtual else section.location,
        ): section
        for section in Section.objects.filter(term=term).select_related("track")
    }
    open_members: dict[int, set[int]] = defaultdict(set)
    for section_id, user_id in SectionMembership.objects.filter(
        section__term=term, to_week__isnull=True
    ).values_list("section_id", "user_id"):
        open_members[section_id].add(user_id)
    placements = []
    for solved in solution.sections:
        section = existing.get((solved.facilitator, solved.start, solved.track, solved.location))
        if section is None:
            new_people = (solved.facilitator, *solved.participants)
        else:
            already = open_members[section.pk]
            new_people = tuple(p for p in solved.participants if run.people.get(p) not in already)
        placements.append(Placement(solved, section, new_people))
    return placements


def _role_of(person_id: str, solution: Solution) -> str:
    leads = {section.facilitator for section in solution.sections}
    return "facilitator" if person_id in leads else "participant"


def run_unknown_ids(run: ScheduleRun) -> list[str]:
    """The ids of the run's instance that name nobody of its term (an imported instance)."""
    instance = run.instance or {}
    ids = [str(person.get("id")) for person in instance.get("participants", [])]
    ids += [str(person.get("id")) for person in instance.get("facilitators", [])]
    return [person_id for person_id in dict.fromkeys(ids) if person_id not in run.people]


def _no_longer_of_term(run: ScheduleRun, term: Term, solution: Solution) -> list[str]:
    """Placed ids whose person is no longer a person of the term in that role."""
    now = term_people(term=term)
    gone = []
    for section in solution.sections:
        if now.facilitators.get(section.facilitator) != run.people.get(section.facilitator):
            gone.append(section.facilitator)
        gone += [p for p in section.participants if now.participants.get(p) != run.people.get(p)]
    return list(dict.fromkeys(gone))


def publish_new_members(*, run: ScheduleRun) -> list[NewMember]:
    """The people publishing ``run`` would make members of its term (nobody for a run that
    cannot be published): what the organizer must agree to before publishing."""
    solution = run_solution(run)
    if solution is None or run.published_at is not None or run_unknown_ids(run):
        return []
    return _new_members(run, run.term, solution, _placements(run, run.term, solution))


def _new_members(
    run: ScheduleRun, term: Term, solution: Solution, placements: Sequence[Placement]
) -> list[NewMember]:
    from cohortkit.accounts.models import Membership

    ids = list(dict.fromkeys(p for placement in placements for p in placement.new_people))
    users = User.objects.in_bulk([run.people[p] for p in ids if p in run.people])
    held = set(
        Membership.objects.filter(term=term, user_id__in=users).values_list("user_id", "role")
    )
    members = []
    for person_id in ids:
        user = users.get(run.people.get(person_id, 0))
        role = _role_of(person_id, solution)
        if user is not None and (user.pk, role) not in held:
            members.append(NewMember(person_id, user, role))
    return members


def run_publish(*, run: ScheduleRun, actor: Any, grant_roles: bool = False) -> PublishSummary:
    """Create the run's sections with a membership per participant and a meeting per week of
    the term (real UTC instants from the section's wall-clock time and zone), and email each
    member and facilitator once. Sections already published (locked in the run) are kept and
    only get their new members.

    Only people of the term are placed: a run naming anyone else (an imported instance's
    unknown ids) or someone who has since left the term is refused, nothing saved. Placing
    someone who holds no role in the term yet (sections formed from applications or from offers
    not yet confirmed) makes them a member of it; that happens only with ``grant_roles``, the
    organizer's explicit consent, and is refused with the list of those people otherwise.
    """
    with transaction.atomic():
        run = ScheduleRun.objects.select_for_update().select_related("term").get(pk=run.pk)
        term = run.term
        if run.status != RunStatus.DONE or run.solution is None:
            raise SchedulingError("Only a finished run can be published.")
        if run.published_at is not None:
            raise SchedulingError("This run is already published.")
        instance = run_instance(run)
        solution = parse_solution(run.solution)
        problems = validate_solution(instance, solution)
        if problems:
            raise SchedulingError("The solution breaks a rule; fix it before publishing.", problems)
        unknown = run_unknown_ids(run)
        if unknown:
            raise SchedulingError(
                f"{len(unknown)} ids in this run are not people of {term.name}, so it cannot be "
                "published; nobody was matched to an account. Form sections from the term's "
                "own people instead.",
                [f"unknown id {person_id}" for person_id in unknown[:50]],
            )
        if run_is_empty(run):
            raise SchedulingError(
                "This run placed nobody, so there is nothing to publish. Check which people it "
                f"used ({SOURCE_LABELS.get(run.source, run.source)}) and form sections again."
            )
        stale = run_staleness(run=run)
        if stale:
            raise SchedulingError(
                "The term changed since this run was built, so it was not published; form "
                "sections again to plan with the people as they are now.",
                stale,
            )
        gone = _no_longer_of_term(run, term, solution)
        if gone:
            raise SchedulingError(
                f"Some people in this run are no longer people of {term.name} (withdrawn, "
                "declined or lapsed); form sections again.",
                [f"{person_id} is no longer in the term" for person_id in gone[:50]],
            )
        tracks = {track.slug: track for track in Track.objects.filter(term=term)}
        missing_tracks = sorted({s.track for s in solution.sections} - set(tracks))
        if missing_tracks:
            raise SchedulingError(f"Unknown tracks: {', '.join(missing_tracks)}")
        placements = _placements(run, term, solution)
        new_members = _new_members(run, term, solution, placements)
        if new_members and not grant_roles:
            raise SchedulingError(
                f"{len(new_members)} people in these sections are not yet accepted members of "
                f"{term.name}; publishing makes them participants or facilitators of the term. "
                "Tick the box to agree, then publish.",
                [
                    f"{member.user.name or member.user.email} ({member.role})"
                    for member in new_members
                ],
            )
        users = User.objects.in_bulk(list(run.people.values()))
        zones = {person.id: person.timezone for person in instance.participants}
        zones |= {person.id: person.timezone for person in instance.facilitators}
        counts = _next_names(term)
        created = kept = memberships = emails = 0
        for placement in placements:
            solved, section, new_people = placement.solved, placement.existing, placement.new_people
            track = tracks[solved.track]
            if section is None:
                weekday, start, zone = section_wall_clock(instance, solved, term, run.week_monday)
                counts[solved.track] += 1
                section = Section.objects.create(
                    term=term,
                    track=track,
                    name=f"{track.name} {counts[solved.track]}",
                    facilitator=users[run.people[solved.facilitator]],
                    venue=Venue.VIRTUAL if solved.location is None else Venue.IN_PERSON,
                    location=solved.location or "",
                    weekday=weekday,
                    start_time=start,
                    time_zone=zone,
                    duration_minutes=term.meeting_minutes,
                    created_from=run,
                )
                Meeting.objects.bulk_create(_meetings(section, term))
                created += 1
            else:
                kept += 1
            joining = [p for p in new_people if p != solved.facilitator]
            SectionMembership.objects.bulk_create(
                [
                    SectionMembership(section=section, user=users[run.people[p]], from_week=1)
                    for p in joining
                ]
            )
            memberships += len(joining)
            section.track = track
            meetings = list(section.meetings.all())
            for person_id in new_people:
                person = users[run.people[person_id]]
                zone = zones.get(person_id) or person.time_zone or term.time_zone
                role = "facilitator" if person_id == solved.facilitator else "participant"
                # Those without the role yet were listed to the organizer, who agreed.
                membership_grant(term=term, user=person, role=role, actor=actor)
                email_queue(
                    to=person.email,
                    subject=f"Your discussion section: {section.name} ({term.name})",
                    body=section_email_body(
                        section=section, person=person, zone=zone, meetings=meetings, role=role
                    ),
                    idempotency_key=f"scheduling:section-{section.pk}:user-{person.pk}",
                )
                emails += 1
        run.published_at = timezone.now()
        run.save(update_fields=["published_at"])
        summary = PublishSummary(created, kept, memberships, emails)
        audit_record(
            actor=actor,
            action="schedule_run.publish",
            target=run,
            details={**summary.__dict__, "roles_granted": [m.id for m in new_members]},
        )
    return summary


def _safe_slot(section: Section, monday: dt.date) -> int:
    try:
        return _section_slot(section, monday)
    except ValueError:
        return -1
