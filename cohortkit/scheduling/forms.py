"""Forms of the organizer's scheduling page; choices come from the run being shown."""

from __future__ import annotations

from typing import Any

from django import forms

from cohortkit.scheduling.services.runs import run_time_limit_default

WEEKDAY_CHOICES = [
    (str(day), name)
    for day, name in enumerate(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    )
]


class _ChoicesForm(forms.Form):
    def _set_choices(self, name: str, choices: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


TIME_LIMIT_HELP = "The run ends as soon as its plan is proven optimal, and after this at most."


def _time_limit_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Time limit (seconds)", min_value=1, max_value=600, help_text=TIME_LIMIT_HELP
    )


def _default_time_limit(form: forms.Form) -> None:
    form.fields["time_limit"].initial = run_time_limit_default()


class RunStartForm(_ChoicesForm):
    # Left out (an old form, a script): the suggested source, which the run page then names.
    source = forms.ChoiceField(label="Form sections from", widget=forms.RadioSelect, required=False)
    time_limit = _time_limit_field()

    def __init__(self, *args: Any, sources: Any = (), initial_source: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._set_choices("source", sources)
        self.fields["source"].initial = initial_source
        _default_time_limit(self)


class InstanceImportForm(forms.Form):
    instance_file = forms.FileField(label="Instance JSON")
    time_limit = _time_limit_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _default_time_limit(self)


class MoveForm(_ChoicesForm):
    participant = forms.ChoiceField(label="Participant")
    to_section = forms.TypedChoiceField(label="Into section", coerce=int)

    def __init__(
        self,
        *args: Any,
        participants: list[tuple[str, str]],
        sections: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("participant", participants)
        self._set_choices("to_section", sections)


class WeeklyTimeFields(_ChoicesForm):
    """A weekday and a wall-clock time, read in the viewer's time zone."""

    weekday = forms.TypedChoiceField(label="Day", choices=WEEKDAY_CHOICES, coerce=int)
    start_time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}))


class ChangeTimeForm(WeeklyTimeFields):
    section = forms.TypedChoiceField(label="Section", coerce=int)
    field_order = ["section", "weekday", "start_time"]

    def __init__(self, *args: Any, sections: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("section", sections)


class ChangeFacilitatorForm(_ChoicesForm):
    section = forms.TypedChoiceField(label="Section", coerce=int)
    facilitator = forms.ChoiceField(label="New facilitator")

    def __init__(
        self,
        *args: Any,
        sections: list[tuple[int, str]],
        facilitators: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("section", sections)
        self._set_choices("facilitator", facilitators)


class WhatIfForm(WeeklyTimeFields):
    track = forms.ChoiceField(label="Track")
    field_order = ["track", "weekday", "start_time"]

    def __init__(self, *args: Any, tracks: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("track", [(track, track) for track in tracks])
