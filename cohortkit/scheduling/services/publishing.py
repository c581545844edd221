"""Publishing a run: its sections (with a meeting every week) and memberships are created
through ``cohortkit.sections``, each member and facilitator is emailed once
(``emails/scheduling/section_placed``) with a calendar invitation.

Publishing cannot surprise: :func:`run_publish_preview` says how many people will be emailed,
renders one of the emails and what cannot be undone; :func:`run_publish` counts again and is
refused (nothing written, nothing sent) when the count is not the one the organizer confirmed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.accounts.services import membership_grant
from cohortkit.common.errors import ConflictError, InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import format_instant, time_zone_label
from cohortkit.notifications.emails import RenderedEmail, email_queue_rendered, email_render
from cohortkit.programs.models import Term, Track
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.people import SOURCE_LABELS
from cohortkit.scheduling.selectors.daylight_saving import section_wall_clock
from cohortkit.scheduling.selectors.instances import (
    run_instance,
)
from cohortkit.scheduling.selectors.placements import (
    new_members_of,
    no_longer_of_term,
    placements_of,
    run_unknown_ids,
)
from cohortkit.scheduling.selectors.staleness import run_is_empty, run_staleness
from cohortkit.scheduling.solver import parse_solution, validate_solution
from cohortkit.sections.errors import ProblemsError
from cohortkit.sections.ics import CalendarEvent, calendar_text
from cohortkit.sections.models import Meeting, Section
from cohortkit.sections.services import memberships_add, section_create

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class PublishSummary:
    sections_created: int
    sections_kept: int
    memberships_created: int
    emails_queued: int


@dataclass(frozen=True)
class PublishPreview:
    """What publishing would do, computed when the confirmation is shown."""

    emails: int
    sections_new: int
    sections_kept: int
    new_members: int
    example_to: str
    example: RenderedEmail | None


@dataclass
class _Example:
    to: str = ""
    email: RenderedEmail | None = None


class _PreviewDoneError(Exception):
    """Ends the rehearsal of a publish after its first email, so all of it is rolled back."""


def _venue_text(section: Section) -> str:
    if section.is_virtual:
        return (
            f"Online: {section.meeting_url}" if section.meeting_url else "Online (the link follows)"
        )
    room = f", {section.room}" if section.room else ""
    return f"In person at {section.location}{room}"


def section_email_context(
    *, section: Section, person: User, zone: str, meetings: Sequence[Meeting], role: str
) -> dict[str, Any]:
    """What the email telling one member (or the facilitator) about their section shows
    (``emails/scheduling/section_placed``), times in their zone, with the .ics invitation."""
    track = section.track
    facilitator = section.facilitator
    # Published sections are made with their facilitator; one removed later is emailed no more.
    lead_name = (facilitator.name or facilitator.email) if facilitator else "no facilitator yet"
    first = meetings[0]
    local_first = first.starts_at.astimezone(ZoneInfo(zone))
    events = [
        CalendarEvent(
            uid=f"meeting-{meeting.pk}@cohortkit",
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            summary=f"{section.name}: week {meeting.week} discussion",
            description=f"{track.name} discussion led by {lead_name}",
            location=section.location if not section.is_virtual else section.meeting_url,
            url=section.meeting_url,
        )
        for meeting in meetings
    ]
    return {
        "person_name": person.name or person.email,
        "role": role,
        "section": section,
        "term": section.term,
        "track": track,
        "facilitator": facilitator,
        "facilitator_name": lead_name,
        "weekday": WEEKDAY_NAMES[local_first.weekday()],
        "local_time": f"{local_first:%H:%M}",
        "zone_label": time_zone_label(zone),
        "first_meeting": format_instant(first.starts_at, zone),
        "venue": _venue_text(section),
        "meetings": [(m.week, format_instant(m.starts_at, zone)) for m in meetings],
        "calendar": calendar_text(events, stamp=timezone.now(), name=section.name),
    }


def _next_names(term: Term) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for track_slug in Section.objects.filter(term=term).values_list("track__slug", flat=True):
        counts[track_slug] += 1
    return counts


def run_publish_preview(*, run: ScheduleRun) -> PublishPreview:
    """How many people publishing ``run`` would email, one of those emails rendered exactly as
    it would be sent, and how many sections and new members it would make; refused for the
    same reasons as :func:`run_publish`. Publishing is rehearsed up to its first email in a
    transaction that is rolled back: nothing is kept and nothing is sent."""
    example = _Example()
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            _publish(run=run, actor=None, grant_roles=True, example=example, counts=counts)
            raise _PreviewDoneError  # nobody to email: roll back all the same
    except _PreviewDoneError:
        pass
    return PublishPreview(
        emails=counts["emails"],
        sections_new=counts["sections_new"],
        sections_kept=counts["sections_kept"],
        new_members=counts["new_members"],
        example_to=example.to,
        example=example.email,
    )


def run_publish(
    *,
    run: ScheduleRun,
    actor: Any,
    grant_roles: bool = False,
    expected_emails: int | None = None,
) -> PublishSummary:
    """Create the run's sections with a membership per participant and a meeting per week of
    the term (real UTC instants from the section's wall-clock time and zone), and email each
    member and facilitator once. Sections already published (locked in the run) are kept and
    only get their new members.

    Only people of the term are placed: a run naming anyone else (an imported instance's
    unknown ids) or someone who has since left the term is refused, nothing saved. Placing
    someone who holds no role in the term yet (sections formed from applications or from offers
    not yet confirmed) makes them a member of it; that happens only with ``grant_roles``, the
    organizer's explicit consent, and is refused with the list of those people otherwise.

    ``expected_emails`` is the count the organizer confirmed (``run_publish_preview``): when
    the people to email are no longer that many, publishing is refused with a
    :class:`ConflictError` and nothing is written or sent.
    """
    with transaction.atomic():
        summary = _publish(
            run=run, actor=actor, grant_roles=grant_roles, expected_emails=expected_emails
        )
    return summary


def _publish(
    *,
    run: ScheduleRun,
    actor: Any,
    grant_roles: bool,
    expected_emails: int | None = None,
    example: _Example | None = None,
    counts: dict[str, int] | None = None,
) -> PublishSummary:
    """Publish ``run`` within the caller's transaction; with ``example``, a rehearsal: the
    counts are written to ``counts``, the first email is rendered into ``example`` instead of
    being queued, and :class:`_PreviewDoneError` ends it (the caller rolls it all back)."""
    run = ScheduleRun.objects.select_for_update().select_related("term").get(pk=run.pk)
    term = run.term
    if not run.has_plan:
        raise ConflictError("Only a finished run can be published.")
    if run.published_at is not None:
        raise ConflictError("This run is already published.")
    instance = run_instance(run)
    solution = parse_solution(run.solution)
    problems = validate_solution(instance, solution)
    if problems:
        raise ProblemsError("The solution breaks a rule; fix it before publishing.", problems)
    unknown = run_unknown_ids(run)
    if unknown:
        raise ProblemsError(
            f"{len(unknown)} ids in this run are not people of {term.name}, so it cannot be "
            "published; nobody was matched to an account. Form sections from the term's "
            "own people instead.",
            [f"unknown id {person_id}" for person_id in unknown[:50]],
        )
    if run_is_empty(run):
        raise ConflictError(
            "This run placed nobody, so there is nothing to publish. Check which people it "
            f"used ({SOURCE_LABELS.get(run.source, run.source)}) and form sections again."
        )
    stale = run_staleness(run=run)
    if stale:
        raise ProblemsError(
            "The term changed since this run was built, so it was not published; form "
            "sections again to plan with the people as they are now.",
            stale,
        )
    gone = no_longer_of_term(run, term, solution)
    if gone:
        raise ProblemsError(
            f"Some people in this run are no longer people of {term.name} (withdrawn, "
            "declined or lapsed); form sections again.",
            [f"{person_id} is no longer in the term" for person_id in gone[:50]],
        )
    tracks = {track.slug: track for track in Track.objects.filter(term=term)}
    missing_tracks = sorted({s.track for s in solution.sections} - set(tracks))
    if missing_tracks:
        raise InvalidInputError(f"Unknown tracks: {', '.join(missing_tracks)}")
    placements = placements_of(run, term, solution)
    new_members = new_members_of(run, term, solution, placements)
    if new_members and not grant_roles:
        raise ProblemsError(
            f"{len(new_members)} people in these sections are not yet accepted members of "
            f"{term.name}; publishing makes them participants or facilitators of the term. "
            "Tick the box to agree, then publish.",
            [f"{member.user.name or member.user.email} ({member.role})" for member in new_members],
        )
    emails_due = sum(len(placement.new_people) for placement in placements)
    if counts is not None:
        counts |= {
            "emails": emails_due,
            "sections_new": sum(1 for p in placements if p.existing is None),
            "sections_kept": sum(1 for p in placements if p.existing is not None),
            "new_members": len(new_members),
        }
    if expected_emails is not None and expected_emails != emails_due:
        raise ConflictError(
            f"Publishing now emails {emails_due} "
            f"{'person' if emails_due == 1 else 'people'}, not the {expected_emails} you "
            "confirmed: the sections or their people changed since the page was shown. "
            "Nothing was published or sent; look at the new count and confirm again."
        )
    users = User.objects.in_bulk(list(run.people.values()))
    zones = {person.id: person.timezone for person in instance.participants}
    zones |= {person.id: person.timezone for person in instance.facilitators}
    counts = _next_names(term)
    created = kept = memberships = emails = 0
    for placement in placements:
        solved, section, new_people = placement.solved, placement.existing, placement.new_people
        track = tracks[solved.track]
        if section is None:
            weekday, start, zone = section_wall_clock(instance, solved, term, run.week_monday)
            counts[solved.track] += 1
            section = section_create(
                term=term,
                track=track,
                name=f"{track.name} {counts[solved.track]}",
                facilitator=users[run.people[solved.facilitator]],
                location=solved.location or "",
                weekday=weekday,
                start_time=start,
                time_zone=zone,
                duration_minutes=term.meeting_minutes,
                created_from=run,
            )
            created += 1
        else:
            kept += 1
        joining = [p for p in new_people if p != solved.facilitator]
        memberships_add(section=section, users=[users[run.people[p]] for p in joining])
        memberships += len(joining)
        section.track = track
        meetings = list(section.meetings.all())
        for person_id in new_people:
            person = users[run.people[person_id]]
            zone = zones.get(person_id) or person.time_zone or term.time_zone
            role = "facilitator" if person_id == solved.facilitator else "participant"
            # Those without the role yet were listed to the organizer, who agreed.
            membership_grant(term=term, user=person, role=role, actor=actor)
            context = section_email_context(
                section=section, person=person, zone=zone, meetings=meetings, role=role
            )
            if example is not None:
                example.to = person.email
                example.email = email_render(template="scheduling/section_placed", context=context)
                raise _PreviewDoneError
            email_queue_rendered(
                to=person.email,
                template="scheduling/section_placed",
                context=context,
                idempotency_key=f"scheduling:section-{section.pk}:user-{person.pk}",
            )
            emails += 1
    run.published_at = timezone.now()
    run.save(update_fields=["published_at"])
    summary = PublishSummary(created, kept, memberships, emails)
    audit_record(
        actor=actor,
        action="schedule_run.publish",
        target=run,
        details={**summary.__dict__, "roles_granted": [m.id for m in new_members]},
    )
    return summary
