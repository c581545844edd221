"""Removing a member from a section: an organizer ends a person's membership from a given week.

The weeks before stay as they were (their attendance, their visits); from that week on the person
is on no roster of the section and no meeting of it is theirs. Audited; the person is emailed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from cohortkit.common.errors import InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.sections.models import Section, SectionMembership


def membership_current(*, section: Section, user_id: int) -> SectionMembership | None:
    """The person's open membership of the section (None when they have none)."""
    return (
        SectionMembership.objects.select_related("user")
        .filter(section=section, user_id=user_id, to_week__isnull=True)
        .first()
    )


@transaction.atomic
def membership_end(
    *, section: Section, user: Any, from_week: int, actor: Any, reason: str = ""
) -> bool:
    """End ``user``'s membership of ``section`` from week ``from_week`` on (their last week is the
    one before; from the first week of their membership on, the membership goes altogether).

    Returns whether a membership was ended: a second click of the same button finds none open
    and changes nothing. A week outside the term is refused.
    """
    term = section.term
    if not 1 <= from_week <= term.week_count:
        message = f"Choose a week from 1 to {term.week_count}."
        raise InvalidInputError(message, field_errors={"from_week": message})
    membership = (
        SectionMembership.objects.select_for_update()
        .filter(section=section, user=user, to_week__isnull=True)
        .first()
    )
    if membership is None:
        return False
    details = {
        "section": section.name,
        "user": user.email,
        "from_week": from_week,
        "member_since_week": membership.from_week,
        "reason": reason,
    }
    if from_week <= membership.from_week:
        membership.delete()
    else:
        membership.to_week = from_week - 1
        membership.save(update_fields=["to_week"])
    audit_record(
        actor=actor, action="section_membership.ended", target=user, term=term, details=details
    )
    email_queue_rendered(
        to=user.email,
        template="sections/membership_ended",
        context={
            "name": user.name or user.email,
            "term": term,
            "section": section.name,
            "from_week": from_week,
            "reason": reason,
            "link": settings.SITE_URL + reverse("sections:my_sections", args=[term.slug]),
        },
        idempotency_key=f"section-membership-ended:{section.pk}:{user.pk}:{membership.pk}",
    )
    return True
