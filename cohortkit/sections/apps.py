from django.apps import AppConfig


class SectionsConfig(AppConfig):
    name = "cohortkit.sections"
    label = "sections"
