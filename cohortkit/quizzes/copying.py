"""The quiz questions part of running a term again (see cohortkit.programs.copying)."""

from __future__ import annotations

from cohortkit.programs.copying import CopyContext, CopyPart, clone, term_copy_part_register
from cohortkit.quizzes.models import Question


def _copy_questions(context: CopyContext) -> int:
    questions = (
        Question.objects.filter(quiz__week__term=context.source)
        .prefetch_related("accepted_answers", "choices", "accepted_texts")
        .order_by("quiz_id", "position", "id")
    )
    count = 0
    for question in questions:
        new_quiz = context.copied[("programs.quiz", question.quiz_id)]
        new_question = clone(question, quiz=new_quiz)
        for related in ("accepted_answers", "choices", "accepted_texts"):
            for row in getattr(question, related).all():
                clone(row, question=new_question)
        count += 1
    return count


def register_quiz_parts() -> None:
    term_copy_part_register(
        CopyPart(
            key="quiz_questions",
            label="Quiz questions and their answers",
            copier=_copy_questions,
            order=30,
            needs=("curriculum",),
        )
    )
