from django.apps import AppConfig


class AdmissionsConfig(AppConfig):
    name = "cohortkit.admissions"
    label = "admissions"
