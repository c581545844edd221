"""Writes of the quizzes app: submitting an attempt, writing and correcting questions, regrading.

Each function validates first and changes nothing when it refuses (a ``cohortkit.common.errors``
refusal carries the message for the person), runs in one transaction, records an audit event and
queues its emails to be sent after commit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.common.errors import InvalidInputError, NotAllowedError
from cohortkit.common.numbers import NumberError, parse_number
from cohortkit.common.services import audit_record
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.programs.models import Quiz
from cohortkit.quizzes import rules
from cohortkit.quizzes.due import quiz_due_at
from cohortkit.quizzes.grading import NumberKey, TextKey, grade
from cohortkit.quizzes.models import (
    AcceptedAnswer,
    AcceptedText,
    Attempt,
    AttemptAnswer,
    Choice,
    Question,
    QuestionKind,
    Regrade,
    ScoreChange,
)
from cohortkit.quizzes.selectors import question_key, questions_with_keys

MAX_TOKEN_LENGTH = 64
MAX_POINTS = 100


def answer_field_name(question_id: int) -> str:
    """The name of a question's answer field on the quiz page (and in ``field_errors``)."""
    return f"answer-{question_id}"


def _unreadable_numbers(
    questions: Sequence[Question], answers: Mapping[int, str], *, number_format: str
) -> dict[str, str]:
    """The number rule's message for each numeric answer it cannot read, by field name.

    A blank answer is not an error (it is stored unanswered, as a form's optional field is).
    """
    errors: dict[str, str] = {}
    for question in questions:
        raw = answers.get(question.pk, "")
        if question.kind != QuestionKind.NUMERIC or not raw.strip():
            continue
        try:
            parse_number(raw, number_format=number_format)
        except NumberError as error:
            errors[answer_field_name(question.pk)] = str(error)
    return errors


@dataclass(frozen=True)
class ChoiceInput:
    """A choice as the organizer's form gives it: ``id`` is None for a new one."""

    text: str
    correct: bool
    id: int | None = None


def _attempts_left(quiz: Quiz, used: int) -> int:
    return max(quiz.max_attempts - used, 0)


