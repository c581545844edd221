"""Extending deadlines: the organizers' page of personal extensions and late-application links."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cohortkit.admissions import rules
from cohortkit.admissions.forms import (
    AccessCodeForm,
    ExtensionForm,
)
from cohortkit.admissions.models import AccessCode
from cohortkit.admissions.services import extending
from cohortkit.common.timezones import person_time_zone
from cohortkit.programs.selectors import term_application_deadline


@login_required
@require_http_methods(["GET", "POST"])
def deadlines(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Organizers: personal extensions and late-application links for one form."""
    form = rules.require_organizer_form(request, slug, kind)
    term = form.term
    # Times are entered in the organizer's own zone unless they pick another one.
    zone = {"time_zone": person_time_zone(request.user, term.time_zone)}
    own = {"form_deadline": term_application_deadline(term=term, kind=form.kind)}
    extension_form = ExtensionForm(prefix="extension", initial=zone, **own)
    code_form = AccessCodeForm(prefix="code", initial=zone, **own)
    new_link = ""
    status = 200
    if request.method == "POST" and "extension-email" in request.POST:
        extension_form = ExtensionForm(request.POST, prefix="extension", initial=zone, **own)
        if extension_form.is_valid():
            data = extension_form.cleaned_data
            extending.extension_grant(
                form=form,
                user=data["email"],
                until=data["until"],
                granted_by=request.user,
                reason=data["reason"],
            )
            messages.success(request, f"{data['email'].email} now has their own deadline.")
            return redirect("admissions:deadlines", slug=slug, kind=kind)
        status = 400
    elif request.method == "POST":
        code_form = AccessCodeForm(request.POST, prefix="code", initial=zone, **own)
        if code_form.is_valid():
            data = code_form.cleaned_data
            _, token = extending.access_code_create(
                form=form,
                until=data["until"],
                expires_at=data["expires_at"],
                max_uses=data["max_uses"],
                created_by=request.user,
                label=data["label"],
            )
            new_link = request.build_absolute_uri(
                reverse("admissions:access_code_use", args=[token])
            )
        else:
            status = 400
    return render(
        request,
        "admissions/deadlines.html",
        {
            "term": term,
            "form": form,
            "extension_form": extension_form,
            "code_form": code_form,
            "new_link": new_link,
            "extensions": form.extensions.select_related("user", "granted_by").order_by(
                "-granted_at"
            ),
            "codes": AccessCode.objects.filter(form=form).order_by("-created_at"),
        },
        status=status,
    )
