"""Sign up, log in and out, profile, and invitations to a role in a term."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from cohortkit.accounts import rules, selectors, services
from cohortkit.accounts.forms import (
    ApiTokenForm,
    AuditFilterForm,
    InvitationForm,
    ProfileForm,
    SignupForm,
)
from cohortkit.accounts.lockout import locked_emails
from cohortkit.accounts.models import Role, User
from cohortkit.common.errors import NotFoundError, ServiceError
from cohortkit.common.selectors import audit_actions_for_term, audit_events_for_term
from cohortkit.common.tables import Column, table_page
from cohortkit.common.timezones import wall_clock_to_instant


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
            except ServiceError as error:
                for field, message in error.field_errors.items():
                    form.add_error(field if field in form.fields else None, message)
                if not error.field_errors:
                    form.add_error(None, error.message)
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


PEOPLE_COLUMNS = [
    Column("name", "Name", ("user__name", "user__email")),
    Column("email", "Email", ("user__email",)),
    Column("role", "Role", ("role", "user__name")),
    Column("since", "Since", ("created_at",)),
    Column("login", "Login"),
]
PENDING_INVITATIONS_SHOWN = 50


@login_required
@require_http_methods(["GET", "POST"])
def term_invitations(request: HttpRequest, slug: str) -> HttpResponse:
    """The people page: the term's members (search, sort, filter by role), invitations."""
    term = selectors.term_get(slug=slug)
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
    role = request.GET.get("role") or ""
    if role not in Role.values:
        role = ""
    table = table_page(
        request,
        selectors.term_members(term=term, role=role or None),
        columns=PEOPLE_COLUMNS,
        default_sort="name",
        search_fields=("user__name", "user__email"),
    )
    now = timezone.now()
    pending = selectors.term_invitations_pending(term=term, now=now)
    return render(
        request,
        "accounts/term_invitations.html",
        {
            "term": term,
            "form": form,
            "table": table,
            "role": role,
            "roles": [
                (value, label, table.url_with(role=value, page=None))
                for value, label in Role.choices
            ],
            "all_roles_url": table.url_with(role=None, page=None),
            "pending": pending[:PENDING_INVITATIONS_SHOWN],
            "pending_count": pending.count(),
            "locked": locked_emails(emails=[membership.user.email for membership in table.rows]),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    """Confirm, then withdraw a pending invitation (its link opens nothing any more)."""
    term = selectors.term_get(slug=slug)
    rules.require_term_role(request, term, Role.ORGANIZER)
    invitation = selectors.term_invitation_get(term=term, invitation_id=invitation_id)
    problem = ""
    status = 200
    if request.method == "POST":
        try:
            services.invitation_revoke(term=term, invitation_id=invitation.pk, actor=request.user)
        except ServiceError as error:
            # Accepted meanwhile: this page again, as it stands now, with the reason.
            problem, status = error.message, error.http_status
            invitation.refresh_from_db()
        else:
            messages.success(
                request,
                f"The invitation to {invitation.email} is withdrawn: its link opens nothing.",
            )
            return redirect("accounts:term_invitations", slug=term.slug)
    return render(
        request,
        "accounts/invitation_revoke.html",
        {"term": term, "invitation": invitation, "problem": problem},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_revoke(request: HttpRequest, slug: str, user_id: int, role: str) -> HttpResponse:
    """Confirm, then take one role in the term away from a person (audited)."""
    term = selectors.term_get(slug=slug)
    rules.require_term_role(request, term, Role.ORGANIZER)
    membership = selectors.term_membership_get(term=term, user_id=user_id, role=role)
    person = membership.user
    if request.method == "POST":
        try:
            removed = services.membership_revoke(
                term=term, user=person, role=membership.role, actor=request.user
            )
        except ServiceError as error:
            # The term's last organizer role: this page again, with the reason and its status.
            return render(
                request,
                "accounts/membership_revoke.html",
                {
                    "term": term,
                    "membership": membership,
                    "person": person,
                    "problem": error.message,
                },
                status=error.http_status,
            )
        label = membership.get_role_display().lower()
        messages.success(
            request,
            f"{person.name} is no longer {label} in {term}."
            if removed
            else f"{person.name} was already no longer {label}.",
        )
        if person.pk == request.user.pk and membership.role == Role.ORGANIZER:
            return redirect("accounts:profile")  # the people page is no longer theirs
        return redirect("accounts:term_invitations", slug=term.slug)
    return render(
        request,
        "accounts/membership_revoke.html",
        {"term": term, "membership": membership, "person": person},
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_find(token=token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if invitation.revoked_at is not None:
        return render(
            request,
            "accounts/invitation_accept.html",
            {"invitation": invitation, "error": services.INVITATION_WITHDRAWN},
            status=409,
        )
    if not request.user.is_authenticated:
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation})
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ServiceError as error:
            return render(
                request,
                "accounts/invitation_accept.html",
                {"invitation": invitation, "error": error.message},
                status=400,
            )
        messages.success(
            request, f"You are now {membership.get_role_display().lower()} in {membership.term}."
        )
        return redirect("accounts:profile")
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The person's own API tokens: create one (shown once), see when each was last used."""
    new_token = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires"]
        try:
            new_token = services.api_token_create(
                user=cast(User, request.user),
                name=form.cleaned_data["name"],
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
            )
        except ServiceError as error:
            for field, message in error.field_errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            form = ApiTokenForm()
    now = timezone.now()
    tokens = [(token, token.status_at(now)) for token in selectors.api_tokens_of(user=request.user)]
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["POST"])
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(
            user=cast(User, request.user), token_id=token_id, actor=request.user
        )
    except NotFoundError as error:
        raise Http404 from error
    messages.success(request, f"The token {token.prefix}… is revoked: it opens nothing any more.")
    return redirect("accounts:api_tokens")


@login_required
@require_http_methods(["POST"])
def account_unlock(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """An organizer lets a member of their term log in again after too many failed logins."""
    term = selectors.term_get(slug=slug)
    rules.require_term_role(request, term, Role.ORGANIZER)
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise Http404
    try:
        services.account_unlock(term=term, user=person, actor=request.user)
    except NotFoundError as error:
        raise Http404 from error
    messages.success(request, f"{person.name} ({person.email}) can log in again.")
    return redirect("accounts:term_invitations", slug=term.slug)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation; a new password also lifts a lock from failed logins."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.account_failed_logins_clear(user=form.user, actor=form.user)
        return response


AUDIT_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET"])
def term_audit(request: HttpRequest, slug: str) -> HttpResponse:
    """Who did what in the term, newest first; filter by person, kind of action and dates."""
    term = selectors.term_get(slug=slug)
    rules.require_term_role(request, term, Role.ORGANIZER)
    form = AuditFilterForm(request.GET or None, actions=audit_actions_for_term(term=term))
    filters: dict[str, Any] = {}
    if form.is_valid():
        zone = getattr(request, "viewer_time_zone", "UTC")
        data = form.cleaned_data
        filters = {
            "person": data["person"].strip(),
            "action": data["action"],
            "since": wall_clock_to_instant(data["since"], dt.time(0), zone)
            if data["since"]
            else None,
            "until": wall_clock_to_instant(data["until"] + dt.timedelta(days=1), dt.time(0), zone)
            if data["until"]
            else None,
        }
    events = audit_events_for_term(term=term, **filters) if not form.errors else None
    page = (
        Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        if events is not None
        else None
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/term_audit.html",
        {"term": term, "form": form, "page": page, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )
