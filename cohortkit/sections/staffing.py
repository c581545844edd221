"""Giving a section without a facilitator one of the term's facilitators, by an organizer.

A section loses its facilitator when an organizer removes them (``removing.py``). Here another
facilitator of the term takes it over. Nobody can lead two meetings at once, so a candidate is
refused when a meeting they lead that is still to come overlaps a meeting of this section that is
still to come. The reason names the section, the week and the time in the organizer's zone.

The new facilitator leads the meetings to come that were not handed to someone else: an empty
``Meeting.led_by`` means the section's facilitator. Meetings that have started keep who led
them. Audited; the new facilitator and the section's members are emailed once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.common.errors import ConflictError, InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import format_instant
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.programs.selectors import term_current_week
from cohortkit.sections.models import Meeting, Section
from cohortkit.sections.removing import members_from


@dataclass(frozen=True)
class Candidate:
    """One facilitator of the term, the sections they lead now, and why they cannot take this
    section over ("" when they can)."""

    user: User
    leads: list[str]
    clash: str

    @property
    def free(self) -> bool:
        return not self.clash


def _name(user: User) -> str:
    return user.name or user.email


def facilitator_candidates(
    *, section: Section, zone_name: str, now: dt.datetime | None = None
) -> list[Candidate]:
    """Every facilitator of the section's term, by name, with what stops each from leading it
    (times in ``zone_name``). Reads only; a fixed number of queries."""
    moment = now or timezone.now()
    term = section.term
    people = list(
        User.objects.filter(
            pk__in=Membership.objects.filter(term=term, role=Role.FACILITATOR).values("user_id")
        ).order_by("name", "email")
    )
    ids = [person.pk for person in people]
    mine = list(Meeting.objects.filter(section=section, starts_at__gt=moment).order_by("week"))
    leads: dict[int, set[str]] = {pk: set() for pk in ids}
    for name, facilitator_id in Section.objects.filter(
        term=term, facilitator_id__in=ids
    ).values_list("name", "facilitator_id"):
        leads[facilitator_id].add(name)
    clashes: dict[int, str] = {}
    theirs = (
        Meeting.objects.filter(section__term=term, starts_at__gt=moment)
        .exclude(section=section)
        .select_related("section")
        .order_by("starts_at")
    )
    for meeting in theirs:
        leader = meeting.led_by_id or meeting.section.facilitator_id
        if leader not in leads or leader in clashes:
            continue
        overlapping = next(
            (
                own
                for own in mine
                if own.starts_at < meeting.ends_at and meeting.starts_at < own.ends_at
            ),
            None,
        )
        if overlapping is not None:
            clashes[leader] = (
                f"leads {meeting.section.name} in week {meeting.week}, "
                f"{format_instant(meeting.starts_at, zone_name)}, when {section.name} meets "
                f"(week {overlapping.week}, {format_instant(overlapping.starts_at, zone_name)})"
            )
    return [
        Candidate(user=person, leads=sorted(leads[person.pk]), clash=clashes.get(person.pk, ""))
        for person in people
    ]


@transaction.atomic
def section_facilitator_assign(
    *,
    section: Section,
    facilitator_id: int,
    actor: Any,
    zone_name: str = "UTC",
    now: dt.datetime | None = None,
) -> bool:
    """Make a facilitator of the term the facilitator of ``section``, which has none.

    Returns whether anything changed: choosing the person who already leads it changes nothing
    and sends nothing, so a double submit emails once. Refused, with nothing changed: someone who
    is not a facilitator of the term, someone whose meetings overlap this section's, or a section
    that has another facilitator (remove them first).
    """
    moment = now or timezone.now()
    locked = Section.objects.select_for_update().select_related("term").get(pk=section.pk)
    if locked.facilitator_id == facilitator_id:
        return False
    if locked.facilitator_id is not None:
        raise ConflictError(
            f"{locked.name} already has a facilitator; remove them first, then choose another."
        )
    candidate = next(
        (
            choice
            for choice in facilitator_candidates(section=locked, zone_name=zone_name, now=moment)
            if choice.user.pk == facilitator_id
        ),
        None,
    )
    if candidate is None:
        raise InvalidInputError(
            "Choose one of the term's facilitators.",
            field_errors={"facilitator": "Not a facilitator of this term."},
        )
    if candidate.clash:
        person = _name(candidate.user)
        raise InvalidInputError(
            f"{person} cannot lead {locked.name}: they {candidate.clash}.",
            field_errors={"facilitator": f"{person} {candidate.clash}."},
        )
    facilitator = candidate.user
    locked.facilitator = facilitator
    locked.save(update_fields=["facilitator"])
    section.facilitator = facilitator
    term = locked.term
    coming = list(
        Meeting.objects.filter(section=locked, starts_at__gt=moment, led_by__isnull=True)
        .order_by("week")
        .values_list("week", flat=True)
    )
    members = members_from(locked, term_current_week(term))
    event = audit_record(
        actor=actor,
        action="section.facilitator_assigned",
        target=locked,
        term=term,
        details={
            "section": locked.name,
            "facilitator": facilitator.email,
            "weeks": coming,
            "members_emailed": len(members),
        },
    )
    context = {
        "term": term,
        "section": locked.name,
        "facilitator_name": _name(facilitator),
        "weeks": ", ".join(str(week) for week in coming),
        "first_week": coming[0] if coming else None,
        "link": settings.SITE_URL + reverse("sections:my_sections", args=[term.slug]),
    }
    email_queue_rendered(
        to=facilitator.email,
        template="sections/facilitator_assigned",
        context={**context, "name": _name(facilitator)},
        idempotency_key=f"section-facilitator-assigned:{event.pk}:{facilitator.pk}",
    )
    for member in members:
        email_queue_rendered(
            to=member.email,
            template="sections/facilitator_assigned_member",
            context={**context, "name": _name(member)},
            idempotency_key=f"section-facilitator-assigned:{event.pk}:{member.pk}",
        )
    return True
