"""The organizer's outbox: the term's emails by status, the reason of a failure, and a retry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohortkit.common.models import AuditEvent
from cohortkit.notifications.models import OutboundEmail
from cohortkit.programs.outbox_views import PAGE_SIZE

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _email(term, key: str, **fields) -> OutboundEmail:
    values = {"to": f"{key}@example.org", "subject": f"About {key}", "body": "Hello"}
    return OutboundEmail.objects.create(
        idempotency_key=key, term_id=term.pk if term else None, **(values | fields)
    )


def _failed(term, key: str) -> OutboundEmail:
    return _email(
        term,
        key,
        attempts=5,
        failed_at=NOW,
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
    )


def test_the_outbox_shows_the_terms_emails_and_why_one_failed(term, other_term, client_as):
    _email(term, "queued")
    _email(term, "sent", claimed_at=NOW, sent_at=NOW)
    _failed(term, "failed")
    _email(other_term, "elsewhere")
    _email(None, "password-reset")

    page = client_as("organizer").get(reverse("programs:outbox", args=[term.slug])).text

    assert page.count('data-testid="outbox-email"') == 3
    assert "queued@example.org" in page and "waiting for a worker" in page
    assert "sent@example.org" in page
    assert "550 mailbox unavailable" in page
    assert "elsewhere@example.org" not in page
    assert "password-reset@example.org" not in page


def test_the_status_filter_is_in_the_address(term, client_as):
    _email(term, "queued")
    _failed(term, "failed")

    page = client_as("organizer").get(
        reverse("programs:outbox", args=[term.slug]), {"status": "failed"}
    )

    assert page.text.count('data-testid="outbox-email"') == 1
    assert "failed@example.org" in page.text
    assert "Failed, given up (1)" in page.text


def test_a_failed_email_is_sent_again(term, client_as, django_capture_on_commit_callbacks):
    email = _failed(term, "failed")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("organizer").post(
            reverse("programs:outbox_retry", args=[term.slug, email.pk]), follow=True
        )

    assert "The email to failed@example.org will be sent again." in response.text
    email.refresh_from_db()
    assert email.failed_at is None
    assert email.sent_at is not None  # tasks run at once in tests
    assert AuditEvent.objects.filter(action="email.retried", target_id=str(email.pk)).exists()


def test_another_terms_email_cannot_be_retried_from_here(term, other_term, client_as):
    email = _failed(other_term, "elsewhere")

    response = client_as("organizer").post(
        reverse("programs:outbox_retry", args=[term.slug, email.pk])
    )

    assert response.status_code == 404
    email.refresh_from_db()
    assert email.failed_at is not None


@pytest.mark.parametrize("role, status", [("facilitator", 403), ("applicant", 404)])
def test_only_organizers_retry(term, client_as, role, status):
    email = _failed(term, "failed")

    response = client_as(role).post(reverse("programs:outbox_retry", args=[term.slug, email.pk]))

    assert response.status_code == status


def test_emails_a_term_page_queues_land_in_its_outbox(
    term, client_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_as("organizer").post(
            reverse("accounts:term_invitations", args=[term.slug]),
            {"email": "new.reviewer@example.org", "role": "reviewer"},
        )

    assert OutboundEmail.objects.get(to="new.reviewer@example.org").term_id == term.pk


def test_the_outbox_is_paginated_in_constant_queries(term, client_as):
    client = client_as("organizer")
    url = reverse("programs:outbox", args=[term.slug])
    _email(term, "one")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(PAGE_SIZE + 5):
        _email(term, f"many-{number}", created_at=NOW - dt.timedelta(minutes=number))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)

    assert len(many) == len(one)
    assert page.text.count('data-testid="outbox-email"') == PAGE_SIZE
    assert "Page 1 of 2" in page.text
