"""Writes of decisions and what follows them: release, confirmations, the waitlist, carry-over.

The state machines, one function per change:

* Decision: staged (changeable, invisible to the applicant) → released (emailed once, frozen).
* Enrollment: waitlisted → offered → confirmed | declined | lapsed. A decline or a lapse offers
  the place to the top of the same track's waitlist. ``confirm_by`` is enforced here, so a
  confirmation one second late is refused whatever page or API sent it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.services import membership_grant
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
from cohortkit.admissions.services import AdmissionsError
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import format_instant
from cohortkit.notifications.services import email_queue
from cohortkit.programs.models import Term, Track
from cohortkit.programs.states import term_require_writable

DEFAULT_CONFIRMATION_DAYS = 7


def _decision_link(form: ApplicationForm) -> str:
    return settings.SITE_URL + reverse("admissions:my_decision", args=[form.term.slug, form.kind])


def _person(user: Any) -> str:
    return user.name or user.email


def _when(instant: dt.datetime, user: Any) -> str:
    return format_instant(instant, getattr(user, "time_zone", "") or "UTC")


# Staging -----------------------------------------------------------------------------------


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
    if outcome not in DecisionOutcome.values:
        raise AdmissionsError("Choose accept, waitlist or reject.")
    if application.status != ApplicationStatus.SUBMITTED:
        raise AdmissionsError("Only submitted applications can be decided.")
    if track is not None and track.term_id != form.term_id:
        raise AdmissionsError("That track belongs to another term.")
    if outcome == DecisionOutcome.ACCEPT and track is None and form.kind == "participant":
        raise AdmissionsError("Choose the track to accept this person into.")
    if outcome == DecisionOutcome.REJECT:
        track = None
    if outcome == DecisionOutcome.WAITLIST:
        if waitlist_rank is None or waitlist_rank < 1:
            raise AdmissionsError(
                "Give a waitlist rank of 1 or more (1 is offered first).",
                field_errors={"waitlist_rank": "1 or more"},
            )
    else:
        waitlist_rank = None
    existing = Decision.objects.select_for_update().filter(application=application).first()
    if existing is not None and existing.released_at is not None:
        raise AdmissionsError("This decision is already released and can no longer change.")
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


def decisions_pending_release(*, form: ApplicationForm) -> int:
    """How many staged decisions a release would send now (one email each)."""
    return Decision.objects.filter(
        application__form=form,
        application__status=ApplicationStatus.SUBMITTED,
        released_at__isnull=True,
    ).count()


# Releasing ---------------------------------------------------------------------------------


def _confirm_by_at_release(form: ApplicationForm, moment: dt.datetime) -> dt.datetime:
    if form.confirmation_deadline is not None:
        return form.confirmation_deadline
    return moment + dt.timedelta(days=DEFAULT_CONFIRMATION_DAYS)


@transaction.atomic
def decisions_release(*, form: ApplicationForm, actor: Any, now: dt.datetime | None = None) -> int:
    """Release every staged decision of the form; returns how many were released.

    Each person whose decision is released now gets one email (the email's idempotency key is
    the decision, so even a retried request cannot send two); decisions released before are left
    alone, so releasing again only tells the new ones. Accepted people are offered a place to
    confirm by the form's confirmation deadline; waitlisted people join the waitlist.
    """
    moment = now or timezone.now()
    term_require_writable(form.term)
    confirm_by = _confirm_by_at_release(form, moment)
    if confirm_by <= moment:
        raise AdmissionsError(
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


def _email_decision(
    form: ApplicationForm, decision: Decision, enrollment: Enrollment | None
) -> None:
    person = decision.application.applicant
    term = form.term
    link = _decision_link(form)
    if decision.outcome == DecisionOutcome.ACCEPT and enrollment is not None:
        track = f" in the {decision.track.name} track" if decision.track else ""
        assert enrollment.confirm_by is not None  # an offer always has one (a constraint)
        subject = f"You are offered a place in {term}"
        body = (
            f"Hello {_person(person)},\n\nWe are glad to offer you a place as a "
            f"{form.get_kind_display().lower()}{track} in {term}.\n\n"
            "Please confirm that you can commit to the weekly time, or decline so that someone "
            f"on the waitlist gets the place, by {_when(enrollment.confirm_by, person)}: {link}\n\n"
            "If we do not hear from you by then, the place goes to the next person."
        )
    elif decision.outcome == DecisionOutcome.WAITLIST:
        subject = f"You are on the waitlist for {term}"
        body = (
            f"Hello {_person(person)},\n\nThank you for applying to {term}. We cannot offer you "
            "a place yet, but you are on the waitlist: if a place opens, we will email you an "
            f"offer to confirm. You can see where things stand at {link}"
        )
    else:
        subject = f"Your application to {term}"
        body = (
            f"Hello {_person(person)},\n\nThank you for applying to {term}. We received many "
            "more applications than we have places, and we cannot offer you one this time. "
            "We hope you will apply again."
        )
    email_queue(
        to=person.email,
        subject=subject,
        body=body,
        idempotency_key=f"decision-released:{decision.pk}",
    )


# Answers to an offer -----------------------------------------------------------------------


def _locked_offer(enrollment: Enrollment, user: Any) -> Enrollment:
    locked = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("term", "track")
        .get(pk=enrollment.pk)
    )
    if locked.user_id != user.pk:
        raise AdmissionsError("This offer was made to someone else.")
    return locked


@transaction.atomic
def enrollment_confirm(
    *, enrollment: Enrollment, user: Any, now: dt.datetime | None = None
) -> Enrollment:
    """The person confirms their offered place before ``confirm_by`` and gets the term's role.

    Confirming again is harmless; after ``confirm_by`` (even by a second) nothing changes.
    """
    moment = now or timezone.now()
    locked = _locked_offer(enrollment, user)
    if locked.status == EnrollmentStatus.CONFIRMED:
        return locked
    if locked.status != EnrollmentStatus.OFFERED:
        raise AdmissionsError(f"There is no open offer to confirm ({locked.get_status_display()}).")
    assert locked.confirm_by is not None
    if moment >= locked.confirm_by:
        raise AdmissionsError(
            f"The time to confirm ended on {_when(locked.confirm_by, user)}. "
            "Nothing was changed; write to the organizers if you still want a place."
        )
    locked.status = EnrollmentStatus.CONFIRMED
    locked.responded_at = moment
    locked.save(update_fields=["status", "responded_at"])
    membership_grant(term=locked.term, user=locked.user, role=locked.role, actor=user)
    audit_record(actor=user, action="enrollment.confirmed", target=locked)
    email_queue(
        to=locked.user.email,
        subject=f"Your place in {locked.term} is confirmed",
        body=(
            f"Hello {_person(locked.user)},\n\nThank you for confirming: your place as a "
            f"{locked.get_role_display().lower()} in {locked.term} is yours. We will email you "
            "your section and its weekly meeting time before the term starts."
        ),
        idempotency_key=f"enrollment-confirmed:{locked.pk}",
    )
    return locked


@transaction.atomic
def enrollment_decline(
    *, enrollment: Enrollment, user: Any, now: dt.datetime | None = None
) -> Enrollment:
    """The person declines their offered place before ``confirm_by``; the place goes to the top
    of the waitlist. Declining again is harmless."""
    moment = now or timezone.now()
    locked = _locked_offer(enrollment, user)
    if locked.status == EnrollmentStatus.DECLINED:
        return locked
    if locked.status != EnrollmentStatus.OFFERED:
        raise AdmissionsError(f"There is no open offer to decline ({locked.get_status_display()}).")
    assert locked.confirm_by is not None
    if moment >= locked.confirm_by:
        raise AdmissionsError(
            f"The time to answer ended on {_when(locked.confirm_by, user)}; "
            "the offer has lapsed and nothing was changed."
        )
    locked.status = EnrollmentStatus.DECLINED
    locked.responded_at = moment
    locked.save(update_fields=["status", "responded_at"])
    audit_record(actor=user, action="enrollment.declined", target=locked)
    waitlist_offer_next(term=locked.term, role=locked.role, track=locked.track, now=moment)
    return locked


@transaction.atomic
def enrollments_lapse(*, now: dt.datetime | None = None) -> int:
    """Mark every offer whose ``confirm_by`` has passed as lapsed, tell the person, and offer
    each place to the top of its waitlist. Returns how many lapsed; running again finds none."""
    moment = now or timezone.now()
    lapsed = list(
        Enrollment.objects.select_for_update(of=("self",))
        .filter(status=EnrollmentStatus.OFFERED, confirm_by__lte=moment)
        .select_related("term", "track", "user")
        .order_by("confirm_by", "id")
    )
    for enrollment in lapsed:
        enrollment.status = EnrollmentStatus.LAPSED
        enrollment.save(update_fields=["status"])
        audit_record(actor=None, action="enrollment.lapsed", target=enrollment)
        email_queue(
            to=enrollment.user.email,
            subject=f"Your offer for {enrollment.term} has lapsed",
            body=(
                f"Hello {_person(enrollment.user)},\n\nWe did not hear from you by "
                f"{_when(enrollment.confirm_by or moment, enrollment.user)}, so your place in "
                f"{enrollment.term} went to the next person on the waitlist. If this is a "
                "mistake, write to the organizers."
            ),
            idempotency_key=f"enrollment-lapsed:{enrollment.pk}",
        )
        waitlist_offer_next(
            term=enrollment.term, role=enrollment.role, track=enrollment.track, now=moment
        )
    return len(lapsed)


# The waitlist ------------------------------------------------------------------------------


@transaction.atomic
def waitlist_offer_next(
    *, term: Term, role: str, track: Track | None, now: dt.datetime | None = None
) -> Enrollment | None:
    """Offer a free place to the best-ranked waitlisted person for it, and email them.

    Candidates are those waitlisted for the same track, then those waitlisted without a track;
    the lowest rank wins (ties: the earlier waitlisted). The person has the form's
    ``offer_response_days`` (at least) to answer. None when the waitlist is empty.
    """
    moment = now or timezone.now()
    waitlisted = Enrollment.objects.select_for_update().filter(
        term=term, role=role, status=EnrollmentStatus.WAITLISTED
    )
    candidate = (
        waitlisted.filter(track=track).order_by("waitlist_rank", "created_at", "id").first()
        if track is not None
        else None
    )
    if candidate is None:
        candidate = (
            waitlisted.filter(track__isnull=True).order_by("waitlist_rank", "created_at", "id")
        ).first()
    if candidate is None:
        return None
    form = ApplicationForm.objects.filter(term=term, kind=role).first()
    days = form.offer_response_days if form is not None else DEFAULT_CONFIRMATION_DAYS
    confirm_by = moment + dt.timedelta(days=days)
    if form is not None and form.confirmation_deadline and form.confirmation_deadline > confirm_by:
        confirm_by = form.confirmation_deadline
    candidate.status = EnrollmentStatus.OFFERED
    candidate.track = candidate.track or track
    candidate.confirm_by = confirm_by
    candidate.offered_at = moment
    candidate.save(update_fields=["status", "track", "confirm_by", "offered_at"])
    audit_record(
        actor=None,
        action="enrollment.offered_from_waitlist",
        target=candidate,
        details={"rank": candidate.waitlist_rank, "track": track.slug if track else None},
    )
    person = candidate.user
    link = (
        settings.SITE_URL + reverse("admissions:my_decision", args=[term.slug, role])
        if form is not None
        else settings.SITE_URL
    )
    track_text = f" in the {candidate.track.name} track" if candidate.track else ""
    email_queue(
        to=person.email,
        subject=f"A place opened for you in {term}",
        body=(
            f"Hello {_person(person)},\n\nA place opened in {term}{track_text} and you are "
            f"next on the waitlist. Please confirm or decline by {_when(confirm_by, person)}: "
            f"{link}\n\nIf we do not hear from you by then, the place goes to the next person."
        ),
        idempotency_key=f"waitlist-offer:{candidate.pk}",
    )
    return candidate


@transaction.atomic
def waitlist_carry_over(
    *, from_term: Term, to_term: Term, actor: Any, now: dt.datetime | None = None
) -> int:
    """Put everyone still waitlisted in ``from_term`` on ``to_term``'s waitlist, in their order,
    after anyone already waiting there, in the track of the same slug (or none). Returns how many
    were carried over; people already enrolled in ``to_term`` in that role are skipped, so running
    it again carries nobody twice. Each person carried over is told once."""
    if from_term.pk == to_term.pk:
        raise AdmissionsError("Choose a different term to carry the waitlist over to.")
    tracks = {track.slug: track for track in Track.objects.filter(term=to_term)}
    waiting = list(
        Enrollment.objects.filter(term=from_term, status=EnrollmentStatus.WAITLISTED)
        .select_related("user", "track")
        .order_by("role", "waitlist_rank", "created_at", "id")
    )
    carried = 0
    for role in EnrollmentRole.values:
        already = set(
            Enrollment.objects.filter(term=to_term, role=role).values_list("user_id", flat=True)
        )
        last_rank = (
            Enrollment.objects.filter(term=to_term, role=role).aggregate(
                highest=Max("waitlist_rank")
            )["highest"]
            or 0
        )
        for enrollment in (item for item in waiting if item.role == role):
            if enrollment.user_id in already:
                continue
            last_rank += 1
            new = _enrollment_put(
                term=to_term,
                user=enrollment.user,
                role=role,
                track=tracks.get(enrollment.track.slug) if enrollment.track else None,
                decision=None,
                status=EnrollmentStatus.WAITLISTED,
                waitlist_rank=last_rank,
                carried_over_from=enrollment,
            )
            carried += 1
            audit_record(
                actor=actor,
                action="enrollment.carried_over",
                target=new,
                details={"from_term": from_term.slug, "rank": last_rank},
            )
            email_queue(
                to=enrollment.user.email,
                subject=f"You are on the waitlist for {to_term}",
                body=(
                    f"Hello {_person(enrollment.user)},\n\nNo place opened for you in "
                    f"{from_term}, so we moved you to the waitlist of {to_term}. If a place "
                    "opens there, we will email you an offer to confirm."
                ),
                idempotency_key=f"waitlist-carried:{new.pk}:{from_term.pk}",
            )
    return carried


def enrollment_of(*, form: ApplicationForm, user: Any) -> Enrollment | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        Enrollment.objects.select_related("track", "decision")
        .filter(term_id=form.term_id, user=user, role=form.kind)
        .first()
    )
