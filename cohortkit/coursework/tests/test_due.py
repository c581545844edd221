"""One due-date precedence: personal extension, then section, then term."""

import datetime as dt

import pytest

from cohortkit.common.errors import InvalidInputError
from cohortkit.coursework.due import due_at, due_override_set, term_due_at
from cohortkit.programs.models import Assignment, Quiz, Week

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(term):
    week = Week.objects.create(term=term, number=6, title="Monitoring")
    return Assignment.objects.create(week=week, title="Anomaly detection", prompt="…", minutes=60)


def test_term_due_date_is_the_end_of_the_due_day_in_the_terms_zone(assignment):
    # Week 6 of Fall 2022 starts Mon Oct 31; six days later is Sun Nov 6, the US change: the day
    # ends at midnight Pacific Standard Time, 08:00 UTC on Nov 7.
    assert term_due_at(assignment) == dt.datetime(2022, 11, 7, 8, 0, tzinfo=dt.UTC)


def test_personal_extension_wins_over_section_which_wins_over_term(assignment, people, sections):
    participant, organizer = people["participant"], people["organizer"]
    assert due_at(item=assignment, user=participant).source == "term"

    due_override_set(
        item=assignment,
        section=sections["a"],
        due=dt.datetime(2022, 11, 8, tzinfo=dt.UTC),
        actor=organizer,
    )
    assert due_at(item=assignment, user=participant) == (
        due_at(item=assignment, user=participant).__class__(
            dt.datetime(2022, 11, 8, tzinfo=dt.UTC), "section"
        )
    )
    # Someone in another section keeps the term's date.
    assert due_at(item=assignment, user=people["facilitator_other_section"]).source == "term"

    due_override_set(
        item=assignment,
        user=participant,
        due=dt.datetime(2022, 11, 10, tzinfo=dt.UTC),
        actor=organizer,
        reason="illness",
    )
    personal = due_at(item=assignment, user=participant)
    assert (personal.instant, personal.source) == (
        dt.datetime(2022, 11, 10, tzinfo=dt.UTC),
        "personal extension",
    )


def test_setting_again_replaces_and_bad_calls_are_refused(assignment, people):
    due_override_set(
        item=assignment,
        user=people["participant"],
        due=dt.datetime(2022, 11, 9, tzinfo=dt.UTC),
        actor=people["organizer"],
    )
    due_override_set(
        item=assignment,
        user=people["participant"],
        due=dt.datetime(2022, 11, 11, tzinfo=dt.UTC),
        actor=people["organizer"],
    )

    assert due_at(item=assignment, user=people["participant"]).instant.day == 11
    with pytest.raises(InvalidInputError, match="either a person or a section"):
        due_override_set(item=assignment, due=dt.datetime(2022, 11, 9, tzinfo=dt.UTC), actor=None)
    with pytest.raises(InvalidInputError, match="give it a time zone"):
        due_override_set(
            item=assignment,
            user=people["participant"],
            due=dt.datetime(2022, 11, 9),
            actor=people["organizer"],
        )


def test_quizzes_follow_the_same_rule(term, people):
    week = Week.objects.create(term=term, number=1, title="Background")
    quiz = Quiz.objects.create(week=week, title="Week 1 quiz", due_days_after_week_start=3)

    # Thu Sep 29, 2022 ends at 07:00 UTC (PDT).
    assert due_at(item=quiz, user=people["participant"]).instant == dt.datetime(
        2022, 9, 30, 7, 0, tzinfo=dt.UTC
    )
