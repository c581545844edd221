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


# Which people a run uses ---------------------------------------------------------------------

APPLICATIONS = "applications"
OFFERS = "offers"
CONFIRMED = "enrollments"
IMPORT = "import"
SOURCE_LABELS = {
    APPLICATIONS: "submitted applications",
    OFFERS: "released offers (people offered a place, confirmed or not)",
    CONFIRMED: "confirmed enrollments",
    IMPORT: "an imported instance",
}
# The sets of people the organizer may form sections from, in the order the page lists them.
SOURCE_CHOICES = (APPLICATIONS, OFFERS, CONFIRMED)
# The enrollment statuses each source takes (applications take submitted applications).
SOURCE_STATUSES = {
    OFFERS: (EnrollmentStatus.OFFERED, EnrollmentStatus.CONFIRMED),
    CONFIRMED: (EnrollmentStatus.CONFIRMED,),
}


@dataclass(frozen=True)
class SourceOption:
    """One set of people a run may use, with how many participants and facilitators it has."""

    value: str
    label: str
    participants: int
    facilitators: int


@dataclass(frozen=True)
class SourceChoice:
    options: list[SourceOption]
    default: str
    reason: str


def source_choice(*, term: Term) -> SourceChoice:
    """The three sets of people a run may use, counted (two queries), and the one to suggest:
    confirmed enrollments once any participant has confirmed, else released offers once any
    were released, else the submitted applications."""
    from django.db.models import Count

    applied = dict(
        Application.objects.filter(form__term=term, status=ApplicationStatus.SUBMITTED)
        .values("form__kind")
        .annotate(count=Count("applicant", distinct=True))
        .values_list("form__kind", "count")
    )
    enrolled: dict[tuple[str, str], int] = {
        (role, status): count
        for role, status, count in Enrollment.objects.filter(term=term)
        .values("role", "status")
        .annotate(count=Count("id"))
        .values_list("role", "status", "count")
    }

    def enrolled_in(role: str, source: str) -> int:
        return sum(enrolled.get((role, status), 0) for status in SOURCE_STATUSES[source])

    options = [
        SourceOption(
            APPLICATIONS,
            SOURCE_LABELS[APPLICATIONS],
            applied.get("participant", 0),
            applied.get("facilitator", 0),
        ),
        *(
            SourceOption(
                source,
                SOURCE_LABELS[source],
                enrolled_in("participant", source),
                enrolled_in("facilitator", source),
            )
            for source in (OFFERS, CONFIRMED)
        ),
    ]
    by_value = {option.value: option for option in options}
    offered = by_value[OFFERS].participants - by_value[CONFIRMED].participants
    if by_value[CONFIRMED].participants:
        default = CONFIRMED
        reason = f"{by_value[CONFIRMED].participants} participants have confirmed their place" + (
            f"; {offered} offers still await an answer." if offered else "."
        )
    elif by_value[OFFERS].participants:
        default = OFFERS
        reason = (
            f"Offers were released to {by_value[OFFERS].participants} participants and nobody "
            "has confirmed yet."
        )
    else:
        default = APPLICATIONS
        reason = "No offers have been released yet: the run plans with everyone who applied."
    return SourceChoice(options=options, default=default, reason=reason)
