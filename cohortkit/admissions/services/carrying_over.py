"""Carrying over: people waitlisted in one term are invited to the next; they choose.

``carry_over_invite`` emails each person still waitlisted (for participants and facilitators) a
link; ``carry_over_respond`` puts them on the new term's waitlist (after anyone already waiting
there, in their old order) or records that they declined. Inviting twice invites nobody twice.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cohortkit.admissions.models import (
    CarryOverInvitation,
    Enrollment,
    EnrollmentStatus,
)
from cohortkit.admissions.services.deciding import _enrollment_put
from cohortkit.common.errors import ConflictError, InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.programs.models import Term, Track


def carry_over_invite(*, from_term: Term, to_term: Term, actor: Any) -> int:
    """Invite everyone still waitlisted in ``from_term`` to ``to_term``; returns how many."""
    if from_term.pk == to_term.pk:
        raise InvalidInputError(
            "Choose a different term.", field_errors={"to": "Choose a different term."}
        )
    invited = 0
    with transaction.atomic():
        waiting = (
            Enrollment.objects.filter(term=from_term, status=EnrollmentStatus.WAITLISTED)
            .exclude(carry_over_invitations__term=to_term)
            .select_related("user")
            .order_by("role", "waitlist_rank", "created_at", "id")
        )
        already = set(Enrollment.objects.filter(term=to_term).values_list("user_id", "role"))
        for enrollment in waiting:
            if (enrollment.user_id, enrollment.role) in already:
                continue
            invitation = CarryOverInvitation.objects.create(
                enrollment=enrollment, term=to_term, token=secrets.token_urlsafe(24)
            )
            link = settings.SITE_URL + reverse(
                "admissions:carry_over", args=[to_term.slug, invitation.token]
            )
            email_queue_rendered(
                to=enrollment.user.email,
                template="admissions/carry_over_invitation",
                context={
                    "name": enrollment.user.name or enrollment.user.email,
                    "from_term": from_term,
                    "to_term": to_term,
                    "link": link,
                },
                idempotency_key=f"carry-over-invitation:{invitation.pk}",
            )
            audit_record(
                actor=actor,
                action="enrollment.carry_over_invited",
                target=invitation,
                details={"from_term": from_term.slug},
            )
            invited += 1
    return invited


def carry_over_respond(
    *, invitation: CarryOverInvitation, accept: bool, user: Any
) -> Enrollment | None:
    """Accept (join the new term's waitlist) or decline; answering twice is refused."""
    with transaction.atomic():
        locked = CarryOverInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.responded_at is not None:
            raise ConflictError("You already answered this invitation.")
        locked.responded_at = timezone.now()
        locked.accepted = accept
        locked.save(update_fields=["responded_at", "accepted"])
        enrollment = None
        if accept:
            old = locked.enrollment
            rank = (
                Enrollment.objects.filter(term=locked.term, role=old.role).aggregate(
                    highest=Max("waitlist_rank")
                )["highest"]
                or 0
            ) + 1
            track = (
                Track.objects.filter(term=locked.term, slug=old.track.slug).first()
                if old.track_id is not None and old.track is not None
                else None
            )
            enrollment = _enrollment_put(
                term=locked.term,
                user=old.user,
                role=old.role,
                track=track,
                decision=None,
                status=EnrollmentStatus.WAITLISTED,
                waitlist_rank=rank,
                carried_over_from=old,
            )
        audit_record(
            actor=user,
            action="enrollment.carry_over_accepted" if accept else "enrollment.carry_over_declined",
            target=locked,
        )
    return enrollment
