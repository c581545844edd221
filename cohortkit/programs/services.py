"""Writes to programs and terms. Each function validates first, then writes in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cohortkit.common.errors import InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.programs.models import Term
from cohortkit.programs.validation import term_settings_validate

# Called with ``term=`` and ``actor=`` after the settings are saved, in the same transaction:
# how an app above programs keeps its own records in step (completion's term-wide rule).
TermSettingsListener = Callable[..., None]
_term_settings_listeners: list[TermSettingsListener] = []


def term_settings_listener_register(listener: TermSettingsListener) -> None:
    """Call ``listener(term=, actor=)`` after every ``term_settings_update`` (once per listener)."""
    if listener not in _term_settings_listeners:
        _term_settings_listeners.append(listener)


@transaction.atomic
def term_settings_update(*, term: Term, actor: Any, values: dict[str, Any]) -> Term:
    """Apply settings to a term, record who changed what, and tell the listeners.

    Raises ``InvalidInputError`` with the fields (``Term`` field names) and writes nothing if a
    term rule (``validation.term_settings_validate``) or the database's own would be broken.
    """
    current = {field.name: getattr(term, field.name) for field in Term._meta.concrete_fields}
    term_settings_validate(values={**current, **values})
    changed = {
        name: [str(getattr(term, name)), str(value)]
        for name, value in values.items()
        if getattr(term, name) != value
    }
    for name, value in values.items():
        setattr(term, name, value)
    try:
        term.full_clean(exclude=["program", "slug"])
    except ValidationError as error:
        term.refresh_from_db()
        raise InvalidInputError(
            " ".join(error.messages),
            field_errors={
                name: " ".join(messages) for name, messages in error.message_dict.items()
            },
        ) from error
    term.save()
    if changed:
        audit_record(actor=actor, action="term.settings_updated", target=term, details=changed)
    for listener in _term_settings_listeners:
        listener(term=term, actor=actor)
    return term
