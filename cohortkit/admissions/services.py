"""Writes of the admissions app: drafts, submissions, withdrawals, extensions and access codes.

Every entry point (page, API, import) goes through these functions, so the deadline is enforced
the same way everywhere: on the server, against the person's own deadline, at the moment of the
write. A refused write changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from cohortkit.admissions.answers import ParsedAnswer, parse_answer
from cohortkit.admissions.models import (
    AccessCode,
    AccessCodeUse,
    Answer,
    Application,
    ApplicationForm,
    ApplicationStatus,
    DeadlineExtension,
    Enrollment,
    EnrollmentStatus,
    FormQuestion,
)
from cohortkit.common.errors import InvalidInputError, ServiceError
from cohortkit.common.services import audit_record
from cohortkit.common.text import text_problem
from cohortkit.common.timezones import format_instant
from cohortkit.notifications.services import email_queue
from cohortkit.programs.services import term_application_deadline
from cohortkit.programs.states import term_require_writable


class AdmissionsError(ServiceError):
    """An admissions write that was refused; nothing was changed."""


class DeadlinePassedError(AdmissionsError):
    http_status = 403


class StaleRevisionError(AdmissionsError):
    pass


class OfferMadeError(DeadlinePassedError):
    """Refused because the person holds an offer (or a confirmed place): they answer the offer on
    their decision page instead, at ``decision_path``."""

    def __init__(self, message: str, *, decision_path: str) -> None:
        super().__init__(message)
        self.decision_path = decision_path


@dataclass(frozen=True)
class PersonalDeadline:
    """The deadline that applies to one person on one form, and where it comes from."""

    instant: dt.datetime
    source: str  # "term", "access code" or "personal extension"

    def is_open(self, now: dt.datetime) -> bool:
        return now < self.instant


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def deadline_for(*, form: ApplicationForm, user: Any) -> PersonalDeadline:
    """The person's own deadline: a personal extension, else an access code's, else the term's."""
    if user is not None and user.is_authenticated:
        # One query for both: this runs on every save and submit of a deadline rush.
        personal, code_until = (
            ApplicationForm.objects.filter(pk=form.pk)
            .annotate(
                personal=Subquery(
                    DeadlineExtension.objects.filter(form=OuterRef("pk"), user=user).values(
                        "until"
                    )[:1]
                ),
                code_until=Subquery(
                    AccessCodeUse.objects.filter(code__form=OuterRef("pk"), user=user)
                    .order_by("-code__until")
                    .values("code__until")[:1]
                ),
            )
            .values_list("personal", "code_until")
            .get()
        )
        if personal is not None:
            return PersonalDeadline(personal, "personal extension")
        if code_until is not None:
            return PersonalDeadline(code_until, "access code")
    return PersonalDeadline(term_application_deadline(term=form.term, kind=form.kind), "term")


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
        raise AdmissionsError(f"Unknown question: {', '.join(unknown)}.")
    # Kept as typed, so it must be storable: no NUL, no lone surrogate, a length a person writes.
    unstorable = {
        key: problem for key, raw in raw_answers.items() if (problem := text_problem(raw))
    }
    if unstorable:
        raise AdmissionsError("Nothing was saved: fix the marked answers.", field_errors=unstorable)
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


