"""Regrade: a question fixed by an organizer changes exactly the affected attempts' grades, and
exactly the people whose result changed get one email."""

from decimal import Decimal

import pytest
from django.core import mail

from cohortkit.accounts.models import Role
from cohortkit.common.errors import ServiceError
from cohortkit.common.models import AuditEvent
from cohortkit.notifications.models import OutboundEmail
from cohortkit.quizzes.grading import NumberKey, TextKey
from cohortkit.quizzes.models import Attempt, ScoreChange
from cohortkit.quizzes.services import (
    ChoiceInput,
    attempt_submit,
    question_update,
    quiz_regrade,
)
from cohortkit.quizzes.tests.conftest import BEFORE_DUE
from cohortkit.quizzes.tests.factories import numeric_question, quiz_in, text_question
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wrong_sign(quiz):
    """The organizer typed the answer without its minus sign: every right answer was refused."""
    return numeric_question(quiz, ("0.25", "0.01", "absolute"), prompt="Change of the loss?")


@pytest.fixture
def name_question(quiz):
    return text_question(quiz, [("Adam", False)])


def _participant(term, name):
    user = UserFactory(email=f"{name}@example.org", name=name.title())
    MembershipFactory(term=term, user=user, role=Role.PARTICIPANT)
    return user


def _submit(quiz, user, token, **answers_by_question):
    return attempt_submit(
        quiz=quiz,
        user=user,
        answers={question.pk: raw for question, raw in answers_by_question.values()},
        submit_token=token,
        now=BEFORE_DUE,
    )


def _fix_the_sign(question, organizer):
    question_update(
        question=question,
        actor=organizer,
        prompt=question.prompt,
        points=question.points,
        numbers=[NumberKey(Decimal("-0.25"), Decimal("0.01"), "absolute")],
    )


def test_fixing_a_question_regrades_exactly_the_affected_attempts_and_emails_those_people_once(
    term, quiz, wrong_sign, name_question, people, django_capture_on_commit_callbacks
):
    organizer = people["organizer"]
    ada, bo, cy, di = (_participant(term, name) for name in ("ada", "bo", "cy", "di"))
    submitted = {
        # who, token: (number answer, text answer) — the raw text as typed
        (ada, "a1"): ("-0.25", "Adam"),  # refused before, right now
        (ada, "a2"): ("3", "Adam"),  # wrong both times: unchanged
        (bo, "b1"): ("0.25", "adam"),  # accepted before (the mistake), wrong now
        (cy, "c1"): ("−2.5e-1", "SGD"),  # Unicode minus and exponent: refused before, right now
        (di, "d1"): ("", "Adam"),  # no answer: unchanged
    }
    attempts = {
        token: _submit(quiz, who, token, n=(wrong_sign, number), t=(name_question, text))
        for (who, token), (number, text) in submitted.items()
    }
    other_quiz = quiz_in(term, week_number=2)
    elsewhere = _submit(
        other_quiz, ada, "x1", n=(numeric_question(other_quiz, ("0.25", "0", "absolute")), "-0.25")
    )
    scores_before = {token: attempt.score for token, attempt in attempts.items()}
    assert scores_before == {"a1": 1, "a2": 1, "b1": 2, "c1": 0, "d1": 1}

    _fix_the_sign(wrong_sign, organizer)
    with django_capture_on_commit_callbacks(execute=True):
        regrade = quiz_regrade(quiz=quiz, actor=organizer)

    scores_after = {token: Attempt.objects.get(pk=a.pk).score for token, a in attempts.items()}
    assert scores_after == {"a1": 2, "a2": 1, "b1": 1, "c1": 1, "d1": 1}
    assert (regrade.attempts_checked, regrade.attempts_changed) == (5, 3)
    assert sorted(
        (c.attempt.submit_token, c.score_before, c.score_after) for c in regrade.changes.all()
    ) == [("a1", 1, 2), ("b1", 2, 1), ("c1", 0, 1)]
    cy_answer = Attempt.objects.get(pk=attempts["c1"].pk).answers.get(question=wrong_sign)
    assert (cy_answer.raw, cy_answer.parsed_number, cy_answer.correct) == (
        "−2.5e-1",
        Decimal("-0.25"),
        True,
    )
    assert Attempt.objects.get(pk=elsewhere.pk).score == 0  # another quiz is left alone
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ada@example.org",
        "bo@example.org",
        "cy@example.org",
    ]
    (to_ada,) = [m for m in mail.outbox if m.to == ["ada@example.org"]]
    assert "Attempt 1: 1/2 → 2/2" in to_ada.body
    assert "Attempt 2" not in to_ada.body
    assert f"/terms/{term.slug}/quizzes/{quiz.pk}/attempts/1/" in to_ada.body
    (to_bo,) = [m for m in mail.outbox if m.to == ["bo@example.org"]]
    assert "Attempt 1: 2/2 → 1/2" in to_bo.body
    event = AuditEvent.objects.get(action="quiz.regraded")
    assert event.details["attempts_changed"] == 3
    assert AuditEvent.objects.filter(action="quiz.question_updated").count() == 1


