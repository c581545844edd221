from django.apps import AppConfig


class AdmissionsConfig(AppConfig):
    name = "cohortkit.admissions"
    label = "admissions"

    def ready(self) -> None:
        from cohortkit.admissions.copying import register_admissions_parts

        register_admissions_parts()
