"""Reads of what every app shares: the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from cohortkit.common.models import AuditEvent


def audit_events_for_term(
    *,
    term: Any,
    person: str = "",
    action: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The term's audit events, newest first, narrowed by who (name or email), what and when.

    ``since`` is inclusive and ``until`` exclusive, both instants.
    """
    events = AuditEvent.objects.filter(term=term).select_related("actor")
    if person:
        events = events.filter(Q(actor__name__icontains=person) | Q(actor__email__icontains=person))
    if action:
        events = events.filter(action__startswith=action)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    return events.order_by("-occurred_at", "-id")


def audit_actions_for_term(*, term: Any) -> list[str]:
    """The kinds of event the term has, for the filter's choices (``application``, …)."""
    actions = AuditEvent.objects.filter(term=term).values_list("action", flat=True).distinct()
    return sorted({action.split(".", 1)[0] for action in actions})
