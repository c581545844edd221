"""Moving a participant to another section: permanently from a week on, or for one week.

Either is allowed only into a section of the same term and track, with room (fewer people that
week than the term's ``section_size_max``), whose meeting the person can make: the meeting falls
inside the availability they gave in their participant application, read on their own wall clock
in the zone they gave there. Someone who gave no availability may move anywhere with room, and
is told that nobody checked the time. A permanent switch keeps history: the current membership
ends at week N−1 and a new one starts at week N.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.common.errors import ConflictError, InvalidInputError, NotAllowedError
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import format_instant, time_zone_label
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.programs.models import Term
from cohortkit.sections.errors import ProblemsError
from cohortkit.sections.models import Meeting, Section, SectionMembership, SectionVisit
from cohortkit.sections.rosters import person_zone, seats_taken
from cohortkit.sections.selectors import (
    Availability,
    covers_week,
    person_availability,
    weeks_cover,
)

MINUTES_PER_DAY = 24 * 60


# Where the person is -------------------------------------------------------------------------


def home_membership(*, term: Term, user: Any, week: int) -> SectionMembership | None:
    """The membership that puts the person in a section of the term in ``week``."""
    return (
        SectionMembership.objects.filter(covers_week(week), section__term=term, user=user)
        .select_related("section__track")
        .first()
    )


@dataclass
class Option:
    """A section the person might move to, and whether (and why not) they can."""

    section: Section
    meeting: Meeting | None
    seats: int
    fits: bool | None  # None: no availability to check against
    local_time: str
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.reasons


def _check(
    *,
    section: Section,
    meetings: Sequence[Meeting],
    weeks: Sequence[int],
    availability: Availability | None,
    viewer_zone: str,
    now: dt.datetime,
) -> Option:
    """Room in every week of ``weeks`` and the time of the first of them; later weeks whose time
    moved out of the availability (a daylight-saving change) become notes, not refusals."""
    by_week = {meeting.week: meeting for meeting in meetings}
    first = by_week.get(weeks[0]) if weeks else None
    reasons: list[str] = []
    notes: list[str] = []
    seats = seats_taken(section=section, weeks=weeks)
    limit = section.term.section_size_max
    full = [week for week in weeks if seats.taken(week) >= limit]
    if first is None:
        reasons.append(f"{section.name} has no meeting in week {weeks[0] if weeks else '?'}.")
    elif first.starts_at <= now:
        reasons.append(f"{section.name}'s week {first.week} meeting has already started.")
    if full:
        listed = ", ".join(str(week) for week in full)
        reasons.append(
            f"{section.name} is full (the term's maximum is {limit}) in week"
            f"{'s' if len(full) > 1 else ''} {listed}."
        )
    fits: bool | None = None
    if availability is not None and first is not None:
        fits = availability.can_make(first.starts_at, first.ends_at)
        if not fits:
            local = format_instant(first.starts_at, availability.zone)
            reasons.append(
                f"{section.name} meets at {local}, outside the times you said you can make "
                f"({time_zone_label(availability.zone)})."
            )
        else:
            for week in weeks[1:]:
                later = by_week.get(week)
                if later and not availability.can_make(later.starts_at, later.ends_at):
                    notes.append(
                        f"In week {week} it meets at "
                        f"{format_instant(later.starts_at, availability.zone)} (a clock change), "
                        "outside your usual times."
                    )
    elif availability is None:
        notes.append("You gave no availability, so nobody checked that you can make this time.")
    return Option(
        section=section,
        meeting=first,
        seats=seats.taken(weeks[0]) if weeks else 0,
        fits=fits,
        local_time=format_instant(first.starts_at, viewer_zone) if first else "",
        reasons=reasons,
        notes=notes,
    )


def _candidates(*, term: Term, home: SectionMembership) -> list[Section]:
    return list(
        Section.objects.filter(term=term, track_id=home.section.track_id)
        .exclude(pk=home.section_id)
        .select_related("track", "facilitator", "term")
        .prefetch_related("meetings")
    )


@dataclass
class SwitchOptions:
    home: SectionMembership | None
    week: int  # the first week a change can apply to
    weeks: list[int]  # the weeks a permanent switch may start from
    availability: Availability | None
    visits: list[Option]  # for ``week`` only
    switches: list[Option]  # from ``week`` on

    @property
    def refused(self) -> list[tuple[str, Option]]:
        """Every option the person cannot take, with what it was for."""
        return [(f"Week {self.week} only", o) for o in self.visits if not o.allowed] + [
            ("For good", o) for o in self.switches if not o.allowed
        ]


def switch_options(
    *, term: Term, user: Any, viewer_zone: str, now: dt.datetime | None = None
) -> SwitchOptions:
    """The sections of the person's track they could visit in the first week whose meeting is
    still ahead of them, or move to from that week on, each with its reasons if not."""
    now = now or timezone.now()
    week = _first_open_week(term=term, user=user, now=now)
    home = home_membership(term=term, user=user, week=week) if week else None
    availability = person_availability(term=term, user=user)
    if week is None or home is None:
        return SwitchOptions(home, week or term.week_count, [], availability, [], [])
    visits, switches = [], []
    for section in _candidates(term=term, home=home):
        meetings = list(section.meetings.all())
        visits.append(
            _check(
                section=section,
                meetings=meetings,
                weeks=[week],
                availability=availability,
                viewer_zone=viewer_zone,
                now=now,
            )
        )
        switches.append(
            _check(
                section=section,
                meetings=meetings,
                weeks=list(range(week, term.week_count + 1)),
                availability=availability,
                viewer_zone=viewer_zone,
                now=now,
            )
        )
    return SwitchOptions(
        home=home,
        week=week,
        weeks=list(range(week, term.week_count + 1)),
        availability=availability,
        visits=visits,
        switches=switches,
    )


def _first_open_week(*, term: Term, user: Any, now: dt.datetime) -> int | None:
    """The first week whose meeting in the person's own section has not started yet."""
    memberships = list(
        SectionMembership.objects.filter(section__term=term, user=user).values_list(
            "section_id", "from_week", "to_week"
        )
    )
    upcoming = Meeting.objects.filter(
        section_id__in=[section_id for section_id, _, _ in memberships], starts_at__gt=now
    ).order_by("week", "starts_at")
    for meeting in upcoming:
        if any(
            section_id == meeting.section_id and weeks_cover(first, last, meeting.week)
            for section_id, first, last in memberships
        ):
            return meeting.week
    return None


