"""The organizer's term settings form: each rule explained next to its field; nothing half-saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from cohortkit.common.timezones import (
    ANYWHERE_ON_EARTH,
    UTC,
    all_time_zones,
    end_of_day,
    is_valid_time_zone,
    localize,
    wall_clock_to_instant,
)
from cohortkit.programs.models import Term


def time_zone_choices(*, include_anywhere_on_earth: bool = False) -> list[tuple[str, str]]:
    choices = [(name, name.replace("_", " ")) for name in all_time_zones()]
    if include_anywhere_on_earth:
        choices.insert(0, (ANYWHERE_ON_EARTH, "Anywhere on Earth (end of the date at UTC−12)"))
    return choices


class TimeZoneField(forms.ChoiceField):
    def __init__(self, *, include_anywhere_on_earth: bool = False, **kwargs: Any) -> None:
        super().__init__(
            choices=time_zone_choices(include_anywhere_on_earth=include_anywhere_on_earth),
            **kwargs,
        )

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not is_valid_time_zone(value):
            raise forms.ValidationError(f"“{value}” is not a time zone we know.")


def parse_money_to_cents(text: str) -> int:
    """``1000``, ``1,000.50`` or ``1000.5`` to integer cents; never through a float."""
    cleaned = text.strip().replace(",", "").replace("$", "")
    if not cleaned:
        raise ValueError("Enter an amount, for example 1000 or 1000.00.")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError("Enter an amount, for example 1000 or 1000.00.") from error
    if not amount.is_finite():
        raise ValueError("Enter an amount, for example 1000 or 1000.00.")
    if amount < 0:
        raise ValueError("The amount cannot be negative.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("Use at most two decimal places (whole cents).")
    cents = int(amount * 100)
    if cents > 2_000_000_000:
        raise ValueError("That amount is too large.")
    return cents


def format_cents(cents: int) -> str:
    units, rest = divmod(cents, 100)
    return f"{units}" if rest == 0 else f"{units}.{rest:02d}"


class TermSettingsForm(forms.Form):
    """Dates, deadlines, sizes and money of a term.

    Deadlines are entered as a date and a time in one chosen zone. With "anywhere on Earth" the
    deadline is the end of the date at UTC−12 and the time is not used.
    """

    name = forms.CharField(max_length=100)
    is_published = forms.BooleanField(
        required=False, label="Published (the program page is public)"
    )
    time_zone = TimeZoneField(label="Time zone of record", help_text="Term dates are days here.")
    starts_on = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Last day", widget=forms.DateInput(attrs={"type": "date"}))

    deadline_time_zone = TimeZoneField(
        include_anywhere_on_earth=True,
        label="Deadlines are in",
        help_text="“Anywhere on Earth” closes when the date has ended everywhere.",
    )
    participant_deadline_date = forms.DateField(
        label="Participant applications close on", widget=forms.DateInput(attrs={"type": "date"})
    )
    participant_deadline_time = forms.TimeField(
        label="at",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="Leave empty for the end of the day.",
    )
    facilitator_deadline_date = forms.DateField(
        label="Facilitator applications close on", widget=forms.DateInput(attrs={"type": "date"})
    )
    facilitator_deadline_time = forms.TimeField(
        label="at",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="Leave empty for the end of the day.",
    )

    number_format = forms.ChoiceField(
        label="Numbers in forms and quizzes",
        choices=[("point", "1,234.5 (decimal point)"), ("comma", "1.234,5 (decimal comma)")],
    )
    section_size_min = forms.IntegerField(label="Smallest section", min_value=1, max_value=100)
    section_size_max = forms.IntegerField(label="Largest section", min_value=1, max_value=100)
    meeting_minutes = forms.IntegerField(
        label="Meeting length (minutes)",
        min_value=15,
        max_value=240,
        help_text="A multiple of 15 minutes.",
    )
    virtual_by_default = forms.BooleanField(required=False, label="Sections are virtual by default")
    in_person_note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    stipend_amount = forms.CharField(
        label="Participant stipend", help_text="On completion, e.g. 1000 or 1000.00."
    )
    stipend_currency = forms.CharField(
        label="Currency", max_length=3, min_length=3, help_text="ISO code, e.g. USD."
    )
    stipend_eligibility = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    facilitator_rate = forms.CharField(label="Facilitator pay per hour", help_text="e.g. 30")

    completion_min_meetings = forms.IntegerField(
        label="Meetings to attend for completion", min_value=0, max_value=100
    )
    completion_min_assignments = forms.IntegerField(
        label="Assignments to complete for completion", min_value=0, max_value=100
    )

    @classmethod
    def initial_for(cls, term: Term) -> dict[str, Any]:
        def deadline_parts(instant: dt.datetime) -> tuple[dt.date, dt.time | None]:
            if term.deadline_time_zone == ANYWHERE_ON_EARTH:
                last_moment = localize(instant - dt.timedelta(seconds=1), ANYWHERE_ON_EARTH)
                return last_moment.date(), None
            local = localize(instant, term.deadline_time_zone)
            return local.date(), local.time().replace(second=0, microsecond=0)

        participant_date, participant_time = deadline_parts(term.participant_deadline)
        facilitator_date, facilitator_time = deadline_parts(term.facilitator_deadline)
        return {
            "name": term.name,
            "is_published": term.is_published,
            "time_zone": term.time_zone,
            "starts_on": term.starts_on,
            "ends_on": term.ends_on,
            "deadline_time_zone": term.deadline_time_zone,
            "participant_deadline_date": participant_date,
            "participant_deadline_time": participant_time,
            "facilitator_deadline_date": facilitator_date,
            "facilitator_deadline_time": facilitator_time,
            "number_format": term.number_format,
            "section_size_min": term.section_size_min,
            "section_size_max": term.section_size_max,
            "meeting_minutes": term.meeting_minutes,
            "virtual_by_default": term.virtual_by_default,
            "in_person_note": term.in_person_note,
            "stipend_amount": format_cents(term.stipend_cents),
            "stipend_currency": term.stipend_currency,
            "stipend_eligibility": term.stipend_eligibility,
            "facilitator_rate": format_cents(term.facilitator_rate_cents),
            "completion_min_meetings": term.completion_min_meetings,
            "completion_min_assignments": term.completion_min_assignments,
        }

    def clean_meeting_minutes(self) -> int:
        minutes: int = self.cleaned_data["meeting_minutes"]
        if minutes % 15:
            raise forms.ValidationError("Use a multiple of 15 minutes, e.g. 60 or 90.")
        return minutes

    def clean_stipend_amount(self) -> int:
        try:
            return parse_money_to_cents(self.cleaned_data["stipend_amount"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_facilitator_rate(self) -> int:
        try:
            return parse_money_to_cents(self.cleaned_data["facilitator_rate"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_stipend_currency(self) -> str:
        currency: str = self.cleaned_data["stipend_currency"].strip().upper()
        if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
            raise forms.ValidationError("Use a three-letter currency code such as USD or EUR.")
        return currency

    def _deadline(self, prefix: str, zone_name: str) -> dt.datetime | None:
        date = self.cleaned_data.get(f"{prefix}_date")
        time = self.cleaned_data.get(f"{prefix}_time")
        if date is None:
            return None
        if zone_name == ANYWHERE_ON_EARTH or time is None:
            return end_of_day(date, zone_name)
        return wall_clock_to_instant(date, time, zone_name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and starts_on >= ends_on:
            self.add_error("ends_on", "The last day must come after the first day.")
        low, high = data.get("section_size_min"), data.get("section_size_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "section_size_max",
                f"The largest section cannot be smaller than the smallest ({low}).",
            )
        if starts_on and ends_on and starts_on < ends_on:
            weeks = ((ends_on - starts_on).days // 7) + 1
            for field_name in ("completion_min_meetings", "completion_min_assignments"):
                value = data.get(field_name)
                if value is not None and value > weeks:
                    self.add_error(field_name, f"The term has only {weeks} weeks.")

        deadline_zone = data.get("deadline_time_zone")
        term_zone = data.get("time_zone")
        if deadline_zone and term_zone:
            start_instant = (
                wall_clock_to_instant(starts_on, dt.time(0, 0), term_zone) if starts_on else None
            )
            for prefix in ("participant_deadline", "facilitator_deadline"):
                deadline = self._deadline(prefix, deadline_zone)
                data[prefix] = deadline
                if deadline and start_instant and deadline >= start_instant:
                    self.add_error(
                        f"{prefix}_date",
                        "Applications must close before the term starts "
                        f"({starts_on:%a %d %b %Y} in {term_zone}).",
                    )
        return data

    def term_values(self) -> dict[str, Any]:
        """The cleaned values as the ``Term`` fields they set."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "is_published": data["is_published"],
            "time_zone": data["time_zone"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "deadline_time_zone": data["deadline_time_zone"],
            "participant_deadline": data["participant_deadline"].astimezone(UTC),
            "facilitator_deadline": data["facilitator_deadline"].astimezone(UTC),
            "number_format": data["number_format"],
            "section_size_min": data["section_size_min"],
            "section_size_max": data["section_size_max"],
            "meeting_minutes": data["meeting_minutes"],
            "virtual_by_default": data["virtual_by_default"],
            "in_person_note": data["in_person_note"],
            "stipend_cents": data["stipend_amount"],
            "stipend_currency": data["stipend_currency"],
            "stipend_eligibility": data["stipend_eligibility"],
            "facilitator_rate_cents": data["facilitator_rate"],
            "completion_min_meetings": data["completion_min_meetings"],
            "completion_min_assignments": data["completion_min_assignments"],
        }


class TimeZonePickForm(forms.Form):
    tz = TimeZoneField(label="Show times in")
    next = forms.CharField(required=False)
