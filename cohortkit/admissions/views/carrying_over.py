"""Carrying over: the page behind a carry-over invitation: join the next term's waitlist, or not."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cohortkit.admissions import rules
from cohortkit.admissions.services.carrying_over import carry_over_respond
from cohortkit.common.errors import ConflictError
from cohortkit.programs.selectors import term_get


@login_required
@require_http_methods(["GET", "POST"])
def carry_over(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    term = term_get(slug=slug)
    invitation = rules.require_carry_over_invitation(request, term, token)
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer in {"accept", "decline"}:
            try:
                carry_over_respond(
                    invitation=invitation, accept=answer == "accept", user=request.user
                )
            except ConflictError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    f"You are on the waitlist of {term}. We will email you if a place opens."
                    if answer == "accept"
                    else f"Thank you for telling us. You are not on the waitlist of {term}.",
                )
            return redirect("admissions:carry_over", slug=term.slug, token=invitation.token)
        messages.error(request, "Choose yes or no.")
    invitation.refresh_from_db()
    return render(
        request,
        "admissions/carry_over.html",
        {"term": term, "invitation": invitation, "from_term": invitation.enrollment.term},
        status=400 if request.method == "POST" else 200,
    )
