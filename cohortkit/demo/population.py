"""A synthetic, reproducible population of applicants for the demo. Pure Python, no Django.

People live in real places (US, Europe, India, East Asia, Australia) and give their weekly
availability as wall-clock intervals in their own zone, mostly evenings and weekends, as people
with day jobs and classes do. The same seed always gives the same people, so loading the demo
twice finds the same accounts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

WorkEligibility = Literal["yes", "international_student", "no"]
Attendance = Literal["virtual", "in_person"]
Kind = Literal["participant", "facilitator"]

# Weekday numbers as in datetime.date.weekday(): 0 is Monday.
AvailabilityInterval = tuple[int, str, str]


@dataclass(frozen=True)
class University:
    name: str
    time_zone: str


# Universities that host in-person sections in the demo.
UNIVERSITIES: tuple[University, ...] = (
    University("UC Berkeley", "America/Los_Angeles"),
    University("Stanford University", "America/Los_Angeles"),
    University("MIT", "America/New_York"),
    University("University of Toronto", "America/Toronto"),
    University("University of Oxford", "Europe/London"),
    University("ETH Zürich", "Europe/Zurich"),
    University("National University of Singapore", "Asia/Singapore"),
)


@dataclass(frozen=True)
class Place:
    time_zone: str
    in_us: bool
    weight: int


PLACES: tuple[Place, ...] = (
    Place("America/Los_Angeles", in_us=True, weight=22),
    Place("America/Denver", in_us=True, weight=3),
    Place("America/Chicago", in_us=True, weight=6),
    Place("America/New_York", in_us=True, weight=18),
    Place("America/Toronto", in_us=False, weight=5),
    Place("Europe/London", in_us=False, weight=9),
    Place("Europe/Berlin", in_us=False, weight=5),
    Place("Europe/Zurich", in_us=False, weight=3),
    Place("Europe/Paris", in_us=False, weight=3),
    Place("Europe/Warsaw", in_us=False, weight=2),
    Place("Asia/Kolkata", in_us=False, weight=8),
    Place("Asia/Singapore", in_us=False, weight=4),
    Place("Asia/Shanghai", in_us=False, weight=3),
    Place("Asia/Tokyo", in_us=False, weight=2),
    Place("Asia/Seoul", in_us=False, weight=2),
    Place("Australia/Sydney", in_us=False, weight=3),
    Place("Australia/Melbourne", in_us=False, weight=2),
)

FIRST_NAMES = (
    "Aarav", "Abebe", "Ada", "Aisha", "Akira", "Alejandro", "Amara", "Ana", "Anders", "Ananya",
    "Arjun", "Ben", "Carlos", "Chen", "Chloe", "Daniel", "Diego", "Elena", "Emeka", "Emma",
    "Fatima", "Felix", "Grace", "Hana", "Hiroshi", "Ines", "Isaac", "Ivan", "Jae-won", "Jamal",
    "Jia", "Jonas", "Julia", "Kavya", "Kenji", "Lars", "Leila", "Liam", "Lucia", "Maya",
    "Mei", "Mohammed", "Nadia", "Naveen", "Noah", "Olivia", "Omar", "Priya", "Rahul", "Rosa",
    "Sam", "Sara", "Sofia", "Sven", "Tariq", "Thomas", "Wei", "Yara", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Andersson", "Bauer", "Chen", "Costa", "Das", "Dubois", "Fischer", "Garcia",
    "Gupta", "Hansen", "Ito", "Iyer", "Jensen", "Kim", "Kowalski", "Kumar", "Lee", "Li",
    "Lopez", "Martin", "Mehta", "Moreau", "Müller", "Nakamura", "Nguyen", "Novak", "Okafor",
    "Park", "Patel", "Rossi", "Sato", "Schmidt", "Shah", "Silva", "Singh", "Smith", "Tanaka",
    "Taylor", "Wang", "Weber", "Williams", "Wong", "Yamamoto", "Zhang",
)  # fmt: skip

# Typical blocks of free time, in the person's own zone.
WEEKDAY_EVENINGS = (("17:30", "19:30"), ("18:00", "21:00"), ("19:00", "22:00"), ("20:00", "22:30"))
WEEKEND_BLOCKS = (("09:00", "12:00"), ("10:00", "13:00"), ("13:00", "17:00"), ("15:00", "19:00"))
WEEKDAY_DAYTIME = (("12:00", "13:00"), ("08:00", "09:30"), ("14:00", "17:00"))


@dataclass(frozen=True)
class DemoApplicant:
    """One synthetic person applying to the current term, as a participant or a facilitator."""

    kind: Kind
    name: str
    email: str
    time_zone: str
    preferred_track: Literal["intro", "advanced"]
    attendance: Attendance
    university: str | None
    is_student: bool
    us_work_eligibility: WorkEligibility
    availability: tuple[AvailabilityInterval, ...]


def _availability(
    randomizer: random.Random, *, is_student: bool
) -> tuple[AvailabilityInterval, ...]:
    """A week of free time: some weekday evenings, a weekend block or two, rarely a daytime."""
    intervals: list[AvailabilityInterval] = []
    for weekday in sorted(randomizer.sample(range(5), k=randomizer.randint(2, 4))):
        start, end = randomizer.choice(WEEKDAY_EVENINGS)
        intervals.append((weekday, start, end))
    for weekday in sorted(randomizer.sample((5, 6), k=randomizer.randint(0, 2))):
        start, end = randomizer.choice(WEEKEND_BLOCKS)
        intervals.append((weekday, start, end))
    # Students and some others can meet in the day too; most people with jobs cannot.
    if randomizer.random() < (0.5 if is_student else 0.15):
        weekday = randomizer.randrange(5)
        start, end = randomizer.choice(WEEKDAY_DAYTIME)
        intervals.append((weekday, start, end))
    return tuple(sorted(intervals))


def _person(
    randomizer: random.Random, *, kind: Kind, number: int, used_emails: set[str]
) -> DemoApplicant:
    first, last = randomizer.choice(FIRST_NAMES), randomizer.choice(LAST_NAMES)
    email_name = f"{first}.{last}".lower().replace("ü", "u").replace("-", "")
    email = f"{email_name}@example.net"
    if email in used_emails:
        email = f"{email_name}.{number}@example.net"
    used_emails.add(email)

    place = randomizer.choices(PLACES, weights=[place.weight for place in PLACES])[0]
    nearby = [university for university in UNIVERSITIES if university.time_zone == place.time_zone]
    is_student = randomizer.random() < (0.6 if kind == "participant" else 0.45)
    university = None
    attendance: Attendance = "virtual"
    if nearby and randomizer.random() < (0.55 if is_student else 0.2):
        university = randomizer.choice(nearby).name
        attendance = "in_person" if randomizer.random() < 0.6 else "virtual"

    eligibility: WorkEligibility
    if place.in_us:
        eligibility = "international_student" if is_student and randomizer.random() < 0.3 else "yes"
    else:
        eligibility = "yes" if randomizer.random() < 0.05 else "no"

    advanced_share = 0.35 if kind == "participant" else 0.6
    return DemoApplicant(
        kind=kind,
        name=f"{first} {last}",
        email=email,
        time_zone=place.time_zone,
        preferred_track="advanced" if randomizer.random() < advanced_share else "intro",
        attendance=attendance,
        university=university,
        is_student=is_student,
        us_work_eligibility=eligibility,
        availability=_availability(randomizer, is_student=is_student),
    )


def demo_population_generate(
    *, seed: int = 2022, participants: int = 320, facilitators: int = 36
) -> list[DemoApplicant]:
    """``participants`` participant applicants, then ``facilitators`` facilitator applicants.

    Deterministic for a seed; every email is unique and ends in ``@example.net``.
    """
    randomizer = random.Random(seed)
    used_emails: set[str] = set()
    people = [
        _person(randomizer, kind="participant", number=number, used_emails=used_emails)
        for number in range(1, participants + 1)
    ]
    people += [
        _person(
            randomizer, kind="facilitator", number=participants + number, used_emails=used_emails
        )
        for number in range(1, facilitators + 1)
    ]
    return people
