"""Public questions: asking, moderating, answering, pinning, merging, making private."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.common.errors import ConflictError, InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.community import selectors
from cohortkit.community.models import (
    MAX_ANSWER_CHARACTERS,
    MAX_QUESTION_CHARACTERS,
    MIN_QUESTION_CHARACTERS,
    OPEN_QUESTION_STATUSES,
    CommunitySettings,
    Conversation,
    ConversationMessage,
    ConversationState,
    PublicQuestion,
    QuestionStatus,
    Topic,
)
from cohortkit.community.text import render_markdown
from cohortkit.notifications.emails import email_queue_rendered

# States in which a question is no longer the organizers' to answer or merge into.
CLOSED_STATUSES = (QuestionStatus.HIDDEN, QuestionStatus.MERGED, QuestionStatus.MADE_PRIVATE)


def clean_question_text(body: str) -> str:
    """The question as it will be stored, or ``InvalidInputError`` saying what is wrong."""
    text = (body or "").strip()
    if len(text) < MIN_QUESTION_CHARACTERS:
        raise InvalidInputError(
            "Write your question in a few words.",
            field_errors={
                "body": f"A question needs at least {MIN_QUESTION_CHARACTERS} characters."
            },
        )
    if len(text) > MAX_QUESTION_CHARACTERS:
        raise InvalidInputError(
            "This question is too long.",
            field_errors={
                "body": f"A question can have at most {MAX_QUESTION_CHARACTERS:,} characters; "
                f"this one has {len(text):,}."
            },
        )
    return text


def _clean_answer(answer: str) -> str:
    text = (answer or "").strip()
    if not text:
        raise InvalidInputError("Write the answer.", field_errors={"answer": "Write the answer."})
    if len(text) > MAX_ANSWER_CHARACTERS:
        raise InvalidInputError(
            "This answer is too long.",
            field_errors={
                "answer": f"An answer can have at most {MAX_ANSWER_CHARACTERS:,} characters; "
                f"this one has {len(text):,}."
            },
        )
    return text


@transaction.atomic
def question_ask(*, term: Any, asker: User, body: str) -> PublicQuestion:
    """Ask a question about the term's program; held for an organizer unless the term lets
    questions appear at once. Refused past the term's limit of unanswered questions per person.
    Asking the same thing again while it waits returns the first question."""
    text = clean_question_text(body)
    # Lock the asker so two tabs cannot both slip under the limit.
    User.objects.select_for_update().filter(pk=asker.pk).first()
    same = PublicQuestion.objects.filter(
        program_id=term.program_id, asker=asker, body=text, status__in=OPEN_QUESTION_STATUSES
    ).first()
    if same is not None:
        return same
    rules = selectors.community_settings_for(term)
    waiting = selectors.open_question_count(user=asker, program=term.program)
    if waiting >= rules.max_open_questions_per_person:
        raise InvalidInputError(
            f"You already have {waiting} questions waiting for an answer; you can ask another "
            "once one of them is answered.",
            field_errors={"body": "Wait for an answer to one of your questions first."},
        )
    question = PublicQuestion.objects.create(
        program_id=term.program_id,
        asked_in=term,
        asker=asker,
        body=text,
        body_html=render_markdown(text),
        status=(
            QuestionStatus.PUBLISHED if rules.questions_appear_at_once else QuestionStatus.HELD
        ),
    )
    audit_record(actor=asker, action="question.asked", target=question)
    return question


def _require_open(question: PublicQuestion) -> None:
    if question.status in CLOSED_STATUSES:
        raise ConflictError(f"This question is {question.get_status_display().lower()}.")


def _answer_link(question: PublicQuestion) -> str:
    term = question.asked_in
    if term is None:
        return settings.SITE_URL
    return (
        settings.SITE_URL
        + reverse("programs:term_detail", args=[term.slug])
        + (f"#question-{question.pk}")
    )


def _email_answer(*, question: PublicQuestion, to_question: PublicQuestion) -> None:
    """Tell the asker of ``to_question`` the answer of ``question``: once per question, ever
    (editing the answer later mails nobody again)."""
    asker = to_question.asker
    email_queue_rendered(
        to=asker.email,
        template="community/question_answered",
        context={
            "person": asker.name or asker.email,
            "question": to_question.body,
            "answer": question.answer,
            "link": _answer_link(question),
        },
        idempotency_key=f"community-question-answered-{to_question.pk}",
    )


@transaction.atomic
def question_answer(
    *, question: PublicQuestion, actor: Any, answer: str, now: dt.datetime | None = None
) -> PublicQuestion:
    """Answer publicly (or change the answer). The asker, and the askers of the duplicates
    merged into it, are emailed the first time only."""
    text = _clean_answer(answer)
    question = PublicQuestion.objects.select_for_update().get(pk=question.pk)
    _require_open(question)
    first_answer = question.status != QuestionStatus.ANSWERED
    question.answer = text
    question.answer_html = render_markdown(text)
    question.answered_by = actor
    if first_answer:
        question.answered_at = now or timezone.now()
    question.status = QuestionStatus.ANSWERED
    question.save()
    audit_record(
        actor=actor,
        action="question.answered" if first_answer else "question.answer_edited",
        target=question,
    )
    _email_answer(question=question, to_question=question)
    for duplicate in question.duplicates.select_related("asker"):
        _email_answer(question=question, to_question=duplicate)
    return question


@transaction.atomic
def question_edit(*, question: PublicQuestion, actor: Any, body: str) -> PublicQuestion:
    """Correct the question's own text (a typo, a name that should not be public)."""
    text = clean_question_text(body)
    question = PublicQuestion.objects.select_for_update().get(pk=question.pk)
    if text != question.body:
        question.body = text
        question.body_html = render_markdown(text)
        question.save(update_fields=["body", "body_html", "updated_at"])
        audit_record(actor=actor, action="question.edited", target=question)
    return question


