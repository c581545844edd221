"""Forms of the community pages. They collect input; the services decide what is valid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from cohortkit.accounts.models import Role
from cohortkit.common.errors import ServiceError
from cohortkit.common.forms import TimeZoneField
from cohortkit.common.timezones import wall_clock_to_instant
from cohortkit.community.models import (
    MAX_QUESTION_CHARACTERS,
    Audience,
    ConversationState,
    Topic,
)


def add_service_errors(form: forms.Form, error: ServiceError) -> None:
    """Show a refusal on the form: what was wrong at the top, each field's problem beside it."""
    form.add_error(None, error.message)
    for field, message in error.field_errors.items():
        if field in form.fields:
            form.add_error(field, message)


def _set_choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _textarea(rows: int) -> forms.Textarea:
    # No maxlength attribute: the browser would cut text silently; the server says what is wrong.
    return forms.Textarea(attrs={"rows": rows})


class QuestionForm(forms.Form):
    # Not required here: the service says how long a question must be.
    body = forms.CharField(
        label="Your question",
        required=False,
        widget=_textarea(4),
        help_text=f"Markdown works. Up to {MAX_QUESTION_CHARACTERS:,} characters. Everyone can "
        "read it once an organizer has answered; for something personal, write to the "
        "organizers privately instead.",
    )


class QuestionSearchForm(forms.Form):
    q = forms.CharField(label="Search the questions", required=False, max_length=200)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Public answer", widget=_textarea(4))


class QuestionEditForm(forms.Form):
    body = forms.CharField(label="Question", widget=_textarea(3))


class MergeForm(forms.Form):
    into = forms.IntegerField(label="Merge into question number", min_value=1)


class CommunitySettingsForm(forms.Form):
    questions_appear_at_once = forms.BooleanField(
        label="Questions appear on the program page before an organizer has looked at them",
        required=False,
    )
    max_open_questions_per_person = forms.IntegerField(
        label="Unanswered questions one person may have at once", min_value=1, max_value=100
    )


class ContactForm(forms.Form):
    topic = forms.ChoiceField(label="What is it about?", choices=Topic.choices)
    application = forms.TypedChoiceField(
        label="Which application needs more time?", required=False, coerce=int, empty_value=None
    )
    body = forms.CharField(
        label="Your message",
        required=False,
        widget=_textarea(5),
        help_text="Only the organizers read it.",
    )
    name = forms.CharField(label="Your name", required=False, max_length=200)
    email = forms.EmailField(label="Your email address", required=False)

    def __init__(self, *args: Any, signed_in: bool, applications: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.applications = {application.pk: application for application in applications}
        if signed_in:
            del self.fields["name"]
            del self.fields["email"]
        else:
            self.fields["email"].required = True
            self.fields[
                "email"
            ].help_text = "We answer there, with a private link to follow the conversation."
        if applications:
            _set_choices(
                self,
                "application",
                [("", "—")]
                + [(application.pk, application.form.title) for application in applications],
            )
            self.fields["application"].help_text = "Only for an extension request."
        else:
            del self.fields["application"]

    def chosen_application(self) -> Any | None:
        return self.applications.get(self.cleaned_data.get("application") or 0)


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", widget=_textarea(4))


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Internal note",
        widget=_textarea(3),
        help_text="Only organizers see notes; nobody is emailed.",
    )


class ConversationUpdateForm(forms.Form):
    state = forms.ChoiceField(label="State", choices=ConversationState.choices)
    assignee = forms.TypedChoiceField(
        label="Handled by", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, organizers: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.organizers = {person.pk: person for person in organizers}
        _set_choices(
            self,
            "assignee",
            [("", "Nobody yet")]
            + [(person.pk, person.name or person.email) for person in organizers],
        )

    def chosen_assignee(self) -> Any | None:
        return self.organizers.get(self.cleaned_data.get("assignee") or 0)


def _moment(date: dt.date | None, time: dt.time | None, zone: str | None) -> dt.datetime | None:
    if date is None or time is None or not zone:
        return None
    return wall_clock_to_instant(date, time, zone)


class ExtensionGrantForm(forms.Form):
    until_date = forms.DateField(
        label="New deadline", widget=forms.DateInput(attrs={"type": "date"})
    )
    until_time = forms.TimeField(label="at", widget=forms.TimeInput(attrs={"type": "time"}))
    time_zone = TimeZoneField(label="Time zone")
    message = forms.CharField(
        label="Message with it (optional)",
        required=False,
        widget=_textarea(2),
        help_text="The reply says the new deadline in their time zone.",
    )

    def until(self) -> dt.datetime | None:
        data = self.cleaned_data
        return _moment(data.get("until_date"), data.get("until_time"), data.get("time_zone"))


class AnnouncementForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    body = forms.CharField(
        label="Announcement",
        widget=_textarea(6),
        help_text="Markdown works.",
    )
    audience = forms.ChoiceField(label="Audience", choices=Audience.choices)
    track = forms.TypedChoiceField(label="Track", required=False, coerce=int, empty_value=None)
    role = forms.ChoiceField(label="Role", required=False)
    section = forms.TypedChoiceField(label="Section", required=False, coerce=int, empty_value=None)
    publish_date = forms.DateField(
        label="Send later, on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to send it now.",
    )
    publish_time = forms.TimeField(
        label="at", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_zone = TimeZoneField(label="Time zone")

    def __init__(
        self,
        *args: Any,
        tracks: list[Any],
        sections: list[Any],
        whole_term: bool,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.tracks = {track.pk: track for track in tracks}
        self.sections = {section.pk: section for section in sections}
        _set_choices(self, "track", [("", "—")] + [(t.pk, t.name) for t in tracks])
        _set_choices(self, "role", [("", "—"), *Role.choices])
        _set_choices(self, "section", [("", "—")] + [(s.pk, s.name) for s in sections])
        if not whole_term:
            # Facilitators post to their own sections: the only audience they are offered.
            _set_choices(self, "audience", [(Audience.SECTION, Audience.SECTION.label)])
            del self.fields["track"]
            del self.fields["role"]
            if len(sections) == 1:
                self.fields["section"].initial = sections[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date, time = data.get("publish_date"), data.get("publish_time")
        if (date is None) != (time is None):
            self.add_error("publish_time", "Give both the day and the time, or neither.")
        data["scheduled_at"] = _moment(date, time, data.get("time_zone"))
        return data

    def targets(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "audience": data["audience"],
            "track": self.tracks.get(data.get("track") or 0),
            "role": data.get("role") or "",
            "section": self.sections.get(data.get("section") or 0),
            "scheduled_at": data.get("scheduled_at"),
        }
