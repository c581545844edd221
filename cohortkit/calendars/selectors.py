"""Reads for a person's calendar feed: their meetings and their own due dates, as events.

A meeting is the real UTC instant of that week's ``Meeting`` (so a daylight-saving change inside
the term is right for everyone, wherever they are); a due date is what the one due-date rule
(``due_dates_for``, ``due_at`` for many items) says for the person, so a personal or section
extension moves the event. The query count does not grow with the number of meetings or items.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import Q
from django.utils import timezone

from cohortkit.accounts.models import Role
from cohortkit.calendars.models import CalendarFeed
from cohortkit.coursework.due import due_dates_for, item_key
from cohortkit.programs.models import Assignment, Quiz, Term, Track
from cohortkit.sections.ics import CalendarEvent, calendar_text
from cohortkit.sections.models import Meeting, Section, SectionMembership
from cohortkit.sections.rosters import person_meetings

# How often a subscribed calendar app should fetch the feed again.
REFRESH_INTERVAL = dt.timedelta(hours=1)

DUE_SOURCE_TEXT = {
    "term": "the term's due date",
    "section": "your section's due date",
    "personal extension": "your personal extension",
}


def token_digest(token: str) -> str:
    """What is stored of a feed token: its SHA-256, so the database never holds the URL."""
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_of(*, user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_owner(*, token: str) -> Any | None:
    """The active person whose current feed token this is, or None (unknown or reset token)."""
    if not token:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_digest(token), user__is_active=True)
        .first()
    )
    return feed.user if feed is not None else None


def _venue(section: Section) -> str:
    """Where to go: the join link of a virtual section, or the university and room."""
    if section.is_virtual:
        return section.meeting_url
    return ", ".join(part for part in (section.location, section.room) if part)


def _person(user: Any) -> str:
    return str(user.name or user.email)


def _meetings(user: Any) -> tuple[list[Meeting], set[int]]:
    """The person's meetings, and which of them are one-week visits.

    Those they lead, and those they attend as a participant: their section's for each week
    their membership covers, or the one they visit instead that week
    (``sections.rosters.person_meetings``, the same answer as the week page gives).
    """
    attended = person_meetings(user=user)
    visited = {item.meeting.pk for item in attended if item.visit}
    led = (
        Meeting.objects.filter(section__facilitator=user)
        .exclude(pk__in=[item.meeting.pk for item in attended])
        .select_related("section__track", "section__facilitator", "section__term__program")
    )
    meetings = [item.meeting for item in attended] + list(led)
    return sorted(meetings, key=lambda meeting: (meeting.starts_at, meeting.pk)), visited


def _meeting_event(meeting: Meeting, user: Any, *, visit: bool) -> CalendarEvent:
    section = meeting.section
    leads = section.facilitator_id == user.pk
    details = [
        str(section.term),
        (
            f"You lead this {section.track.name} discussion."
            if leads
            else f"{section.track.name} discussion led by {_person(section.facilitator)}."
        ),
    ]
    if visit and not leads:
        details.append(f"You visit this section for week {meeting.week} only.")
    if section.is_virtual and section.meeting_url:
        details.append(f"Join: {section.meeting_url}")
    return CalendarEvent(
        # The same UID as the invitation in the publish email, so both name one event.
        uid=f"meeting-{meeting.pk}@cohortkit",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=f"{section.name}: week {meeting.week} discussion",
        description="\n".join(details),
        location=_venue(section),
        url=section.meeting_url,
    )


def participant_track(*, term: Term, user: Any) -> Track | None:
    """The participant's track: their confirmed enrollment's, else their latest section's."""
    from cohortkit.admissions.models import Enrollment, EnrollmentRole, EnrollmentStatus

    enrollment = (
        Enrollment.objects.filter(
            term=term,
            user=user,
            role=EnrollmentRole.PARTICIPANT,
            status=EnrollmentStatus.CONFIRMED,
            track__isnull=False,
        )
        .select_related("track")
        .first()
    )
    if enrollment is not None:
        return enrollment.track
    membership = (
        SectionMembership.objects.filter(user=user, section__term=term)
        .select_related("section__track")
        .order_by("-from_week", "-id")
        .first()
    )
    return membership.section.track if membership is not None else None


def _items_of_track(model: type[Assignment] | type[Quiz], term: Term, track: Track | None) -> Any:
    """The term's items a track sees: its own and those not limited to any track."""
    for_everyone = Q(tracks__isnull=True)
    seen = for_everyone | Q(tracks=track) if track is not None else for_everyone
    return (
        model.objects.filter(seen, week__term=term)
        .select_related("week__term__program")
        .distinct()
        .order_by("week__number", "position", "id")
    )


def _due_events(user: Any) -> list[CalendarEvent]:
    """The person's due dates for assignments and quizzes in every term they participate in."""
    items: list[Assignment | Quiz] = []
    terms = Term.objects.filter(memberships__user=user, memberships__role=Role.PARTICIPANT)
    for term in terms.distinct():
        track = participant_track(term=term, user=user)
        items += _items_of_track(Assignment, term, track)
        items += _items_of_track(Quiz, term, track)
    due_dates = due_dates_for(items=items, user=user)
    events = []
    for item in items:
        kind, pk = item_key(item)
        due = due_dates[(kind, pk)]
        week = item.week
        events.append(
            CalendarEvent(
                uid=f"{kind}-{pk}-due-{user.pk}@cohortkit",
                starts_at=due.instant,
                ends_at=None,
                summary=f"{'Due' if kind == 'assignment' else 'Quiz due'}: {item.title}",
                description=(
                    f"{week.term}, week {week.number}: {week.title}\n"
                    f"Due date: {DUE_SOURCE_TEXT.get(due.source, due.source)}."
                ),
            )
        )
    return events


def calendar_events(*, user: Any) -> list[CalendarEvent]:
    """Every event of the person's feed, in time order."""
    meetings, visited = _meetings(user)
    events = [_meeting_event(meeting, user, visit=meeting.pk in visited) for meeting in meetings]
    events += _due_events(user)
    return sorted(events, key=lambda event: (event.starts_at, event.uid))


def calendar_feed_text(*, user: Any, stamp: dt.datetime | None = None) -> str:
    """The person's feed as iCalendar text: the web feed and the export command both print it."""
    return calendar_text(
        calendar_events(user=user),
        stamp=stamp or timezone.now(),
        name=f"{_person(user)}: meetings and due dates",
        refresh_interval=REFRESH_INTERVAL,
    )
