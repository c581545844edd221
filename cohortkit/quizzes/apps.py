from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "cohortkit.quizzes"
    label = "quizzes"

    def ready(self) -> None:
        from cohortkit.quizzes.copying import register_quiz_parts

        register_quiz_parts()
