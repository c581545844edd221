"""Everything the site holds about a person: exported as one JSON file, and erased on request.

Each app registers one part from its ``AppConfig.ready`` (in its own ``personal_data.py``): the
models of its that hold a person, with the fields that name them, and an eraser. So this base app
never imports the apps above it, and a test finds every model with a foreign key to the user
(``apps.get_models()``) and fails until some part covers it: a new model cannot be forgotten.

Erasing keeps what other people rely on and removes or anonymises what is personal. The person's
own row (``accounts.User``) is not deleted but anonymised last, so the rows that others rely on
and that point at it (ledger entries, attendance, reviews, decisions) keep their amounts and
counts with a payee, attendee or reviewer who is nobody in particular any more. The ledger is
append-only: it is never updated, only the person row it references changes.
The file's shape is described in ``docs/personal-data.md``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from cohortkit.common.services import audit_record

FORMAT = "cohortkit-personal-data/1"
# Fields never written into an export, whatever model they are on (secrets, not data about you).
SECRET_FIELDS = frozenset({"password", "key", "token_hash", "secret", "bin_key", "token"})


@dataclass
class ErasureContext:
    """What erasers share: the person, who asked (themselves or an organizer), and the counts."""

    user: Any
    actor: Any
    now: dt.datetime
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PersonalDataPart:
    """One app's share: ``models`` maps each model to the fields naming the person in it."""

    key: str
    models: Mapping[type[models.Model], tuple[str, ...]]
    eraser: Callable[[ErasureContext], None] | None = None
    # Erasers run in this order; the person's own row is anonymised last (accounts: 1000).
    order: int = 100
    # Rows about the person in models without a foreign key to them (an application's answers):
    # model label → rows, added to the part's export.
    extra_rows: Callable[[Any], dict[str, list[dict[str, Any]]]] | None = None


_PARTS: dict[str, PersonalDataPart] = {}


def personal_data_part_register(part: PersonalDataPart) -> None:
    """Make a part known (called from an app's ``ready``; idempotent)."""
    _PARTS[part.key] = part


def personal_data_parts() -> list[PersonalDataPart]:
    return sorted(_PARTS.values(), key=lambda part: (part.order, part.key))


def covered_models() -> set[type[models.Model]]:
    return {model for part in _PARTS.values() for model in part.models}


def json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def row_of(instance: models.Model) -> dict[str, Any]:
    """The concrete fields of one row as JSON values (foreign keys as ids; secrets left out)."""
    return {
        concrete.attname: json_value(getattr(instance, concrete.attname))
        for concrete in instance._meta.concrete_fields
        if concrete.name not in SECRET_FIELDS
    }


def rows_where(model: type[models.Model], **filters: Any) -> list[dict[str, Any]]:
    manager: Any = model._default_manager
    return [row_of(instance) for instance in manager.filter(**filters).order_by("pk")]


def rows_naming(
    model: type[models.Model], fields: Iterable[str], user: Any
) -> list[dict[str, Any]]:
    """Every row of ``model`` where one of ``fields`` is the person, oldest first."""
    condition = Q()
    for name in fields:
        condition |= Q(**{name: user.pk if name == "pk" else user})
    manager: Any = model._default_manager
    return [row_of(instance) for instance in manager.filter(condition).order_by("pk")]


def personal_data_export(*, user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """The one JSON document of everything the site holds about ``user`` (a read, no write)."""
    parts: dict[str, Any] = {}
    for part in personal_data_parts():
        rows = {
            model._meta.label: rows_naming(model, fields, user)
            for model, fields in part.models.items()
        }
        if part.extra_rows is not None:
            rows |= part.extra_rows(user)
        parts[part.key] = rows
    return {
        "format": FORMAT,
        "exported_at": (now or timezone.now()).isoformat(),
        "person": {"id": user.pk, "email": user.email, "name": user.name},
        "parts": parts,
    }


@transaction.atomic
def personal_data_erase(
    *,
    user: Any,
    actor: Any,
    reason: str = "",
    term: Any | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Erase the person: every part's eraser in order, the person's row last, one audit event.

    Returns what each part removed or anonymised (part key → rows). The audit event names the
    person by id only, so the trail keeps that an erasure happened and not who it was; ``term``
    is the term an organizer erased them from (their audit page shows it).
    """
    context = ErasureContext(user=user, actor=actor, now=now or timezone.now())
    for part in personal_data_parts():
        if part.eraser is not None:
            part.eraser(context)
    audit_record(
        actor=actor if actor is not None and actor.pk != user.pk else None,
        action="person.erased",
        target=user,
        details={"counts": context.counts, "reason": reason[:500], "by_self": actor == user},
        term=term,
    )
    return context.counts
