"""Turns ``TwoFactorRequiredError`` into a redirect to set up, or type, a second factor."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from cohortkit.accounts.rules import TwoFactorRequiredError


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, TwoFactorRequiredError):
            return None
        from cohortkit.accounts.two_factor import two_factor_enabled

        next_query = urlencode({"next": request.get_full_path()})
        if two_factor_enabled(user=request.user):  # type: ignore[arg-type]
            # Turned on elsewhere, or the session predates it: type a code to continue.
            target = reverse("accounts:two_factor_verify")
        else:
            target = reverse("accounts:two_factor")
        messages.info(
            request, f"{exception.term} asks organizers and reviewers for a second factor."
        )
        return HttpResponseRedirect(f"{target}?{next_query}")
