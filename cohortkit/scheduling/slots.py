"""Wall-clock time in a zone ↔ the solver's UTC slots of one reference week, and back to instants.

Availability and a section's weekly time are wall-clock times in a person's zone. The solver works
in slots of one concrete reference week (slot 0 = Monday 00:00 UTC of ``monday``); each weekday of
a person's availability is read on the real date of that week, with ``zoneinfo``. A section's
meetings are expanded week by week from its wall-clock time and zone, so a daylight-saving change
inside the term moves the UTC instant, never the local time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from cohortkit.common.timezones import UTC, wall_clock_to_instant

MINUTES_PER_DAY = 24 * 60
SlotRange = tuple[int, int]


def reference_monday(day: dt.date) -> dt.date:
    """The Monday on or before ``day``: the date whose 00:00 UTC is slot 0."""
    return day - dt.timedelta(days=day.weekday())


def week_origin(monday: dt.date) -> dt.datetime:
    return dt.datetime.combine(monday, dt.time(0, 0), tzinfo=UTC)


def wall_instant(day: dt.date, minute_of_day: int, zone_name: str) -> dt.datetime:
    """``minute_of_day`` (0..1440) on ``day`` in the zone, as a UTC instant (1440 = next 00:00)."""
    day = day + dt.timedelta(days=minute_of_day // MINUTES_PER_DAY)
    minute_of_day %= MINUTES_PER_DAY
    return wall_clock_to_instant(day, dt.time(minute_of_day // 60, minute_of_day % 60), zone_name)


def _merge(ranges: Iterable[SlotRange]) -> tuple[SlotRange, ...]:
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def local_intervals_to_slots(
    intervals: Sequence[Sequence[int]], zone_name: str, monday: dt.date, slot_minutes: int
) -> tuple[SlotRange, ...]:
    """``[[weekday, start_minute, end_minute], …]`` in the zone → merged UTC slot ranges.

    Weekday ``d`` is read on the date ``monday + d``. A range that crosses the end of the UTC week
    wraps to its start. In a zone whose offset is not a whole number of slots (Asia/Kathmandu),
    only the slots entirely inside the person's interval are kept.
    """
    week = 7 * MINUTES_PER_DAY // slot_minutes
    origin = week_origin(monday)
    ranges: list[SlotRange] = []
    for weekday, start_minute, end_minute in intervals:
        day = monday + dt.timedelta(days=int(weekday))
        start = wall_instant(day, int(start_minute), zone_name) - origin
        end = wall_instant(day, int(end_minute), zone_name) - origin
        start_slot = -(-int(start.total_seconds()) // (60 * slot_minutes))
        end_slot = int(end.total_seconds()) // (60 * slot_minutes)
        if end_slot <= start_slot:
            continue
        length = end_slot - start_slot
        if length >= week:
            return ((0, week),)
        first = start_slot % week
        if first + length <= week:
            ranges.append((first, first + length))
        else:
            ranges.extend([(first, week), (0, first + length - week)])
    return _merge(ranges)


def slot_instant(slot: int, monday: dt.date, slot_minutes: int) -> dt.datetime:
    return week_origin(monday) + dt.timedelta(minutes=slot * slot_minutes)


def slot_to_wall_clock(
    slot: int, zone_name: str, monday: dt.date, slot_minutes: int
) -> tuple[int, dt.time]:
    """The weekday (Monday = 0) and wall-clock time of a slot of the reference week in a zone."""
    local = slot_instant(slot, monday, slot_minutes).astimezone(ZoneInfo(zone_name))
    return local.weekday(), local.time().replace(tzinfo=None)


def wall_clock_to_slot(
    weekday: int, start: dt.time, zone_name: str, monday: dt.date, slot_minutes: int
) -> int:
    """The slot of the reference week at which this weekday and time in the zone falls.

    Raises ``ValueError`` when the time is not on a slot boundary in UTC.
    """
    instant = wall_instant(
        monday + dt.timedelta(days=weekday), start.hour * 60 + start.minute, zone_name
    )
    minutes = int((instant - week_origin(monday)).total_seconds()) // 60
    if minutes % slot_minutes:
        raise ValueError(
            f"{start:%H:%M} in {zone_name} does not start on a {slot_minutes}-minute slot"
        )
    return (minutes // slot_minutes) % (7 * MINUTES_PER_DAY // slot_minutes)


def weekly_start(week_monday: dt.date, weekday: int, start: dt.time, zone_name: str) -> dt.datetime:
    """The UTC instant of the weekly time in the week that starts on ``week_monday``."""
    return wall_instant(
        week_monday + dt.timedelta(days=weekday), start.hour * 60 + start.minute, zone_name
    )


def available_local_half_hours(
    ranges: Iterable[SlotRange], zone_name: str, monday: dt.date, slot_minutes: int
) -> set[tuple[int, int]]:
    """The (weekday, minute of day) starts of every slot in ``ranges``, on the wall clock of the
    zone in the reference week: the person's own availability read back from UTC slots."""
    return {
        local_slot_key(slot_instant(slot, monday, slot_minutes), zone_name, slot_minutes)
        for start, end in ranges
        for slot in range(start, end)
    }


def local_slot_key(instant: dt.datetime, zone_name: str, slot_minutes: int) -> tuple[int, int]:
    local = instant.astimezone(ZoneInfo(zone_name))
    minute = local.hour * 60 + local.minute
    return local.weekday(), minute - minute % slot_minutes
