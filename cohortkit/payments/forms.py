"""Forms of the money pages: hours, eligibility, sending back, settings, rates, imports."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from cohortkit.common.currencies import parse_major
from cohortkit.payments.models import EligibilityStatus


def parse_hours_to_minutes(text: str) -> int:
    """``2``, ``1.5`` or ``1:30`` hours to whole minutes; ``ValueError`` with a message."""
    cleaned = (text or "").strip().replace(",", ".")
    if not cleaned:
        return 0
    if ":" in cleaned:
        hours_text, _, minutes_text = cleaned.partition(":")
        if not (hours_text.isdigit() and minutes_text.isdigit() and int(minutes_text) < 60):
            raise ValueError("Write hours like 1.5 or 1:30.")
        return int(hours_text) * 60 + int(minutes_text)
    try:
        hours = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError("Write hours like 1.5 or 1:30.") from error
    if not hours.is_finite() or hours < 0:
        raise ValueError("Write hours like 1.5 or 1:30.")
    minutes = hours * 60
    if minutes != minutes.to_integral_value():
        raise ValueError("Use whole minutes (e.g. 1.25 h is 75 minutes).")
    return int(minutes)


class TimesheetForm(forms.Form):
    prep_hours = forms.CharField(
        label="Preparation (hours)", required=False, help_text="e.g. 1.5 or 1:30"
    )
    prep_note = forms.CharField(
        label="What you prepared (optional)", required=False, max_length=300
    )

    def clean_prep_hours(self) -> int:
        try:
            return parse_hours_to_minutes(self.cleaned_data.get("prep_hours", ""))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="What should change", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class EligibilityForm(forms.Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=EligibilityStatus.choices)
    note = forms.CharField(required=False, max_length=300)


class PaySettingsForm(forms.Form):
    prep_hours_cap = forms.CharField(
        label="Preparation a facilitator may claim per week (hours)", help_text="e.g. 3"
    )
    facilitator_cap = forms.CharField(
        label="Most a facilitator may be paid in the term",
        required=False,
        help_text="In the term's currency; empty for no cap.",
    )
    four_eyes = forms.BooleanField(
        label="Four eyes: a batch is frozen by another organizer than its builder", required=False
    )

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_prep_hours_cap(self) -> int:
        try:
            return parse_hours_to_minutes(self.cleaned_data["prep_hours_cap"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_facilitator_cap(self) -> int | None:
        text = self.cleaned_data.get("facilitator_cap", "").strip()
        if not text:
            return None
        try:
            return parse_major(text, self.currency)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class RateForm(forms.Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)
    rate = forms.CharField(label="Own hourly rate", required=False, help_text="Empty: the term's")

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_rate(self) -> int | None:
        text = self.cleaned_data.get("rate", "").strip()
        if not text:
            return None
        try:
            return parse_major(text, self.currency)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class ResultsImportForm(forms.Form):
    file = forms.FileField(label="The provider's result file (CSV)")


class TaxFormForm(forms.Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(widget=forms.HiddenInput)
    received_on = forms.DateField(
        label="Received on", widget=forms.DateInput(attrs={"type": "date"})
    )


class HandOverForm(forms.Form):
    to_user = forms.TypedChoiceField(label="Hand this meeting to", coerce=int, choices=[])

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to_user = self.fields["to_user"]
        assert isinstance(to_user, forms.TypedChoiceField)
        to_user.choices = choices