def _store_answers(
    application: Application, questions: list[FormQuestion], parsed: dict[str, ParsedAnswer]
) -> tuple[bool, dict[int, Answer]]:
    """Write the answers whose raw text changed, in two statements at most.

    Returns whether any changed, and every answer of the application afterwards by question id.
    """
    existing = {answer.question_id: answer for answer in application.answers.all()}
    by_key = {question.key: question for question in questions}
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
    return bool(created or updated), existing


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
    """
    moment = now or timezone.now()
    _require_open(form=form, user=user, now=moment)
    questions, parsed = _parse_all(form, raw_answers)
    application = _get_or_create_application(form=form, user=user)
    _require_not_stale(application, parsed, revision)
    if application.status == ApplicationStatus.SUBMITTED:
        errors = {key: answer.error for key, answer in parsed.items() if answer.error}
        errors |= {
            key: "This question needs an answer."
            for key, answer in parsed.items()
            if answer.is_empty and next(q for q in questions if q.key == key).required
        }
        if errors:
            raise AdmissionsError(
                "Your submitted application was not changed: fix the marked answers.",
                field_errors=errors,
            )
    changed, _ = _store_answers(application, questions, parsed)
    if changed:
        application.revision += 1  # the row is locked: no lost update
    if application.status == ApplicationStatus.WITHDRAWN:
        application.status = ApplicationStatus.DRAFT
        application.withdrawn_at = None
    application.save()
    return application


def _missing_and_invalid(
    answers: dict[int, Answer], questions: list[FormQuestion]
) -> dict[str, str]:
    problems: dict[str, str] = {}
    for question in questions:
        answer = answers.get(question.pk)
        if answer is not None and answer.error:
            problems[question.key] = answer.error
        elif question.required and (answer is None or not answer.raw.strip()):
            problems[question.key] = "This question needs an answer."
    return problems


def answers_as_text(
    application: Application,
    questions: list[FormQuestion] | None = None,
    answers: dict[int, Answer] | None = None,
) -> str:
    """Every question and the answer as typed, for the confirmation email."""
    if answers is None:
        answers = {answer.question_id: answer for answer in application.answers.all()}
    lines = []
    for question in questions if questions is not None else application.form.questions.all():
        answer = answers.get(question.pk)
        lines.append(f"{question.label}\n  {answer.raw.strip() if answer else '—'}")
    return "\n\n".join(lines)


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
    fresh copy. After the deadline, nothing changes.
    """
    moment = now or timezone.now()
    deadline = _require_open(form=form, user=user, now=moment)
    questions, parsed = _parse_all(form, raw_answers or {})
    application = _get_or_create_application(form=form, user=user)
    _require_not_stale(application, parsed, revision)
    changed, answers = _store_answers(application, questions, parsed)
    problems = _missing_and_invalid(answers, questions)
    if problems:
        transaction.set_rollback(True)
        raise AdmissionsError(
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
        application, questions, answers, deadline, first_submission=first_submission
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
    email_queue(
        to=user.email,
        subject=f"Your application to {term} was {verb}",
        body=(
            f"Hello {user.name or user.email},\n\n"
            f"We {verb} your {application.form.get_kind_display().lower()} application to "
            f"{term}. You can change it until "
            f"{format_instant(deadline.instant, user.time_zone or 'UTC')}: {link}\n\n"
            f"A copy of your answers:\n\n{answers_as_text(application, questions, answers)}\n"
        ),
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
        raise AdmissionsError("There is no application to withdraw.")
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


def _require_after_form_deadline(*, form: ApplicationForm, until: dt.datetime, zone: str) -> None:
    original = term_application_deadline(term=form.term, kind=form.kind)
    if until <= original:
        raise InvalidInputError(
            "The new deadline must be after the form's own deadline, "
            f"{format_instant(original, zone or form.term.time_zone)}.",
            field_errors={"until": "Choose a moment after the form's own deadline."},
        )


@transaction.atomic
def extension_grant(
    *, form: ApplicationForm, user: Any, until: dt.datetime, granted_by: Any, reason: str = ""
) -> DeadlineExtension:
    """Give one person their own deadline on a form (replacing an earlier extension).

    Refused unless it is later than the form's own deadline: an earlier one would close the form
    for them sooner, which an extension never means.
    """
    _require_after_form_deadline(form=form, until=until, zone=getattr(granted_by, "time_zone", ""))
    extension, _ = DeadlineExtension.objects.update_or_create(
        form=form,
        user=user,
        defaults={"until": until, "granted_by": granted_by, "reason": reason},
    )
    audit_record(
        actor=granted_by,
        action="deadline.extended",
        target=extension,
        details={"until": until.isoformat(), "user": user.email},
    )
    return extension


@transaction.atomic
def access_code_create(
    *,
    form: ApplicationForm,
    until: dt.datetime,
    expires_at: dt.datetime,
    max_uses: int,
    created_by: Any,
    label: str = "",
) -> tuple[AccessCode, str]:
    """Make a late-application link; returns the code and its secret (shown once, as a URL)."""
    if max_uses < 1:
        raise AdmissionsError("A code must allow at least one use.")
    _require_after_form_deadline(form=form, until=until, zone=getattr(created_by, "time_zone", ""))
    token = secrets.token_urlsafe(16)
    code = AccessCode.objects.create(
        form=form,
        code_hash=_digest(token),
        label=label,
        until=until,
        expires_at=expires_at,
        max_uses=max_uses,
        created_by=created_by,
    )
    audit_record(actor=created_by, action="access_code.created", target=code)
    return code, token


@transaction.atomic
def access_code_redeem(*, token: str, user: Any, now: dt.datetime | None = None) -> AccessCode:
    """Attach a late-application code to the signed-in person; using it again is harmless."""
    moment = now or timezone.now()
    code = AccessCode.objects.select_for_update().filter(code_hash=_digest(token)).first()
    if code is None:
        raise AdmissionsError("This link is not valid.")
    if AccessCodeUse.objects.filter(code=code, user=user).exists():
        return code
    if code.expires_at <= moment:
        raise AdmissionsError("This link has expired. Ask the organizers for a new one.")
    if code.uses.count() >= code.max_uses:
        raise AdmissionsError("This link has been used as many times as it allows.")
    AccessCodeUse.objects.create(code=code, user=user)
    audit_record(actor=user, action="access_code.used", target=code)
    return code


@dataclass(frozen=True)
class ImportRow:
    """One application to import: who, their raw answers by question key, when it was submitted."""

    user: Any
    raw_answers: dict[str, str]
    submitted_at: dt.datetime


@dataclass(frozen=True)
class ImportProblem:
    row: int  # 1-based, as a spreadsheet numbers data rows
    key: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.key}: {self.message}"


def applications_import_check(
    *, form: ApplicationForm, rows: list[ImportRow]
) -> list[ImportProblem]:
    """Every problem of every row (a dry run): unknown questions, unreadable or missing answers."""
    questions = list(form.questions.all())
    known = {question.key for question in questions}
    problems: list[ImportProblem] = []
    for number, row in enumerate(rows, start=1):
        for key in sorted(set(row.raw_answers) - known):
            problems.append(ImportProblem(number, key, "no such question on this form"))
        for question in questions:
            raw = row.raw_answers.get(question.key, "")
            parsed = parse_answer(question, raw, number_format=form.term.number_format)
            if parsed.error:
                problems.append(ImportProblem(number, question.key, parsed.error))
            elif question.required and parsed.is_empty:
                problems.append(ImportProblem(number, question.key, "needs an answer"))
    return problems


@transaction.atomic
def applications_import(*, form: ApplicationForm, rows: list[ImportRow], actor: Any = None) -> int:
    """Import submitted applications all together or not at all; returns how many were new.

    People who already have an application on the form are skipped (so importing the same file
    twice adds nothing). No confirmation emails: the applications were made elsewhere.
    """
    problems = applications_import_check(form=form, rows=rows)
    if problems:
        raise AdmissionsError(
            f"Nothing was imported: {len(problems)} problem(s).",
            field_errors={f"row {p.row}, {p.key}": p.message for p in problems},
        )
    questions = list(form.questions.all())
    existing = set(Application.objects.filter(form=form).values_list("applicant_id", flat=True))
    new_rows = [row for row in rows if row.user.pk not in existing]
    applications = Application.objects.bulk_create(
        Application(
            form=form,
            applicant=row.user,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=row.submitted_at,
            revision=1,
        )
        for row in new_rows
    )
    if not all(application.pk for application in applications):
        # Some databases do not return keys from bulk inserts; read them back.
        by_user = dict(Application.objects.filter(form=form).values_list("applicant_id", "pk"))
        for application in applications:
            application.pk = by_user[application.applicant_id]
    answers = []
    for application, row in zip(applications, new_rows, strict=True):
        for question in questions:
            raw = row.raw_answers.get(question.key, "")
            parsed = parse_answer(question, raw, number_format=form.term.number_format)
            answers.append(
                Answer(
                    application=application,
                    question=question,
                    raw=raw,
                    number=parsed.number,
                    value=parsed.value,
                )
            )
    Answer.objects.bulk_create(answers, batch_size=1000)
    if new_rows:
        audit_record(
            actor=actor,
            action="applications.imported",
            target=form,
            details={"count": len(new_rows)},
        )
    return len(new_rows)