# Writes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoveResult:
    section: Section
    week: int
    notes: tuple[str, ...]


def _validate_move(
    *, user: User, to_section: Section, weeks: list[int], now: dt.datetime
) -> tuple[SectionMembership, Option]:
    term = to_section.term
    if not weeks or not 1 <= weeks[0] <= term.week_count:
        raise InvalidInputError(
            "Choose a week of the term.", field_errors={"from_week": "Choose a week of the term."}
        )
    home = home_membership(term=term, user=user, week=weeks[0])
    if home is None:
        raise NotAllowedError(f"You are not in a section of {term.name} in week {weeks[0]}.")
    if home.section.term_id != to_section.term_id:
        raise InvalidInputError("You can only move to a section of the same term.")
    if home.section_id == to_section.pk:
        raise ConflictError(f"You are already in {to_section.name}.")
    if home.section.track_id != to_section.track_id:
        raise InvalidInputError(f"{to_section.name} is not a section of your track.")
    own = Meeting.objects.filter(section_id=home.section_id, week=weeks[0]).first()
    if own is not None and own.starts_at <= now:
        raise ConflictError(
            f"Your own section's week {weeks[0]} meeting has already started; choose a later week."
        )
    option = _check(
        section=to_section,
        meetings=list(to_section.meetings.all()),
        weeks=weeks,
        availability=person_availability(term=term, user=user),
        viewer_zone=person_zone(user, term.time_zone),
        now=now,
    )
    if option.reasons:
        raise ProblemsError(option.reasons[0], option.reasons)
    return home, option


