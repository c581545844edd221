"""The organizer's term settings form: each rule explained next to its field; nothing half-saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from cohortkit.common.currencies import (
    CURRENCIES,
    currency_normalize,
    format_minor,
    parse_major,
)
from cohortkit.common.forms import TimeZoneField
from cohortkit.common.timezones import (
    ANYWHERE_ON_EARTH,
    UTC,
    date_in_range,
    end_of_day,
    localize,
    wall_clock_to_instant,
)
from cohortkit.programs.models import Term
from cohortkit.programs.validation import DEADLINE_FIELDS, term_settings_problems


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
    starts_on = forms.DateField(
        validators=[date_in_range],
        label="First day",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ends_on = forms.DateField(
        validators=[date_in_range], label="Last day", widget=forms.DateInput(attrs={"type": "date"})
    )

    deadline_time_zone = TimeZoneField(
        include_anywhere_on_earth=True,
        label="Deadlines are in",
        help_text="“Anywhere on Earth” closes when the date has ended everywhere.",
    )
    participant_deadline_date = forms.DateField(
        validators=[date_in_range],
        label="Participant applications close on",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    participant_deadline_time = forms.TimeField(
        label="at",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="Leave empty for the end of the day.",
    )
    facilitator_deadline_date = forms.DateField(
        validators=[date_in_range],
        label="Facilitator applications close on",
        widget=forms.DateInput(attrs={"type": "date"}),
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
    # No max_length: the browser would cut "dollars" to "dol" instead of letting us explain.
    stipend_currency = forms.CharField(
        label="Currency", max_length=40, help_text="ISO 4217 code, e.g. USD, EUR, JPY."
    )
    stipend_eligibility = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    facilitator_rate = forms.CharField(label="Facilitator pay per hour", help_text="e.g. 30")

    completion_min_meetings = forms.IntegerField(
        label="Meetings to attend for completion", min_value=0, max_value=100
    )
    completion_min_assignments = forms.IntegerField(
        label="Assignments to complete for completion", min_value=0, max_value=100
    )

    require_two_factor = forms.BooleanField(
        required=False,
        label="Organizers and reviewers must use two-factor authentication",
        help_text="They are asked to set up an authenticator app before opening this term's pages.",
    )

    @classmethod
    def initial_for(cls, term: Term) -> dict[str, Any]:
        def deadline_parts(instant: dt.datetime) -> tuple[dt.date, dt.time | None]:
            if term.deadline_time_zone == ANYWHERE_ON_EARTH:
                last_moment = localize(instant - dt.timedelta(seconds=1), ANYWHERE_ON_EARTH)
                return last_moment.date(), None
            local = localize(instant, term.deadline_time_zone)
            return local.date(), local.time().replace(second=0, microsecond=0)

        # A currency stored before codes were checked is shown with two decimals, then refused.
        currency = term.stipend_currency if term.stipend_currency in CURRENCIES else "USD"
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
            "stipend_amount": format_minor(term.stipend_cents, currency),
            "stipend_currency": term.stipend_currency,
            "stipend_eligibility": term.stipend_eligibility,
            "facilitator_rate": format_minor(term.facilitator_rate_cents, currency),
            "completion_min_meetings": term.completion_min_meetings,
            "completion_min_assignments": term.completion_min_assignments,
            "require_two_factor": term.require_two_factor,
        }

    def clean_stipend_currency(self) -> str:
        try:
            return currency_normalize(self.cleaned_data["stipend_currency"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def _clean_amounts(self, data: dict[str, Any]) -> None:
        """Stipend and rate in the term's currency: as many decimals as it has (none for JPY)."""
        currency = data.get("stipend_currency")
        for field_name in ("stipend_amount", "facilitator_rate"):
            text = data.get(field_name)
            if text is None:
                continue
            try:
                data[field_name] = parse_major(text, currency or "USD")
            except ValueError as error:
                self.add_error(field_name, str(error))

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
        self._clean_amounts(data)
        deadline_zone = data.get("deadline_time_zone")
        for prefix in ("participant_deadline", "facilitator_deadline"):
            data[prefix] = self._deadline(prefix, deadline_zone) if deadline_zone else None
        # The term's rules are the loader's too: one validation, each problem next to its field.
        for name, message in term_settings_problems(data).items():
            field_name = f"{name}_date" if name in DEADLINE_FIELDS else name
            if not self.has_error(field_name):
                self.add_error(field_name, message)
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
            "require_two_factor": data["require_two_factor"],
        }


class TimeZonePickForm(forms.Form):
    tz = TimeZoneField(label="Show times in")
    next = forms.CharField(required=False)
