"""The rules a term's settings obey, whichever way they arrive: the settings form or a term file.

Each way first reads its own input (a form field, a YAML node) into typed values named like the
``Term`` fields; then ``term_settings_validate`` checks the rules between them, so a term the
form refuses is refused by the loader too, with the same words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from cohortkit.common.errors import InvalidInputError
from cohortkit.common.timezones import UTC, wall_clock_to_instant

DEADLINE_FIELDS = ("participant_deadline", "facilitator_deadline")
COMPLETION_FIELDS = ("completion_min_meetings", "completion_min_assignments")
SECTION_SIZE_MAX = 100
MEETING_MINUTES_MIN, MEETING_MINUTES_MAX = 15, 240


def term_week_count(starts_on: dt.date, ends_on: dt.date) -> int:
    """The number of weeks a term from ``starts_on`` to ``ends_on`` has (``Term.week_count``)."""
    return (ends_on - starts_on).days // 7 + 1


def term_opens_at(starts_on: dt.date, time_zone: str) -> dt.datetime:
    """The instant every deadline must come before: the earlier of midnight of the first day in
    the term's zone and midnight UTC, so the database's own deadline-before-start check holds
    whatever zone the term is in."""
    return min(
        wall_clock_to_instant(starts_on, dt.time(0, 0), time_zone or "UTC"),
        dt.datetime.combine(starts_on, dt.time(0, 0), tzinfo=UTC),
    )


def term_settings_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Each broken rule's field (a ``Term`` field name) and what is wrong with it.

    Values that are missing or None are not checked (their own reading has said why).
    """
    problems: dict[str, str] = {}
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    dates = (
        (starts_on, ends_on)
        if isinstance(starts_on, dt.date) and isinstance(ends_on, dt.date)
        else None
    )
    if dates is not None and dates[1] <= dates[0]:
        problems["ends_on"] = "The last day must come after the first day."

    smallest, largest = values.get("section_size_min"), values.get("section_size_max")
    for name, size in (("section_size_min", smallest), ("section_size_max", largest)):
        if isinstance(size, int) and not 1 <= size <= SECTION_SIZE_MAX:
            problems[name] = f"Use a number of people from 1 to {SECTION_SIZE_MAX}, got {size}."
    if isinstance(smallest, int) and isinstance(largest, int) and smallest > largest:
        problems.setdefault(
            "section_size_max",
            f"The largest section cannot be smaller than the smallest ({smallest}).",
        )

    minutes = values.get("meeting_minutes")
    if isinstance(minutes, int):
        if not MEETING_MINUTES_MIN <= minutes <= MEETING_MINUTES_MAX:
            problems["meeting_minutes"] = (
                f"Use {MEETING_MINUTES_MIN} to {MEETING_MINUTES_MAX} minutes, got {minutes}."
            )
        elif minutes % 15:
            problems["meeting_minutes"] = "Use a multiple of 15 minutes, e.g. 60 or 90."

    if dates is not None and dates[0] < dates[1]:
        weeks = term_week_count(*dates)
        for name in COMPLETION_FIELDS:
            count = values.get(name)
            if isinstance(count, int) and count > weeks:
                problems[name] = f"The term has only {weeks} weeks."

    if isinstance(starts_on, dt.date):
        opens_at = term_opens_at(starts_on, values.get("time_zone") or "UTC")
        for name in DEADLINE_FIELDS:
            deadline = values.get(name)
            if isinstance(deadline, dt.datetime) and deadline >= opens_at:
                problems[name] = (
                    f"must close before the term starts on {starts_on}, "
                    f"got {deadline.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
                )
    return problems


def term_settings_validate(*, values: Mapping[str, Any]) -> None:
    """Raise ``InvalidInputError`` naming every field whose value breaks a term rule."""
    problems = term_settings_problems(values)
    if problems:
        raise InvalidInputError("Please correct the term's settings.", field_errors=problems)
