"""Reasons for the unplaced that an organizer can act on.

Each reason names the first obstacle found, from the most basic (no meeting-length block of
availability at all) to the most specific (the sections that person could join are full), so the
organizer knows whether to ask the person for more availability, recruit a facilitator, or allow
larger sections.
"""

from __future__ import annotations

from cohortkit.scheduling.solver.availability import bits, start_mask
from cohortkit.scheduling.solver.model import Instance, Participant, Section, Venue


def _venue_words(venue: Venue) -> str:
    return "virtual" if venue is None else f"in person at {venue}"


def _venue_sections(venues: tuple[Venue, ...]) -> str:
    return " or ".join(
        "virtual sections" if venue is None else f"in-person sections at {venue}"
        for venue in venues
    )


def _times(instance: Instance, starts: list[int], limit: int = 3) -> str:
    shown = ", ".join(instance.describe_slot(start) for start in starts[:limit])
    return shown + (f" and {len(starts) - limit} more" if len(starts) > limit else "")


def unplaced_reasons(
    instance: Instance, sections: list[Section], unplaced: list[Participant]
) -> dict[str, str]:
    """A reason for each person in ``unplaced``, given the final ``sections``."""
    week, meeting = instance.slots_per_week, instance.meeting_slots
    meeting_minutes = meeting * instance.slot_minutes
    facilitator_starts = {
        person.id: start_mask(person.available, week, meeting) for person in instance.facilitators
    }
    sections_led: dict[str, int] = {}
    for section in sections:
        sections_led[section.facilitator] = sections_led.get(section.facilitator, 0) + 1

    reasons: dict[str, str] = {}
    for person in unplaced:
        person_starts = start_mask(person.available, week, meeting)
        venues = person.venues()
        venue_text = " or ".join(_venue_words(venue) for venue in venues)
        if not person_starts:
            reasons[person.id] = (
                f"{person.id}'s availability has no block of {meeting_minutes} minutes; "
                f"ask them for a longer window"
            )
            continue
        of_track = [f for f in instance.facilitators if person.track in f.tracks]
        if not of_track:
            reasons[person.id] = f"no facilitator leads track {person.track}"
            continue
        right_venue = [f for f in of_track if set(f.venues()) & set(venues)]
        if not right_venue:
            reasons[person.id] = (
                f"no facilitator of track {person.track} leads {_venue_sections(venues)}"
            )
            continue
        meeting_together = [
            f for f in right_venue if facilitator_starts[f.id] & person_starts and f.max_sections
        ]
        if not meeting_together:
            reasons[person.id] = (
                f"no facilitator of track {person.track} is available when {person.id} is"
                + ("" if len(venues) > 1 or venues[0] is None else f" ({venue_text})")
            )
            continue
        joinable = [
            section
            for section in sections
            if section.track == person.track
            and section.location in venues
            and person_starts >> section.start & 1
        ]
        if joinable:
            reasons[person.id] = (
                f"the sections {person.id} could join are full "
                f"({_times(instance, sorted({section.start for section in joinable}))}); "
                f"a larger maximum size or another facilitator then would help"
            )
            continue
        busy = [f for f in meeting_together if sections_led.get(f.id, 0) >= f.max_sections]
        if len(busy) == len(meeting_together):
            names = ", ".join(f.id for f in busy[:5]) + (" ..." if len(busy) > 5 else "")
            reasons[person.id] = (
                f"the facilitators of track {person.track} available when {person.id} is "
                f"({names}) already lead their maximum number of sections"
            )
            continue
        shared = sorted(
            {
                start
                for f in meeting_together
                for start in bits(facilitator_starts[f.id] & person_starts)
            }
        )
        reasons[person.id] = (
            f"too few people of track {person.track} ({venue_text}) share a time with "
            f"{person.id} and a free facilitator to reach the minimum section size of "
            f"{instance.section_min} ({_times(instance, shared)})"
        )
    return reasons
