"""Counts per week: attendance (present / present or absent) and submissions (handed in / due)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cohortkit.coursework.overview.queries import LATE, MISSING, ON_TIME
from cohortkit.programs.models import Track
from cohortkit.sections.models import AttendanceStatus, Section


@dataclass
class AttendanceCount:
    present: int = 0
    absent: int = 0
    excused: int = 0
    unrecorded: int = 0

    def add(self, status: str) -> None:
        if status == AttendanceStatus.PRESENT:
            self.present += 1
        elif status == AttendanceStatus.ABSENT:
            self.absent += 1
        elif status == AttendanceStatus.EXCUSED:
            self.excused += 1

    @property
    def recorded(self) -> int:
        return self.present + self.absent + self.excused

    @property
    def counted(self) -> int:
        """Present or absent: the rate's denominator (excused people are outside it)."""
        return self.present + self.absent

    @property
    def rate(self) -> float | None:
        return self.present / self.counted if self.counted else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


@dataclass
class SubmissionCount:
    on_time: int = 0
    late: int = 0
    missing: int = 0

    def add(self, status: str) -> None:
        if status == ON_TIME:
            self.on_time += 1
        elif status == LATE:
            self.late += 1
        elif status == MISSING:
            self.missing += 1

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def rate(self) -> float | None:
        return (self.on_time + self.late) / self.due if self.due else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


@dataclass
class WeekRates:
    week: int
    attendance: AttendanceCount = field(default_factory=AttendanceCount)
    submissions: SubmissionCount = field(default_factory=SubmissionCount)


@dataclass
class RatesRow:
    """One track, or one section, week by week."""

    label: str
    track: Track
    section: Section | None
    weeks: list[WeekRates]

    def week(self, number: int) -> WeekRates:
        return self.weeks[number - 1]