@transaction.atomic
def question_publish(*, question: PublicQuestion, actor: Any) -> PublicQuestion:
    """Let a held question show before it is answered."""
    question = PublicQuestion.objects.select_for_update().get(pk=question.pk)
    if question.status != QuestionStatus.HELD:
        return question
    question.status = QuestionStatus.PUBLISHED
    question.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="question.published", target=question)
    return question


@transaction.atomic
def question_pin(*, question: PublicQuestion, actor: Any, pinned: bool) -> PublicQuestion:
    """Put an answered question in the program's FAQ (or take it out)."""
    question = PublicQuestion.objects.select_for_update().get(pk=question.pk)
    if pinned and question.status != QuestionStatus.ANSWERED:
        raise ConflictError("Only an answered question can be in the FAQ: answer it first.")
    if question.pinned != pinned:
        question.pinned = pinned
        question.save(update_fields=["pinned", "updated_at"])
        audit_record(
            actor=actor,
            action="question.pinned" if pinned else "question.unpinned",
            target=question,
        )
    return question


@transaction.atomic
def question_hide(*, question: PublicQuestion, actor: Any) -> PublicQuestion:
    """Hide spam: it leaves every public list and no longer counts against the asker's limit."""
    question = PublicQuestion.objects.select_for_update().get(pk=question.pk)
    if question.status == QuestionStatus.HIDDEN:
        return question
    _require_open(question)
    question.status = QuestionStatus.HIDDEN
    question.pinned = False
    question.save(update_fields=["status", "pinned", "updated_at"])
    audit_record(actor=actor, action="question.hidden", target=question)
    return question


