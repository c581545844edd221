"""Announcements: what a member was told, and posting one (organizers; facilitators to their
own sections)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role
from cohortkit.common.errors import ServiceError
from cohortkit.community import rules, selectors, services
from cohortkit.community.forms import AnnouncementForm, add_service_errors
from cohortkit.community.services.announcements import (
    AnnouncementPreview,
    RecipientsChangedError,
    announcement_preview,
)
from cohortkit.programs.selectors import term_get


@login_required
def announcements(request: HttpRequest, slug: str) -> HttpResponse:
    """A member's announcements of the term; an announcer also sees what they have scheduled."""
    term = term_get(slug=slug)
    roles = account_rules.require_term_role(request, term, *Role.values)
    can_post = rules.can_post_announcements(request.user, term)
    return render(
        request,
        "community/announcements.html",
        {
            "term": term,
            "announcements": selectors.announcements_for_viewer(
                user=request.user, term=term, now=timezone.now(), limit=100
            ),
            "can_post": can_post,
            "posted": list(selectors.announcements_of_author(user=request.user, term=term))
            if can_post
            else [],
            "is_organizer": Role.ORGANIZER in roles,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def announcement_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Post or schedule an announcement. A facilitator is offered only their own sections."""
    term = term_get(slug=slug)
    rules.require_announcer(request, term)
    whole_term = rules.may_post_to_whole_term(request.user, term)
    sections = list(term.sections.select_related("track").order_by("name"))
    if not whole_term:
        sections = [section for section in sections if section.facilitator_id == request.user.pk]
    tracks = list(term.tracks.all())
    initial = {"time_zone": getattr(request, "viewer_time_zone", "UTC")}
    if request.method == "POST":
        form = AnnouncementForm(
            request.POST, tracks=tracks, sections=sections, whole_term=whole_term
        )
        if form.is_valid():
            fields = {
                "term": term,
                "author": request.user,
                "title": form.cleaned_data["title"],
                "body": form.cleaned_data["body"],
                **form.targets(),
            }
            try:
                if request.POST.get("confirmed") != "yes":
                    # First the confirmation: how many people, one email as they will get it.
                    return _confirmation(request, term, form, announcement_preview(**fields))
                announcement = services.announcement_post(
                    **fields, expected_recipients=_expected(request)
                )
            except RecipientsChangedError as error:
                preview = announcement_preview(**fields)
                return _confirmation(request, term, form, preview, changed=error, status=409)
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    "Scheduled." if announcement.is_scheduled else "Posted and being emailed.",
                )
                return redirect("community:announcements", slug=term.slug)
    else:
        form = AnnouncementForm(
            initial=initial, tracks=tracks, sections=sections, whole_term=whole_term
        )
    return render(
        request,
        "community/announcement_new.html",
        {"term": term, "form": form, "whole_term": whole_term},
        status=400 if form.errors else 200,
    )


def _expected(request: HttpRequest) -> int:
    """The count the confirmation showed (-1, never a real count, when it is missing)."""
    text = request.POST.get("expected_recipients", "")
    return int(text) if text.isdigit() else -1


def _confirmation(
    request: HttpRequest,
    term: Any,
    form: AnnouncementForm,
    preview: AnnouncementPreview,
    *,
    changed: RecipientsChangedError | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "community/announcement_confirm.html",
        {"term": term, "form": form, "preview": preview, "changed": changed},
        status=status,
    )
