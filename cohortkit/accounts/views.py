"""Sign up, log in and out, profile, and invitations to a role in a term."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from cohortkit.accounts import rules, selectors, services
from cohortkit.accounts.forms import InvitationForm, ProfileForm, SignupForm
from cohortkit.accounts.models import Role
from cohortkit.programs.selectors import term_get


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` page if it is a path of this site; ``redirect`` would read any other word
    (``1e30``) as a URL name and fail."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request, reverse("accounts:profile")))
    initial_zone = getattr(request, "viewer_time_zone", "UTC")
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            try:
                user = services.user_signup(
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password"],
                    time_zone=form.cleaned_data["time_zone"],
                )
            except ValidationError as error:
                for field, field_messages in error.message_dict.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome, {user.name}. Your account is ready.")
                return redirect(_safe_next(request, reverse("accounts:profile")))
    else:
        form = SignupForm(initial={"time_zone": initial_zone})
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": _safe_next(request, "")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.user_profile_update(
                user=user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                time_zone=form.cleaned_data["time_zone"],
            )
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"name": user.name, "time_zone": user.time_zone})  # type: ignore[union-attr]
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "memberships": selectors.user_memberships(user=user)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def term_invitations(request: HttpRequest, slug: str) -> HttpResponse:
    term = term_get(slug=slug)
    rules.require_term_role(request, term, Role.ORGANIZER)
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if form.is_valid():
            invitation = services.invitation_create(
                term=term,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,  # type: ignore[arg-type]
            )
            messages.success(
                request,
                f"Invitation sent to {invitation.email} as {invitation.get_role_display()}.",
            )
            return redirect("accounts:term_invitations", slug=term.slug)
    else:
        form = InvitationForm()
    return render(
        request,
        "accounts/term_invitations.html",
        {
            "term": term,
            "form": form,
            "invitations": selectors.term_invitations(term=term),
            "members": selectors.term_members(term=term),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_find(token=token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if not request.user.is_authenticated:
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation})
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ValidationError as error:
            return render(
                request,
                "accounts/invitation_accept.html",
                {"invitation": invitation, "error": " ".join(error.messages)},
                status=400,
            )
        messages.success(
            request, f"You are now {membership.get_role_display().lower()} in {membership.term}."
        )
        return redirect("accounts:profile")
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation})