@transaction.atomic
def question_merge(
    *, duplicate: PublicQuestion, into: PublicQuestion, actor: Any
) -> PublicQuestion:
    """Fold a duplicate into an existing question of the same program. The duplicate leaves the
    lists; its asker gets the existing answer now, or the answer when it comes."""
    if duplicate.pk == into.pk:
        raise InvalidInputError(
            "A question cannot be merged into itself.",
            field_errors={"into": "Pick another question."},
        )
    if duplicate.program_id != into.program_id:
        raise InvalidInputError(
            "Questions of another program cannot be merged.",
            field_errors={"into": "Pick a question of this program."},
        )
    locked = {
        question.pk: question
        for question in PublicQuestion.objects.select_for_update().filter(
            pk__in=[duplicate.pk, into.pk]
        )
    }
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if duplicate.status == QuestionStatus.MERGED and duplicate.merged_into_id == into.pk:
        return duplicate
    _require_open(duplicate)
    if into.status in CLOSED_STATUSES:
        raise InvalidInputError(
            f"That question is {into.get_status_display().lower()}; merge into an open one.",
            field_errors={"into": "Pick a question that is not hidden, merged or private."},
        )
    # The duplicate's own duplicates follow it, so no chain of merges is left behind.
    PublicQuestion.objects.filter(merged_into=duplicate).update(merged_into=into)
    duplicate.status = QuestionStatus.MERGED
    duplicate.merged_into = into
    duplicate.pinned = False
    duplicate.save(update_fields=["status", "merged_into", "pinned", "updated_at"])
    audit_record(actor=actor, action="question.merged", target=duplicate, details={"into": into.pk})
    if into.status == QuestionStatus.ANSWERED:
        _email_answer(question=into, to_question=duplicate)
    return duplicate


@transaction.atomic
def question_make_private(*, question: PublicQuestion, actor: Any) -> Conversation:
    """Turn a question that is really personal into a private conversation with the organizers
    of the term it was asked from; the asker is told where to follow it."""
    question = PublicQuestion.objects.select_for_update().get(pk=question.pk)
    if question.status == QuestionStatus.MADE_PRIVATE and question.conversation is not None:
        return question.conversation
    _require_open(question)
    if question.asked_in is None:
        raise ConflictError("The term this question was asked from no longer exists.")
    asker = question.asker
    now = timezone.now()
    conversation = Conversation.objects.create(
        term=question.asked_in,
        person=asker,
        name=asker.name,
        email=asker.email,
        topic=Topic.QUESTION,
        state=ConversationState.WAITING_FOR_US,
        last_message_at=now,
    )
    ConversationMessage.objects.create(
        conversation=conversation,
        author=asker,
        body=question.body,
        body_html=question.body_html,
    )
    question.status = QuestionStatus.MADE_PRIVATE
    question.conversation = conversation
    question.pinned = False
    question.save(update_fields=["status", "conversation", "pinned", "updated_at"])
    audit_record(
        actor=actor,
        action="question.made_private",
        target=question,
        details={"conversation": conversation.pk},
    )
    email_queue_rendered(
        to=asker.email,
        template="community/question_made_private",
        context={
            "person": asker.name or asker.email,
            "question": question.body,
            "link": selectors.conversation_link(conversation),
        },
        idempotency_key=f"community-question-private-{question.pk}",
    )
    return conversation


@transaction.atomic
def community_settings_update(
    *, term: Any, actor: Any, questions_appear_at_once: bool, max_open_questions_per_person: int
) -> CommunitySettings:
    """Change the term's rules for questions."""
    if max_open_questions_per_person < 1 or max_open_questions_per_person > 100:
        raise InvalidInputError(
            "Allow between 1 and 100 unanswered questions per person.",
            field_errors={"max_open_questions_per_person": "Between 1 and 100."},
        )
    rules, _ = CommunitySettings.objects.update_or_create(
        term=term,
        defaults={
            "questions_appear_at_once": questions_appear_at_once,
            "max_open_questions_per_person": max_open_questions_per_person,
        },
    )
    audit_record(
        actor=actor,
        action="community.settings_updated",
        target=rules,
        details={
            "questions_appear_at_once": questions_appear_at_once,
            "max_open_questions_per_person": max_open_questions_per_person,
        },
    )
    return rules
