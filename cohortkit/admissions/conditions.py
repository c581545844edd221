"""Conditional questions: which questions of a form a person is asked, given their answers.

A question may be shown only when an earlier choice, multiple-choice or yes/no question has one
of some answers ("At which university?" only when "In person" is chosen). The page, the API and
the services all ask :func:`shown_question_keys`, so the rule that hides a question on the page is
the one that decides, on the server, that it is not required and that its answer is not kept.

Pure functions of the questions and the raw text, like ``answers.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cohortkit.admissions.answers import NO, YES
from cohortkit.admissions.models import FormQuestion, QuestionType

CONTROLLING_TYPES = {QuestionType.CHOICE, QuestionType.MULTI_CHOICE, QuestionType.YES_NO}


def answer_values(question: FormQuestion, raw: str) -> set[str]:
    """The values a raw answer picks, as a rule names them: the chosen value(s), or "yes"/"no"."""
    text = raw.strip()
    if not text:
        return set()
    if question.type == QuestionType.MULTI_CHOICE:
        return {line.strip() for line in text.split("\n") if line.strip()}
    if question.type == QuestionType.YES_NO:
        lowered = text.lower()
        return {"yes"} if lowered in YES else {"no"} if lowered in NO else set()
    return {text}


def shown_question_keys(questions: Iterable[FormQuestion], raw: Mapping[str, str]) -> set[str]:
    """The keys of the questions a person with these raw answers is asked, in form order.

    A question whose controlling question is itself not shown is not shown either (its answer
    there would be dropped, so it cannot count), and a rule naming a question that does not come
    earlier hides nothing it cannot see (the loader refuses such rules).
    """
    shown: set[str] = set()
    by_key: dict[str, FormQuestion] = {}
    for question in questions:
        by_key[question.key] = question
        if not question.shown_when_key:
            shown.add(question.key)
            continue
        controller = by_key.get(question.shown_when_key)
        if controller is None or controller.key not in shown:
            continue
        picked = answer_values(controller, raw.get(controller.key, ""))
        if picked & {str(value) for value in question.shown_when_answers}:
            shown.add(question.key)
    return shown


def shown_when_text(question: FormQuestion, questions: Iterable[FormQuestion]) -> str:
    """What a person reads when the page cannot hide the question itself (no JavaScript):
    ``Only if you answered “In person” or “Either” above.``"""
    controller = next((q for q in questions if q.key == question.shown_when_key), None)
    if controller is None:
        return ""
    if controller.type == QuestionType.YES_NO:
        labels = {"yes": "Yes", "no": "No"}
    else:
        labels = {str(choice["value"]): str(choice["label"]) for choice in controller.choices}
    names = [f"“{labels.get(str(value), str(value))}”" for value in question.shown_when_answers]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}"
    return f"Only if you answered {listed} to “{controller.label}”."
