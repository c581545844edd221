from django.apps import AppConfig


class CompletionConfig(AppConfig):
    name = "cohortkit.completion"
    label = "completion"
