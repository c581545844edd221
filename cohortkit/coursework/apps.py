from django.apps import AppConfig


class CourseworkConfig(AppConfig):
    name = "cohortkit.coursework"
    label = "coursework"

    def ready(self) -> None:
        from cohortkit.coursework.due import due_at
        from cohortkit.quizzes.due import quiz_due_rule_register

        quiz_due_rule_register(lambda quiz, user: due_at(item=quiz, user=user))
        from cohortkit.coursework.personal_data import register_coursework_personal_data

        register_coursework_personal_data()
