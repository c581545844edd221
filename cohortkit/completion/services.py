"""Writes of the completion app: the rule, overrides, confirming completions, feedback.

Every function validates first and changes nothing when it refuses (``cohortkit.common.errors``),
runs in one transaction and records what it did in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Role, User
from cohortkit.accounts.rules import term_roles
from cohortkit.admissions.answers import parse_answer
from cohortkit.admissions.models import FormQuestion
from cohortkit.common.errors import (
    InvalidInputError,
    NotAllowedError,
    NotFoundError,
    TooLateError,
)
from cohortkit.common.services import audit_record
from cohortkit.completion import rules as completion_rules
from cohortkit.completion.models import (
    Completion,
    CompletionOverride,
    CompletionRule,
    FeedbackAnswer,
    FeedbackForm,
    FeedbackQuestion,
    FeedbackResponse,
    QuizPassMark,
)
from cohortkit.completion.rule import rules_of_term
from cohortkit.completion.selectors import CompletionRow, completion_rows
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.payments.services.stipends import stipend_accrue
from cohortkit.programs.models import Quiz, Term, Track

RULE_FIELDS = (
    "min_meetings",
    "excused_counts",
    "min_assignments",
    "min_quizzes",
    "quiz_pass_percent",
    "feedback_required",
    "facilitator_certificates",
)
MAX_REASON = 500


# The rule -------------------------------------------------------------------------------


def _check_rule_values(term: Term, values: dict[str, Any]) -> None:
    errors = {}
    for name in ("min_meetings", "min_assignments"):
        value = values.get(name, 0)
        if not isinstance(value, int) or value < 0:
            errors[name] = "Use a whole number, 0 or more."
        elif value > term.week_count:
            errors[name] = f"The term has only {term.week_count} weeks."
    quizzes = Quiz.objects.filter(week__term=term).count()
    value = values.get("min_quizzes", 0)
    if not isinstance(value, int) or value < 0:
        errors["min_quizzes"] = "Use a whole number, 0 or more."
    elif value > quizzes:
        errors["min_quizzes"] = f"The term has only {quizzes} quizzes."
    percent = values.get("quiz_pass_percent", 60)
    if not isinstance(percent, int) or not 1 <= percent <= 100:
        errors["quiz_pass_percent"] = "Use a percentage from 1 to 100."
    if errors:
        raise InvalidInputError("Please correct the rule.", field_errors=errors)


@transaction.atomic
def completion_rule_set(
    *,
    term: Term,
    actor: Any,
    values: dict[str, Any],
    track: Track | None = None,
    now: dt.datetime | None = None,
) -> CompletionRule:
    """Make ``values`` the rule of the term (or of one track): a new version when anything
    differs from the rule in force, the same rule otherwise. The term-wide rule's meeting and
    assignment numbers are mirrored on the term (its YAML and settings read them)."""
    if actor is not None:
        completion_rules.require_organizer_actor(actor, term)
    if track is not None and track.term_id != term.pk:
        raise NotFoundError("No such track in this term.")
    Term.objects.select_for_update().filter(pk=term.pk).first()
    rules = rules_of_term(term=term)
    current = rules.track_rules.get(track.pk) if track is not None else rules.term_rule
    base = current or rules.term_rule
    merged = {name: values.get(name, getattr(base, name)) for name in RULE_FIELDS}
    _check_rule_values(term, merged)
    unchanged = current is not None and current.version > 0 and not current.follows_term
    if unchanged and all(getattr(current, name) == merged[name] for name in RULE_FIELDS):
        assert current is not None
        return current
    last = CompletionRule.objects.filter(term=term, track=track).order_by("-version").first()
    rule = CompletionRule.objects.create(
        term=term,
        track=track,
        version=(last.version + 1) if last else 1,
        created_at=now or timezone.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **merged,
    )
    if track is None:
        term.completion_min_meetings = merged["min_meetings"]
        term.completion_min_assignments = merged["min_assignments"]
        term.save(update_fields=["completion_min_meetings", "completion_min_assignments"])
    audit_record(
        actor=actor,
        action="completion.rule_set",
        target=rule,
        details={"track": track.slug if track else None, "version": rule.version, **merged},
    )
    return rule


@transaction.atomic
def completion_rule_remove_track(
    *, term: Term, actor: Any, track: Track, now: dt.datetime | None = None
) -> None:
    """The track follows the term-wide rule again: a new version of the track's rule that says
    so (the earlier versions stay, for the record)."""
    completion_rules.require_organizer_actor(actor, term)
    rules = rules_of_term(term=term)
    if track.pk not in rules.track_rules:
        return
    current = rules.track_rules[track.pk]
    rule = CompletionRule.objects.create(
        term=term,
        track=track,
        version=current.version + 1,
        follows_term=True,
        created_at=now or timezone.now(),
        created_by=actor,
        **{name: getattr(rules.term_rule, name) for name in RULE_FIELDS},
    )
    audit_record(
        actor=actor,
        action="completion.rule_follows_term",
        target=rule,
        details={"track": track.slug, "version": rule.version},
    )


@transaction.atomic
def quiz_pass_mark_set(*, quiz: Quiz, actor: Any, pass_percent: int | None) -> None:
    """A quiz's own pass mark (None: the rule's)."""
    term = quiz.week.term
    completion_rules.require_organizer_actor(actor, term)
    if pass_percent is not None and not 1 <= pass_percent <= 100:
        raise InvalidInputError(
            "Use a percentage from 1 to 100.", field_errors={"pass_percent": "From 1 to 100."}
        )
    if pass_percent is None:
        QuizPassMark.objects.filter(quiz=quiz).delete()
    else:
        QuizPassMark.objects.update_or_create(quiz=quiz, defaults={"pass_percent": pass_percent})
    audit_record(
        actor=actor,
        action="completion.quiz_pass_mark_set",
        target=quiz,
        details={"pass_percent": pass_percent},
    )


# Overrides and confirmation ---------------------------------------------------------------


@transaction.atomic
def completion_override_set(
    *,
    term: Term,
    user: User,
    actor: Any,
    completes: bool | None,
    reason: str,
    now: dt.datetime | None = None,
) -> CompletionOverride | None:
    """Decide one person's outcome against (or with) the rule, with a reason; ``completes``
    None removes the override so the rule decides again."""
    completion_rules.require_organizer_actor(actor, term)
    if Role.PARTICIPANT not in term_roles(user, term):
        raise NotFoundError("This person is not a participant of the term.")
    reason = reason.strip()
    existing = CompletionOverride.objects.filter(term=term, user=user).first()
    if completes is None:
        if existing is not None:
            audit_record(
                actor=actor,
                action="completion.override_removed",
                target=existing,
                details={"user": user.email},
            )
            existing.delete()
        return None
    if not reason:
        raise InvalidInputError(
            "Say why you override the rule.", field_errors={"reason": "A reason is required."}
        )
    if len(reason) > MAX_REASON:
        raise InvalidInputError(
            "Keep the reason shorter.", field_errors={"reason": f"At most {MAX_REASON} characters."}
        )
    override, _ = CompletionOverride.objects.update_or_create(
        term=term,
        user=user,
        defaults={
            "completes": completes,
            "reason": reason,
            "created_by": actor,
            "created_at": now or timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action="completion.overridden",
        target=override,
        details={"user": user.email, "completes": completes, "reason": reason},
    )
    return override


@dataclass
class ConfirmSummary:
    """What one call of ``completion_confirm`` did."""

    confirmed: list[Completion] = field(default_factory=list)
    newly_completed: list[Completion] = field(default_factory=list)
    no_longer_completed: list[Completion] = field(default_factory=list)
    unchanged: int = 0


def _completion_values(row: CompletionRow, actor: Any, now: dt.datetime) -> dict[str, Any]:
    rule = row.progress.rule
    return {
        "completed": row.outcome,
        "rule": rule if rule.pk else None,
        "rule_verdict": row.progress.verdict,
        "overridden": row.override is not None,
        "override_reason": row.override.reason if row.override else "",
        "evidence": row.progress.evidence(),
        "confirmed_at": now,
        "confirmed_by": actor if getattr(actor, "is_authenticated", False) else None,
    }


@transaction.atomic
def completion_confirm(
    *,
    term: Term,
    actor: Any,
    users: list[User] | None = None,
    apply_changed_verdicts: bool = False,
    now: dt.datetime | None = None,
) -> ConfirmSummary:
    """Confirm the outcome (the override, else the rule's verdict) of everyone not confirmed
    yet (or of ``users``). This is the one state change from "judged" to "confirmed": it stores
    the evidence and the rule, records it in the audit trail and emails each completer once.
    Confirming again changes nothing and sends nothing.

    A confirmed outcome that a later correction changed ("verdict changed since confirmation")
    is only replaced with ``apply_changed_verdicts`` for the people named in ``users``: an
    explicit action of an organizer. ``newly_completed`` are the people whose confirmed outcome
    became *completed* in this call (whoever pays stipends on completion starts from them).
    """
    if actor is not None:
        completion_rules.require_organizer_actor(actor, term)
    if apply_changed_verdicts and not users:
        raise InvalidInputError("Name the people whose changed verdict you accept.")
    now = now or timezone.now()
    # One confirmation at a time per term: a double click waits, then finds nothing to do.
    Term.objects.select_for_update().filter(pk=term.pk).first()
    page = completion_rows(term=term, now=now)
    wanted = {user.pk for user in users} if users is not None else None
    summary = ConfirmSummary()
    for row in page.rows:
        if wanted is not None and row.user.pk not in wanted:
            continue
        if row.completion is None:
            completion = Completion.objects.create(
                term=term, user=row.user, **_completion_values(row, actor, now)
            )
            summary.confirmed.append(completion)
            if completion.completed:
                summary.newly_completed.append(completion)
            audit_record(
                actor=actor,
                action="completion.confirmed",
                target=completion,
                details={"user": row.user.email, "completed": completion.completed},
            )
        elif apply_changed_verdicts and row.changed_since_confirmation:
            completion = row.completion
            before = completion.completed
            for name, value in _completion_values(row, actor, now).items():
                setattr(completion, name, value)
            completion.save()
            summary.confirmed.append(completion)
            (
                summary.newly_completed if completion.completed else summary.no_longer_completed
            ).append(completion)
            audit_record(
                actor=actor,
                action="completion.reconfirmed",
                target=completion,
                details={"user": row.user.email, "before": before, "after": completion.completed},
            )
        else:
            summary.unchanged += 1
    for completion in summary.newly_completed:
        _email_completed(term, completion)
        # The stipend is paid "on completion": it accrues here, in the same transaction, for
        # participants the organizer has verified eligible (payments keeps the completion, so a
        # pending verification accrues it later; the database allows one accrual per person).
        if Role.PARTICIPANT in term_roles(completion.user, term):
            stipend_accrue(term=term, user=completion.user, actor=actor, cause=completion, now=now)
    if summary.confirmed:
        audit_record(
            actor=actor,
            action="completion.confirmed_batch",
            target=term,
            details={
                "confirmed": len(summary.confirmed),
                "completed": len(summary.newly_completed),
            },
        )
    return summary


@transaction.atomic
def completion_keep_confirmed(
    *, term: Term, user: User, actor: Any, reason: str, now: dt.datetime | None = None
) -> CompletionOverride | None:
    """Keep a confirmed outcome that a later correction changed: recorded as an override with
    the organizer's reason, so the page stops asking."""
    completion = Completion.objects.filter(term=term, user=user).first()
    if completion is None:
        raise NotFoundError("Nobody confirmed this person's completion yet.")
    return completion_override_set(
        term=term,
        user=user,
        actor=actor,
        completes=completion.completed,
        reason=reason,
        now=now,
    )


def _email_completed(term: Term, completion: Completion) -> None:
    user = completion.user
    link = settings.SITE_URL + reverse("certificates:mine", args=[term.slug])
    email_queue_rendered(
        to=user.email,
        template="completion/completed",
        context={
            "person": user.name or user.email,
            "program": term.program.name,
            "term_name": term.name,
            "link": link,
        },
        idempotency_key=f"completion-confirmed:{completion.pk}:{int(completion.completed)}"
        f":{completion.confirmed_at.isoformat()}",
    )


# End-of-course feedback ------------------------------------------------------------------


def _as_form_question(question: FeedbackQuestion) -> FormQuestion:
    """The applications' question, unsaved, so the applications' parser reads the answer."""
    return FormQuestion(
        key=question.key,
        label=question.label,
        type=question.type,
        required=question.required,
        choices=question.choices,
        word_limit=question.word_limit,
    )


@transaction.atomic
def feedback_form_ensure(
    *,
    term: Term,
    title: str,
    introduction: str,
    questions: list[dict[str, Any]],
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    actor: Any = None,
) -> FeedbackForm:
    """Create the term's feedback form with its questions, or return the one there is (a form
    with responses is never reshaped)."""
    existing = FeedbackForm.objects.filter(term=term).first()
    if existing is not None:
        return existing
    if closes_at <= opens_at:
        raise InvalidInputError("The form must close after it opens.")
    form = FeedbackForm.objects.create(
        term=term, title=title, introduction=introduction, opens_at=opens_at, closes_at=closes_at
    )
    for position, spec in enumerate(questions):
        FeedbackQuestion.objects.create(form=form, position=position, **spec)
    audit_record(actor=actor, action="feedback_form.created", target=form)
    return form


@transaction.atomic
def feedback_submit(
    *,
    form: FeedbackForm,
    user: User,
    raw_answers: dict[str, str],
    now: dt.datetime | None = None,
) -> FeedbackResponse:
    """A participant's end-of-course feedback, once: every answer read by the applications'
    parser; refused, changing nothing, with each problem beside its question. Submitting
    again returns the first response."""
    now = now or timezone.now()
    term = form.term
    if Role.PARTICIPANT not in term_roles(user, term):
        raise NotAllowedError("Only the term's participants give end-of-course feedback.")
    existing = FeedbackResponse.objects.filter(form=form, user=user).first()
    if existing is not None:
        return existing
    if now < form.opens_at:
        raise TooLateError("The feedback form opens in the last week of the term.")
    if now >= form.closes_at:
        raise TooLateError("The feedback form is closed.")
    questions = list(form.questions.all())
    parsed = {}
    errors: dict[str, str] = {}
    for question in questions:
        raw = raw_answers.get(question.key, "")
        answer = parse_answer(_as_form_question(question), raw, number_format=term.number_format)
        if answer.error:
            errors[question.key] = answer.error
        elif question.required and answer.is_empty:
            errors[question.key] = "Please answer this question."
        parsed[question.pk] = answer
    if errors:
        raise InvalidInputError("Some answers need a second look.", field_errors=errors)
    from cohortkit.coursework.due import user_section_in_week

    section = user_section_in_week(user=user, term=term, week=term.week_count)
    response = FeedbackResponse.objects.create(
        form=form, user=user, section=section, submitted_at=now
    )
    FeedbackAnswer.objects.bulk_create(
        FeedbackAnswer(
            response=response,
            question=question,
            raw=parsed[question.pk].raw,
            number=parsed[question.pk].number,
            value=parsed[question.pk].value,
        )
        for question in questions
        if not parsed[question.pk].is_empty
    )
    audit_record(actor=user, action="feedback.submitted", target=response)
    return response


RATING = [
    {"value": "1", "label": "1 — poor"},
    {"value": "2", "label": "2"},
    {"value": "3", "label": "3"},
    {"value": "4", "label": "4"},
    {"value": "5", "label": "5 — excellent"},
]
DEFAULT_FEEDBACK_QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "overall",
        "label": "How would you rate the course overall?",
        "type": "choice",
        "choices": RATING,
    },
    {
        "key": "lectures",
        "label": "How useful were the lectures?",
        "type": "choice",
        "choices": RATING,
    },
    {
        "key": "readings",
        "label": "How useful were the readings?",
        "type": "choice",
        "choices": RATING,
    },
    {
        "key": "section",
        "label": "How good were your section's discussions?",
        "type": "choice",
        "choices": RATING,
    },
    {
        "key": "facilitator",
        "label": "How well did your facilitator lead the discussions?",
        "type": "choice",
        "choices": RATING,
    },
    {
        "key": "best",
        "label": "What worked best for you?",
        "type": "long_text",
        "required": False,
        "word_limit": 300,
    },
    {
        "key": "change",
        "label": "What should we change for the next term?",
        "type": "long_text",
        "required": False,
        "word_limit": 300,
    },
]


def feedback_form_default(*, term: Term, actor: Any = None) -> FeedbackForm:
    """The term's feedback form with the reference course's questions, open from the start of
    the last week until two weeks after the term ends (or the form there is)."""
    from cohortkit.common.timezones import wall_clock_to_instant
    from cohortkit.programs.selectors import term_ends_at

    opens_at = wall_clock_to_instant(
        term.week_starts_on(term.week_count), dt.time(0, 0), term.time_zone
    )
    return feedback_form_ensure(
        term=term,
        title=f"End-of-course feedback: {term.program.name}, {term.name}",
        introduction=(
            "Tell us how the course went for you. Your facilitator sees only averages of their "
            "section, and only once at least three people have answered."
        ),
        questions=DEFAULT_FEEDBACK_QUESTIONS,
        opens_at=opens_at,
        closes_at=term_ends_at(term) + dt.timedelta(days=14),
        actor=actor,
    )
