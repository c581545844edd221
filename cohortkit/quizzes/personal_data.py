"""The quizzes app's share of a person's data: their attempts and answers, and regrades they made.
Erasing keeps the attempts and their scores (completion counts them) and deletes the typed text
of the answers."""

from __future__ import annotations

from typing import Any

from cohortkit.common.personal_data import (
    ErasureContext,
    PersonalDataPart,
    personal_data_part_register,
    rows_where,
)
from cohortkit.quizzes.models import Attempt, AttemptAnswer, Regrade


def _extra_rows(user: Any) -> dict[str, list[dict[str, Any]]]:
    return {"quizzes.AttemptAnswer": rows_where(AttemptAnswer, attempt__user=user)}


def _erase(context: ErasureContext) -> None:
    context.counts["quiz_answer_texts"] = AttemptAnswer.objects.filter(
        attempt__user=context.user
    ).update(raw="")


def register_quizzes_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(
            key="quizzes",
            models={Attempt: ("user",), Regrade: ("actor",)},
            extra_rows=_extra_rows,
            eraser=_erase,
        )
    )
