"""Importing applications: the organizers' page that checks a CSV file, then imports it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role
from cohortkit.admissions.forms import (
    ApplicationsCsvForm,
)
from cohortkit.admissions.selectors.applying import form_get
from cohortkit.admissions.services.importing import applications_csv_import, applications_csv_plan
from cohortkit.programs.selectors import term_get


@login_required
@require_http_methods(["GET", "POST"])
def applications_import_page(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Organizers: check a CSV of applications (every problem listed), then import it."""
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, Role.ORGANIZER)
    form = form_get(term=term, kind=kind)
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
