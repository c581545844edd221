"""Confirming: the answers to an offer, and the waitlist that takes a freed place.

An enrollment goes waitlisted → offered → confirmed | declined | lapsed. A decline or a lapse
offers the place to the top of the same track's waitlist. ``confirm_by`` is enforced here, so a
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
    ApplicationForm,
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
)
from cohortkit.admissions.services.deciding import (
    DEFAULT_CONFIRMATION_DAYS,
    _enrollment_put,
    _person,
    _when,
)
from cohortkit.common.errors import ConflictError, InvalidInputError, NotAllowedError, TooLateError
from cohortkit.common.services import audit_record
from cohortkit.notifications.services import email_queue
from cohortkit.programs.models import Term, Track


def _locked_offer(enrollment: Enrollment, user: Any) -> Enrollment:
    locked = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("term", "track")
        .get(pk=enrollment.pk)
    )
    if locked.user_id != user.pk:
        raise NotAllowedError("This offer was made to someone else.")
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
        raise ConflictError(f"There is no open offer to confirm ({locked.get_status_display()}).")
    assert locked.confirm_by is not None
    if moment >= locked.confirm_by:
        raise TooLateError(
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
        raise ConflictError(f"There is no open offer to decline ({locked.get_status_display()}).")
    assert locked.confirm_by is not None
    if moment >= locked.confirm_by:
        raise TooLateError(
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
        raise InvalidInputError("Choose a different term to carry the waitlist over to.")
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
