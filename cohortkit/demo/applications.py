"""The demo's application forms and the synthetic population's applications.

The population (``demo.population``) applies to the current term through the same
import service a real organizer uses for a spreadsheet of applications.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from cohortkit.accounts.models import User
from cohortkit.admissions.models import ApplicationForm
from cohortkit.admissions.services.importing import ImportRow, applications_import
from cohortkit.admissions.services.loading_forms import application_forms_load
from cohortkit.demo.population import DemoApplicant, demo_population_generate
from cohortkit.programs.models import Term

FORMS_FILE = Path(__file__).resolve().parents[1] / "admissions" / "data" / "ml-safety-forms.yaml"
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

MOTIVATIONS = (
    "I work on ML systems and want to understand how to make them safe.",
    "I read Unsolved Problems in ML Safety and want to go deeper with others.",
    "I am considering a research career in robustness and monitoring.",
    "I want a structured way through the field with a weekly discussion.",
)


@dataclass(frozen=True)
class DemoApplicationsSummary:
    forms: int
    created: int
    total: int


def _availability_text(person: DemoApplicant) -> str:
    return "; ".join(
        f"{WEEKDAY_NAMES[weekday]} {start}-{end}" for weekday, start, end in person.availability
    )


def _answers(person: DemoApplicant, randomizer: random.Random) -> dict[str, str]:
    common = {
        "mode": person.attendance,
        "university": person.university or "",
        "time_zone": person.time_zone,
        "availability": _availability_text(person),
    }
    if person.kind == "facilitator":
        tracks = [person.preferred_track]
        if randomizer.random() < 0.5:
            tracks = ["intro", "advanced"]
        return common | {
            "deep_learning_background": "PhD coursework in deep learning; I train vision models.",
            "ai_safety_background": "AGI Safety Fundamentals; I led a reading group.",
            "tracks": "\n".join(tracks),
            "sections": str(randomizer.choice((1, 1, 2, 2, 3))),
            "website": "",
        }
    student = randomizer.choice(("undergraduate", "graduate")) if person.is_student else "no"
    return common | {
        "student": student,
        "affiliation": person.university or "",
        "deep_learning": randomizer.choice(("yes", "yes", "some", "no")),
        "linear_algebra_statistics": randomizer.choice(("yes", "yes", "some")),
        "multivariate_calculus": randomizer.choice(("yes", "some", "some", "no")),
        "background_level": randomizer.choice(("-1.5", "-1", "-0.5", "0", "0.5", "1", "1.5", "2")),
        "track": person.preferred_track,
        "us_work_eligibility": person.us_work_eligibility,
        "motivation": randomizer.choice(MOTIVATIONS),
        "commitment": "yes",
    }


@transaction.atomic
def demo_applications_load(
    *, past_term: Term, current_term: Term, now: dt.datetime
) -> DemoApplicationsSummary:
    """Forms on both terms (where they have none yet) and the population's applications on the
    current term, submitted over the days before ``now``. Loading again adds nothing."""
    text = FORMS_FILE.read_text(encoding="utf-8")
    forms = 0
    for term in (past_term, current_term):
        if not ApplicationForm.objects.filter(term=term).exists():
            forms += len(application_forms_load(term=term, text=text))
    people = demo_population_generate()
    users = {user.email: user for user in User.objects.filter(email__in=[p.email for p in people])}
    randomizer = random.Random(2022)
    created = 0
    for kind in ("participant", "facilitator"):
        form = ApplicationForm.objects.get(term=current_term, kind=kind)
        rows = [
            ImportRow(
                user=users[person.email],
                raw_answers=_answers(person, randomizer),
                submitted_at=now - dt.timedelta(minutes=randomizer.randint(60, 6 * 24 * 60)),
            )
            for person in people
            if person.kind == kind and person.email in users
        ]
        created += applications_import(form=form, rows=rows)
    return DemoApplicationsSummary(forms=forms, created=created, total=len(people))


@dataclass(frozen=True)
class DemoReviewsSummary:
    rubric_created: int
    assigned: int


DEMO_RUBRIC = (
    ("Preparation", "Prerequisites met or close: deep learning, linear algebra, calculus.", 1, 5),
    ("Motivation", "A clear reason to take the course and to work on ML safety.", 2, 5),
    ("Commitment", "Can give about 5 hours a week for all 8 weeks.", 1, 5),
)
DEMO_ASSIGNMENTS = 12


@transaction.atomic
def demo_reviews_load(*, term: Term, reviewer: User, now: dt.datetime) -> DemoReviewsSummary:
    """A rubric on the term's participant form (if it has none) and the demo reviewer's first
    ``DEMO_ASSIGNMENTS`` applications (the earliest submitted), through the same services an
    organizer uses. Loading again adds nothing. ``now`` is accepted for symmetry with the other
    loaders; assignments are stamped by the database clock."""
    from cohortkit.admissions.models import Application, ApplicationStatus, RubricCategory
    from cohortkit.admissions.services.reviewing import (
        review_assignment_create,
        rubric_category_save,
    )

    form = ApplicationForm.objects.get(term=term, kind="participant")
    created = 0
    if not RubricCategory.objects.filter(form=form).exists():
        for position, (name, description, weight, max_score) in enumerate(DEMO_RUBRIC):
            rubric_category_save(
                form=form,
                name=name,
                description=description,
                weight=weight,
                max_score=max_score,
                position=position,
                actor=None,
            )
            created += 1
    applications = Application.objects.filter(
        form=form, status=ApplicationStatus.SUBMITTED, submitted_at__lte=now
    ).exclude(applicant=reviewer)
    assigned = 0
    if not applications.filter(review_assignments__reviewer=reviewer).exists():
        for application in applications.order_by("submitted_at", "id")[:DEMO_ASSIGNMENTS]:
            review_assignment_create(application=application, reviewer=reviewer, actor=None)
            assigned += 1
    return DemoReviewsSummary(rubric_created=created, assigned=assigned)
