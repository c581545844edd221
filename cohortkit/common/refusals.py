"""Where a refusal that no view caught becomes a response: once for pages, once for the API.

A view that re-renders its form with the message catches the refusal itself; any other
``ServiceError`` reaching the top becomes a page (``refused.html``) or JSON body with the status
the refusal names (``cohortkit.common.errors``), never a 500.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from cohortkit.common.errors import ServiceError, refusal_payload


def refusal_page(request: HttpRequest, error: ServiceError) -> HttpResponse:
    """The page a person sees when a service refused what they asked, with the refusal's status."""
    response = TemplateResponse(
        request,
        "refused.html",
        {"message": error.message, "field_errors": error.field_errors},
        status=error.http_status,
    )
    return response.render()


class RefusalMiddleware:
    """Answers a ``ServiceError`` that escaped a view with its status and message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ServiceError):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(refusal_payload(exception), status=exception.http_status)
        return refusal_page(request, exception)
