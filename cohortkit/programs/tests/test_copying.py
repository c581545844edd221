"""Running a term again: the checklist, every date moved (deadlines keep their local time across
daylight saving), a draft until published, and the waitlist invited rather than moved."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cohortkit.accounts.models import Membership, Role
from cohortkit.admissions.models import (
    CarryOverInvitation,
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
    FormQuestion,
    RubricCategory,
)
from cohortkit.common.errors import InvalidInputError
from cohortkit.programs.copying import term_copy, term_copy_parts
from cohortkit.programs.models import Lecture, Quiz, Term
from cohortkit.quizzes.models import AcceptedAnswer, Question
from cohortkit.quizzes.tests.factories import numeric_question, quiz_in
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")
ALL_PARTS = {part.key for part in term_copy_parts()}
# Fall 2022 starts on Monday 26 September; 23 weeks later is Monday 6 March 2023, before the US
# clocks change (12 March) — and its deadlines fall in winter time, an hour off a naive shift.
SPRING = dt.date(2023, 3, 6)


@pytest.fixture
def fall(term, people):
    track = TrackFactory.create(term=term, slug="intro", name="Introductory")
    week = quiz_in(term, week_number=1, title="Week 1 quiz").week
    lecture = Lecture.objects.create(week=week, title="Introduction", minutes=60)
    lecture.tracks.set([track])
    question = numeric_question(Quiz.objects.get(week=week), ("3.14", "0.01", "absolute"))
    form = ApplicationFormFactory(term=term, kind="participant")
    FormQuestionFactory(form=form, key="background", label="Your background", position=1)
    RubricCategory.objects.create(form=form, name="Motivation", weight=2)
    waiting = UserFactory(email="waiting@example.org", name="Wen Waiting")
    Enrollment.objects.create(
        term=term,
        user=waiting,
        role=EnrollmentRole.PARTICIPANT,
        track=track,
        status=EnrollmentStatus.WAITLISTED,
        waitlist_rank=1,
    )
    return {"term": term, "question": question, "waiting": waiting}


def _copy(fall, people, **overrides):
    arguments = {
        "source": fall["term"],
        "slug": "ml-safety-spring-2023",
        "name": "Spring 2023",
        "starts_on": SPRING,
        "parts": ALL_PARTS,
        "staff_roles": {Role.ORGANIZER, Role.REVIEWER},
        "actor": people["organizer"],
    } | overrides
    return term_copy(**arguments)


def test_every_date_moves_with_the_start_and_deadlines_keep_their_local_time(fall, people):
    source = fall["term"]

    spring = _copy(fall, people)

    before = source.participant_deadline.astimezone(PACIFIC)
    after = spring.participant_deadline.astimezone(PACIFIC)
    assert (spring.starts_on, spring.ends_on) == (SPRING, dt.date(2023, 4, 28))
    assert spring.starts_on.weekday() == source.starts_on.weekday()
    assert (before.hour, before.minute) == (after.hour, after.minute) == (23, 59)
    assert after.weekday() == before.weekday()
    assert after.utcoffset() != before.utcoffset()  # summer time then, winter time now
    assert spring.is_published is False


def test_the_parts_are_copied_with_their_contents(fall, people):
    spring = _copy(fall, people)

    quiz = Quiz.objects.get(week__term=spring)
    question = Question.objects.get(quiz=quiz)
    assert (
        AcceptedAnswer.objects.get(question=question).value
        == fall["question"].accepted_answers.get().value
    )
    assert [track.slug for track in Lecture.objects.get(week__term=spring).tracks.all()] == [
        "intro"
    ]
    assert FormQuestion.objects.filter(form__term=spring, key="background").exists()
    assert RubricCategory.objects.get(form__term=spring).weight == 2
    roles = set(Membership.objects.filter(term=spring).values_list("user__email", "role"))
    assert roles == {
        ("organizer@example.org", Role.ORGANIZER),
        ("reviewer@example.org", Role.REVIEWER),
    }
    assert spring.stipend_cents == fall["term"].stipend_cents


def test_an_unticked_part_is_left_out_and_settings_parts_reset(fall, people):
    spring = _copy(fall, people, parts=ALL_PARTS - {"rubric", "money", "staff"})

    assert not RubricCategory.objects.filter(form__term=spring).exists()
    assert FormQuestion.objects.filter(form__term=spring).exists()
    assert spring.stipend_cents == 0 and spring.facilitator_rate_cents == 0
    # Whoever made it stays its organizer, and nobody else comes along.
    assert list(Membership.objects.filter(term=spring).values_list("user__email", "role")) == [
        ("organizer@example.org", Role.ORGANIZER)
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"starts_on": dt.date(2023, 3, 7)}, "starts_on", "pick a Monday"),
        ({"slug": "fall-2022"}, "slug", "already has this address"),
        ({"slug": "Spring 2023"}, "slug", "lower-case letters"),
        ({"parts": {"quiz_questions"}}, "parts", "needs Weeks and curriculum too"),
        ({"name": "  "}, "name", "Give the new term a name"),
    ],
)
def test_wrong_input_is_refused_and_nothing_is_made(fall, people, overrides, field, message):
    terms_before = Term.objects.count()

    with pytest.raises(InvalidInputError) as refused:
        _copy(fall, people, **overrides)

    assert message in refused.value.field_errors[field]
    assert Term.objects.count() == terms_before


def test_the_waitlist_is_invited_and_joins_only_by_accepting(fall, people, client):
    spring = _copy(fall, people)
    invitation = CarryOverInvitation.objects.get(term=spring)
    url = reverse("admissions:carry_over", args=[spring.slug, invitation.token])

    assert not Enrollment.objects.filter(term=spring).exists()  # nobody moved silently
    client.force_login(people["participant"])
    assert client.get(url).status_code == 404  # someone else's invitation
    client.force_login(fall["waiting"])
    page = client.get(url).content.decode()
    accepted = client.post(url, {"answer": "accept"}, follow=True).content.decode()
    again = client.post(url, {"answer": "decline"}, follow=True).content.decode()

    assert "Yes, put me on the waitlist" in page
    assert "You are on the waitlist of" in accepted
    assert "You already answered this invitation." in again
    enrollment = Enrollment.objects.get(term=spring, user=fall["waiting"])
    assert (enrollment.status, enrollment.waitlist_rank, enrollment.track.slug) == (
        EnrollmentStatus.WAITLISTED,
        1,
        "intro",
    )


def test_the_page_previews_the_dates_and_makes_a_draft(fall, people, client_as):
    client = client_as("organizer")
    url = reverse("programs:term_copy", args=[fall["term"].slug])
    form = {
        "name": "Spring 2023",
        "slug": "ml-safety-spring-2023",
        "starts_on": "2023-03-06",
        "parts": sorted(ALL_PARTS - {"waitlist"}),
        "staff_roles": ["organizer"],
    }

    page = client.get(url).content.decode()
    preview = client.post(url, form | {"preview": "1"}).content.decode()
    made_by_preview = Term.objects.filter(slug="ml-safety-spring-2023").exists()
    made = client.post(url, form, follow=True)

    assert (
        "Run this again"
        in client.get(reverse("programs:term_settings", args=[fall["term"].slug])).content.decode()
    )
    assert "Quiz questions and their answers" in page
    assert "Mon, Mar 6, 2023" in preview and "Fri, Apr 28, 2023" in preview
    assert made_by_preview is False
    assert made.redirect_chain[-1][0] == reverse(
        "programs:term_settings", args=["ml-safety-spring-2023"]
    )
    assert "is ready as a draft" in made.content.decode()
    assert not CarryOverInvitation.objects.exists()
    anonymous = client_as("anonymous").get(
        reverse("programs:term_detail", args=["ml-safety-spring-2023"])
    )
    assert anonymous.status_code == 404


def test_the_command_line_copies_on_the_same_service(fall, people, capsys):
    call_command(
        "term",
        "copy",
        "--from",
        fall["term"].slug,
        "--to",
        "ml-safety-spring-2023",
        "--name",
        "Spring 2023",
        "--starts-on",
        "2023-03-06",
        "--without",
        "waitlist",
    )

    assert "Spring 2023 (ml-safety-spring-2023) made as a draft" in capsys.readouterr().out
    assert Term.objects.get(slug="ml-safety-spring-2023").is_published is False
    with pytest.raises(CommandError, match=r"--starts-on: .*pick a Monday"):
        call_command(
            "term",
            "copy",
            "--from",
            fall["term"].slug,
            "--to",
            "x-2023",
            "--name",
            "X",
            "--starts-on",
            "2023-03-07",
        )