def _lock(section: Section) -> Section:
    """Lock the target section's row so two moves into its last seat are taken one at a time."""
    return Section.objects.select_for_update().select_related("term", "track").get(pk=section.pk)


def section_switch(
    *, user: User, to_section: Section, from_week: int, now: dt.datetime | None = None
) -> MoveResult:
    """Move the person to ``to_section`` from ``from_week`` on, for good: their current
    membership ends at week ``from_week − 1`` (or is removed if it had not started yet) and a new
    one starts at ``from_week``. Refused, with every reason, into a section of another term or
    track, without room in any week from then on, or at a time they cannot make."""
    now = now or timezone.now()
    with transaction.atomic():
        to_section = _lock(to_section)
        weeks = list(range(from_week, to_section.term.week_count + 1))
        home, option = _validate_move(user=user, to_section=to_section, weeks=weeks, now=now)
        previous = home.section
        if home.from_week >= from_week:
            home.delete()
        else:
            home.to_week = from_week - 1
            home.save(update_fields=["to_week"])
        SectionMembership.objects.create(section=to_section, user=user, from_week=from_week)
        # A visit to the new section from then on is simply attending it now.
        SectionVisit.objects.filter(
            user=user, meeting__section=to_section, week__gte=from_week
        ).delete()
        audit_record(
            actor=user,
            action="section.switch",
            target=to_section,
            details={"user": user.pk, "from_section": previous.pk, "from_week": from_week},
        )
        _tell_facilitators(
            user=user,
            previous=previous,
            to_section=to_section,
            text=f"from week {from_week} on",
            key=f"switch-{user.pk}-{to_section.pk}-{from_week}",
        )
    return MoveResult(to_section, from_week, tuple(option.notes))


def section_visit(*, user: User, meeting: Meeting, now: dt.datetime | None = None) -> MoveResult:
    """Let the person attend ``meeting`` of another section instead of their own, for that
    week only; the same rules as a switch, for that one week. A second visit in the same week
    replaces the first."""
    now = now or timezone.now()
    with transaction.atomic():
        to_section = _lock(meeting.section)
        home, option = _validate_move(
            user=user, to_section=to_section, weeks=[meeting.week], now=now
        )
        SectionVisit.objects.filter(user=user, term=to_section.term, week=meeting.week).delete()
        SectionVisit.objects.create(
            user=user, meeting=meeting, term=to_section.term, week=meeting.week, created_at=now
        )
        audit_record(
            actor=user,
            action="section.visit",
            target=meeting,
            details={"user": user.pk, "from_section": home.section_id},
        )
        _tell_facilitators(
            user=user,
            previous=home.section,
            to_section=to_section,
            text=f"for week {meeting.week} only",
            key=f"visit-{user.pk}-{meeting.pk}",
        )
    return MoveResult(to_section, meeting.week, tuple(option.notes))


def _tell_facilitators(
    *, user: User, previous: Section, to_section: Section, text: str, key: str
) -> None:
    who = f"{user.name or user.email} <{user.email}>"
    for role, lead, line in (
        ("from", previous.facilitator, f"{who} moves from {previous.name} to {to_section.name}"),
        ("to", to_section.facilitator, f"{who} joins {to_section.name}, from {previous.name}"),
    ):
        if lead is None:
            continue  # a section without a facilitator for now: nobody to tell
        email_queue_rendered(
            to=lead.email,
            template="sections/section_change",
            context={
                "person_name": user.name or user.email,
                "lead_name": lead.name or lead.email,
                "line": line,
                "text": text,
            },
            idempotency_key=f"scheduling:{key}:{role}-lead-{lead.pk}",
        )
