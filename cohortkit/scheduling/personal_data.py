"""The scheduling app's share of a person's data: sections, meetings they led, attendance,
apologies, visits and alerts. Erasing keeps every row (attendance counts and rosters stay, with
the anonymised person) and deletes the reasons they wrote in their apologies."""

from __future__ import annotations

from cohortkit.common.personal_data import (
    ErasureContext,
    PersonalDataPart,
    personal_data_part_register,
)
from cohortkit.scheduling.models import (
    Apology,
    Attendance,
    Meeting,
    MissedMeetingsAlert,
    ScheduleRun,
    Section,
    SectionMembership,
    SectionVisit,
)


def _erase(context: ErasureContext) -> None:
    context.counts["apology_reasons"] = Apology.objects.filter(user=context.user).update(reason="")


def register_scheduling_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(
            key="scheduling",
            models={
                ScheduleRun: ("created_by",),
                Section: ("facilitator",),
                SectionMembership: ("user",),
                Meeting: ("led_by",),
                Attendance: ("user", "recorded_by"),
                Apology: ("user",),
                SectionVisit: ("user",),
                MissedMeetingsAlert: ("user",),
            },
            eraser=_erase,
        )
    )
