from typing import Any

from django.apps import AppConfig


def _term_rule_follows_settings(*, term: Any, actor: Any) -> None:
    """The completion numbers of the term settings are the term-wide rule's: a new version of
    the rule when they changed."""
    from cohortkit.completion.services import completion_rule_set

    completion_rule_set(
        term=term,
        actor=actor,
        values={
            "min_meetings": term.completion_min_meetings,
            "min_assignments": term.completion_min_assignments,
        },
    )


class CompletionConfig(AppConfig):
    name = "cohortkit.completion"
    label = "completion"

    def ready(self) -> None:
        from cohortkit.programs.services import term_settings_listener_register

        term_settings_listener_register(_term_rule_follows_settings)
        from cohortkit.completion.personal_data import register_completion_personal_data

        register_completion_personal_data()
