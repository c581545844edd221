from django.apps import AppConfig


class CompletionConfig(AppConfig):
    name = "cohortkit.completion"
    label = "completion"

    def ready(self) -> None:
        from cohortkit.completion.personal_data import register_completion_personal_data

        register_completion_personal_data()
