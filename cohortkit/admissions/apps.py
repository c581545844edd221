from django.apps import AppConfig


class AdmissionsConfig(AppConfig):
    name = "cohortkit.admissions"
    label = "admissions"

    def ready(self) -> None:
        from cohortkit.admissions.copying import register_admissions_parts

        register_admissions_parts()
        from cohortkit.admissions.personal_data import register_admissions_personal_data

        register_admissions_personal_data()
