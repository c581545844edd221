"""Instants in UTC, wall-clock times with their zone, across the 2022 daylight-saving changes."""

import datetime as dt

import pytest

from cohortkit.common.timezones import (
    ANYWHERE_ON_EARTH,
    end_of_day,
    format_instant,
    humanize_duration,
    is_valid_time_zone,
    wall_clock_to_instant,
)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("America/New_York", "Wed, 21 Sep 2022, 20:00 UTC−04:00"),
        ("Europe/Berlin", "Thu, 22 Sep 2022, 02:00 UTC+02:00"),
        ("Asia/Kolkata", "Thu, 22 Sep 2022, 05:30 UTC+05:30"),
        ("Australia/Sydney", "Thu, 22 Sep 2022, 10:00 UTC+10:00"),
        ("UTC", "Thu, 22 Sep 2022, 00:00 UTC+00:00"),
    ],
)
def test_one_instant_in_each_zone_with_its_offset(zone, expected):
    instant = dt.datetime(2022, 9, 22, 0, 0, tzinfo=dt.UTC)

    assert format_instant(instant, zone) == expected


def test_a_weekly_evening_meeting_keeps_its_wall_clock_across_both_changes():
    # Mondays 18:00 in New York: the US change (Nov 6) moves the UTC instant by an hour; a
    # Berliner sees the meeting at 00:00, then 23:00 after the EU change (Oct 30), then 00:00.
    mondays = [dt.date(2022, 10, 24), dt.date(2022, 10, 31), dt.date(2022, 11, 7)]

    instants = [wall_clock_to_instant(day, dt.time(18, 0), "America/New_York") for day in mondays]

    assert [instant.hour for instant in instants] == [22, 22, 23]
    assert [format_instant(instant, "Europe/Berlin")[-15:] for instant in instants] == [
        "00:00 UTC+02:00",
        "23:00 UTC+01:00",
        "00:00 UTC+01:00",
    ]


def test_a_time_that_does_not_exist_moves_forward_like_a_phone_would():
    # 02:30 on Mar 13, 2022 never happened in New York (clocks went 02:00 → 03:00).
    instant = wall_clock_to_instant(dt.date(2022, 3, 13), dt.time(2, 30), "America/New_York")

    assert format_instant(instant, "America/New_York") == "Sun, 13 Mar 2022, 03:30 UTC−04:00"


def test_anywhere_on_earth_ends_at_noon_utc_the_next_day():
    assert end_of_day(dt.date(2022, 9, 21), ANYWHERE_ON_EARTH) == dt.datetime(
        2022, 9, 22, 12, 0, tzinfo=dt.UTC
    )


@pytest.mark.parametrize("name", ["", " UTC", "Mars/Olympus", "../etc/passwd", "EST5EDT\x00"])
def test_unknown_zone_names_are_refused(name):
    assert not is_valid_time_zone(name)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        format_instant(dt.datetime(2022, 9, 22), "UTC")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 seconds"),
        (59, "59 seconds"),
        (3600 * 26 + 60, "1 day, 2 hours"),
        (90, "1 minute, 30 seconds"),
    ],
)
def test_countdown_text(seconds, text):
    assert humanize_duration(dt.timedelta(seconds=seconds)) == text


def test_a_browser_reporting_an_old_zone_name_sees_the_current_one(client, db):
    client.cookies["tz"] = "Asia%2FCalcutta"

    html = client.get("/").content.decode()

    assert 'data-time-zone="Asia/Kolkata"' in html
