"""Factories and builders for scheduling tests: a term with the demo form's scheduling questions,
people who applied with real answers (parsed by the admissions rules), and runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from cohortkit.accounts.models import User
from cohortkit.admissions.answers import parse_answer
from cohortkit.admissions.models import Answer, Application, ApplicationForm, FormQuestion
from cohortkit.programs.models import Term
from cohortkit.scheduling.models import RunStatus, ScheduleRun
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    TrackFactory,
    UserFactory,
)

EMPTY_INSTANCE = {
    "slot_minutes": 30,
    "meeting_slots": 2,
    "section_size": {"min": 1, "max": 8},
    "participants": [],
    "facilitators": [],
}
EMPTY_SOLUTION = {
    "sections": [],
    "unplaced": [],
    "objective": 0,
    "bound": 0,
    "status": "optimal",
    "seconds": 0.0,
}


class ScheduleRunFactory(factory.django.DjangoModelFactory[ScheduleRun]):
    class Meta:
        model = ScheduleRun

    instance = factory.LazyFunction(lambda: dict(EMPTY_INSTANCE))
    solution = factory.LazyFunction(lambda: dict(EMPTY_SOLUTION))
    status = RunStatus.DONE
    week_monday = dt.date(2022, 9, 26)
    started_at = dt.datetime(2022, 9, 20, 12, 0, tzinfo=dt.UTC)
    finished_at = dt.datetime(2022, 9, 20, 12, 1, tzinfo=dt.UTC)


CHOICES = {
    "track": [{"value": "intro", "label": "Introductory"}, {"value": "advanced", "label": "Adv"}],
    "mode": [
        {"value": "virtual", "label": "Online"},
        {"value": "in_person", "label": "In person"},
        {"value": "either", "label": "Either"},
    ],
    "university": [{"value": "MIT", "label": "MIT"}, {"value": "ETH Zürich", "label": "ETH"}],
}
PARTICIPANT_QUESTIONS = [
    ("time_zone", "time_zone", {}),
    ("availability", "availability", {}),
    ("track", "choice", {"choices": CHOICES["track"]}),
    ("mode", "choice", {"choices": CHOICES["mode"]}),
    ("university", "choice", {"choices": CHOICES["university"], "required": False}),
]
FACILITATOR_QUESTIONS = [
    ("time_zone", "time_zone", {}),
    ("availability", "availability", {}),
    ("tracks", "multi_choice", {"choices": CHOICES["track"]}),
    ("sections", "number", {"min_value": 1, "max_value": 3, "step": 1}),
    ("mode", "choice", {"choices": CHOICES["mode"]}),
    ("university", "choice", {"choices": CHOICES["university"], "required": False}),
]


def scheduling_term(term: Term, *, section_min: int = 1, section_max: int = 4) -> Term:
    """Give ``term`` the tracks ``intro`` and ``advanced`` and both forms with the questions
    the scheduler reads."""
    term.section_size_min = section_min
    term.section_size_max = section_max
    term.meeting_minutes = 60
    term.save()
    TrackFactory(term=term, slug="intro", name="Introductory", position=0)
    TrackFactory(term=term, slug="advanced", name="Advanced", position=1)
    for kind, questions in (
        ("participant", PARTICIPANT_QUESTIONS),
        ("facilitator", FACILITATOR_QUESTIONS),
    ):
        form = ApplicationForm.objects.filter(term=term, kind=kind).first()
        if form is None:
            form = ApplicationFormFactory(term=term, kind=kind, title=f"{kind} form")
        for position, (key, kind_of_question, extra) in enumerate(questions):
            FormQuestionFactory(
                form=form, key=key, type=kind_of_question, position=position, **extra
            )
    return term


def applied(term: Term, kind: str, *, user: User | None = None, **raw_answers: str) -> Application:
    """A submitted application on the term's ``kind`` form, answers read by the real rules."""
    form = ApplicationForm.objects.get(term=term, kind=kind)
    user = user or UserFactory.create()
    application = Application.objects.create(
        form=form,
        applicant=user,
        status="submitted",
        submitted_at=dt.datetime(2022, 9, 10, tzinfo=dt.UTC),
    )
    questions = {question.key: question for question in FormQuestion.objects.filter(form=form)}
    for key, raw in raw_answers.items():
        parsed = parse_answer(questions[key], raw, number_format="point")
        assert not parsed.error, (key, raw, parsed.error)
        Answer.objects.create(
            application=application,
            question=questions[key],
            raw=raw,
            number=parsed.number,
            value=parsed.value,
        )
    return application


def participant(term: Term, zone: str, availability: str, **more: Any) -> User:
    answers = {"time_zone": zone, "availability": availability, "track": "intro", "mode": "virtual"}
    answers |= more
    user: User = UserFactory.create(time_zone=zone)
    applied(term, "participant", user=user, **answers)
    return user


def facilitator(term: Term, zone: str, availability: str, **more: Any) -> User:
    answers = {
        "time_zone": zone,
        "availability": availability,
        "tracks": "intro",
        "sections": "1",
        "mode": "virtual",
    }
    answers |= more
    user: User = UserFactory.create(time_zone=zone)
    applied(term, "facilitator", user=user, **answers)
    return user
