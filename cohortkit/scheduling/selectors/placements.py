"""What publishing a run would do, read before anything is written: which solved section is which
published one, who would newly join the term, and which ids name nobody of the term."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from cohortkit.accounts.models import User
from cohortkit.programs.models import Term
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.people import facilitator_id, term_people
from cohortkit.scheduling.selectors.instances import run_solution, section_slot
from cohortkit.scheduling.solver import Section as SolverSection
from cohortkit.scheduling.solver import Solution
from cohortkit.sections.models import Section, SectionMembership


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


def placements_of(run: ScheduleRun, term: Term, solution: Solution) -> list[Placement]:
    existing = {
        (
            facilitator_id(section.facilitator_id),
            safe_slot(section, run.week_monday),
            section.track.slug,
            None if section.is_virtual else section.location,
        ): section
        for section in Section.objects.filter(term=term).select_related("track")
        # A section without a facilitator for now matches no solved section.
        if section.facilitator_id is not None
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


def no_longer_of_term(run: ScheduleRun, term: Term, solution: Solution) -> list[str]:
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
    return new_members_of(run, run.term, solution, placements_of(run, run.term, solution))


def new_members_of(
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


def safe_slot(section: Section, monday: dt.date) -> int:
    """The section's slot in the week of ``monday``, or -1 where it has none that week."""
    try:
        return section_slot(section, monday)
    except ValueError:
        return -1
