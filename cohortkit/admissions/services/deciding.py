"""Deciding: staging decisions and releasing them, once, by email.

A decision is staged (changeable, invisible to the applicant), then released (emailed once,
frozen). Releasing an acceptance offers a place (an ``Enrollment`` to confirm by a deadline); a
waitlisting puts the person on the waitlist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.admissions.errors import ReleaseCountChangedError
from cohortkit.admissions.models import (
    Application,
    ApplicationForm,
    ApplicationStatus,
    Decision,
    DecisionOutcome,
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
)
from cohortkit.common.errors import ConflictError, InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import format_instant
from cohortkit.notifications.emails import RenderedEmail, email_queue_rendered, email_render
from cohortkit.notifications.models import OutboundEmail
from cohortkit.programs.models import Term, Track
from cohortkit.programs.states import term_require_writable

DEFAULT_CONFIRMATION_DAYS = 7


def _decision_link(form: ApplicationForm) -> str:
    return settings.SITE_URL + reverse("admissions:my_decision", args=[form.term.slug, form.kind])


def _person(user: Any) -> str:
    return user.name or user.email


def _when(instant: dt.datetime, user: Any) -> str:
    return format_instant(instant, getattr(user, "time_zone", "") or "UTC")


def _choice_checked(
    *, form: ApplicationForm, outcome: str, track: Track | None, waitlist_rank: int | None
) -> tuple[Track | None, int | None]:
    """The track and waitlist rank a decision keeps, or the refusal of a choice that cannot be."""
    if outcome not in DecisionOutcome.values:
        raise InvalidInputError(
            "Choose accept, waitlist or reject.",
            field_errors={"outcome": "accept, waitlist or reject"},
        )
    if track is not None and track.term_id != form.term_id:
        raise InvalidInputError("That track belongs to another term.")
    if outcome == DecisionOutcome.ACCEPT and track is None and form.kind == "participant":
        raise InvalidInputError("Choose the track to accept this person into.")
    if outcome == DecisionOutcome.REJECT:
        track = None
    if outcome == DecisionOutcome.WAITLIST:
        if waitlist_rank is None or waitlist_rank < 1:
            raise InvalidInputError(
                "Give a waitlist rank of 1 or more (1 is offered first).",
                field_errors={"waitlist_rank": "1 or more"},
            )
    else:
        waitlist_rank = None
    return track, waitlist_rank


@transaction.atomic
def decision_stage(
    *,
    application: Application,
    outcome: str,
    actor: Any,
    track: Track | None = None,
    waitlist_rank: int | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """Stage (or restage) the decision on a submitted application; nobody is told yet.

    Accepting a participant needs a track of the term; waitlisting needs a rank of 1 or more
    (a track is optional: with one, only that track's places go to the person); rejecting takes
    neither. A released decision can no longer be changed.
    """
    moment = now or timezone.now()
    form = application.form
    term_require_writable(form.term)
    if application.status != ApplicationStatus.SUBMITTED:
        raise InvalidInputError("Only submitted applications can be decided.")
    track, waitlist_rank = _choice_checked(
        form=form, outcome=outcome, track=track, waitlist_rank=waitlist_rank
    )
    existing = Decision.objects.select_for_update().filter(application=application).first()
    if existing is not None and existing.released_at is not None:
        raise ConflictError("This decision is already released and can no longer change.")
    decision, _ = Decision.objects.update_or_create(
        application=application,
        defaults={
            "outcome": outcome,
            "track": track,
            "waitlist_rank": waitlist_rank,
            "staged_by": actor,
            "staged_at": moment,
        },
    )
    audit_record(
        actor=actor,
        action="decision.staged",
        target=decision,
        details={
            "outcome": outcome,
            "track": track.slug if track else None,
            "waitlist_rank": waitlist_rank,
        },
    )
    return decision


@dataclass(frozen=True)
class BulkStaged:
    staged: int  # decisions created or changed
    unchanged: int  # already staged just so (a second submit changes nothing)
    released: int  # already released, left alone


@transaction.atomic
def decisions_stage_bulk(
    *,
    form: ApplicationForm,
    applications: Sequence[Application],
    outcome: str,
    actor: Any,
    track: Track | None = None,
    waitlist_rank: int | None = None,
    now: dt.datetime | None = None,
) -> BulkStaged:
    """Stage one decision for many submitted applications of ``form`` (in the order given).

    The same rules as ``decision_stage``; a waitlisting gives ``waitlist_rank`` to the first
    application and the next ranks to the following ones. Released decisions stay as they are;
    decisions already staged just so are left alone, so submitting twice stages nothing new. One
    audit event names every application staged.
    """
    moment = now or timezone.now()
    term_require_writable(form.term)
    track, waitlist_rank = _choice_checked(
        form=form, outcome=outcome, track=track, waitlist_rank=waitlist_rank
    )
    if not applications:
        raise InvalidInputError("Select at least one application.")
    ids = [application.pk for application in applications]
    belonging = set(
        Application.objects.filter(
            pk__in=ids, form=form, status=ApplicationStatus.SUBMITTED
        ).values_list("pk", flat=True)
    )
    if belonging != set(ids):
        raise InvalidInputError("Only submitted applications of this form can be decided.")
    existing = {
        decision.application_id: decision
        for decision in Decision.objects.select_for_update().filter(application_id__in=ids)
    }
    created: list[Decision] = []
    changed: list[Decision] = []
    unchanged = released = 0
    rank = waitlist_rank
    for application_id in ids:
        wanted = (outcome, track.pk if track else None, rank)
        if rank is not None:
            rank += 1
        decision = existing.get(application_id)
        if decision is None:
            created.append(
                Decision(
                    application_id=application_id,
                    outcome=wanted[0],
                    track=track,
                    waitlist_rank=wanted[2],
                    staged_by=actor,
                    staged_at=moment,
                )
            )
        elif decision.released_at is not None:
            released += 1
        elif (decision.outcome, decision.track_id, decision.waitlist_rank) == wanted:
            unchanged += 1
        else:
            decision.outcome, decision.track, decision.waitlist_rank = outcome, track, wanted[2]
            decision.staged_by, decision.staged_at = actor, moment
            changed.append(decision)
    Decision.objects.bulk_create(created)
    Decision.objects.bulk_update(
        changed, ["outcome", "track", "waitlist_rank", "staged_by", "staged_at"]
    )
    staged = [decision.application_id for decision in created + changed]
    if staged:
        audit_record(
            actor=actor,
            action="decisions.staged_in_bulk",
            target=form,
            term=form.term,
            details={
                "outcome": outcome,
                "track": track.slug if track else None,
                "first_waitlist_rank": waitlist_rank,
                "applications": staged,
            },
        )
    return BulkStaged(staged=len(staged), unchanged=unchanged, released=released)


def _confirm_by_at_release(form: ApplicationForm, moment: dt.datetime) -> dt.datetime:
    if form.confirmation_deadline is not None:
        return form.confirmation_deadline
    return moment + dt.timedelta(days=DEFAULT_CONFIRMATION_DAYS)


@transaction.atomic
def decisions_release(
    *,
    form: ApplicationForm,
    actor: Any,
    now: dt.datetime | None = None,
    expected: int | None = None,
) -> int:
    """Release every staged decision of the form; returns how many were released.

    Each person whose decision is released now gets one email (the email's idempotency key is
    the decision, so even a retried request cannot send two); decisions released before are left
    alone, so releasing again only tells the new ones. Accepted people are offered a place to
    confirm by the form's confirmation deadline; waitlisted people join the waitlist.

    With ``expected`` (the count an organizer confirmed), a different count of staged decisions
    is refused and nothing is released or sent.
    """
    moment = now or timezone.now()
    term_require_writable(form.term)
    confirm_by = _confirm_by_at_release(form, moment)
    if confirm_by <= moment:
        raise ConflictError(
            "The confirmation deadline has passed: set a later one in the review settings "
            "before releasing acceptances."
        )
    decisions = list(
        Decision.objects.select_for_update(of=("self",))
        .filter(
            application__form=form,
            application__status=ApplicationStatus.SUBMITTED,
            released_at__isnull=True,
        )
        .select_related("application__applicant", "track")
        .order_by("id")
    )
    if expected is not None and len(decisions) != expected:
        raise ReleaseCountChangedError(
            f"{len(decisions)} staged decision(s) would be released now, not the {expected} "
            "you confirmed: nothing was sent. Look at the count again before releasing.",
            current=len(decisions),
        )
    role = EnrollmentRole(form.kind)
    for decision in decisions:
        decision.released_at = moment
        decision.save(update_fields=["released_at"])
        person = decision.application.applicant
        enrollment = None
        if decision.outcome == DecisionOutcome.ACCEPT:
            enrollment = _enrollment_put(
                term=form.term,
                user=person,
                role=role,
                track=decision.track,
                decision=decision,
                status=EnrollmentStatus.OFFERED,
                confirm_by=confirm_by,
                offered_at=moment,
            )
        elif decision.outcome == DecisionOutcome.WAITLIST:
            enrollment = _enrollment_put(
                term=form.term,
                user=person,
                role=role,
                track=decision.track,
                decision=decision,
                status=EnrollmentStatus.WAITLISTED,
                waitlist_rank=decision.waitlist_rank,
            )
        audit_record(
            actor=actor,
            action="decision.released",
            target=decision,
            details={"outcome": decision.outcome},
        )
        _email_decision(form, decision, enrollment)
    return len(decisions)


def _enrollment_put(
    *,
    term: Term,
    user: Any,
    role: str,
    track: Track | None,
    decision: Decision | None,
    status: str,
    confirm_by: dt.datetime | None = None,
    offered_at: dt.datetime | None = None,
    waitlist_rank: int | None = None,
    carried_over_from: Enrollment | None = None,
) -> Enrollment:
    """The person's one enrollment in the term and role, created or replaced by a decision.

    A place already offered or confirmed is never turned back into a waitlist entry."""
    current = Enrollment.objects.filter(term=term, user=user, role=role).first()
    if (
        current is not None
        and status == EnrollmentStatus.WAITLISTED
        and current.status in {EnrollmentStatus.OFFERED, EnrollmentStatus.CONFIRMED}
    ):
        return current
    enrollment, _ = Enrollment.objects.update_or_create(
        term=term,
        user=user,
        role=role,
        defaults={
            "track": track,
            "decision": decision,
            "status": status,
            "confirm_by": confirm_by,
            "offered_at": offered_at,
            "waitlist_rank": waitlist_rank,
            "responded_at": None,
            "carried_over_from": carried_over_from,
        },
    )
    return enrollment


def _decision_email(
    form: ApplicationForm,
    decision: Decision,
    confirm_by: dt.datetime | None,
) -> tuple[str, dict[str, Any]]:
    """The template and context of the email a released ``decision`` sends."""
    person = decision.application.applicant
    context: dict[str, Any] = {
        "name": _person(person),
        "term": form.term,
        "kind": form.get_kind_display().lower(),
        "link": _decision_link(form),
    }
    if decision.outcome == DecisionOutcome.ACCEPT and confirm_by is not None:
        template = "admissions/decision_offer"
        context["track"] = decision.track.name if decision.track else ""
        context["confirm_by"] = _when(confirm_by, person)
    elif decision.outcome == DecisionOutcome.WAITLIST:
        template = "admissions/decision_waitlist"
    else:
        template = "admissions/decision_reject"
    return template, context


def _email_decision(
    form: ApplicationForm, decision: Decision, enrollment: Enrollment | None
) -> None:
    confirm_by = None
    if decision.outcome == DecisionOutcome.ACCEPT and enrollment is not None:
        assert enrollment.confirm_by is not None  # an offer always has one (a constraint)
        confirm_by = enrollment.confirm_by
    template, context = _decision_email(form, decision, confirm_by)
    email_queue_rendered(
        to=decision.application.applicant.email,
        template=template,
        context=context,
        idempotency_key=f"decision-released:{decision.pk}",
    )


def release_confirm_by(*, form: ApplicationForm, now: dt.datetime | None = None) -> dt.datetime:
    """The deadline a release now would give the people it offers a place."""
    return _confirm_by_at_release(form, now or timezone.now())


def decision_email_example(
    *, form: ApplicationForm, decision: Decision, now: dt.datetime | None = None
) -> RenderedEmail:
    """The email releasing ``decision`` now would send, rendered from the real template (the
    release's confirmation page shows one). Reads only."""
    confirm_by = _confirm_by_at_release(form, now or timezone.now())
    template, context = _decision_email(form, decision, confirm_by)
    return email_render(template=template, context=context)


@dataclass(frozen=True)
class ReleaseCount:
    released: int
    emails_queued: int


@transaction.atomic
def decisions_release_counted(
    *, form: ApplicationForm, actor: Any, expected: int | None = None
) -> ReleaseCount:
    """``decisions.decisions_release``, also counting the decision emails it really queued
    (new ``OutboundEmail`` rows for the form's decisions), which is what an organizer wants to
    know: how many people will hear from us now. ``expected`` as in ``decisions_release``."""

    def queued() -> int:
        keys = [
            f"decision-released:{pk}"
            for pk in Decision.objects.filter(application__form=form).values_list("pk", flat=True)
        ]
        return OutboundEmail.objects.filter(idempotency_key__in=keys).count()

    before = queued()
    released = decisions_release(form=form, actor=actor, expected=expected)
    return ReleaseCount(released=released, emails_queued=queued() - before)
