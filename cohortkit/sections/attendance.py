"""Writes of attendance: a facilitator records who came, a participant sends an apology in
advance, and the two-misses rule tells organizers and offers the participant another section.

Who may record: the section's facilitator or an organizer of the term, for the people in that
meeting (members of the section in its week, and visitors). An apology is accepted only before the
meeting starts; without a later record it counts as excused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.common.errors import ConflictError, InvalidInputError, NotAllowedError, TooLateError
from cohortkit.common.services import audit_record
from cohortkit.common.text import text_problem
from cohortkit.common.timezones import format_instant
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.programs.states import term_require_writable
from cohortkit.sections import rules
from cohortkit.sections.errors import ProblemsError
from cohortkit.sections.models import (
    Apology,
    Attendance,
    AttendanceStatus,
    Meeting,
    MissedMeetingsAlert,
    SectionMembership,
    SectionVisit,
)
from cohortkit.sections.rosters import attendance_sheet, person_zone
from cohortkit.sections.selectors import weeks_cover

MISSES_IN_A_ROW = 2


@dataclass(frozen=True)
class Mark:
    """What to record for one person: a status, and an optional note."""

    status: str
    note: str = ""


@dataclass(frozen=True)
class RecordSummary:
    recorded: int
    alerts: int


def attendance_record(
    *,
    meeting: Meeting,
    actor: Any,
    marks: Mapping[int, Mark],
    now: dt.datetime | None = None,
) -> RecordSummary:
    """Record (or correct) the status of each person in ``marks`` (user id → mark) at the meeting.

    Everyone must be in the meeting (a member of the section in that week, not away visiting, or
    a visitor) and every status known; otherwise nothing is written. After writing, the
    two-misses rule runs for everyone recorded absent.
    """
    now = now or timezone.now()
    term_require_writable(meeting.section.term)
    if not rules.can_record_attendance(actor=actor, meeting=meeting):
        raise NotAllowedError("Only this section's facilitator or an organizer records attendance.")
    if meeting.starts_at > now:
        raise ConflictError("Attendance is recorded once the meeting has started.")
    sheet = attendance_sheet(meeting=meeting)
    problems = []
    for user_id, mark in marks.items():
        row = sheet.row_for(user_id)
        if row is None:
            problems.append(f"Person {user_id} is not in this meeting.")
        elif not row.recordable:
            problems.append(f"{row.user} visits {row.away_to} this week.")
        if mark.status not in AttendanceStatus.values:
            problems.append(f"Unknown status “{mark.status}”.")
        if len(mark.note) > 300:
            problems.append("A note is at most 300 characters.")
        elif problem := text_problem(mark.note):
            problems.append(f"The note for {row.user if row else user_id}: {problem}")
    if problems:
        raise ProblemsError("Nothing was recorded.", problems)
    alerts = 0
    with transaction.atomic():
        for user_id, mark in marks.items():
            Attendance.objects.update_or_create(
                meeting=meeting,
                user_id=user_id,
                defaults={
                    "status": mark.status,
                    "note": mark.note.strip(),
                    "recorded_by": actor,
                    "recorded_at": now,
                },
            )
        audit_record(
            actor=actor,
            action="attendance.record",
            target=meeting,
            details={"marks": {str(uid): mark.status for uid, mark in marks.items()}},
        )
        for user_id, mark in marks.items():
            if mark.status == AttendanceStatus.ABSENT:
                alerts += missed_meetings_check(meeting=meeting, user_id=user_id, now=now)
    return RecordSummary(recorded=len(marks), alerts=alerts)


def apology_send(
    *, meeting: Meeting, user: User, reason: str, now: dt.datetime | None = None
) -> Apology:
    """Send apologies for a meeting the person is in, before it starts (checked here, on the
    server's clock). Sending again before the start updates the reason. The facilitator is
    emailed once."""
    now = now or timezone.now()
    reason = reason.strip()
    if len(reason) > 500:
        raise InvalidInputError(
            "Keep the reason under 500 characters.",
            field_errors={"reason": "Keep the reason under 500 characters."},
        )
    if now >= meeting.starts_at:
        raise TooLateError(
            "This meeting has already started; an apology is sent before it. "
            "Tell your facilitator directly."
        )
    row = attendance_sheet(meeting=meeting).row_for(user.pk)
    if row is None or not row.recordable:
        raise NotAllowedError("You are not in this meeting.")
    section = meeting.section
    who = user.name or user.email
    lead = section.facilitator
    with transaction.atomic():
        apology, created = Apology.objects.update_or_create(
            meeting=meeting, user=user, defaults={"reason": reason, "created_at": now}
        )
        audit_record(
            actor=user,
            action="apology.send" if created else "apology.update",
            target=meeting,
            details={"user": user.pk},
        )
        if lead is None:
            # A section without a facilitator for now: the apology waits on its attendance page.
            return apology
        email_queue_rendered(
            to=lead.email,
            template="sections/apology",
            context={
                "lead_name": lead.name or lead.email,
                "who": who,
                "person": user,
                "section": section,
                "meeting": meeting,
                "when": format_instant(meeting.starts_at, person_zone(lead)),
                "reason": reason,
                "attendance_url": settings.SITE_URL
                + reverse(
                    "sections:attendance", args=[section.term.slug, section.pk, meeting.week]
                ),
            },
            idempotency_key=f"sections:apology-meeting-{meeting.pk}-user-{user.pk}",
        )
    return apology


# The two-misses rule ------------------------------------------------------------------------


def meetings_of_person(*, term_id: int, user_id: int) -> dict[int, int]:
    """Week → the id of the meeting the person was expected at that week: their own section's,
    or the one they visited instead."""
    memberships = list(
        SectionMembership.objects.filter(section__term_id=term_id, user_id=user_id).values_list(
            "section_id", "from_week", "to_week"
        )
    )
    meetings = Meeting.objects.filter(section_id__in=[s for s, _, _ in memberships]).values_list(
        "pk", "section_id", "week"
    )
    expected: dict[int, int] = {}
    for meeting_id, section_id, week in meetings:
        for member_of, first, last in memberships:
            if member_of == section_id and weeks_cover(first, last, week):
                expected[week] = meeting_id
    for meeting_id, week in SectionVisit.objects.filter(
        term_id=term_id, user_id=user_id
    ).values_list("meeting_id", "week"):
        expected[week] = meeting_id
    return expected


def missed_runs(*, term_id: int, user_id: int) -> list[list[int]]:
    """Runs of consecutive meetings of the person recorded absent (not excused), as their week
    numbers, at least ``MISSES_IN_A_ROW`` long."""
    expected = meetings_of_person(term_id=term_id, user_id=user_id)
    statuses = dict(
        Attendance.objects.filter(user_id=user_id, meeting_id__in=expected.values()).values_list(
            "meeting_id", "status"
        )
    )
    runs: list[list[int]] = []
    current: list[int] = []
    for week in sorted(expected):
        if statuses.get(expected[week]) == AttendanceStatus.ABSENT:
            current.append(week)
            continue
        if len(current) >= MISSES_IN_A_ROW:
            runs.append(current)
        current = []
    if len(current) >= MISSES_IN_A_ROW:
        runs.append(current)
    return runs


def missed_meetings_check(*, meeting: Meeting, user_id: int, now: dt.datetime) -> int:
    """Apply the two-misses rule to one participant: for each run of two or more consecutive
    absences not yet alerted, email every organizer of the term and offer the participant a
    switch, once (a unique ``MissedMeetingsAlert`` row per run). Returns the new alerts."""
    section = meeting.section
    term = section.term
    new = 0
    for run in missed_runs(term_id=term.pk, user_id=user_id):
        try:
            with transaction.atomic():
                alert = MissedMeetingsAlert.objects.create(
                    term=term, user_id=user_id, first_week=run[0], created_at=now
                )
        except IntegrityError:
            continue
        new += 1
        person = User.objects.get(pk=user_id)
        _alert_emails(alert=alert, person=person, weeks=run, section_name=section.name)
        audit_record(
            actor=None,
            action="attendance.missed_meetings",
            target=alert,
            details={"user": user_id, "weeks": run},
        )
    return new


def _alert_emails(
    *, alert: MissedMeetingsAlert, person: User, weeks: list[int], section_name: str
) -> None:
    term = alert.term
    who = person.name or person.email
    weeks_text = ", ".join(str(week) for week in weeks)
    organizers = User.objects.filter(
        pk__in=Membership.objects.filter(term=term, role=Role.ORGANIZER).values("user_id")
    ).order_by("pk")
    for organizer in organizers:
        email_queue_rendered(
            to=organizer.email,
            template="sections/missed_meetings_organizer",
            context={
                "organizer_name": organizer.name or organizer.email,
                "who": who,
                "person": person,
                "term": term,
                "weeks": weeks,
                "weeks_text": weeks_text,
                "section_name": section_name,
            },
            idempotency_key=f"scheduling:missed-{alert.pk}:organizer-{organizer.pk}",
        )
    link = settings.SITE_URL + reverse("sections:switch", args=[term.slug])
    email_queue_rendered(
        to=person.email,
        template="sections/missed_meetings_offer",
        context={"who": who, "term": term, "weeks_text": weeks_text, "switch_url": link},
        idempotency_key=f"scheduling:missed-{alert.pk}:offer",
    )
