"""Confirming: the applicant's decision page, where an offered place is confirmed or declined."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cohortkit.admissions import rules
from cohortkit.admissions.selectors.deciding import enrollment_of
from cohortkit.admissions.services import confirming
from cohortkit.common.errors import ServiceError


@login_required
@require_GET
def my_decision(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """The applicant's decision once released, and their offer to confirm or decline."""
    application = rules.require_own_application(request, slug, kind)
    term = application.form.term
    decision = getattr(application, "decision", None)
    released = decision if decision is not None and decision.released_at else None
    enrollment = enrollment_of(form=application.form, user=request.user)
    return render(
        request,
        "admissions/review/my_decision.html",
        {
            "term": term,
            "form": application.form,
            "application": application,
            "decision": released,
            "enrollment": enrollment if released or enrollment else None,
            "can_answer": rules.can_answer_offer(enrollment),
        },
    )


@login_required
@require_POST
def my_decision_respond(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Confirm or decline the offered place; the server checks ``confirm_by``."""
    application = rules.require_own_application(request, slug, kind)
    enrollment = enrollment_of(form=application.form, user=request.user)
    if enrollment is None:
        raise Http404("No offer")
    answer = str(request.POST.get("answer", ""))
    try:
        if answer == "confirm":
            confirming.enrollment_confirm(enrollment=enrollment, user=request.user)
            messages.success(request, "Thank you: your place is confirmed.")
        elif answer == "decline" and request.POST.get("confirm_decline") != "yes":
            # Declining cannot be undone: a stray click changes nothing.
            messages.error(
                request, "Nothing was declined: tick “Yes, I give up my place” to confirm."
            )
            return redirect("admissions:my_decision", slug=slug, kind=kind)
        elif answer == "decline":
            confirming.enrollment_decline(enrollment=enrollment, user=request.user)
            messages.success(request, "You declined the place; thank you for telling us.")
        else:
            messages.error(request, "Choose confirm or decline.")
    except ServiceError as problem:
        messages.error(request, problem.message)
        return render(
            request,
            "admissions/review/my_decision.html",
            {
                "term": application.form.term,
                "form": application.form,
                "application": application,
                "decision": getattr(application, "decision", None),
                "enrollment": enrollment_of(form=application.form, user=request.user),
                "can_answer": False,
            },
            status=problem.http_status,
        )
    return redirect("admissions:my_decision", slug=slug, kind=kind)