def test_a_second_regrade_changes_nothing_and_emails_nobody(
    term, quiz, wrong_sign, people, django_capture_on_commit_callbacks
):
    ada = _participant(term, "ada")
    _submit(quiz, ada, "a1", n=(wrong_sign, "-0.25"))
    _fix_the_sign(wrong_sign, people["organizer"])
    with django_capture_on_commit_callbacks(execute=True):
        quiz_regrade(quiz=quiz, actor=people["organizer"])

    with django_capture_on_commit_callbacks(execute=True):
        again = quiz_regrade(quiz=quiz, actor=people["organizer"])

    assert (again.attempts_checked, again.attempts_changed) == (1, 0)
    assert len(mail.outbox) == OutboundEmail.objects.count() == 1
    assert ScoreChange.objects.count() == 1


def test_raising_the_points_changes_the_maximum_of_every_attempt(
    term, quiz, wrong_sign, people, django_capture_on_commit_callbacks
):
    ada, bo = _participant(term, "ada"), _participant(term, "bo")
    right = _submit(quiz, ada, "a1", n=(wrong_sign, "0.25"))
    wrong = _submit(quiz, bo, "b1", n=(wrong_sign, "9"))

    question_update(
        question=wrong_sign,
        actor=people["organizer"],
        prompt=wrong_sign.prompt,
        points=3,
        numbers=[NumberKey(Decimal("0.25"), Decimal("0.01"), "absolute")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        quiz_regrade(quiz=quiz, actor=people["organizer"])

    right.refresh_from_db()
    wrong.refresh_from_db()
    assert (right.score, right.max_score, wrong.score, wrong.max_score) == (3, 3, 0, 3)
    assert len(mail.outbox) == 2


def test_a_choice_marked_correct_later_regrades_those_who_picked_it(
    term, quiz, people, django_capture_on_commit_callbacks
):
    from cohortkit.quizzes.tests.factories import choice_question

    question = choice_question(quiz, [("ReLU", True), ("GELU", False), ("Tanh", False)])
    relu, gelu, tanh = question.choices.all()
    ada, bo = _participant(term, "ada"), _participant(term, "bo")
    _submit(quiz, ada, "a1", c=(question, str(gelu.pk)))
    _submit(quiz, bo, "b1", c=(question, str(tanh.pk)))

    question_update(
        question=question,
        actor=people["organizer"],
        prompt=question.prompt,
        points=1,
        choices=[
            ChoiceInput("ReLU", True, relu.pk),
            ChoiceInput("GELU", True, gelu.pk),
            ChoiceInput("Tanh", False, tanh.pk),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        regrade = quiz_regrade(quiz=quiz, actor=people["organizer"])

    assert regrade.attempts_changed == 1
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]


def test_a_picked_choice_cannot_be_removed(term, quiz, people):
    from cohortkit.quizzes.tests.factories import choice_question

    question = choice_question(quiz, [("ReLU", True), ("GELU", False)])
    relu, gelu = question.choices.all()
    _submit(quiz, _participant(term, "ada"), "a1", c=(question, str(gelu.pk)))

    with pytest.raises(ServiceError, match="mark it not correct instead"):
        question_update(
            question=question,
            actor=people["organizer"],
            prompt=question.prompt,
            points=1,
            choices=[ChoiceInput("ReLU", True, relu.pk), ChoiceInput("Sigmoid", False)],
        )

    assert list(question.choices.values_list("text", flat=True)) == ["ReLU", "GELU"]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"numbers": []}, "at least one accepted number"),
        (
            {"numbers": [NumberKey(Decimal(1), Decimal(-1), "absolute")]},
            "cannot be negative",
        ),
        ({"prompt": "  "}, "prompt"),
        ({"points": 101}, "between 0 and 100"),
    ],
)
def test_a_bad_correction_is_refused_and_changes_nothing(quiz, wrong_sign, people, keys, message):
    arguments = {"prompt": "Change?", "points": 1, "numbers": [NumberKey(Decimal(1))]} | keys

    with pytest.raises(ServiceError, match=message):
        question_update(question=wrong_sign, actor=people["organizer"], **arguments)

    assert list(wrong_sign.accepted_answers.values_list("value", flat=True)) == [Decimal("0.25")]


@pytest.mark.parametrize("role", ["participant", "facilitator", "organizer_other_term"])
def test_only_organizers_correct_and_regrade(quiz, wrong_sign, people, role):
    with pytest.raises(ServiceError, match="Only organizers"):
        question_update(
            question=wrong_sign,
            actor=people[role],
            prompt="x",
            points=1,
            texts=[TextKey("x")],
        )
    with pytest.raises(ServiceError, match="Only organizers"):
        quiz_regrade(quiz=quiz, actor=people[role])
