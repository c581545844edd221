"""Applying: drafts, submissions and withdrawals of one's own application.

Every entry point (page, API, import) goes through these functions, so the deadline is enforced
the same way everywhere: on the server, against the person's own deadline, at the moment of the
write. A refused write changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.admissions.answers import ParsedAnswer, display_answer, parse_answer
from cohortkit.admissions.conditions import shown_question_keys
from cohortkit.admissions.errors import DeadlinePassedError, OfferMadeError, StaleRevisionError
from cohortkit.admissions.models import (
    Answer,
    Application,
    ApplicationForm,
    ApplicationStatus,
    Enrollment,
    EnrollmentStatus,
    FormQuestion,
)
from cohortkit.admissions.selectors.applying import PersonalDeadline, deadline_for
from cohortkit.common.errors import InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.common.text import text_problem
from cohortkit.common.timezones import format_instant
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.programs.states import term_require_writable


def _require_open(*, form: ApplicationForm, user: Any, now: dt.datetime) -> PersonalDeadline:
    term_require_writable(form.term)
    deadline = deadline_for(form=form, user=user)
    if not deadline.is_open(now):
        zone = getattr(user, "time_zone", "UTC") or "UTC"
        raise DeadlinePassedError(
            f"The deadline passed on {format_instant(deadline.instant, zone)}. "
            "Nothing was changed; your saved answers are kept."
        )
    return deadline


def _parse_all(
    form: ApplicationForm, raw_answers: dict[str, str]
) -> tuple[list[FormQuestion], dict[str, ParsedAnswer]]:
    questions = list(form.questions.all())
    known = {question.key for question in questions}
    unknown = sorted(set(raw_answers) - known)
    if unknown:
        raise InvalidInputError(f"Unknown question: {', '.join(unknown)}.")
    # Kept as typed, so it must be storable: no NUL, no lone surrogate, a length a person writes.
    unstorable = {
        key: problem for key, raw in raw_answers.items() if (problem := text_problem(raw))
    }
    if unstorable:
        raise InvalidInputError(
            "Nothing was saved: fix the marked answers.", field_errors=unstorable
        )
    number_format = form.term.number_format
    parsed = {
        question.key: parse_answer(question, raw_answers[question.key], number_format=number_format)
        for question in questions
        if question.key in raw_answers
    }
    return questions, parsed


def _get_or_create_application(*, form: ApplicationForm, user: Any) -> Application:
    """The person's one application on the form, locked for this transaction.

    Two simultaneous first saves (a double click, two tabs) race on the unique constraint; the
    loser reads the winner's row instead of failing.
    """
    application = Application.objects.select_for_update().filter(form=form, applicant=user).first()
    if application is None:
        try:
            with transaction.atomic():
                Application.objects.create(form=form, applicant=user)
        except IntegrityError:
            pass
        application = Application.objects.select_for_update().get(form=form, applicant=user)
    # Reuse what the caller already loaded instead of reading it again.
    application.form = form
    application.applicant = user
    return application


def _require_not_stale(
    application: Application, parsed: dict[str, ParsedAnswer], revision: int | None
) -> None:
    """Refuse text based on an older version than the stored one (another window saved newer
    text), unless it is exactly what is stored: then nothing can be lost (this page's own
    autosave landed first, or a retried request), and going on is right."""
    if revision is None or revision >= application.revision:
        return
    stored = dict(application.answers.values_list("question__key", "raw"))
    if all(stored.get(key, "") == answer.raw for key, answer in parsed.items()):
        return
    raise StaleRevisionError(
        "A newer version of this application was saved in another window. "
        "Reload the page to continue from it."
    )


@dataclass(frozen=True)
class _Shown:
    """Which questions the person is asked once the posted answers are applied, and which
    were asked before (by the stored answers alone)."""

    now: set[str]
    before: set[str]


def _shown_questions(
    questions: list[FormQuestion], existing: dict[int, Answer], parsed: dict[str, ParsedAnswer]
) -> _Shown:
    stored = {
        question.key: existing[question.pk].raw for question in questions if question.pk in existing
    }
    posted = stored | {key: answer.raw for key, answer in parsed.items()}
    return _Shown(
        now=shown_question_keys(questions, posted), before=shown_question_keys(questions, stored)
    )


def _store_answers(
    application: Application,
    questions: list[FormQuestion],
    parsed: dict[str, ParsedAnswer],
    existing: dict[int, Answer],
    shown: set[str],
) -> tuple[bool, dict[int, Answer]]:
    """Write the answers whose raw text changed and delete those of questions the person is not
    asked (a hidden question keeps no answer), in three statements at most.

    Returns whether any changed, and every answer of the application afterwards by question id.
    """
    by_key = {question.key: question for question in questions}
    hidden = [
        existing[question.pk]
        for question in questions
        if question.key not in shown and question.pk in existing
    ]
    if hidden:
        Answer.objects.filter(pk__in=[stale.pk for stale in hidden]).delete()
        for stale in hidden:
            del existing[stale.question_id]
    parsed = {key: answer for key, answer in parsed.items() if key in shown}
    created: list[Answer] = []
    updated: list[Answer] = []
    for key, answer in parsed.items():
        question = by_key[key]
        current = existing.get(question.pk)
        if current is None:
            created.append(
                Answer(
                    application=application,
                    question=question,
                    raw=answer.raw,
                    number=answer.number,
                    value=answer.value,
                    error=answer.error,
                )
            )
        elif current.raw != answer.raw:
            current.raw, current.number = answer.raw, answer.number
            current.value, current.error = answer.value, answer.error
            updated.append(current)
    if created:
        Answer.objects.bulk_create(created)
    if updated:
        Answer.objects.bulk_update(updated, ["raw", "number", "value", "error"])
    existing.update({answer.question_id: answer for answer in created})
    return bool(created or updated or hidden), existing


def _existing_answers(application: Application) -> dict[int, Answer]:
    return {answer.question_id: answer for answer in application.answers.all()}


@transaction.atomic
def application_save_draft(
    *,
    form: ApplicationForm,
    user: Any,
    raw_answers: dict[str, str],
    revision: int | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Save what the person has typed so far, as it is (errors are kept beside the answers).

    Refused, changing nothing, after the person's deadline, or when ``revision`` is older than the
    stored one (another tab saved newer text). A submitted application stays submitted, so its
    answers may only change to valid ones; a withdrawn one becomes a draft again.

    Answers to questions the person is not asked (a conditional question whose condition the
    answers do not meet) are not kept: a posted one is ignored, a stored one deleted.
    """
    moment = now or timezone.now()
    _require_open(form=form, user=user, now=moment)
    questions, parsed = _parse_all(form, raw_answers)
    application = _get_or_create_application(form=form, user=user)
    _require_not_stale(application, parsed, revision)
    existing = _existing_answers(application)
    shown = _shown_questions(questions, existing, parsed)
    if application.status == ApplicationStatus.SUBMITTED:
        _require_still_complete(questions, existing, parsed, shown)
    changed, _ = _store_answers(application, questions, parsed, existing, shown.now)
    if changed:
        application.revision += 1  # the row is locked: no lost update
    if application.status == ApplicationStatus.WITHDRAWN:
        application.status = ApplicationStatus.DRAFT
        application.withdrawn_at = None
    application.save()
    return application


