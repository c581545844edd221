"""The organizer's outbox: the term's emails, queued, sent and failed with the reason, and a
retry for the failed ones. The emails are the notifications app's; this page shows one term's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cohortkit.accounts import rules
from cohortkit.accounts.models import Role
from cohortkit.common.errors import NotFoundError
from cohortkit.notifications.models import OutboundEmail
from cohortkit.notifications.selectors import (
    EmailStatus,
    outbound_email_status_counts,
    outbound_emails,
)
from cohortkit.notifications.services import email_retry
from cohortkit.programs import selectors

PAGE_SIZE = 50


@login_required
@require_GET
def outbox(request: HttpRequest, slug: str) -> HttpResponse:
    term = selectors.term_get(slug=slug)
    rules.require_term_role(request, term, Role.ORGANIZER)
    status = request.GET.get("status", "")
    if status not in EmailStatus.values:
        status = ""
    emails = outbound_emails(term_id=term.pk, status=status or None)
    page = Paginator(emails, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = outbound_email_status_counts(term_id=term.pk)
    return render(
        request,
        "programs/outbox.html",
        {
            "term": term,
            "page": page,
            "status": status,
            "statuses": [(choice, label, counts[choice]) for choice, label in EmailStatus.choices],
            "total": sum(counts.values()),
        },
    )


@login_required
@require_POST
def outbox_retry(request: HttpRequest, slug: str, email_id: int) -> HttpResponse:
    term = selectors.term_get(slug=slug)
    rules.require_term_role(request, term, Role.ORGANIZER)
    if not OutboundEmail.objects.filter(pk=email_id, term_id=term.pk).exists():
        raise NotFoundError("No such email in this term.")
    email = email_retry(email_id=email_id, actor=request.user)
    messages.success(request, f"The email to {email.to} will be sent again.")
    return redirect(f"{reverse('programs:outbox', args=[term.slug])}?status=failed")
