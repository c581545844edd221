"""Writes about calendar feeds: creating or resetting a person's secret feed URL."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from cohortkit.calendars.models import CalendarFeed
from cohortkit.calendars.selectors import token_digest
from cohortkit.common.services import audit_record


@transaction.atomic
def calendar_feed_reset(*, user: Any) -> str:
    """Give the person a new secret feed token and return it (shown once, never stored).

    The first call creates the feed; each later call replaces the token, so the old URL stops
    working at once (calendar apps subscribed to it get 404 and must be given the new one).
    """
    token = secrets.token_urlsafe(32)
    values = {"token_hash": token_digest(token), "prefix": token[:8]}
    feed, created = CalendarFeed.objects.update_or_create(
        user=user, create_defaults=values, defaults={**values, "reset_at": timezone.now()}
    )
    audit_record(
        actor=user,
        action="calendar_feed.created" if created else "calendar_feed.reset",
        target=feed,
        details={"prefix": feed.prefix},
    )
    return token
