"""Which term an audited object belongs to, found from its model's foreign keys.

The audit page of a term lists the events whose target lies in that term: an application (through
its form), a meeting (through its section), a term itself. The path from a model to ``Term`` is
found once per model from ``_meta`` (foreign keys only, at most four hops) and then followed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

MAX_HOPS = 4


def _is_term_model(model: Any) -> bool:
    return model._meta.label_lower == "programs.term"


@cache
def path_to_term(model: Any) -> tuple[str, ...] | None:
    """Field names leading from ``model`` to its term (``()`` for Term itself), or None."""
    if _is_term_model(model):
        return ()
    frontier: list[tuple[Any, tuple[str, ...]]] = [(model, ())]
    seen = {model}
    for _ in range(MAX_HOPS):
        following: list[tuple[Any, tuple[str, ...]]] = []
        for current, path in frontier:
            for field in current._meta.get_fields():
                if not (field.many_to_one and field.concrete) or field.related_model is None:
                    continue
                related: Any = field.related_model
                if isinstance(related, str):
                    continue
                if _is_term_model(related):
                    return (*path, field.name)
                if related not in seen and related._meta.app_label not in {"auth", "accounts"}:
                    seen.add(related)
                    following.append((related, (*path, field.name)))
        frontier = following
    return None


def term_id_of(target: Any) -> int | None:
    """The primary key of the term ``target`` belongs to, or None (a person, a site setting)."""
    # ``__class__``, not ``type()``: a request's lazy user reports the class it wraps.
    model: Any = target.__class__
    path = path_to_term(model)
    if path is None:
        return None
    current = target
    for name in path[:-1]:
        current = getattr(current, name, None)
        if current is None:
            return None
    if not path:
        return int(current.pk)
    term_id = getattr(current, f"{path[-1]}_id", None)
    return int(term_id) if term_id is not None else None
