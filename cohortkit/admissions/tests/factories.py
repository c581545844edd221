"""Factories for reviewing and decisions; the shared ones live in ``cohortkit.tests.factories``."""

from __future__ import annotations

import datetime as dt

import factory

from cohortkit.admissions.models import Application, RubricCategory
from cohortkit.tests.factories import ApplicationFormFactory, UserFactory


class SubmittedApplicationFactory(factory.django.DjangoModelFactory[Application]):
    class Meta:
        model = Application

    form = factory.SubFactory(ApplicationFormFactory)
    applicant = factory.SubFactory(UserFactory)
    status = "submitted"
    submitted_at = factory.Sequence(
        lambda n: dt.datetime(2022, 9, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n)
    )
    revision = 1


class RubricCategoryFactory(factory.django.DjangoModelFactory[RubricCategory]):
    class Meta:
        model = RubricCategory

    form = factory.SubFactory(ApplicationFormFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    weight = 1
    max_score = 5
    position = factory.Sequence(lambda n: n)
