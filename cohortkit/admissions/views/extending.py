"""Extending deadlines: the organizers' page of personal extensions and late-application links."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cohortkit.admissions import rules
from cohortkit.admissions.forms import (
    AccessCodeForm,
    ExtensionForm,
)
from cohortkit.admissions.models import AccessCode, DeadlineExtension
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
            "codes": AccessCode.objects.filter(form=form)
            .annotate(use_count=Count("uses"))
            .order_by("-created_at"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_revoke(request: HttpRequest, slug: str, kind: str, extension_id: int) -> HttpResponse:
    """Confirm, then take back one person's own deadline (the form's deadline is theirs again)."""
    form = rules.require_organizer_form(request, slug, kind)
    if request.method == "POST":
        # A second click finds the extension gone: the same answer, nothing changes.
        extension = DeadlineExtension.objects.filter(pk=extension_id, form=form).first()
        taken_back = extending.extension_revoke(
            form=form, extension_id=extension_id, actor=request.user
        )
        if taken_back and extension is not None:
            messages.success(
                request,
                f"{extension.user.email} no longer has their own deadline: the form's is theirs.",
            )
        else:
            messages.info(request, "That extension was already taken back.")
        return redirect("admissions:deadlines", slug=slug, kind=kind)
    extension = get_object_or_404(
        DeadlineExtension.objects.select_related("user"), pk=extension_id, form=form
    )
    return render(
        request,
        "admissions/extension_revoke.html",
        {
            "term": form.term,
            "form": form,
            "extension": extension,
            "form_deadline": term_application_deadline(term=form.term, kind=form.kind),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def access_code_revoke(request: HttpRequest, slug: str, kind: str, code_id: int) -> HttpResponse:
    """Confirm, then withdraw a late-application link (it opens nothing any more)."""
    form = rules.require_organizer_form(request, slug, kind)
    code = get_object_or_404(
        AccessCode.objects.annotate(use_count=Count("uses")), pk=code_id, form=form
    )
    if request.method == "POST":
        extending.access_code_revoke(form=form, code_id=code.pk, actor=request.user)
        messages.success(
            request,
            f"The late-application link “{code}” is withdrawn: it opens nothing any more.",
        )
        return redirect("admissions:deadlines", slug=slug, kind=kind)
    return render(
        request,
        "admissions/access_code_revoke.html",
        {
            "term": form.term,
            "form": form,
            "code": code,
            "form_deadline": term_application_deadline(term=form.term, kind=form.kind),
        },
    )
