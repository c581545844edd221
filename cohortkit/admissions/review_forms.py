"""Forms of the review and decision pages (organizer settings, rubric, staging, assigning)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from cohortkit.accounts.models import User
from cohortkit.admissions.models import ApplicationForm, DecisionOutcome
from cohortkit.common.forms import TimeZoneField
from cohortkit.common.timezones import date_in_range, localize, wall_clock_to_instant
from cohortkit.programs.models import Track


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
