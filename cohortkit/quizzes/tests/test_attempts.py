"""Submitting an attempt: what is stored, the attempt limit, double submits and lateness."""

import datetime as dt
from decimal import Decimal

import pytest

from cohortkit.common.errors import InvalidInputError, ServiceError
from cohortkit.common.models import AuditEvent
from cohortkit.coursework.due import due_override_set
from cohortkit.quizzes.models import Attempt, AttemptAnswer
from cohortkit.quizzes.selectors import attempts_of, counted_best
from cohortkit.quizzes.services import attempt_submit
from cohortkit.quizzes.tests.conftest import BEFORE_DUE, TERM_DUE

pytestmark = pytest.mark.django_db


def _answers(questions, loss="−0.25", activation=None, optimizer=" adam "):
    choice = questions["activation"].choices.get(text="ReLU") if activation is None else activation
    return {
        questions["loss"].pk: loss,
        questions["activation"].pk: str(choice.pk),
        questions["optimizer"].pk: optimizer,
    }


def test_an_attempt_keeps_the_raw_answers_the_parsed_number_and_the_grade(quiz, questions, people):
    participant = people["participant"]

    attempt = attempt_submit(
        quiz=quiz,
        user=participant,
        answers=_answers(questions, loss="−0.255"),
        submit_token="page-1",
        now=BEFORE_DUE,
    )

    assert (attempt.number, attempt.score, attempt.max_score, attempt.is_late) == (1, 3, 3, False)
    loss = AttemptAnswer.objects.get(attempt=attempt, question=questions["loss"])
    assert (loss.raw, loss.parsed_number, loss.correct, loss.points) == (
        "−0.255",
        Decimal("-0.255"),
        True,
        1,
    )
    chosen = AttemptAnswer.objects.get(attempt=attempt, question=questions["activation"])
    assert chosen.choice.text == "ReLU"
    assert AuditEvent.objects.filter(action="quiz.attempt_submitted").count() == 1


def test_an_unreadable_number_is_refused_with_the_rules_message_and_uses_no_attempt(
    quiz, questions, people
):
    participant = people["participant"]

    with pytest.raises(InvalidInputError) as refused:
        attempt_submit(
            quiz=quiz,
            user=participant,
            answers=_answers(questions, loss="-0,25"),
            submit_token="page-1",
            now=BEFORE_DUE,
        )

    assert refused.value.field_errors == {
        f"answer-{questions['loss'].pk}": "Use a point for decimals, for example -0.25."
    }
    assert not Attempt.objects.exists()
    assert not AuditEvent.objects.filter(action="quiz.attempt_submitted").exists()
    # The same page, corrected, is the person's first attempt.
    attempt = attempt_submit(
        quiz=quiz,
        user=participant,
        answers=_answers(questions, loss="-0.25"),
        submit_token="page-1",
        now=BEFORE_DUE,
    )
    assert (attempt.number, attempt.score) == (1, 3)


def test_a_late_attempt_is_kept_and_marked_late_but_never_the_score(quiz, questions, people):
    participant = people["participant"]
    attempt_submit(
        quiz=quiz,
        user=participant,
        answers=_answers(questions, loss="5", optimizer="SGD"),
        submit_token="page-1",
        now=BEFORE_DUE,
    )

    late = attempt_submit(
        quiz=quiz,
        user=participant,
        answers=_answers(questions),
        submit_token="page-2",
        now=TERM_DUE + dt.timedelta(minutes=1),
    )

    assert (late.number, late.score, late.is_late) == (2, 3, True)
    best = counted_best(attempts_of(quiz=quiz, user=participant))
    assert (best.number, best.score, best.max_score) == (1, 1, 3)


def test_only_late_attempts_give_no_score(quiz, questions, people):
    attempt_submit(
        quiz=quiz,
        user=people["participant"],
        answers=_answers(questions),
        submit_token="page-1",
        now=TERM_DUE + dt.timedelta(days=1),
    )

    assert counted_best(attempts_of(quiz=quiz, user=people["participant"])) is None


def test_a_question_left_out_is_stored_unanswered(quiz, questions, people):
    attempt = attempt_submit(
        quiz=quiz,
        user=people["participant"],
        answers={questions["optimizer"].pk: "Adam"},
        submit_token="page-1",
        now=BEFORE_DUE,
    )

    assert attempt.answers.count() == 3
    assert attempt.answers.get(question=questions["loss"]).feedback == "No answer."
    assert attempt.score == 1


