"""Who a scheduling run may name: the people of its own term.

An instance names people by id (``p<user id>`` for participants, ``f<user id>`` for facilitators
when the term builds it). Those ids are never trusted on their own: an id names an account only
if that account is a person of this term in that role, that is someone with a submitted
application on the term's form of that kind or an offered or confirmed enrollment of that role.
Any other id (an instance exported from another term, generated, or written by hand) stays
unknown: the run can be solved and exported, but it shows the id, not a name, and is never
published.
"""

from __future__ import annotations

from dataclasses import dataclass

from cohortkit.admissions.models import (
    Application,
    ApplicationStatus,
    Enrollment,
    EnrollmentStatus,
)
from cohortkit.programs.models import Term

PARTICIPANT_PREFIX = "p"
FACILITATOR_PREFIX = "f"
# Enrollments that may still take a place in a section (a declined or lapsed offer may not).
PLACEABLE_ENROLLMENTS = (EnrollmentStatus.OFFERED, EnrollmentStatus.CONFIRMED)


def participant_id(user_id: int) -> str:
    return f"{PARTICIPANT_PREFIX}{user_id}"


def facilitator_id(user_id: int) -> str:
    return f"{FACILITATOR_PREFIX}{user_id}"


@dataclass(frozen=True)
class TermPeople:
    """The instance ids of the term's people, by role: id → user id."""

    participants: dict[str, int]
    facilitators: dict[str, int]

    def resolve(
        self, *, participant_ids: list[str], facilitator_ids: list[str]
    ) -> tuple[dict[str, int], list[str]]:
        """The ids that name people of the term in the role they are listed in (id → user
        id), and the others, unknown, in the order given."""
        people: dict[str, int] = {}
        unknown: list[str] = []
        for ids, known in (
            (participant_ids, self.participants),
            (facilitator_ids, self.facilitators),
        ):
            for person_id in ids:
                if person_id in known:
                    people[person_id] = known[person_id]
                elif person_id not in unknown:
                    unknown.append(person_id)
        return people, unknown


def term_people(*, term: Term) -> TermPeople:
    """Everyone an instance of ``term`` may name, in four queries."""
    found: dict[str, dict[str, int]] = {}
    for role, make in (("participant", participant_id), ("facilitator", facilitator_id)):
        applicants = Application.objects.filter(
            form__term=term, form__kind=role, status=ApplicationStatus.SUBMITTED
        ).values_list("applicant_id", flat=True)
        enrolled = Enrollment.objects.filter(
            term=term, role=role, status__in=PLACEABLE_ENROLLMENTS
        ).values_list("user_id", flat=True)
        found[role] = {make(user_id): user_id for user_id in sorted({*applicants, *enrolled})}
    return TermPeople(participants=found["participant"], facilitators=found["facilitator"])
