"""Emails the platform sends: rendered once, sent at most once, kept as a record."""

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
    scheduled_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(claimed_at__isnull=False),
                name="outbound_email_sent_only_when_claimed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