def test_no_attempt_beyond_the_limit_and_the_refusal_changes_nothing(quiz, questions, people):
    participant = people["participant"]
    for token in ("page-1", "page-2"):
        attempt_submit(
            quiz=quiz,
            user=participant,
            answers=_answers(questions),
            submit_token=token,
            now=BEFORE_DUE,
        )
    answers_before = AttemptAnswer.objects.count()

    with pytest.raises(ServiceError, match="You have used all 2 attempts at this quiz"):
        attempt_submit(
            quiz=quiz,
            user=participant,
            answers=_answers(questions),
            submit_token="page-3",
            now=BEFORE_DUE,
        )

    assert list(Attempt.objects.values_list("number", flat=True)) == [1, 2]
    assert AttemptAnswer.objects.count() == answers_before


def test_submitting_the_same_page_twice_is_one_attempt(quiz, questions, people):
    participant = people["participant"]
    first = attempt_submit(
        quiz=quiz,
        user=participant,
        answers=_answers(questions),
        submit_token="page-1",
        now=BEFORE_DUE,
    )

    again = attempt_submit(
        quiz=quiz,
        user=participant,
        answers=_answers(questions, loss="7"),
        submit_token="page-1",
        now=BEFORE_DUE,
    )

    assert again.pk == first.pk
    assert Attempt.objects.count() == 1
    assert again.answers.get(question=questions["loss"]).raw == "−0.25"


def test_the_same_page_submitted_twice_on_the_last_attempt_is_not_refused(quiz, questions, people):
    quiz.max_attempts = 1
    quiz.save()
    participant = people["participant"]
    first = attempt_submit(
        quiz=quiz, user=participant, answers=_answers(questions), submit_token="p", now=BEFORE_DUE
    )

    again = attempt_submit(
        quiz=quiz, user=participant, answers=_answers(questions), submit_token="p", now=BEFORE_DUE
    )

    assert again.pk == first.pk


@pytest.mark.parametrize("role", ["facilitator", "organizer", "applicant"])
def test_only_participants_submit(quiz, questions, people, role):
    with pytest.raises(ServiceError, match="Only participants"):
        attempt_submit(quiz=quiz, user=people[role], answers={}, submit_token="p", now=BEFORE_DUE)

    assert not Attempt.objects.exists()


def test_answers_for_another_quizs_question_are_refused(quiz, questions, people, term):
    from cohortkit.quizzes.tests.factories import numeric_question, quiz_in

    elsewhere = numeric_question(quiz_in(term, week_number=2), "1")

    with pytest.raises(ServiceError, match="not in this quiz"):
        attempt_submit(
            quiz=quiz,
            user=people["participant"],
            answers={elsewhere.pk: "1"},
            submit_token="p",
            now=BEFORE_DUE,
        )

    assert not Attempt.objects.exists()


# Late marking follows the one due-date rule: personal extension, then section, then term.
@pytest.mark.parametrize(
    ("override", "submitted_at", "late", "source"),
    [
        (None, TERM_DUE, False, "term"),  # at the due instant is on time
        (None, TERM_DUE + dt.timedelta(seconds=1), True, "term"),
        ("section", TERM_DUE + dt.timedelta(days=1), False, "section"),
        ("section", TERM_DUE + dt.timedelta(days=3), True, "section"),
        ("personal", TERM_DUE + dt.timedelta(days=3), False, "personal extension"),
        ("personal", TERM_DUE + dt.timedelta(days=5), True, "personal extension"),
    ],
)
def test_late_attempts_are_marked_against_the_persons_due_date(
    quiz, questions, people, sections, override, submitted_at, late, source
):
    participant, organizer = people["participant"], people["organizer"]
    if override is not None:
        # The section (A, the participant's) gets two more days; a personal extension four.
        due_override_set(
            item=quiz, section=sections["a"], due=TERM_DUE + dt.timedelta(days=2), actor=organizer
        )
    if override == "personal":
        due_override_set(
            item=quiz, user=participant, due=TERM_DUE + dt.timedelta(days=4), actor=organizer
        )

    attempt = attempt_submit(
        quiz=quiz,
        user=participant,
        answers=_answers(questions),
        submit_token="page-1",
        now=submitted_at,
    )

    assert (attempt.is_late, attempt.due_source) == (late, source)
