from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "cohortkit.calendars"
    label = "calendars"
