"""The sections app's share of a person's data: sections they lead, memberships, meetings they
led, attendance, apologies, visits and alerts. Erasing keeps every row (attendance counts and
rosters stay, with the anonymised person) and deletes the reasons they wrote in their apologies."""

from __future__ import annotations

from cohortkit.common.personal_data import (
    ErasureContext,
    PersonalDataPart,
    personal_data_part_register,
)
from cohortkit.sections.models import (
    Apology,
    Attendance,
    Meeting,
    MissedMeetingsAlert,
    Section,
    SectionMembership,
    SectionVisit,
)


def _erase(context: ErasureContext) -> None:
    context.counts["apology_reasons"] = Apology.objects.filter(user=context.user).update(reason="")


def register_sections_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(
            key="sections",
            models={
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