def _require_still_complete(
    questions: list[FormQuestion],
    existing: dict[int, Answer],
    parsed: dict[str, ParsedAnswer],
    shown: _Shown,
) -> None:
    """A submitted application changes only to valid answers: every posted answer it is asked
    is readable, and a required one is not emptied, nor left empty when the new answers start
    asking it (choosing "In person" asks for the university)."""
    errors = {
        key: answer.error for key, answer in parsed.items() if key in shown.now and answer.error
    }
    for question in questions:
        if not question.required or question.key not in shown.now:
            continue
        if question.key in parsed:
            empty = parsed[question.key].is_empty
        elif question.key not in shown.before:
            answer = existing.get(question.pk)
            empty = answer is None or not answer.raw.strip()
        else:
            continue
        if empty:
            errors[question.key] = "This question needs an answer."
    if errors:
        raise InvalidInputError(
            "Your submitted application was not changed: fix the marked answers.",
            field_errors=errors,
        )


def _missing_and_invalid(
    answers: dict[int, Answer], questions: list[FormQuestion], shown: set[str]
) -> dict[str, str]:
    """What stops a submission: unreadable answers and empty required ones, among the
    questions the person is asked."""
    problems: dict[str, str] = {}
    for question in questions:
        if question.key not in shown:
            continue
        answer = answers.get(question.pk)
        if answer is not None and answer.error:
            problems[question.key] = answer.error
        elif question.required and (answer is None or not answer.raw.strip()):
            problems[question.key] = "This question needs an answer."
    return problems


