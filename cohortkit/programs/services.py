"""Writes to programs and terms. Each function validates first, then writes in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cohortkit.common.errors import InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.programs.models import Term
from cohortkit.programs.states import TermState, term_state
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
    publishing = _publishing_change(term=term, publish=values.get("is_published"))
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
    if publishing is not None:
        # The same event the state page records, so the term's history reads the same either way.
        audit_record(actor=actor, action=publishing, target=term)
    for listener in _term_settings_listeners:
        listener(term=term, actor=actor)
    return term


def _publishing_change(*, term: Term, publish: Any) -> str | None:
    """The state event a change of the "Published" box is ("term.published"/"term.unpublished"),
    refused where the state page would refuse it: an archived term is not published, and only a
    term that has not started goes back to draft."""
    if publish is None or bool(publish) == term.is_published:
        return None
    if publish and term.archived_at is not None:
        raise InvalidInputError(
            "This term is archived; restore it before publishing.",
            field_errors={"is_published": "This term is archived; restore it before publishing."},
        )
    if not publish and term_state(term) is not TermState.OPEN:
        message = "Only a published term that has not started can go back to draft."
        raise InvalidInputError(message, field_errors={"is_published": message})
    return "term.published" if publish else "term.unpublished"
