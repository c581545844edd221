"""Loading application forms from a file: YAML mapping each kind to title, introduction, questions.

A question may carry ``shown_when: {question: mode, answer: [in_person, either]}``: it is asked
only when the earlier choice, multiple-choice or yes/no question ``mode`` has one of those answers
(``answer`` may be one value).

Loading again replaces the questions of a form that has no applications yet; a form that already
has applications keeps its questions (answers point at them) and the load is refused for it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.db import transaction

from cohortkit.admissions.conditions import CONTROLLING_TYPES
from cohortkit.admissions.models import ApplicationForm, ApplicationKind, FormQuestion, QuestionType
from cohortkit.common.errors import InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.programs.models import Term

QUESTION_KEYS = {
    "key",
    "label",
    "type",
    "required",
    "help_text",
    "visible_to_reviewers",
    "choices",
    "word_limit",
    "min_value",
    "max_value",
    "step",
    "shown_when",
}
SHOWN_WHEN_KEYS = {"question", "answer"}


class FormSpecError(InvalidInputError):
    """The file is wrong; ``messages`` names every bad field (one line each)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _decimal(value: Any, where: str, errors: list[str]) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        errors.append(f"{where}: {value!r} is not a number")
        return None


def _check_question(index: int, kind: str, item: Any, errors: list[str]) -> dict[str, Any] | None:
    where = f"{kind}.questions[{index}]"
    if not isinstance(item, dict):
        errors.append(f"{where}: must be a mapping with key, label and type")
        return None
    unknown = sorted(set(item) - QUESTION_KEYS)
    if unknown:
        errors.append(f"{where}: unknown field {', '.join(unknown)}")
    for required in ("key", "label", "type"):
        if not isinstance(item.get(required), str) or not item.get(required):
            errors.append(f"{where}.{required}: required text")
    if item.get("type") and item["type"] not in QuestionType.values:
        errors.append(
            f"{where}.type: {item['type']!r} is not one of {', '.join(QuestionType.values)}"
        )
    choices = item.get("choices", [])
    if item.get("type") in {QuestionType.CHOICE, QuestionType.MULTI_CHOICE} and not choices:
        errors.append(f"{where}.choices: a choice question needs choices")
    for choice_index, choice in enumerate(choices):
        if not (isinstance(choice, dict) and {"value", "label"} <= set(choice)):
            errors.append(f"{where}.choices[{choice_index}]: needs a value and a label")
    low = _decimal(item.get("min_value"), f"{where}.min_value", errors)
    high = _decimal(item.get("max_value"), f"{where}.max_value", errors)
    step = _decimal(item.get("step"), f"{where}.step", errors)
    if low is not None and high is not None and low > high:
        errors.append(f"{where}.max_value: must not be below min_value")
    if step is not None and step <= 0:
        errors.append(f"{where}.step: must be above zero")
    return {
        "key": item.get("key"),
        "label": item.get("label"),
        "type": item.get("type"),
        "required": bool(item.get("required", True)),
        "help_text": item.get("help_text", "") or "",
        "visible_to_reviewers": bool(item.get("visible_to_reviewers", True)),
        "choices": [
            {"value": str(c["value"]), "label": str(c["label"])}
            for c in choices
            if isinstance(c, dict) and {"value", "label"} <= set(c)
        ],
        "word_limit": item.get("word_limit"),
        "min_value": low,
        "max_value": high,
        "step": step,
        "shown_when_key": "",
        "shown_when_answers": [],
    }


def _shown_when_values(question: dict[str, Any]) -> set[str]:
    if question["type"] == QuestionType.YES_NO:
        return {"yes", "no"}
    return {choice["value"] for choice in question["choices"]}