@transaction.atomic
def attempt_submit(
    *,
    quiz: Quiz,
    user: Any,
    answers: Mapping[int, str],
    submit_token: str,
    now: dt.datetime | None = None,
) -> Attempt:
    """Grade and store one attempt at the quiz: raw answers, parsed values, points, lateness.

    ``answers`` maps question ids to the raw text typed (for multiple choice, the chosen choice's
    id); a question left out is stored as unanswered. Submitting again with the same
    ``submit_token`` (a double click, a retried request) returns the attempt already stored and
    changes nothing. Refused (``cohortkit.common.errors``) when the person is not a participant of
    the term, has used every attempt, or answers a question that is not in this quiz; refused with
    ``InvalidInputError`` (``field_errors`` by answer field name, nothing stored, no attempt used)
    when a numeric answer is not a number the term's number rule reads.

    An attempt after the person's due date is stored and marked late; a late attempt never counts
    toward the person's score (``selectors.counted_best``), so the accepted answers, shown after
    the due date, cannot raise it.
    """
    term = quiz.week.term
    if not rules.can_take_quizzes(user, term):
        raise NotAllowedError("Only participants of this term can submit its quizzes.")
    if not submit_token or len(submit_token) > MAX_TOKEN_LENGTH:
        raise InvalidInputError("This page is out of date: reload it and submit again.")
    # Locking the person's row makes their submissions one at a time, so two tabs cannot both
    # take the last attempt and a double click finds the attempt its first click stored.
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = Attempt.objects.filter(quiz=quiz, user=user, submit_token=submit_token).first()
    if existing is not None:
        return existing
    used = Attempt.objects.filter(quiz=quiz, user=user).count()
    if _attempts_left(quiz, used) == 0:
        raise InvalidInputError(
            f"You have used all {quiz.max_attempts} attempt"
            f"{'s' if quiz.max_attempts != 1 else ''} at this quiz; nothing was submitted."
        )
    questions = list(questions_with_keys(quiz=quiz))
    known = {question.pk for question in questions}
    unknown = set(answers) - known
    if unknown:
        raise InvalidInputError(
            "Some answers are for questions that are not in this quiz: reload it."
        )
    unreadable = _unreadable_numbers(questions, answers, number_format=term.number_format)
    if unreadable:
        count = len(unreadable)
        raise InvalidInputError(
            f"Nothing was submitted and no attempt was used: {count} answer"
            f"{'s are' if count != 1 else ' is'} not a number. Correct "
            f"{'them' if count != 1 else 'it'} and submit again.",
            field_errors=unreadable,
        )

    moment = now or timezone.now()
    due = quiz_due_at(quiz=quiz, user=user)
    attempt = Attempt(
        quiz=quiz,
        user=user,
        number=used + 1,
        submit_token=submit_token,
        submitted_at=moment,
        due_at=due.instant,
        due_source=due.source,
        is_late=due.is_late(moment),
    )
    rows = []
    for question in questions:
        raw = answers.get(question.pk, "")
        graded = grade(question_key(question), raw, number_format=term.number_format)
        rows.append(
            AttemptAnswer(
                question=question,
                raw=raw,
                parsed_number=graded.parsed_number,
                choice_id=graded.choice_id,
                correct=graded.correct,
                points=graded.points,
                feedback=graded.feedback,
            )
        )
    attempt.score = sum(row.points for row in rows)
    attempt.max_score = sum(question.points for question in questions)
    attempt.save()
    for row in rows:
        row.attempt = attempt
    AttemptAnswer.objects.bulk_create(rows)
    audit_record(
        actor=user,
        action="quiz.attempt_submitted",
        target=attempt,
        details={
            "quiz": quiz.pk,
            "number": attempt.number,
            "score": attempt.score,
            "max_score": attempt.max_score,
            "is_late": attempt.is_late,
            "due_source": due.source,
        },
    )
    return attempt


def _check_can_edit(actor: Any, quiz: Quiz) -> None:
    if not rules.can_edit_quizzes(actor, quiz.week.term):
        raise NotAllowedError("Only organizers of this term can change its quizzes.")


def _check_prompt_and_points(prompt: str, points: int) -> None:
    if not prompt.strip():
        raise InvalidInputError("Write the question's prompt.")
    if not 0 <= points <= MAX_POINTS:
        raise InvalidInputError(f"Points must be between 0 and {MAX_POINTS}.")


@transaction.atomic
def question_add(*, quiz: Quiz, actor: Any, kind: str, prompt: str, points: int = 1) -> Question:
    """Add a question at the end of the quiz; its accepted answers are set with question_update.

    Attempts already stored do not gain it: a regrade scores the answers an attempt holds.
    """
    _check_can_edit(actor, quiz)
    if kind not in QuestionKind.values:
        raise InvalidInputError("Choose the kind of question.")
    _check_prompt_and_points(prompt, points)
    last = Question.objects.filter(quiz=quiz).aggregate(last=Max("position"))["last"]
    question = Question.objects.create(
        quiz=quiz,
        kind=kind,
        prompt=prompt.strip(),
        points=points,
        position=0 if last is None else last + 1,
    )
    audit_record(
        actor=actor,
        action="quiz.question_added",
        target=question,
        details={"quiz": quiz.pk, "kind": kind},
    )
    return question


def _key_summary(question: Question) -> dict[str, Any]:
    """What grading depends on, for the audit trail's before and after."""
    return {
        "prompt": question.prompt,
        "points": question.points,
        "numbers": [
            [str(a.value), str(a.tolerance), a.tolerance_kind]
            for a in question.accepted_answers.all()
        ],
        "choices": [[c.pk, c.text, c.correct] for c in question.choices.all()],
        "texts": [[t.text, t.case_sensitive] for t in question.accepted_texts.all()],
    }


