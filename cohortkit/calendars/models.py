"""A person's private calendar feed: a secret URL any calendar app can subscribe to.

Only the SHA-256 of the token is stored, so the URL is shown once (at creation or reset) and a
leaked database does not leak anyone's calendar.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CalendarFeed(models.Model):
    """The one feed of a person; resetting it replaces the token and the old URL stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # The token's first characters, so a person can tell which URL their calendar app holds.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed {self.prefix}… of {self.user}"
