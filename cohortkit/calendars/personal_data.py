"""The calendars app's share of a person's data: their private feed, deleted on erasure."""

from __future__ import annotations

from cohortkit.calendars.models import CalendarFeed
from cohortkit.common.personal_data import (
    ErasureContext,
    PersonalDataPart,
    personal_data_part_register,
)


def _erase(context: ErasureContext) -> None:
    context.counts["calendar_feeds"] = CalendarFeed.objects.filter(user=context.user).delete()[0]


def register_calendars_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(key="calendars", models={CalendarFeed: ("user",)}, eraser=_erase)
    )
