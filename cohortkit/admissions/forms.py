"""Forms of the admissions pages: reading an application page's POST, the organizers' deadline
forms and CSV upload, and the review and decision forms (settings, rubric, staging, assigning).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import QueryDict

from cohortkit.accounts.models import User
from cohortkit.admissions.models import ApplicationForm, DecisionOutcome, QuestionType
from cohortkit.common.forms import TimeZoneField
from cohortkit.common.timezones import (
    date_in_range,
    format_instant,
    localize,
    wall_clock_to_instant,
)
from cohortkit.programs.models import Track

ANSWER_PREFIX = "answer-"


def raw_answers_from_post(data: QueryDict, form: ApplicationForm) -> dict[str, str]:
    """The raw text of every answer in the POST, keyed by question key.

    Multiple choice sends one value per ticked box; they are kept one per line. A question absent
    from the POST is left out (unchanged), except choice questions, where absence means "none".
    """
    answers: dict[str, str] = {}
    for question in form.questions.all():
        name = ANSWER_PREFIX + question.key
        if question.type == QuestionType.MULTI_CHOICE:
            if name in data or f"{name}-present" in data:
                answers[question.key] = "\n".join(str(value) for value in data.getlist(name))
        elif name in data:
            answers[question.key] = str(data.get(name, ""))
    return answers


class _LocalMomentMixin(forms.Form):
    time_zone = TimeZoneField(label="Time zone")

    def __init__(self, *args: Any, form_deadline: dt.datetime | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.form_deadline = form_deadline

    def require_after_form_deadline(self, prefix: str, moment: dt.datetime | None) -> None:
        """A personal deadline is always later than the form's own (which it extends)."""
        if moment is None or self.form_deadline is None or moment > self.form_deadline:
            return
        zone = self.cleaned_data.get("time_zone") or "UTC"
        self.add_error(
            f"{prefix}_date",
            "Choose a moment after the form's own deadline, "
            f"{format_instant(self.form_deadline, zone)}.",
        )

    def moment(self, prefix: str) -> dt.datetime | None:
        date = self.cleaned_data.get(f"{prefix}_date")
        time = self.cleaned_data.get(f"{prefix}_time")
        zone = self.cleaned_data.get("time_zone")
        if date is None or time is None or zone is None:
            return None
        return wall_clock_to_instant(date, time, zone)


class ExtensionForm(_LocalMomentMixin):
    email = forms.EmailField(label="Applicant's email")
    until_date = forms.DateField(
        validators=[date_in_range],
        label="New deadline",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until_time = forms.TimeField(label="at", widget=forms.TimeInput(attrs={"type": "time"}))
    reason = forms.CharField(required=False, max_length=300)

    def clean_email(self) -> User:
        email: str = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                "No account uses this address. Send them an access-code link instead."
            )
        return user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["until"] = self.moment("until")
        self.require_after_form_deadline("until", data["until"])
        return data


class AccessCodeForm(_LocalMomentMixin):
    label = forms.CharField(required=False, max_length=200, help_text="For your own records.")
    until_date = forms.DateField(
        validators=[date_in_range],
        label="Deadline for people using the link",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until_time = forms.TimeField(label="at", widget=forms.TimeInput(attrs={"type": "time"}))
    expires_date = forms.DateField(
        validators=[date_in_range],
        label="The link works until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    expires_time = forms.TimeField(label="at", widget=forms.TimeInput(attrs={"type": "time"}))
    max_uses = forms.IntegerField(label="How many people may use it", min_value=1, max_value=10_000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["until"] = self.moment("until")
        data["expires_at"] = self.moment("expires")
        self.require_after_form_deadline("until", data["until"])
        if data["until"] and data["expires_at"] and data["expires_at"] > data["until"]:
            self.add_error("expires_date", "The link should stop working by the deadline it gives.")
        return data


class ApplicationsCsvForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, with a header row; at most 5 MB.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None:
            return data
        if upload.size > 5 * 1024 * 1024:
            self.add_error("file", "The file is larger than 5 MB: split it.")
            return data
        try:
            data["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("file", "Save the file as UTF-8 CSV and upload it again.")
        return data


class ReviewSettingsForm(forms.Form):
    blind_review = forms.BooleanField(
        required=False,
        label="Blind review: reviewers see neither names nor email addresses",
    )
    reviews_per_application = forms.IntegerField(
        min_value=1, max_value=20, label="Reviewers per application"
    )
    confirm_date = forms.DateField(
        validators=[date_in_range],
        required=False,
        label="Accepted people confirm by",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for a week after the release.",
    )
    confirm_time = forms.TimeField(
        required=False, label="at", widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_zone = TimeZoneField(label="Time zone")
    offer_response_days = forms.IntegerField(
        min_value=1,
        max_value=60,
        label="Days to answer an offer from the waitlist",
    )

    @classmethod
    def for_form(cls, form: ApplicationForm, zone_name: str) -> ReviewSettingsForm:
        initial: dict[str, Any] = {
            "blind_review": form.blind_review,
            "reviews_per_application": form.reviews_per_application,
            "offer_response_days": form.offer_response_days,
            "time_zone": zone_name,
        }
        if form.confirmation_deadline is not None:
            local = localize(form.confirmation_deadline, zone_name)
            initial |= {"confirm_date": local.date(), "confirm_time": local.time()}
        return cls(initial=initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("confirm_date") is None) != (data.get("confirm_time") is None):
            raise forms.ValidationError("Give both a date and a time, or neither.")
        return data

    def confirmation_deadline(self) -> dt.datetime | None:
        data = self.cleaned_data
        if data.get("confirm_date") is None or data.get("confirm_time") is None:
            return None
        return wall_clock_to_instant(data["confirm_date"], data["confirm_time"], data["time_zone"])


class RubricCategoryForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    weight = forms.IntegerField(min_value=1, max_value=100, initial=1)
    max_score = forms.IntegerField(min_value=1, max_value=100, initial=5, label="Maximum score")


class ManualAssignForm(forms.Form):
    applicant_email = forms.EmailField(label="Applicant's email")
    reviewer = forms.ModelChoiceField(queryset=User.objects.none(), label="Reviewer")

    def __init__(self, *args: Any, reviewers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[reviewer.pk for reviewer in reviewers])


class StageForm(forms.Form):
    """One row of the ranked table: accept into a track, waitlist with a rank, or reject."""

    choice = forms.ChoiceField(label="Decision")
    waitlist_rank = forms.IntegerField(required=False, min_value=1, label="Waitlist rank")

    def __init__(self, *args: Any, tracks: list[Track], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tracks = {track.slug: track for track in tracks}
        choices = [(f"accept:{track.slug}", f"Accept — {track.name}") for track in tracks]
        if not tracks:
            choices = [("accept:", "Accept")]
        choices += [("waitlist:", "Waitlist (any track)")]
        choices += [(f"waitlist:{track.slug}", f"Waitlist — {track.name}") for track in tracks]
        choices += [("reject:", "Reject")]
        # No decision is preselected: staging needs a deliberate choice.
        choices.insert(0, ("", "Choose…"))
        field = self.fields["choice"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def outcome(self) -> tuple[str, Track | None]:
        outcome, _, slug = str(self.cleaned_data["choice"]).partition(":")
        if outcome not in DecisionOutcome.values:
            raise forms.ValidationError("Unknown decision.")
        return outcome, self.tracks.get(slug)
