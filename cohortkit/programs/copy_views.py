"""“Run this again”: the organizer's page that makes the next term from this one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cohortkit.accounts.models import Role
from cohortkit.common.errors import InvalidInputError
from cohortkit.common.timezones import date_in_range
from cohortkit.programs import rules as term_rules
from cohortkit.programs import selectors
from cohortkit.programs.copying import shift_instant, term_copy, term_copy_parts

STAFF_CHOICES = [
    (Role.ORGANIZER, "Organizers"),
    (Role.REVIEWER, "Reviewers"),
    (Role.FACILITATOR, "Facilitators"),
]


class TermCopyForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Name of the new term", help_text="e.g. Spring 2023"
    )
    slug = forms.SlugField(max_length=50, label="Its address", help_text="/terms/<this>/")
    starts_on = forms.DateField(
        label="First day",
        validators=[date_in_range],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    parts = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Copy"
    )
    staff_roles = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=STAFF_CHOICES,
        label="With these people, in the same roles",
        help_text="Only if “Staff roles” is ticked. You stay an organizer of the new term.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parts_field = self.fields["parts"]
        assert isinstance(parts_field, forms.MultipleChoiceField)
        parts_field.choices = [(part.key, part.label) for part in term_copy_parts()]


def _dates_preview(term: Any, starts_on: dt.date) -> list[tuple[str, Any, Any]]:
    shift = dt.timedelta(days=(starts_on - term.starts_on).days)
    zone = term.deadline_time_zone
    return [
        ("First day", term.starts_on, term.starts_on + shift),
        ("Last day", term.ends_on, term.ends_on + shift),
        (
            "Participant applications close",
            term.participant_deadline,
            shift_instant(term.participant_deadline, shift, zone),
        ),
        (
            "Facilitator applications close",
            term.facilitator_deadline,
            shift_instant(term.facilitator_deadline, shift, zone),
        ),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def term_copy_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A checklist of what to copy; the new term is a draft until its organizers publish it."""
    term = selectors.term_get(slug=slug)
    term_rules.require_term_organizer(request, term)
    preview = None
    if request.method == "POST":
        form = TermCopyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if "preview" in request.POST:
                preview = _dates_preview(term, data["starts_on"])
            else:
                try:
                    new_term = term_copy(
                        source=term,
                        slug=data["slug"],
                        name=data["name"],
                        starts_on=data["starts_on"],
                        parts=set(data["parts"]),
                        staff_roles=set(data["staff_roles"]),
                        actor=request.user,
                    )
                except InvalidInputError as error:
                    for field, message in error.field_errors.items():
                        form.add_error(field if field in form.fields else None, message)
                else:
                    messages.success(
                        request,
                        f"{new_term} is ready as a draft: only its staff can see it until you "
                        "publish it (tick “Published” below).",
                    )
                    return redirect("programs:term_settings", slug=new_term.slug)
    else:
        form = TermCopyForm(
            initial={
                "parts": [part.key for part in term_copy_parts()],
                "staff_roles": [Role.ORGANIZER, Role.REVIEWER],
            }
        )
    return render(
        request,
        "programs/term_copy.html",
        {"term": term, "form": form, "preview": preview},
        status=400 if form.errors else 200,
    )
