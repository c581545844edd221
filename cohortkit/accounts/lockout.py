"""Failed-login limits: django-axes counts failures per account and per address.

After ``LOGIN_FAILURE_LIMIT`` (30 by default) failed logins for one account, or from one address,
further logins are refused for ``LOGIN_LOCKOUT_MINUTES`` (60) with a page that says why and what to
do. A successful password reset unlocks the account, and an organizer of a term the person belongs
to can unlock them from the term's people page (``account_unlock``), as staff can in the admin or
with ``cohortkit axes_reset_username EMAIL``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a login attempt names, as stored: emails are compared lower-cased."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(raw).strip().lower()[:254]


def client_address(request: HttpRequest) -> str | None:
    """The client's address; behind ``TRUSTED_PROXY_COUNT`` proxies, from X-Forwarded-For."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def locked_out_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page a locked-out login gets: why, until when (in the viewer's zone), what to do."""
    until = timezone.now() + settings.AXES_COOLOFF_TIME
    return render(
        request,
        "accounts/locked_out.html",
        {
            "until": until,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "username": username_of(request, credentials),
        },
        status=429,
    )


def locked_emails(*, emails: list[str]) -> set[str]:
    """Which of these accounts are locked now (one query)."""
    from axes.models import AccessAttempt
    from django.db.models import Sum

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    totals = (
        AccessAttempt.objects.filter(
            username__in=[email.lower() for email in emails], attempt_time__gte=since
        )
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
    )
    return {row["username"] for row in totals if row["failures"] >= settings.AXES_FAILURE_LIMIT}
