from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "cohortkit.quizzes"
    label = "quizzes"

    def ready(self) -> None:
        from cohortkit.quizzes.copying import register_quiz_parts

        register_quiz_parts()
        from cohortkit.quizzes.personal_data import register_quizzes_personal_data

        register_quizzes_personal_data()