def _check_keys(
    question: Question,
    numbers: Sequence[NumberKey],
    choices: Sequence[ChoiceInput],
    texts: Sequence[TextKey],
) -> None:
    if question.kind == QuestionKind.NUMERIC:
        if not numbers:
            raise InvalidInputError("Give at least one accepted number.")
        if any(key.tolerance < 0 for key in numbers):
            raise InvalidInputError("A tolerance cannot be negative.")
    elif question.kind == QuestionKind.MULTIPLE_CHOICE:
        if len(choices) < 2:
            raise InvalidInputError("Give at least two choices.")
        if not any(choice.correct for choice in choices):
            raise InvalidInputError("Mark at least one choice as correct.")
        if any(not choice.text.strip() for choice in choices):
            raise InvalidInputError("A choice needs its text.")
        existing = {choice.pk for choice in question.choices.all()}
        if {choice.id for choice in choices if choice.id is not None} - existing:
            raise InvalidInputError("A choice belongs to another question: reload the page.")
        removed = existing - {choice.id for choice in choices}
        if removed and AttemptAnswer.objects.filter(choice_id__in=removed).exists():
            raise InvalidInputError(
                "A removed choice was picked in stored attempts: keep it and mark it not "
                "correct instead."
            )
    elif not [text for text in texts if text.text.strip()]:
        raise InvalidInputError("Give at least one accepted answer.")


@transaction.atomic
def question_update(
    *,
    question: Question,
    actor: Any,
    prompt: str,
    points: int,
    numbers: Sequence[NumberKey] = (),
    choices: Sequence[ChoiceInput] = (),
    texts: Sequence[TextKey] = (),
) -> Question:
    """Correct a question: its prompt, points and what counts as right.

    Only the keys of the question's kind are used (numbers, choices or texts). Accepted numbers
    and texts are replaced; choices keep their ids so stored answers keep pointing at them. Stored
    attempts keep their grades until ``quiz_regrade``.
    """
    quiz = question.quiz
    _check_can_edit(actor, quiz)
    _check_prompt_and_points(prompt, points)
    question = questions_with_keys(quiz=quiz).select_for_update().get(pk=question.pk)
    _check_keys(question, numbers, choices, texts)
    before = _key_summary(question)

    question.prompt = prompt.strip()
    question.points = points
    question.save(update_fields=["prompt", "points"])
    if question.kind == QuestionKind.NUMERIC:
        AcceptedAnswer.objects.filter(question=question).delete()
        AcceptedAnswer.objects.bulk_create(
            AcceptedAnswer(
                question=question,
                value=key.value,
                tolerance=key.tolerance,
                tolerance_kind=key.tolerance_kind,
            )
            for key in numbers
        )
    elif question.kind == QuestionKind.MULTIPLE_CHOICE:
        kept = {choice.id for choice in choices if choice.id is not None}
        Choice.objects.filter(question=question).exclude(pk__in=kept).delete()
        for position, choice in enumerate(choices):
            fields = {"text": choice.text.strip(), "correct": choice.correct, "position": position}
            if choice.id is None:
                Choice.objects.create(question=question, **fields)
            else:
                Choice.objects.filter(pk=choice.id, question=question).update(**fields)
    else:
        AcceptedText.objects.filter(question=question).delete()
        AcceptedText.objects.bulk_create(
            AcceptedText(
                question=question, text=key.text.strip(), case_sensitive=key.case_sensitive
            )
            for key in texts
            if key.text.strip()
        )

    after = _key_summary(questions_with_keys(quiz=quiz).get(pk=question.pk))
    audit_record(
        actor=actor,
        action="quiz.question_updated",
        target=question,
        details={"quiz": quiz.pk, "before": before, "after": after},
    )
    return question


def _feedback_link(quiz: Quiz, number: int) -> str:
    return settings.SITE_URL + reverse(
        "quizzes:attempt", args=[quiz.week.term.slug, quiz.pk, number]
    )


