from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "cohortkit.calendars"
    label = "calendars"

    def ready(self) -> None:
        from cohortkit.calendars.personal_data import register_calendars_personal_data

        register_calendars_personal_data()
