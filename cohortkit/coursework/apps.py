from django.apps import AppConfig


class CourseworkConfig(AppConfig):
    name = "cohortkit.coursework"
    label = "coursework"

    def ready(self) -> None:
        from cohortkit.coursework.personal_data import register_coursework_personal_data

        register_coursework_personal_data()
