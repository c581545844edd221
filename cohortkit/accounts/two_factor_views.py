"""Pages of two-factor authentication: set it up, type a code at login, turn it off."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from cohortkit.accounts import two_factor
from cohortkit.accounts.forms import LoginForm
from cohortkit.accounts.models import User
from cohortkit.common.errors import ServiceError

PENDING_LOGIN = "two_factor_pending_login"
PENDING_LIFETIME = dt.timedelta(minutes=10)
MAX_WRONG_CODES = 5


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=64,
        label="Code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
    )


def _next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class LoginView(auth_views.LoginView):
    """Django's login; a person with two-factor authentication then types a code."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not two_factor.two_factor_enabled(user=user):
            return super().form_valid(form)
        self.request.session[PENDING_LOGIN] = {
            "user": user.pk,
            "backend": user.backend,
            "until": (timezone.now() + PENDING_LIFETIME).isoformat(),
            "wrong": 0,
        }
        query = urlencode({"next": self.get_success_url()})
        return redirect(f"{reverse('accounts:two_factor_verify')}?{query}")


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_LOGIN)
    if not pending or dt.datetime.fromisoformat(pending["until"]) < timezone.now():
        request.session.pop(PENDING_LOGIN, None)
        return None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user is not None else None


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step: at login (after the password), or for a session that needs a factor."""
    signed_in = request.user.is_authenticated
    pending = None if signed_in else _pending_user(request)
    if not signed_in and pending is None:
        messages.info(request, "Log in with your email and password first.")
        return redirect("accounts:login")
    user = cast(User, request.user) if signed_in else pending[0]  # type: ignore[index]
    if signed_in and not two_factor.two_factor_enabled(user=user):
        return redirect(
            f"{reverse('accounts:two_factor')}?{urlencode({'next': _next(request, '')})}"
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.two_factor_check(user=user, code=form.cleaned_data["code"])
        if device is not None:
            if not signed_in:
                request.session.pop(PENDING_LOGIN, None)
                login(request, user, backend=pending[1]["backend"])  # type: ignore[index]
            otp_login(request, device)
            return redirect(_next(request, reverse("accounts:profile")))
        if pending is not None:
            pending[1]["wrong"] += 1
            if pending[1]["wrong"] >= MAX_WRONG_CODES:
                request.session.pop(PENDING_LOGIN, None)
                messages.error(request, "Too many wrong codes. Log in again to get new tries.")
                return redirect("accounts:login")
            request.session[PENDING_LOGIN] = pending[1]
        form.add_error("code", "That code is not right. Codes change every 30 seconds.")
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next(request, "")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Turn two-factor authentication on (scan, type one code, keep the recovery codes)."""
    user = cast(User, request.user)
    form = CodeForm(request.POST or None)
    recovery_codes: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            recovery_codes = two_factor.two_factor_enable(user=user, code=form.cleaned_data["code"])
        except ServiceError as error:
            for field, message in error.field_errors.items() or [(None, error.message)]:
                form.add_error(field, message)
        else:
            otp_login(request, two_factor.app_device(user=user))
            messages.success(request, "Two-factor authentication is on.")
    enabled = two_factor.two_factor_enabled(user=user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": enabled,
            "setup": None if enabled else two_factor.two_factor_setup(user=user),
            "form": form if not enabled else CodeForm(),
            "recovery_codes": recovery_codes,
            "next": _next(request, ""),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    return _with_code(request, action="disable")


@login_required
@require_http_methods(["POST"])
def recovery_codes_replace(request: HttpRequest) -> HttpResponse:
    return _with_code(request, action="recovery")


def _with_code(request: HttpRequest, *, action: str) -> HttpResponse:
    user = cast(User, request.user)
    form = CodeForm(request.POST)
    recovery_codes: list[str] = []
    if form.is_valid():
        try:
            if action == "disable":
                two_factor.two_factor_disable(user=user, code=form.cleaned_data["code"])
            else:
                recovery_codes = two_factor.recovery_codes_regenerate(
                    user=user, code=form.cleaned_data["code"]
                )
        except ServiceError as error:
            for field, message in error.field_errors.items() or [(None, error.message)]:
                form.add_error(field, message)
        else:
            if action == "disable":
                messages.success(request, "Two-factor authentication is off.")
                return redirect("accounts:two_factor")
    enabled = two_factor.two_factor_enabled(user=user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": enabled,
            "setup": None if enabled else two_factor.two_factor_setup(user=user),
            "form": form,
            "recovery_codes": recovery_codes,
            "next": "",
        },
        status=400 if form.errors else 200,
    )
