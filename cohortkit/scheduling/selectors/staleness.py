"""Has the term changed under a run? A fingerprint of its people and of the published sections,
taken when the run is made and again before it is published."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

from cohortkit.programs.models import Term, Track
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.people import IMPORT, term_people
from cohortkit.scheduling.selectors.instances import (
    instance_build_with_notes,
    run_instance,
    source_people,
)
from cohortkit.scheduling.solver import Instance
from cohortkit.sections.models import Section, SectionMembership


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
        for person in source_people(term, role, source)
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
