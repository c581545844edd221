from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "cohortkit.scheduling"
    label = "scheduling"
