"""Reads of decisions and offers: what a release would send, one's own enrollment, and a
carry-over invitation behind its link.
"""

from __future__ import annotations

from typing import Any

from cohortkit.admissions.models import (
    ApplicationForm,
    ApplicationStatus,
    CarryOverInvitation,
    Decision,
    Enrollment,
)
from cohortkit.programs.models import Term


def decisions_pending_release(*, form: ApplicationForm) -> int:
    """How many staged decisions a release would send now (one email each)."""
    return Decision.objects.filter(
        application__form=form,
        application__status=ApplicationStatus.SUBMITTED,
        released_at__isnull=True,
    ).count()


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
