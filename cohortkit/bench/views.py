"""The baseline of the application benchmark: the cheapest write a Django view can do here.

Mounted only when ``BENCHMARK_ENDPOINTS=1`` (``cohortkit.urls``); ``make bench-apply`` sets it for
its own gunicorn and nothing else does.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from cohortkit.common.models import AuditEvent


@csrf_exempt
@require_POST
def insert_one_row(request: HttpRequest) -> HttpResponse:
    AuditEvent.objects.create(action="benchmark.baseline", target_type="none", target_id="0")
    return HttpResponse(status=204)


@require_GET
def trivial_page(request: HttpRequest) -> HttpResponse:
    """The floor of ``make bench-pages``: a page that reads nothing and renders no template."""
    return HttpResponse("<!doctype html><title>ok</title><p>ok</p>")
