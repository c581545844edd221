"""The coursework app's share of a person's data: due-date overrides, what they marked done, their
homework and the feedback they gave. Erasing deletes the text of their homework; the rows stay
(counted by completion) and so does feedback they gave others."""

from __future__ import annotations

from typing import Any

from cohortkit.common.personal_data import (
    ErasureContext,
    PersonalDataPart,
    personal_data_part_register,
    rows_where,
)
from cohortkit.coursework.models import (
    DueDateOverride,
    Feedback,
    ItemCompletion,
    Submission,
    SubmissionVersion,
)


def _extra_rows(user: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        "coursework.SubmissionVersion": rows_where(SubmissionVersion, submission__user=user),
        "coursework.Feedback (on your homework)": rows_where(
            Feedback, version__submission__user=user
        ),
    }


def _erase(context: ErasureContext) -> None:
    user = context.user
    context.counts["homework_texts"] = SubmissionVersion.objects.filter(
        submission__user=user
    ).update(body_markdown="", body_html="")
    Submission.objects.filter(user=user).update(draft_markdown="")


def register_coursework_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(
            key="coursework",
            models={
                DueDateOverride: ("user", "created_by"),
                ItemCompletion: ("user",),
                Submission: ("user",),
                Feedback: ("facilitator",),
            },
            extra_rows=_extra_rows,
            eraser=_erase,
        )
    )
