"""Removing people from a section, by an organizer.

A member: their membership ends from a given week. The weeks before stay as they were (their
attendance, their visits); from that week on the person is on no roster of the section and no
meeting of it is theirs. Audited; the person is emailed.

The facilitator: the section keeps its members and meetings but has no facilitator until another
is chosen. The meetings that have started keep who led them (``Meeting.led_by``, so attendance
and pay stay as they were); the meetings to come that the facilitator would have led have no
leader (an organizer can hand each to another facilitator); one handed to someone else keeps
them. Audited; the facilitator and the section's members are emailed once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.common.errors import ConflictError, InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.programs.selectors import term_current_week
from cohortkit.sections.models import Meeting, Section, SectionMembership


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


@dataclass(frozen=True)
class FacilitatorRemoval:
    """What removing the section's facilitator now would change, and whom it emails."""

    facilitator: User
    losing: list[Meeting]  # to come, theirs to lead: no leader afterwards
    handed_on: list[Meeting]  # to come, handed to someone else: they keep that leader
    members: list[User]  # in the section this week or later: each emailed once

    @property
    def emailed(self) -> int:
        return 1 + len(self.members)


def members_from(section: Section, week: int) -> list[User]:
    user_ids = (
        SectionMembership.objects.filter(section=section)
        .filter(Q(to_week__isnull=True) | Q(to_week__gte=week))
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=user_ids).order_by("name", "email"))


def facilitator_removal_preview(
    *, section: Section, now: dt.datetime | None = None
) -> FacilitatorRemoval | None:
    """What ``section_facilitator_remove`` would do now (None: the section has no facilitator).
    Reads only."""
    facilitator = section.facilitator
    if facilitator is None:
        return None
    moment = now or timezone.now()
    coming = list(
        Meeting.objects.filter(section=section, starts_at__gt=moment)
        .select_related("led_by")
        .order_by("week")
    )
    return FacilitatorRemoval(
        facilitator=facilitator,
        losing=[m for m in coming if m.led_by_id in (None, facilitator.pk)],
        handed_on=[m for m in coming if m.led_by_id not in (None, facilitator.pk)],
        members=members_from(section, term_current_week(section.term)),
    )


@transaction.atomic
def section_facilitator_remove(
    *,
    section: Section,
    actor: Any,
    reason: str = "",
    expected_emails: int | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Take the facilitator off ``section`` (see the module's docstring for what stays).

    Returns whether a facilitator was removed: a second click finds none and changes nothing,
    so the emails go once. With ``expected_emails`` (the count its confirmation showed), a
    different count now is refused (``ConflictError``) and nothing is changed or sent.
    """
    moment = now or timezone.now()
    locked = Section.objects.select_for_update().select_related("term").get(pk=section.pk)
    preview = facilitator_removal_preview(section=locked, now=moment)
    if preview is None:
        return False
    if expected_emails is not None and preview.emailed != expected_emails:
        raise ConflictError(
            f"Removing the facilitator now emails {preview.emailed} "
            f"{'person' if preview.emailed == 1 else 'people'}, not the {expected_emails} you "
            "confirmed: the section's members changed since the page was shown. Nothing was "
            "changed or sent; look at the new count and confirm again."
        )
    facilitator = preview.facilitator
    meetings = Meeting.objects.filter(section=locked)
    # Started meetings name who led them, since the section will no longer say it.
    meetings.filter(starts_at__lte=moment, led_by__isnull=True).update(led_by=facilitator)
    meetings.filter(starts_at__gt=moment, led_by=facilitator).update(led_by=None)
    locked.facilitator = None
    locked.save(update_fields=["facilitator"])
    section.facilitator = None
    term = locked.term
    weeks = [meeting.week for meeting in preview.losing]
    event = audit_record(
        actor=actor,
        action="section.facilitator_removed",
        target=locked,
        term=term,
        details={
            "section": locked.name,
            "facilitator": facilitator.email,
            "weeks_without_leader": weeks,
            "members_emailed": len(preview.members),
            "reason": reason,
        },
    )
    context = {
        "term": term,
        "section": locked.name,
        "facilitator_name": facilitator.name or facilitator.email,
        "weeks": ", ".join(str(week) for week in weeks),
        "reason": reason,
        "link": settings.SITE_URL + reverse("sections:my_sections", args=[term.slug]),
    }
    email_queue_rendered(
        to=facilitator.email,
        template="sections/facilitator_removed",
        context={**context, "name": facilitator.name or facilitator.email},
        idempotency_key=f"section-facilitator-removed:{event.pk}:{facilitator.pk}",
    )
    for member in preview.members:
        email_queue_rendered(
            to=member.email,
            template="sections/facilitator_removed_member",
            context={**context, "name": member.name or member.email},
            idempotency_key=f"section-facilitator-removed:{event.pk}:{member.pk}",
        )
    return True
