"""Factories for weekly work: assignments, quizzes, submissions and their versions."""

from __future__ import annotations

import datetime as dt

import factory

from cohortkit.common.markdown import render_markdown
from cohortkit.coursework.models import Submission, SubmissionStatus, SubmissionVersion
from cohortkit.programs.models import Assignment, Quiz
from cohortkit.tests.factories import UserFactory, WeekFactory


class AssignmentFactory(factory.django.DjangoModelFactory[Assignment]):
    class Meta:
        model = Assignment

    week = factory.SubFactory(WeekFactory)
    title = factory.Sequence(lambda n: f"Written assignment {n}")
    prompt = "Which unsolved problem in ML safety worries you most, and why?"
    minutes = 60


class QuizFactory(factory.django.DjangoModelFactory[Quiz]):
    class Meta:
        model = Quiz

    week = factory.SubFactory(WeekFactory)
    title = factory.Sequence(lambda n: f"Quiz {n}")


class SubmissionFactory(factory.django.DjangoModelFactory[Submission]):
    class Meta:
        model = Submission

    assignment = factory.SubFactory(AssignmentFactory)
    user = factory.SubFactory(UserFactory)
    status = SubmissionStatus.SUBMITTED
    draft_markdown = "My answer."


class SubmissionVersionFactory(factory.django.DjangoModelFactory[SubmissionVersion]):
    """A version submitted on time (a day before the due date kept beside it)."""

    class Meta:
        model = SubmissionVersion

    submission = factory.SubFactory(SubmissionFactory)
    number = 1
    body_markdown = factory.SelfAttribute("submission.draft_markdown")
    body_html = factory.LazyAttribute(lambda version: render_markdown(version.body_markdown))
    due_at = dt.datetime(2022, 10, 17, 7, 0, tzinfo=dt.UTC)
    submitted_at = factory.LazyAttribute(lambda version: version.due_at - dt.timedelta(days=1))
    due_source = "term"
    is_late = False
