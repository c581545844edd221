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
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.services import membership_grant
from cohortkit.admissions.models import (
    ApplicationForm,
    Enrollment,
    EnrollmentStatus,
)
from cohortkit.admissions.services.deciding import (
    DEFAULT_CONFIRMATION_DAYS,
    _person,
    _when,
)
from cohortkit.common.errors import ConflictError, NotAllowedError, TooLateError
from cohortkit.common.services import audit_record
from cohortkit.notifications.emails import email_queue_rendered
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
    email_queue_rendered(
        to=locked.user.email,
        template="admissions/enrollment_confirmed",
        context={
            "name": _person(locked.user),
            "role": locked.get_role_display().lower(),
            "term": locked.term,
        },
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
        email_queue_rendered(
            to=enrollment.user.email,
            template="admissions/offer_lapsed",
            context={
                "name": _person(enrollment.user),
                "term": enrollment.term,
                "confirm_by": _when(enrollment.confirm_by or moment, enrollment.user),
            },
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
    email_queue_rendered(
        to=person.email,
        template="admissions/waitlist_offer",
        context={
            "name": _person(person),
            "term": term,
            "track": candidate.track.name if candidate.track else "",
            "confirm_by": _when(confirm_by, person),
            "link": link,
        },
        idempotency_key=f"waitlist-offer:{candidate.pk}",
    )
    return candidate
