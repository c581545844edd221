"""The scheduling app's share of a person's data: the scheduling runs they started. Erasing keeps
the runs (the anonymised person started them); sections and attendance are the sections app's."""

from __future__ import annotations

from cohortkit.common.personal_data import PersonalDataPart, personal_data_part_register
from cohortkit.scheduling.models import ScheduleRun


def register_scheduling_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(key="scheduling", models={ScheduleRun: ("created_by",)})
    )
