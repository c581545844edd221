"""Run a term again: a new draft term from an old one, every date moved with the start date.

The term itself (its settings and tracks) is always copied; everything else is a *part* the
organizer can untick. Parts live with the app that owns their data and register here from their
``AppConfig.ready`` (``term_copy_part_register``), so this base app never imports the apps above
it: programs copies the curriculum and the money and completion settings, quizzes their
questions, admissions the forms and rubric, accounts the staff roles, community the FAQ.

Dates: the new term starts on a date of the same weekday; every date moves by the same number of
days, and every deadline keeps its wall-clock time in the zone it was set in, across daylight
saving (a deadline at 23:59 Pacific stays 23:59 Pacific). Due dates of the curriculum are days
after each week's start, so they move with the weeks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models, transaction

from cohortkit.common.errors import InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.programs.models import (
    Assignment,
    DiscussionGuide,
    Lecture,
    Quiz,
    Reading,
    Term,
    Track,
    Week,
)

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class CopyContext:
    """What a part's copier needs: both terms, how far dates move, and what was copied so far."""

    source: Term
    target: Term
    shift: dt.timedelta
    actor: Any
    staff_roles: frozenset[str]
    tracks: dict[int, Track] = field(default_factory=dict)
    weeks: dict[int, Week] = field(default_factory=dict)
    # (model label, old primary key) → the new object, for parts that build on other parts.
    copied: dict[tuple[str, int], models.Model] = field(default_factory=dict)

    def shift_instant(self, instant: dt.datetime | None, zone_name: str) -> dt.datetime | None:
        """The instant moved by whole days, keeping its wall-clock time in ``zone_name``."""
        return shift_instant(instant, self.shift, zone_name)


@dataclass(frozen=True)
class CopyPart:
    key: str
    label: str
    copier: Callable[[CopyContext], int]
    order: int = 100
    needs: tuple[str, ...] = ()
    # What to do in the new term when the organizer unticks the part (settings copied with the
    # term itself are reset to their defaults, for example).
    when_left_out: Callable[[CopyContext], None] | None = None


_PARTS: dict[str, CopyPart] = {}


def term_copy_part_register(part: CopyPart) -> None:
    """Make a part available to every copy (called from an app's ``ready``; idempotent)."""
    _PARTS[part.key] = part


def term_copy_parts() -> list[CopyPart]:
    """The parts, in the order they are copied."""
    return sorted(_PARTS.values(), key=lambda part: (part.order, part.key))


def shift_instant(
    instant: dt.datetime | None, shift: dt.timedelta, zone_name: str
) -> dt.datetime | None:
    if instant is None:
        return None
    zone = ZoneInfo(zone_name)
    local = instant.astimezone(zone).replace(tzinfo=None) + shift
    return local.replace(tzinfo=zone).astimezone(dt.UTC)


def clone(instance: models.Model, **overrides: Any) -> models.Model:
    """A new row with the same concrete field values, ``overrides`` applied (saved)."""
    values = {
        concrete.attname: getattr(instance, concrete.attname)
        for concrete in instance._meta.concrete_fields
        if not concrete.primary_key
    }
    for name, value in overrides.items():
        values.pop(f"{name}_id", None)
        values[name] = value
    model: Any = type(instance)
    created: models.Model = model.objects.create(**values)
    return created


