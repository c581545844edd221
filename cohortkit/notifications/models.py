"""Emails the platform sends: rendered once, kept as a record, sent by workers under a lease.

A worker claims an email by setting ``claimed_at`` (a lease of ``EMAIL_CLAIM_TIMEOUT`` seconds);
a claim older than that belongs to a worker that died and may be taken over. A send that raised
is tried again after ``next_attempt_at`` (exponential backoff) until ``EMAIL_MAX_ATTEMPTS``, then
the email is ``failed_at`` with the reason in ``last_error``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class OutboundEmail(models.Model):
    """One email to one address. The idempotency key makes a repeated request queue nothing new."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    scheduled_at = models.DateTimeField(
        null=True, blank=True, help_text="Not sent before this instant (empty: at once)."
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took it; the claim expires after a while."
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="After a failed attempt: not tried again before this."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text="Given up after the last attempt; see the last error."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The term the email is about, for the organizer's outbox (an id, not a foreign key: this
    # app sits below programs). Empty for emails about no term (password resets).
    term_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(claimed_at__isnull=False),
                name="outbound_email_sent_only_when_claimed",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(failed_at__isnull=True),
                name="outbound_email_sent_or_failed_not_both",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbound_email_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
