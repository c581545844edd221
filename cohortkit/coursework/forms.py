"""Forms of the coursework pages: a facilitator's review and an organizer's due dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.common.forms import TimeZoneField
from cohortkit.common.timezones import (
    date_in_range,
    person_time_zone,
    wall_clock_to_instant,
)
from cohortkit.coursework.models import FeedbackVerdict
from cohortkit.programs.models import Assignment, Quiz, Term
from cohortkit.sections.models import Section


class FeedbackForm(forms.Form):
    verdict = forms.ChoiceField(choices=FeedbackVerdict.choices, widget=forms.RadioSelect)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _item_label(item: Assignment | Quiz) -> str:
    kind = "Quiz" if isinstance(item, Quiz) else "Assignment"
    return f"Week {item.week.number} · {kind}: {item.title}"


class DueDateForm(forms.Form):
    """A section's or one participant's own due date for an assignment or quiz, as a wall-clock
    time in a zone (the organizer's own by default, else the term's)."""

    item = forms.ChoiceField(label="Assignment or quiz")
    section = forms.ModelChoiceField(
        queryset=Section.objects.none(), required=False, label="For a section"
    )
    email = forms.EmailField(
        required=False, label="Or for one participant (email)", help_text="A personal extension."
    )
    due_date = forms.DateField(
        validators=[date_in_range], label="Due date", widget=forms.DateInput(attrs={"type": "date"})
    )
    due_time = forms.TimeField(
        label="Time", initial=dt.time(23, 59), widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_zone = TimeZoneField(label="Time zone")
    reason = forms.CharField(required=False, max_length=300)

    def __init__(
        self,
        *args: Any,
        term: Term,
        items: list[Assignment | Quiz],
        organizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.term = term
        self.items = {self.item_value(item): item for item in items}
        item_field = self.fields["item"]
        section_field = self.fields["section"]
        assert isinstance(item_field, forms.ChoiceField)
        assert isinstance(section_field, forms.ModelChoiceField)
        item_field.choices = [("", "Choose…")] + [
            (value, _item_label(item)) for value, item in self.items.items()
        ]
        section_field.queryset = Section.objects.filter(term=term).select_related("track")
        self.fields["time_zone"].initial = person_time_zone(organizer, term.time_zone)

    @staticmethod
    def item_value(item: Assignment | Quiz) -> str:
        return f"{'quiz' if isinstance(item, Quiz) else 'assignment'}-{item.pk}"

    def clean_item(self) -> Assignment | Quiz:
        value = self.cleaned_data["item"]
        if value not in self.items:
            raise forms.ValidationError("Choose an assignment or a quiz of this term.")
        return self.items[value]

    def clean_email(self) -> User | None:
        email = self.cleaned_data["email"].strip().lower()
        if not email:
            return None
        membership = (
            Membership.objects.filter(
                term=self.term, role=Role.PARTICIPANT, user__email__iexact=email
            )
            .select_related("user")
            .first()
        )
        if membership is None:
            raise forms.ValidationError("No participant of this term has this email address.")
        return membership.user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_section = data.get("section") is not None
        has_person = data.get("email") is not None
        if has_section and has_person:
            self.add_error("email", "Give a section or a participant, not both.")
        elif not has_section and not has_person and "email" not in self.errors:
            self.add_error("section", "Choose a section, or give a participant's email below.")
        if {"due_date", "due_time", "time_zone"} <= data.keys():
            data["due"] = wall_clock_to_instant(
                data["due_date"], data["due_time"], data["time_zone"]
            )
        return data
