from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "cohortkit.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from cohortkit.scheduling.personal_data import register_scheduling_personal_data

        register_scheduling_personal_data()
