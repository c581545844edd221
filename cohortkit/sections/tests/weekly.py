"""Builders for tests of the running term: sections with a meeting every week, and a term moved
so that a given week of it is the current one (pages read the real clock)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from cohortkit.accounts.models import Role, User
from cohortkit.common.timezones import wall_clock_to_instant
from cohortkit.programs.models import Term, Track
from cohortkit.sections.models import Meeting, Section, SectionMembership
from cohortkit.tests.factories import MembershipFactory, UserFactory


def _meeting_times(term: Term, section: Section, week: int) -> tuple[dt.datetime, dt.datetime]:
    day = term.week_starts_on(week) + dt.timedelta(days=section.weekday)
    starts_at = wall_clock_to_instant(day, section.start_time, section.time_zone)
    return starts_at, starts_at + dt.timedelta(minutes=section.duration_minutes)


def add_section(
    term: Term,
    track: Track,
    *,
    name: str,
    weekday: int = 2,
    start: dt.time = dt.time(18, 0),
    zone: str = "America/New_York",
    lead: User | None = None,
    members: Iterable[User] = (),
) -> Section:
    """A published virtual section of ``track`` with a meeting every week of the term; its
    facilitator and members get their role in the term."""
    lead = lead or UserFactory(time_zone=zone)
    MembershipFactory(term=term, user=lead, role=Role.FACILITATOR)
    section = Section.objects.create(
        term=term,
        track=track,
        name=name,
        facilitator=lead,
        meeting_url=f"https://meet.example.org/{name.lower().replace(' ', '-')}",
        weekday=weekday,
        start_time=start,
        time_zone=zone,
    )
    for week in range(1, term.week_count + 1):
        starts_at, ends_at = _meeting_times(term, section, week)
        Meeting.objects.create(section=section, week=week, starts_at=starts_at, ends_at=ends_at)
    for member in members:
        join(section, member)
    return section


def join(section: Section, user: User, from_week: int = 1) -> SectionMembership:
    if not section.term.memberships.filter(user=user, role=Role.PARTICIPANT).exists():
        MembershipFactory(term=section.term, user=user, role=Role.PARTICIPANT)
    return SectionMembership.objects.create(section=section, user=user, from_week=from_week)


def term_running_now(term: Term, *, this_week: int) -> Term:
    """Move the term (and every meeting of its sections, from their wall-clock time) so that
    ``this_week`` is the current week: earlier weeks are over, later ones ahead."""
    today = timezone.now().date()
    starts_on = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=this_week - 1)
    weeks = term.week_count
    Term.objects.filter(pk=term.pk).update(
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(weeks=weeks, days=-3),
        participant_deadline=timezone.make_aware(
            dt.datetime.combine(starts_on - dt.timedelta(days=10), dt.time(12)), dt.UTC
        ),
        facilitator_deadline=timezone.make_aware(
            dt.datetime.combine(starts_on - dt.timedelta(days=12), dt.time(12)), dt.UTC
        ),
    )
    term.refresh_from_db()
    for section in Section.objects.filter(term=term):
        for meeting in Meeting.objects.filter(section=section):
            meeting.starts_at, meeting.ends_at = _meeting_times(term, section, meeting.week)
            meeting.save(update_fields=["starts_at", "ends_at"])
    return term
