from __future__ import annotations

from typing import Any

from django.db import models

from cohortkit.common.audit import term_id_of
from cohortkit.common.models import AuditEvent


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model,
    details: dict[str, Any] | None = None,
    term: Any | None = None,
) -> AuditEvent:
    """Append one event to the audit trail; the caller's transaction decides if it sticks.

    ``term`` is found from the target's foreign keys unless given (a person acted on in a term).
    """
    return AuditEvent.objects.create(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        details=details or {},
        term_id=term.pk if term is not None else term_id_of(target),
    )