@transaction.atomic
def application_submit(
    *,
    form: ApplicationForm,
    user: Any,
    raw_answers: dict[str, str] | None = None,
    revision: int | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Save the given answers and submit; every required answer must be there and readable.

    Submitting again (a double click, a retried request) changes nothing and sends no second
    email; submitting changed answers before the deadline updates the application and sends a
    fresh copy. After the deadline, nothing changes. A question the answers do not ask (a
    conditional one) is not required and keeps no answer.
    """
    moment = now or timezone.now()
    deadline = _require_open(form=form, user=user, now=moment)
    questions, parsed = _parse_all(form, raw_answers or {})
    application = _get_or_create_application(form=form, user=user)
    _require_not_stale(application, parsed, revision)
    existing = _existing_answers(application)
    shown = _shown_questions(questions, existing, parsed).now
    changed, answers = _store_answers(application, questions, parsed, existing, shown)
    problems = _missing_and_invalid(answers, questions, shown)
    if problems:
        transaction.set_rollback(True)
        raise InvalidInputError(
            f"Not submitted: {len(problems)} answer{'s' if len(problems) != 1 else ''} "
            "need attention.",
            field_errors=problems,
        )
    if application.status == ApplicationStatus.SUBMITTED and not changed:
        return application
    first_submission = application.status != ApplicationStatus.SUBMITTED
    if changed:
        application.revision += 1  # the row is locked: no lost update
    application.status = ApplicationStatus.SUBMITTED
    if first_submission:
        application.submitted_at = moment
    application.withdrawn_at = None
    application.save()
    audit_record(
        actor=user,
        action="application.submitted" if first_submission else "application.edited",
        target=application,
        details={"revision": application.revision},
    )
    _email_confirmation(
        application,
        [question for question in questions if question.key in shown],
        answers,
        deadline,
        first_submission=first_submission,
    )
    return application


def _email_confirmation(
    application: Application,
    questions: list[FormQuestion],
    answers: dict[int, Answer],
    deadline: PersonalDeadline,
    *,
    first_submission: bool,
) -> None:
    user = application.applicant
    term = application.form.term
    link = settings.SITE_URL + reverse("admissions:apply", args=[term.slug, application.form.kind])
    verb = "received" if first_submission else "updated"
    email_queue_rendered(
        to=user.email,
        template="admissions/application_confirmation",
        context={
            "name": user.name or user.email,
            "verb": verb,
            "kind": application.form.get_kind_display().lower(),
            "term": term,
            "deadline": format_instant(deadline.instant, user.time_zone or "UTC"),
            "link": link,
            # Every question with the answer as a person reads it: choice labels, not codes.
            "answers": [
                {
                    "label": question.label,
                    "text": display_answer(question, answers.get(question.pk)) or "—",
                }
                for question in questions
            ],
        },
        idempotency_key=f"application-{verb}:{application.pk}:{application.revision}",
    )


@transaction.atomic
def application_withdraw(
    *, form: ApplicationForm, user: Any, now: dt.datetime | None = None
) -> Application:
    """Withdraw a draft or submitted application; the answers are kept. Repeating is harmless.

    Refused, changing nothing, once the person has been offered a place (they decline the offer
    instead, which hands the place to the waitlist) and after their deadline (the organizers
    decide on the applications as they stood then).
    """
    moment = now or timezone.now()
    application = Application.objects.select_for_update().filter(form=form, applicant=user).first()
    if application is None:
        raise InvalidInputError("There is no application to withdraw.")
    if application.status == ApplicationStatus.WITHDRAWN:
        return application
    offer = (
        Enrollment.objects.filter(
            term_id=form.term_id,
            user=user,
            role=form.kind,
            status__in=[EnrollmentStatus.OFFERED, EnrollmentStatus.CONFIRMED],
        )
        .values_list("status", flat=True)
        .first()
    )
    if offer is not None:
        decision_path = reverse("admissions:my_decision", args=[form.term.slug, form.kind])
        raise OfferMadeError(
            "You have been offered a place, so the application can no longer be withdrawn. "
            + (
                "To give up your place, decline the offer"
                if offer == EnrollmentStatus.OFFERED
                else "You confirmed your place; to give it up, tell the organizers"
            )
            + f" on your decision page: {decision_path}",
            decision_path=decision_path,
        )
    deadline = deadline_for(form=form, user=user)
    if not deadline.is_open(moment):
        zone = getattr(user, "time_zone", "UTC") or "UTC"
        raise DeadlinePassedError(
            f"Applications closed on {format_instant(deadline.instant, zone)}, so yours can no "
            "longer be withdrawn: the organizers decide on it as it was submitted. If you can no "
            "longer take part, tell them (or decline the offer if you get one)."
        )
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = moment
    application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_record(actor=user, action="application.withdrawn", target=application)
    return application
