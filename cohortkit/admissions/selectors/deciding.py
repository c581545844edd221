"""Reads of decisions and offers: what a release would send, one's own enrollment, and a
carry-over invitation behind its link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from cohortkit.admissions.models import (
    ApplicationForm,
    ApplicationStatus,
    CarryOverInvitation,
    Decision,
    DecisionOutcome,
    Enrollment,
)
from cohortkit.programs.models import Term


def decisions_pending_release(*, form: ApplicationForm) -> int:
    """How many staged decisions a release would send now (one email each)."""
    return _pending(form).count()


def _pending(form: ApplicationForm) -> QuerySet[Decision]:
    return Decision.objects.filter(
        application__form=form,
        application__status=ApplicationStatus.SUBMITTED,
        released_at__isnull=True,
    )


@dataclass(frozen=True)
class PendingOutcome:
    outcome: str
    label: str
    track: str  # the track's name, or "" (rejections, waitlists for any track)
    count: int


def decisions_pending_by_outcome(*, form: ApplicationForm) -> list[PendingOutcome]:
    """What a release would send now, by outcome and track (one email per decision)."""
    labels = dict(DecisionOutcome.choices)
    order = {outcome: position for position, outcome in enumerate(DecisionOutcome.values)}
    groups = (
        _pending(form)
        .values("outcome", "track__name")
        .annotate(count=Count("pk"))
        .order_by("outcome", "track__name")
    )
    found = [
        PendingOutcome(
            outcome=group["outcome"],
            label=labels.get(group["outcome"], group["outcome"]),
            track=group["track__name"] or "",
            count=group["count"],
        )
        for group in groups
    ]
    return sorted(found, key=lambda item: (order.get(item.outcome, 99), item.track))


def decision_pending_example(*, form: ApplicationForm) -> Decision | None:
    """One staged decision a release would send (the first staged), to show its email."""
    return _pending(form).select_related("application__applicant", "track").order_by("id").first()


def enrollment_of(*, form: ApplicationForm, user: Any) -> Enrollment | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        Enrollment.objects.select_related("track", "decision")
        .filter(term_id=form.term_id, user=user, role=form.kind)
        .first()
    )


def carry_over_invitation_by_token(*, term: Term, token: str) -> CarryOverInvitation | None:
    """The invitation behind a link (``rules`` says who may answer it)."""
    return (
        CarryOverInvitation.objects.select_related("enrollment__user", "enrollment__term")
        .filter(term=term, token=token[:64])
        .first()
    )
