"""When a section meets: the date and the real instant of each week's meeting of the term."""

from __future__ import annotations

import datetime as dt

from cohortkit.common.timezones import wall_clock_to_instant
from cohortkit.programs.models import Term


def meeting_days(term: Term, weekday: int) -> list[tuple[int, dt.date]]:
    """The date of each week's meeting of a section that meets on ``weekday`` (Monday = 0, on
    the section's own wall clock): the first such day on or after the week's first day.

    Week N of a term is the seven days from ``starts_on + 7 × (N − 1)``, so in a term that
    starts on a Wednesday a Monday section first meets on the Monday five days later, inside
    week 1, never before the term; a week whose day would fall after ``ends_on`` (a short last
    week) has no meeting for that section.
    """
    days = []
    for week in range(1, term.week_count + 1):
        first = term.week_starts_on(week)
        day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
        if term.starts_on <= day <= term.ends_on:
            days.append((week, day))
    return days


def meeting_starts(
    term: Term, weekday: int, start: dt.time, zone: str
) -> list[tuple[int, dt.datetime]]:
    """Each week's meeting of a section at ``weekday`` ``start`` in ``zone``, as a UTC instant
    (see :func:`meeting_days`); a daylight-saving change moves the instant, not the local time."""
    return [
        (week, wall_clock_to_instant(day, start, zone)) for week, day in meeting_days(term, weekday)
    ]
