from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "cohortkit.quizzes"
    label = "quizzes"
