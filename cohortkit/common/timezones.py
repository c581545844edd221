"""Time zone helpers: every instant is stored in UTC and shown in the viewer's zone with its offset.

Recurring wall-clock times are stored as a time plus an IANA zone and turned into instants only for
a concrete date, so a daylight-saving change inside a term lands on the right week.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.UTC

# Dates a person may enter: 9999-12-31 is a valid date, but the end of it, or any time on it west
# of UTC, is past the last instant Python represents, so applying a zone would overflow.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)

# "Anywhere on Earth": a deadline on date D closes when D has ended everywhere, i.e. at the end of
# D in UTC-12. The IANA name for UTC-12 is Etc/GMT+12 (POSIX signs are inverted).
ANYWHERE_ON_EARTH = "Etc/GMT+12"


def _tzdata_file(name: str) -> str:
    """A text file of the IANA database shipped by the ``tzdata`` package."""
    return (importlib.resources.files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8")


@cache
def all_time_zones() -> tuple[str, ...]:
    """The zones a person may choose: every current canonical IANA name, sorted, and UTC.

    Read from tzdata's ``zone1970.tab`` and ``zone.tab`` (one row per zone in current use, so
    no ``Asia/Calcutta``, ``US/Pacific`` or ``Etc/GMT+5``); both, so that a zone people know by
    their own country's city (``Europe/Oslo``) is listed too.
    """
    names = {"UTC"}
    for table in ("zone1970.tab", "zone.tab"):
        for line in _tzdata_file(table).splitlines():
            if line and not line.startswith("#"):
                names.add(line.split("\t")[2])
    return tuple(sorted(names))


# The longest IANA name is 32 characters (America/Argentina/ComodRivadavia); anything much longer
# is not a zone, and asking the file system for it fails with "File name too long".
MAX_TIME_ZONE_LENGTH = 64


@cache
def _links() -> dict[str, str]:
    """Every alias of the database (``L target alias`` lines of ``tzdata.zi``) to its target."""
    links = {}
    for line in _tzdata_file("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            links[alias] = target
    return links


def time_zone_links() -> tuple[str, ...]:
    """Every old name (alias) the database knows."""
    return tuple(_links())


@cache
def _canonical_names() -> frozenset[str]:
    return frozenset(all_time_zones())


def canonical_time_zone(name: str) -> str:
    """The current name a person chooses for ``name`` (an old alias such as ``Asia/Calcutta``
    becomes ``Asia/Kolkata``, every spelling of UTC becomes ``UTC``); a name that is not an alias
    of a listed zone comes back unchanged."""
    canonical = _canonical_names()
    seen = 0
    current = name
    while current not in canonical and current in _links() and seen < 10:
        current = _links()[current]
        seen += 1
    if current in {"Etc/UTC", "Etc/GMT"}:
        return "UTC"
    return current if current in canonical else name


def time_zone_to_store(name: str, *, allow_anywhere_on_earth: bool = False) -> str | None:
    """The canonical name to store for a zone someone entered, or None when it is none of the
    zones a person may choose (an alias is accepted and stored by its current name)."""
    if not isinstance(name, str) or len(name) > 64:
        return None
    text = name.strip()
    if allow_anywhere_on_earth and text == ANYWHERE_ON_EARTH:
        return text
    canonical = canonical_time_zone(text)
    return canonical if canonical in _canonical_names() else None


def person_time_zone(user: Any, fallback: str) -> str:
    """The zone a person works in: their profile's (by its current name), else ``fallback``."""
    stored = time_zone_to_store(getattr(user, "time_zone", "") or "")
    return stored or canonical_time_zone(fallback)


def is_valid_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA zone this machine knows; never raises, whatever it is given
    (a cookie, an answer or an API value of any length or content)."""
    if not isinstance(name, str) or not name or name != name.strip():
        return False
    if len(name) > MAX_TIME_ZONE_LENGTH or "\x00" in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, UnicodeError):
        return False
    return True


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def time_zone_label(name: str) -> str:
    """How a zone is named to a person: AoE gets its common name."""
    if name == ANYWHERE_ON_EARTH:
        return "Anywhere on Earth (UTC−12)"
    return name.replace("_", " ")


def format_offset(moment: dt.datetime) -> str:
    """``UTC+05:30`` / ``UTC−07:00`` (with a real minus sign) for an aware datetime."""
    offset = moment.utcoffset() or dt.timedelta(0)
    total_minutes = int(offset.total_seconds() // 60)
    sign = "+" if total_minutes >= 0 else "−"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def localize(instant: dt.datetime, zone_name: str) -> dt.datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetimes are not instants; attach a zone first")
    return instant.astimezone(ZoneInfo(zone_name))


def format_instant(instant: dt.datetime, zone_name: str) -> str:
    """``Wed, 21 Sep 2022, 17:00 UTC−07:00``: the instant in the zone, offset always shown."""
    local = localize(instant, zone_name)
    return f"{local:%a, %d %b %Y, %H:%M} {format_offset(local)}"


def end_of_day(date: dt.date, zone_name: str) -> dt.datetime:
    """The instant date ends in the zone (midnight that follows it), in UTC."""
    next_midnight = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0, 0))
    return next_midnight.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def wall_clock_to_instant(date: dt.date, time: dt.time, zone_name: str) -> dt.datetime:
    """A wall-clock time on a date in a zone, as a UTC instant.

    In the hour a clock skips, the time is read with the offset from before the change (fold=0),
    which moves it forward, as a person's phone would.
    """
    local = dt.datetime.combine(date, time).replace(tzinfo=ZoneInfo(zone_name))
    return local.astimezone(UTC)


def humanize_duration(delta: dt.timedelta) -> str:
    """``9 days, 4 hours`` / ``3 hours, 12 minutes`` / ``45 seconds``: for countdowns."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0 seconds"
    days, remainder = divmod(seconds, 86400)
    hours, remainder = divmod(remainder, 3600)
    minutes, seconds = divmod(remainder, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute"), (seconds, "second")]
    shown = [(value, unit) for value, unit in parts if value][:2]
    return ", ".join(f"{value} {unit}{'' if value == 1 else 's'}" for value, unit in shown)


def date_in_range(value: dt.date) -> None:
    """A form validator: refuse dates no term, deadline or due date has (and that overflow)."""
    from django.core.exceptions import ValidationError

    if isinstance(value, dt.date) and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            f"Give a date between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}.", code="date_range"
        )
