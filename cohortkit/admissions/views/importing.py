"""Importing applications: the organizers' page that checks a CSV file, then imports it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cohortkit.admissions import rules
from cohortkit.admissions.forms import (
    ApplicationsCsvForm,
)
from cohortkit.admissions.services.importing import applications_csv_import, applications_csv_plan


@login_required
@require_http_methods(["GET", "POST"])
def applications_import_page(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Organizers: check a CSV of applications (every problem listed), then import it."""
    form = rules.require_organizer_form(request, slug, kind)
    term = form.term
    plan = None
    imported = False
    status = 200
    upload = ApplicationsCsvForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if upload.is_valid():
            text = upload.cleaned_data["text"]
            if "import" in request.POST:
                plan = applications_csv_import(form=form, text=text, actor=request.user)
                imported = not plan.problems
            else:
                plan = applications_csv_plan(form=form, text=text)
            status = 400 if plan.problems else 200
        else:
            status = 400
    return render(
        request,
        "admissions/import.html",
        {"term": term, "form": form, "upload": upload, "plan": plan, "imported": imported},
        status=status,
    )
