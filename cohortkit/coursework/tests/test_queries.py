"""The week page and the homework review read a fixed number of queries: more rows, no more."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cohortkit.coursework import services
from cohortkit.coursework.due import due_override_set
from cohortkit.coursework.tests.factories import AssignmentFactory, QuizFactory
from cohortkit.programs.models import Week
from cohortkit.sections.models import SectionMembership
from cohortkit.tests.factories import LectureFactory, MembershipFactory, ReadingFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fill_week(week, track, participant, organizer, count):
    """``count`` lectures, readings, assignments and quizzes, each ticked, submitted, reviewed
    or given a personal due date, so every row has everything the page can show."""
    for index in range(count):
        lecture = LectureFactory(week=week)
        reading = ReadingFactory(week=week, required=index % 2 == 0)
        assignment = AssignmentFactory(week=week)
        quiz = QuizFactory(week=week)
        for item in (lecture, reading, assignment, quiz):
            item.tracks.set([track])
        services.item_tick(user=participant, item=lecture)
        services.item_tick(user=participant, item=reading)
        services.submission_submit(assignment=assignment, user=participant, body_markdown="A")
        due_override_set(
            item=quiz,
            user=participant,
            due=dt.datetime(2022, 10, 20, tzinfo=dt.UTC),
            actor=organizer,
        )


def test_the_week_page_reads_as_many_queries_for_one_item_as_for_many(
    term, people, sections, client_as, django_assert_max_num_queries
):
    track = sections["a"].track
    participant, organizer = people["participant"], people["organizer"]
    one, many = (Week.objects.create(term=term, number=n, title=f"W{n}") for n in (2, 3))
    _fill_week(one, track, participant, organizer, 1)
    _fill_week(many, track, participant, organizer, 6)
    client = client_as("participant")

    with django_assert_max_num_queries(22) as for_one:
        client.get(reverse("coursework:week", args=[term.slug, 2]))
    with django_assert_max_num_queries(len(for_one.captured_queries)):
        response = client.get(reverse("coursework:week", args=[term.slug, 3]))

    assert response.content.decode().count('data-testid="assignment"') == 6


def _members_with_reviewed_work(term, section, assignment, count):
    for _ in range(count):
        member = UserFactory()
        MembershipFactory(term=term, user=member)
        SectionMembership.objects.create(section=section, user=member, from_week=1)
        version = services.submission_submit(
            assignment=assignment, user=member, body_markdown="**Answer**"
        ).version
        services.feedback_give(
            version=version,
            facilitator=section.facilitator,
            verdict="needs_revision",
            comment="More.",
        )
        services.submission_submit(assignment=assignment, user=member, body_markdown="Better")


def test_the_review_page_reads_as_many_queries_for_one_member_as_for_many(
    term, sections, client_as, django_assert_max_num_queries
):
    section_a, section_b = sections["a"], sections["b"]
    week = Week.objects.create(term=term, number=3, title="Robustness")
    assignment = AssignmentFactory(week=week)
    assignment.tracks.set([section_a.track])
    _members_with_reviewed_work(term, section_b, assignment, 1)
    _members_with_reviewed_work(term, section_a, assignment, 7)
    one_url, many_url = (
        reverse("coursework:section_reviews", args=[term.slug, section.pk]) + "?week=3"
        for section in (section_b, section_a)
    )
    other, facilitator = client_as("facilitator_other_section"), client_as("facilitator")

    with django_assert_max_num_queries(20) as for_one:
        other.get(one_url)
    with django_assert_max_num_queries(len(for_one.captured_queries)):
        response = facilitator.get(many_url)

    # The participant of the fixtures has not handed in; the seven others await a second look.
    assert response.content.decode().count('data-testid="homework-row"') == 8
    assert "7 to review" in response.content.decode()