def _validate(
    *, source: Term, slug: str, name: str, starts_on: dt.date | None, parts: set[str]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not SLUG_PATTERN.match(slug or "") or len(slug) > 50:
        errors["slug"] = "Use lower-case letters, digits and hyphens, e.g. ml-safety-spring-2023."
    elif Term.objects.filter(slug=slug).exists():
        errors["slug"] = "A term already has this address."
    if not name.strip():
        errors["name"] = "Give the new term a name, e.g. Spring 2023."
    elif len(name) > 100:
        errors["name"] = "At most 100 characters."
    latest = dt.date(2199, 12, 31) - (source.ends_on - source.starts_on)
    if starts_on is None:
        errors["starts_on"] = "Choose the first day of the new term."
    elif starts_on > latest:
        errors["starts_on"] = f"Choose a first day before {latest:%Y}."
    elif starts_on.weekday() != source.starts_on.weekday():
        weekday = source.starts_on.strftime("%A")
        errors["starts_on"] = (
            f"{source} starts on a {weekday}; pick a {weekday} so every date keeps its weekday."
        )
    elif starts_on <= source.starts_on:
        errors["starts_on"] = f"The new term must start after {source} ({source.starts_on})."
    unknown = parts - set(_PARTS)
    if unknown:
        errors["parts"] = f"Unknown parts: {', '.join(sorted(unknown))}."
    for key in parts & set(_PARTS):
        missing = [need for need in _PARTS[key].needs if need not in parts]
        if missing:
            labels = ", ".join(_PARTS[need].label for need in missing)
            errors["parts"] = f"“{_PARTS[key].label}” needs {labels} too."
    return errors


def term_copy(
    *,
    source: Term,
    slug: str,
    name: str,
    starts_on: dt.date | None,
    parts: set[str],
    staff_roles: set[str] | frozenset[str] = frozenset(),
    actor: Any,
) -> Term:
    """Create a draft term (not public) from ``source`` with the chosen parts.

    Refuses with ``InvalidInputError`` (field errors for ``slug``, ``name``, ``starts_on``,
    ``parts``) and writes nothing when the input is wrong.
    """
    errors = _validate(source=source, slug=slug, name=name, starts_on=starts_on, parts=parts)
    if errors:
        raise InvalidInputError("The new term cannot be made as asked.", field_errors=errors)
    assert starts_on is not None
    shift = dt.timedelta(days=(starts_on - source.starts_on).days)
    with transaction.atomic():
        target = clone(
            source,
            slug=slug,
            name=name.strip(),
            is_published=False,
            starts_on=starts_on,
            ends_on=source.ends_on + shift,
            participant_deadline=shift_instant(
                source.participant_deadline, shift, source.deadline_time_zone
            ),
            facilitator_deadline=shift_instant(
                source.facilitator_deadline, shift, source.deadline_time_zone
            ),
        )
        assert isinstance(target, Term)
        context = CopyContext(
            source=source,
            target=target,
            shift=shift,
            actor=actor,
            staff_roles=frozenset(staff_roles),
        )
        for track in source.tracks.all():
            copied = clone(track, term=target)
            assert isinstance(copied, Track)
            context.tracks[track.pk] = copied
        counts = {}
        for part in term_copy_parts():
            if part.key in parts:
                counts[part.key] = part.copier(context)
            elif part.when_left_out is not None:
                part.when_left_out(context)
        audit_record(
            actor=actor,
            action="term.copied",
            target=target,
            details={"from": source.slug, "parts": counts, "shift_days": shift.days},
        )
    return target


# --- The parts programs owns ----------------------------------------------------------------------

CURRICULUM_MODELS: tuple[Any, ...] = (
    Lecture,
    Reading,
    Assignment,
    Quiz,
    DiscussionGuide,
)


def _copy_curriculum(context: CopyContext) -> int:
    count = 0
    for week in context.source.weeks.all():
        new_week = clone(week, term=context.target)
        assert isinstance(new_week, Week)
        context.weeks[week.pk] = new_week
    for model in CURRICULUM_MODELS:
        items = model.objects.filter(week__term=context.source).prefetch_related("tracks")
        for item in items:
            new_item: Any = clone(item, week=context.weeks[item.week_id])
            new_item.tracks.set([context.tracks[track.pk] for track in item.tracks.all()])
            context.copied[(model._meta.label_lower, item.pk)] = new_item
            count += 1
    return count


MONEY_FIELDS = (
    "stipend_cents",
    "stipend_currency",
    "stipend_eligibility",
    "facilitator_rate_cents",
    "facilitator_prep_hours_note",
)
COMPLETION_FIELDS = ("completion_min_meetings", "completion_min_assignments", "completion_note")


def _reset_fields(context: CopyContext, names: tuple[str, ...]) -> None:
    """A part left unticked: the new term starts from the model's defaults for these fields."""
    for name in names:
        term_field: Any = Term._meta.get_field(name)
        setattr(context.target, name, term_field.get_default())
    context.target.save(update_fields=list(names))


def register_programs_parts() -> None:
    term_copy_part_register(
        CopyPart(key="curriculum", label="Weeks and curriculum", copier=_copy_curriculum, order=10)
    )
    # Settings on the term itself come with it; leaving these parts out resets them.
    term_copy_part_register(
        CopyPart(
            key="money",
            label="Stipend and facilitator pay",
            copier=lambda context: len(MONEY_FIELDS),
            order=20,
            when_left_out=lambda context: _reset_fields(context, MONEY_FIELDS),
        )
    )
    term_copy_part_register(
        CopyPart(
            key="completion",
            label="Completion rule",
            copier=lambda context: len(COMPLETION_FIELDS),
            order=20,
            when_left_out=lambda context: _reset_fields(context, COMPLETION_FIELDS),
        )
    )