@transaction.atomic
def quiz_regrade(*, quiz: Quiz, actor: Any) -> Regrade:
    """Re-score every stored attempt of the quiz from its raw answers with the current keys.

    Each answer is graded again exactly as on submission (same number rule, same format). An
    attempt whose score, maximum or any answer's right/wrong changed gets a ``ScoreChange``; each
    person with a changed attempt gets one email (queued once per regrade and person). Running it
    again with nothing corrected changes nothing and emails nobody.
    """
    _check_can_edit(actor, quiz)
    term = quiz.week.term
    keys = {question.pk: question_key(question) for question in questions_with_keys(quiz=quiz)}
    attempts = list(
        Attempt.objects.select_for_update()
        .filter(quiz=quiz)
        .select_related("user")
        .order_by("user_id", "number")
    )
    answers_by_attempt: dict[int, list[AttemptAnswer]] = defaultdict(list)
    for answer in AttemptAnswer.objects.filter(attempt__quiz=quiz).order_by("pk"):
        answers_by_attempt[answer.attempt_id].append(answer)

    regrade = Regrade.objects.create(quiz=quiz, actor=actor, attempts_checked=len(attempts))
    changed_answers: list[AttemptAnswer] = []
    changes: list[ScoreChange] = []
    changed_attempts: list[Attempt] = []
    for attempt in attempts:
        right_wrong_changed = False
        score = max_score = 0
        for answer in answers_by_attempt[attempt.pk]:
            key = keys[answer.question_id]
            graded = grade(key, answer.raw, number_format=term.number_format)
            new_values = (
                graded.correct,
                graded.points,
                graded.parsed_number,
                graded.choice_id,
                graded.feedback,
            )
            old_values = (
                answer.correct,
                answer.points,
                answer.parsed_number,
                answer.choice_id,
                answer.feedback,
            )
            if new_values != old_values:
                right_wrong_changed |= graded.correct != answer.correct
                (
                    answer.correct,
                    answer.points,
                    answer.parsed_number,
                    answer.choice_id,
                    answer.feedback,
                ) = new_values
                changed_answers.append(answer)
            score += graded.points
            max_score += key.points
        if right_wrong_changed or (score, max_score) != (attempt.score, attempt.max_score):
            changes.append(
                ScoreChange(
                    regrade=regrade,
                    attempt=attempt,
                    score_before=attempt.score,
                    score_after=score,
                    max_score_before=attempt.max_score,
                    max_score_after=max_score,
                )
            )
            attempt.score, attempt.max_score = score, max_score
            changed_attempts.append(attempt)

    AttemptAnswer.objects.bulk_update(
        changed_answers, ["correct", "points", "parsed_number", "choice", "feedback"]
    )
    Attempt.objects.bulk_update(changed_attempts, ["score", "max_score"])
    ScoreChange.objects.bulk_create(changes)
    regrade.attempts_changed = len(changed_attempts)
    regrade.save(update_fields=["attempts_changed"])
    audit_record(
        actor=actor,
        action="quiz.regraded",
        target=regrade,
        details={
            "quiz": quiz.pk,
            "attempts_checked": regrade.attempts_checked,
            "attempts_changed": regrade.attempts_changed,
            "changes": [
                [change.attempt_id, change.score_before, change.score_after] for change in changes
            ],
        },
    )
    _email_changed_results(quiz=quiz, regrade=regrade, changes=changes)
    return regrade


def _email_changed_results(*, quiz: Quiz, regrade: Regrade, changes: list[ScoreChange]) -> None:
    by_person: dict[int, list[ScoreChange]] = defaultdict(list)
    for change in changes:
        by_person[change.attempt.user_id].append(change)
    for person_changes in by_person.values():
        person = person_changes[0].attempt.user
        lines = [
            f"Attempt {change.attempt.number}: {change.score_before}/{change.max_score_before} "
            f"→ {change.score_after}/{change.max_score_after}\n"
            f"  {_feedback_link(quiz, change.attempt.number)}"
            for change in person_changes
        ]
        email_queue_rendered(
            to=person.email,
            template="quizzes/result_changed",
            context={"person": person, "quiz": quiz, "changes": "\n".join(lines)},
            idempotency_key=f"quiz-regrade-{regrade.pk}-person-{person.pk}",
        )