def _check_shown_when(
    kind: str, questions: list[dict[str, Any]], items: list[Any], errors: list[str]
) -> None:
    """Read every question's ``shown_when`` into its two fields: the rule must name an earlier
    choice, multiple-choice or yes/no question and answers it offers."""
    earlier: dict[str, dict[str, Any]] = {}
    for index, (question, item) in enumerate(zip(questions, items, strict=True)):
        rule = item.get("shown_when")
        where = f"{kind}.questions[{index}].shown_when"
        if rule is not None:
            _read_shown_when(question, rule, where, earlier, errors)
        earlier[question["key"]] = question


def _read_shown_when(
    question: dict[str, Any],
    rule: Any,
    where: str,
    earlier: dict[str, dict[str, Any]],
    errors: list[str],
) -> None:
    if not isinstance(rule, dict) or set(rule) != SHOWN_WHEN_KEYS:
        errors.append(f"{where}: write it as {{question: KEY, answer: [VALUE, …]}}")
        return
    key = rule["question"]
    answers = rule["answer"] if isinstance(rule["answer"], list) else [rule["answer"]]
    answers = ["yes" if a is True else "no" if a is False else str(a) for a in answers]
    controller = earlier.get(key) if isinstance(key, str) else None
    if controller is None:
        errors.append(f"{where}.question: {key!r} is not a question before this one")
        return
    if controller["type"] not in {c.value for c in CONTROLLING_TYPES}:
        errors.append(
            f"{where}.question: {key!r} must be a choice, multiple-choice or yes/no question"
        )
        return
    offered = _shown_when_values(controller)
    unknown = [answer for answer in answers if answer not in offered]
    if not answers or unknown:
        errors.append(
            f"{where}.answer: {', '.join(map(repr, unknown)) or 'nothing'} is not an answer "
            f"{key!r} offers ({', '.join(sorted(offered))})"
        )
        return
    question["shown_when_key"] = key
    question["shown_when_answers"] = answers


@transaction.atomic
def application_forms_load(*, term: Term, text: str, actor: Any = None) -> list[ApplicationForm]:
    """Create or replace the term's application forms from YAML; all or nothing."""
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise FormSpecError([f"not valid YAML: {error}"]) from error
    if not isinstance(spec, dict):
        raise FormSpecError(["the file must map participant/facilitator to a form"])
    errors: list[str] = []
    unknown_kinds = sorted(set(spec) - set(ApplicationKind.values))
    if unknown_kinds:
        errors.append(f"unknown form kind {', '.join(map(str, unknown_kinds))}")
    planned: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for kind in ApplicationKind.values:
        if kind not in spec:
            continue
        body = spec[kind]
        if not isinstance(body, dict) or not isinstance(body.get("questions"), list):
            errors.append(f"{kind}: needs a title and a list of questions")
            continue
        checked_items = [
            (checked, item)
            for index, item in enumerate(body["questions"])
            if (checked := _check_question(index, kind, item, errors)) is not None
        ]
        questions = [question for question, _ in checked_items]
        _check_shown_when(kind, questions, [item for _, item in checked_items], errors)
        keys = [question["key"] for question in questions]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            errors.append(f"{kind}.questions: duplicate key {', '.join(duplicates)}")
        planned[kind] = (body, questions)
    for kind in planned:
        existing = ApplicationForm.objects.filter(term=term, kind=kind).first()
        if existing is not None and existing.applications.exists():
            errors.append(
                f"{kind}: the form already has applications; its questions stay as they are"
            )
    if errors:
        raise FormSpecError(errors)
    forms = []
    for kind, (body, questions) in planned.items():
        form, _ = ApplicationForm.objects.update_or_create(
            term=term,
            kind=kind,
            defaults={
                "title": str(body.get("title") or f"{kind.capitalize()} application"),
                "introduction": str(body.get("introduction") or ""),
            },
        )
        form.questions.all().delete()
        FormQuestion.objects.bulk_create(
            FormQuestion(form=form, position=position, **question)
            for position, question in enumerate(questions)
        )
        audit_record(actor=actor, action="application_form.loaded", target=form)
        forms.append(form)
    return forms
