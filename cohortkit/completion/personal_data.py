"""The completion app's share of a person's data: overrides, completions and feedback answers.
Erasing keeps completions (what was earned) and deletes the text of their feedback answers."""

from __future__ import annotations

from typing import Any

from cohortkit.common.personal_data import (
    ErasureContext,
    PersonalDataPart,
    personal_data_part_register,
    rows_where,
)
from cohortkit.completion.models import (
    Completion,
    CompletionOverride,
    CompletionRule,
    FeedbackAnswer,
    FeedbackResponse,
)


def _extra_rows(user: Any) -> dict[str, list[dict[str, Any]]]:
    return {"completion.FeedbackAnswer": rows_where(FeedbackAnswer, response__user=user)}


def _erase(context: ErasureContext) -> None:
    context.counts["feedback_answer_texts"] = FeedbackAnswer.objects.filter(
        response__user=context.user
    ).update(raw="")


def register_completion_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(
            key="completion",
            models={
                CompletionRule: ("created_by",),
                CompletionOverride: ("user", "created_by"),
                Completion: ("user", "confirmed_by"),
                FeedbackResponse: ("user",),
            },
            extra_rows=_extra_rows,
            eraser=_erase,
        )
    )
