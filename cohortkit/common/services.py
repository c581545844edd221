from __future__ import annotations

from typing import Any

from django.db import models

from cohortkit.common.models import AuditEvent


def audit_record(
    *, actor: Any | None, action: str, target: models.Model, details: dict[str, Any] | None = None
) -> AuditEvent:
    """Append one event to the audit trail; the caller's transaction decides if it sticks."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        details=details or {},
    )
