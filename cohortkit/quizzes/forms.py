"""Reading a quiz page's POST, and the organizer's question forms.

Every number field is ``type="text" inputmode="decimal"`` and read by the shared number rule in
the term's format: a browser's ``type=number`` refuses forms the rule accepts (``−1,5e3``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict

from cohortkit.common.numbers import NumberError, format_number, parse_number
from cohortkit.quizzes.grading import NumberKey, TextKey
from cohortkit.quizzes.models import Question, QuestionKind, ToleranceKind
from cohortkit.quizzes.services import MAX_POINTS, ChoiceInput
from cohortkit.quizzes.services import answer_field_name as _field_name

NUMBER_WIDGET_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "class": "number"}


def answer_field_name(question: Question) -> str:
    return _field_name(question.pk)


def answers_from_post(data: QueryDict, questions: Iterable[Question]) -> dict[int, str]:
    """The raw text of each question's answer in the POST (a question absent counts as blank)."""
    return {
        question.pk: str(data.get(answer_field_name(question), ""))[:500] for question in questions
    }


class NumberField(forms.CharField):
    """A number typed the way the term writes numbers, cleaned to a ``Decimal``."""

    widget = forms.TextInput(attrs=NUMBER_WIDGET_ATTRS)

    def __init__(self, *, number_format: str = "point", **kwargs: Any) -> None:
        self.number_format = number_format
        kwargs.setdefault("max_length", 60)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format_number(value, number_format=self.number_format)
        return value

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_number(text, number_format=self.number_format)
        except NumberError as error:
            raise forms.ValidationError(str(error)) from error


class NewQuestionForm(forms.Form):
    kind = forms.ChoiceField(choices=QuestionKind.choices, label="Kind")
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Question")
    points = forms.IntegerField(min_value=0, max_value=MAX_POINTS, initial=1, label="Points")


class QuestionForm(forms.Form):
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Question")
    points = forms.IntegerField(min_value=0, max_value=MAX_POINTS, label="Points")


class NumberKeyForm(forms.Form):
    """One accepted number of a numeric question, with its own tolerance."""

    def __init__(self, *args: Any, number_format: str = "point", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"] = NumberField(
            number_format=number_format, label="Accepted number", required=False
        )
        self.fields["tolerance"] = NumberField(
            number_format=number_format, label="Tolerance", required=False
        )
        self.fields["tolerance_kind"] = forms.ChoiceField(
            choices=ToleranceKind.choices, label="Kind of tolerance"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tolerance = data.get("tolerance")
        if tolerance is not None and tolerance < 0:
            self.add_error("tolerance", "A tolerance cannot be negative.")
        if data.get("value") is None and tolerance:
            self.add_error("value", "Give the accepted number for this tolerance.")
        return data

    def key(self) -> NumberKey | None:
        data = self.cleaned_data
        if data.get("DELETE") or data.get("value") is None:
            return None
        return NumberKey(
            value=data["value"],
            tolerance=data.get("tolerance") or Decimal(0),
            tolerance_kind=data["tolerance_kind"],
        )


class ChoiceForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(max_length=500, required=False, label="Choice")
    correct = forms.BooleanField(required=False, label="Correct")

    def choice(self) -> ChoiceInput | None:
        data = self.cleaned_data
        if data.get("DELETE") or not (data.get("text") or "").strip():
            return None
        return ChoiceInput(text=data["text"], correct=data["correct"], id=data.get("id"))


class TextKeyForm(forms.Form):
    text = forms.CharField(max_length=300, required=False, label="Accepted answer")
    case_sensitive = forms.BooleanField(required=False, label="Case must match")

    def key(self) -> TextKey | None:
        data = self.cleaned_data
        if data.get("DELETE") or not (data.get("text") or "").strip():
            return None
        return TextKey(text=data["text"], case_sensitive=data["case_sensitive"])


NumberKeyFormSet = forms.formset_factory(NumberKeyForm, extra=1, can_delete=True, max_num=20)
ChoiceFormSet = forms.formset_factory(ChoiceForm, extra=2, can_delete=True, max_num=20)
TextKeyFormSet = forms.formset_factory(TextKeyForm, extra=1, can_delete=True, max_num=20)


class QuestionEditor:
    """The forms of one question on the organizer's page: prompt and points, and its keys."""

    def __init__(
        self, question: Question, *, number_format: str, data: QueryDict | None = None
    ) -> None:
        self.question = question
        prefix = f"q{question.pk}"
        self.form = QuestionForm(
            data,
            prefix=prefix,
            initial={"prompt": question.prompt, "points": question.points},
        )
        self.keys: forms.BaseFormSet[Any]
        keys_prefix = f"{prefix}-keys"
        if question.kind == QuestionKind.NUMERIC:
            self.keys = NumberKeyFormSet(
                data,
                prefix=keys_prefix,
                form_kwargs={"number_format": number_format},
                initial=[
                    {"value": a.value, "tolerance": a.tolerance, "tolerance_kind": a.tolerance_kind}
                    for a in question.accepted_answers.all()
                ],
            )
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            self.keys = ChoiceFormSet(
                data,
                prefix=keys_prefix,
                initial=[
                    {"id": c.pk, "text": c.text, "correct": c.correct}
                    for c in question.choices.all()
                ],
            )
        else:
            self.keys = TextKeyFormSet(
                data,
                prefix=keys_prefix,
                initial=[
                    {"text": t.text, "case_sensitive": t.case_sensitive}
                    for t in question.accepted_texts.all()
                ],
            )
        self.error = ""

    def is_valid(self) -> bool:
        return self.form.is_valid() & self.keys.is_valid()

    def update_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``services.question_update`` from the valid forms."""
        arguments: dict[str, Any] = {
            "prompt": self.form.cleaned_data["prompt"],
            "points": self.form.cleaned_data["points"],
        }
        if self.question.kind == QuestionKind.NUMERIC:
            arguments["numbers"] = [k for f in self.keys.forms if (k := f.key()) is not None]
        elif self.question.kind == QuestionKind.MULTIPLE_CHOICE:
            arguments["choices"] = [c for f in self.keys.forms if (c := f.choice()) is not None]
        else:
            arguments["texts"] = [k for f in self.keys.forms if (k := f.key()) is not None]
        return arguments
