from django.apps import AppConfig


class CourseworkConfig(AppConfig):
    name = "cohortkit.coursework"
    label = "coursework"
