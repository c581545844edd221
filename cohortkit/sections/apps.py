from django.apps import AppConfig


class SectionsConfig(AppConfig):
    name = "cohortkit.sections"
    label = "sections"

    def ready(self) -> None:
        from cohortkit.sections.personal_data import register_sections_personal_data

        register_sections_personal_data()
