"""Writes to programs and terms. Each function validates first, then writes in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from cohortkit.common.services import audit_record
from cohortkit.programs.models import Term

APPLICATION_KINDS = ("participant", "facilitator")


def term_application_deadline(*, term: Term, kind: str) -> dt.datetime:
    """The term's own deadline for one kind of application (personal extensions come later)."""
    if kind == "participant":
        return term.participant_deadline
    if kind == "facilitator":
        return term.facilitator_deadline
    raise ValueError(f"unknown application kind {kind!r}")


def term_applications_open(*, term: Term, kind: str, now: dt.datetime | None = None) -> bool:
    """True strictly before the deadline instant: at the deadline itself applications are closed."""
    moment = now or timezone.now()
    return moment < term_application_deadline(term=term, kind=kind)


@transaction.atomic
def term_settings_update(*, term: Term, actor: Any, values: dict[str, Any]) -> Term:
    """Apply validated settings to a term and record who changed what.

    Raises ``ValidationError`` (and writes nothing) if the database's own rules would be broken.
    """
    changed = {
        name: [str(getattr(term, name)), str(value)]
        for name, value in values.items()
        if getattr(term, name) != value
    }
    for name, value in values.items():
        setattr(term, name, value)
    term.full_clean(exclude=["program", "slug"])
    term.save()
    if changed:
        audit_record(actor=actor, action="term.settings_updated", target=term, details=changed)
    return term
