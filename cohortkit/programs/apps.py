from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "cohortkit.programs"
    label = "programs"
