"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt

import factory

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.admissions.models import ApplicationForm, FormQuestion
from cohortkit.programs.models import Lecture, Program, Reading, Term, Track, Week


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    time_zone = "UTC"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


class ProgramFactory(factory.django.DjangoModelFactory[Program]):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    slug = "introduction-to-ml-safety"
    name = "Introduction to ML Safety"
    tagline = "An 8-week course on the technical problems of making ML systems safe."
    prerequisites = ["Deep learning", "Linear algebra or introductory statistics"]


class TermFactory(factory.django.DjangoModelFactory[Term]):
    """A Fall-2022-shaped term: 8 weeks, deadlines a week before the start, $1000 stipend."""

    class Meta:
        model = Term

    program = factory.SubFactory(ProgramFactory)
    slug = factory.Sequence(lambda n: f"term-{n}")
    name = factory.Sequence(lambda n: f"Term {n}")
    time_zone = "America/Los_Angeles"
    starts_on = dt.date(2022, 9, 26)
    ends_on = dt.date(2022, 11, 18)
    deadline_time_zone = "America/Los_Angeles"
    participant_deadline = dt.datetime(2022, 9, 22, 6, 59, tzinfo=dt.UTC)
    facilitator_deadline = dt.datetime(2022, 9, 19, 6, 59, tzinfo=dt.UTC)
    stipend_cents = 100_000
    facilitator_rate_cents = 3_000


class TrackFactory(factory.django.DjangoModelFactory[Track]):
    class Meta:
        model = Track

    term = factory.SubFactory(TermFactory)
    slug = factory.Sequence(lambda n: f"track-{n}")
    name = factory.Sequence(lambda n: f"Track {n}")


class WeekFactory(factory.django.DjangoModelFactory[Week]):
    class Meta:
        model = Week

    term = factory.SubFactory(TermFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Week title {n}")


class LectureFactory(factory.django.DjangoModelFactory[Lecture]):
    class Meta:
        model = Lecture

    week = factory.SubFactory(WeekFactory)
    title = factory.Sequence(lambda n: f"Lecture {n}")
    minutes = 25


class ReadingFactory(factory.django.DjangoModelFactory[Reading]):
    class Meta:
        model = Reading

    week = factory.SubFactory(WeekFactory)
    title = factory.Sequence(lambda n: f"Reading {n}")
    url = "https://arxiv.org/abs/2109.13916"
    minutes = 40


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    term = factory.SubFactory(TermFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.PARTICIPANT


class ApplicationFormFactory(factory.django.DjangoModelFactory[ApplicationForm]):
    class Meta:
        model = ApplicationForm

    term = factory.SubFactory(TermFactory)
    kind = "participant"
    title = "Participant application"


class FormQuestionFactory(factory.django.DjangoModelFactory[FormQuestion]):
    class Meta:
        model = FormQuestion

    form = factory.SubFactory(ApplicationFormFactory)
    position = factory.Sequence(lambda n: n)
    key = factory.Sequence(lambda n: f"question-{n}")
    label = factory.Sequence(lambda n: f"Question {n}?")
    type = "short_text"
    required = True
