"""Start (or update) a term from one YAML file: its program, its settings and its curriculum.

The format::

    program:                      # matched by slug: created, or updated in place
      slug: introduction-to-ml-safety
      name: Introduction to ML Safety
      tagline: …                  # optional, like every key below that has a default
      description: …
      prerequisites: [Deep learning, …]
      prerequisites_note: …
      website: https://…
    term:                         # matched by slug: created, or updated in place
      slug: ml-safety-fall-2022
      name: Fall 2022
      time_zone: America/Los_Angeles       # the zone of record (IANA name)
      starts_on: 2022-09-26
      ends_on: 2022-11-18
      deadline_time_zone: AoE              # an IANA name, or AoE for anywhere on Earth
      participant_deadline: 2022-09-21     # a date (closes at the end of that date in the
      facilitator_deadline: 2022-09-18     # deadline zone) or a date and time ("2022-09-21
                                           # 17:00", in the deadline zone unless it has an offset)
      section_size_min: 4
      section_size_max: 8
      meeting_minutes: 60
      virtual_by_default: true
      in_person_note: …
      stipend: "1000.00"                   # an amount with at most two decimals, kept in cents
      stipend_currency: USD
      stipend_eligibility: …
      facilitator_rate: "30.00"            # per hour, same currency
      facilitator_prep_hours_note: …
      completion_min_meetings: 7
      completion_min_assignments: 7
      completion_note: …
      is_published: true
    curriculum: {tracks: …, weeks: …}      # inline (see cohortkit.programs.curriculum), or
    curriculum_file: curriculum.yaml       # a path relative to this file; or neither

Problems are reported like the curriculum's, ``line 9: term.starts_on: …``, and nothing is written
unless the whole file (and its curriculum file) is valid.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from cohortkit.common.currencies import currency_normalize, minor_digits, parse_major
from cohortkit.common.errors import InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import (
    ANYWHERE_ON_EARTH,
    UTC,
    end_of_day,
    time_zone_to_store,
    wall_clock_to_instant,
)
from cohortkit.common.yaml_files import FileFormatError, NodeReader
from cohortkit.programs.curriculum.applying import CurriculumSummary, curriculum_apply
from cohortkit.programs.curriculum.parsing import (
    CurriculumError,
    CurriculumPlan,
    curriculum_parse,
    curriculum_parse_node,
)
from cohortkit.programs.models import Program, Term, Track
from cohortkit.programs.validation import (
    DEADLINE_FIELDS,
    term_settings_problems,
    term_week_count,
)

AMOUNT_PATTERN = re.compile(r"^\d{1,10}(?:\.\d{1,4})?$")

PROGRAM_KEYS = (
    "slug",
    "name",
    "tagline",
    "description",
    "prerequisites",
    "prerequisites_note",
    "website",
)
TERM_KEYS = (
    "slug",
    "name",
    "time_zone",
    "starts_on",
    "ends_on",
    "deadline_time_zone",
    "participant_deadline",
    "facilitator_deadline",
    "section_size_min",
    "section_size_max",
    "meeting_minutes",
    "virtual_by_default",
    "in_person_note",
    "stipend",
    "stipend_currency",
    "stipend_eligibility",
    "facilitator_rate",
    "facilitator_prep_hours_note",
    "completion_min_meetings",
    "completion_min_assignments",
    "completion_note",
    "is_published",
)
# The term fields an ``overrides`` dict may set (model field names, already typed values).
OVERRIDABLE_FIELDS = frozenset(
    {
        "slug",
        "name",
        "time_zone",
        "starts_on",
        "ends_on",
        "deadline_time_zone",
        "participant_deadline",
        "facilitator_deadline",
        "is_published",
        "section_size_min",
        "section_size_max",
        "meeting_minutes",
    }
)


class TermFileError(FileFormatError):
    """A term file with problems; nothing was written."""


@dataclass
class TermLoadSummary:
    """What loading a term file did."""

    term: Term
    program_created: bool
    program_fields_changed: list[str]
    term_created: bool
    term_fields_changed: list[str] = field(default_factory=list)
    curriculum: CurriculumSummary | None = None

    def describe(self) -> str:
        lines = [
            f"Program {self.term.program.slug}: "
            + _change_text(self.program_created, self.program_fields_changed),
            f"Term {self.term.slug} ({self.term.name}): "
            + _change_text(self.term_created, self.term_fields_changed),
        ]
        if self.curriculum is not None:
            lines.append(f"Curriculum: {self.curriculum.describe()}")
        return "\n".join(lines)


def _change_text(created: bool, fields_changed: list[str]) -> str:
    if created:
        return "created"
    return f"updated ({', '.join(fields_changed)})" if fields_changed else "unchanged"


def _amount_minor(reader: NodeReader, node: yaml.Node, path: str, *, currency: str) -> int | None:
    """An amount such as "1000.00" in the currency's minor units (cents for USD, yen for JPY,
    fils for KWD), read from the text as written, never via a float."""
    text = reader.read_text(node, path, blank=False)
    if text is None:
        return None
    example = "1000" if minor_digits(currency) == 0 else "1000." + "0" * minor_digits(currency)
    if AMOUNT_PATTERN.match(text.strip()) is None:
        reader.error(node, path, f'must be an amount like "{example}", got "{text}"')
        return None
    try:
        return parse_major(text, currency)
    except ValueError as problem:
        reader.error(node, path, f'must be an amount like "{example}", got "{text}": {problem}')
        return None


def _term_currency(values: dict[str, yaml.Node]) -> str:
    """The currency the file's amounts are in: its own stipend_currency, else the existing
    term's, else the default. A wrong code is reported where it is read; USD stands in."""
    node = values.get("stipend_currency")
    if isinstance(node, yaml.ScalarNode):
        try:
            return currency_normalize(str(node.value))
        except ValueError:
            return "USD"
    slug_node = values.get("slug")
    if isinstance(slug_node, yaml.ScalarNode):
        existing = Term.objects.filter(slug=str(slug_node.value)).values_list(
            "stipend_currency", flat=True
        )
        for currency in existing:
            return currency
    return str(Term._meta.get_field("stipend_currency").default)


def _time_zone(
    reader: NodeReader, node: yaml.Node, path: str, *, allow_anywhere_on_earth: bool
) -> str | None:
    text = reader.read_text(node, path, blank=False)
    if text is None:
        return None
    if allow_anywhere_on_earth and text.strip().lower() in {"aoe", "anywhere on earth"}:
        return ANYWHERE_ON_EARTH
    stored = time_zone_to_store(text, allow_anywhere_on_earth=allow_anywhere_on_earth)
    if stored is None:
        hint = " or AoE" if allow_anywhere_on_earth else ""
        reader.error(
            node, path, f'must be an IANA time zone like Europe/Berlin{hint}, got "{text[:64]}"'
        )
        return None
    # An old name (Asia/Calcutta) is stored by its current one (Asia/Kolkata).
    return stored


def _deadline(value: dt.date | dt.datetime, zone_name: str) -> dt.datetime:
    """A date means the end of that date in the zone; a naive date and time is read in the zone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return wall_clock_to_instant(value.date(), value.time(), zone_name)
        return value.astimezone(UTC)
    return end_of_day(value, zone_name)


def _deadline_value(reader: NodeReader, node: yaml.Node, path: str) -> dt.date | dt.datetime | None:
    text = reader.read_text(node, path, blank=False)
    if text is None:
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    except ValueError:
        reader.error(
            node,
            path,
            f'must be a date like 2022-09-21 or a time like "2022-09-21 17:00", got "{text}"',
        )
        return None


@dataclass
class _ParsedTermFile:
    program: dict[str, Any]
    term: dict[str, Any]
    curriculum: CurriculumPlan | None


def _program_parse(reader: NodeReader, node: yaml.Node) -> dict[str, Any]:
    values = reader.read_mapping(node, "program", allowed=PROGRAM_KEYS, required=("slug", "name"))
    if values is None:
        return {}
    program: dict[str, Any] = {}
    for key, value_node in values.items():
        path = f"program.{key}"
        if key == "slug":
            program[key] = reader.read_slug(value_node, path)
        elif key == "name":
            program[key] = reader.read_text(value_node, path, max_length=200, blank=False)
        elif key == "tagline":
            program[key] = reader.read_text(value_node, path, max_length=300)
        elif key == "website":
            program[key] = reader.read_url(value_node, path, blank=True)
        elif key == "prerequisites":
            items = reader.read_list(value_node, path)
            program[key] = (
                None
                if items is None
                else [
                    reader.read_text(item, f"{path}[{index}]", blank=False)
                    for index, item in enumerate(items)
                ]
            )
        else:
            program[key] = reader.read_text(value_node, path)
    return program


def _term_parse(reader: NodeReader, node: yaml.Node) -> tuple[dict[str, Any], dict[str, yaml.Node]]:
    """The term's model field values as written, and the node of each, for later messages."""
    required = (
        "slug",
        "name",
        "starts_on",
        "ends_on",
        "participant_deadline",
        "facilitator_deadline",
    )
    values = reader.read_mapping(node, "term", allowed=TERM_KEYS, required=required)
    if values is None:
        return {}, {}
    term: dict[str, Any] = {}
    nodes: dict[str, yaml.Node] = {}
    for key, value_node in values.items():
        path = f"term.{key}"
        name = {"stipend": "stipend_cents", "facilitator_rate": "facilitator_rate_cents"}.get(
            key, key
        )
        nodes[name] = value_node
        value: Any
        if key == "slug":
            value = reader.read_slug(value_node, path)
        elif key == "name":
            value = reader.read_text(value_node, path, max_length=100, blank=False)
        elif key == "time_zone":
            value = _time_zone(reader, value_node, path, allow_anywhere_on_earth=False)
        elif key == "deadline_time_zone":
            value = _time_zone(reader, value_node, path, allow_anywhere_on_earth=True)
        elif key in ("starts_on", "ends_on"):
            value = reader.read_date(value_node, path)
        elif key in DEADLINE_FIELDS:
            value = _deadline_value(reader, value_node, path)
        elif key in ("section_size_min", "section_size_max"):
            value = reader.read_whole_number(value_node, path, minimum=1, unit="people")
        elif key == "meeting_minutes":
            value = reader.read_whole_number(value_node, path, minimum=15, unit="minutes")
        elif key in ("completion_min_meetings", "completion_min_assignments"):
            value = reader.read_whole_number(value_node, path, minimum=0)
        elif key in ("virtual_by_default", "is_published"):
            value = reader.read_boolean(value_node, path)
        elif key in ("stipend", "facilitator_rate"):
            value = _amount_minor(reader, value_node, path, currency=_term_currency(values))
        elif key == "stipend_currency":
            value = reader.read_text(value_node, path, blank=False)
            if value is not None:
                try:
                    value = currency_normalize(value)
                except ValueError:
                    reader.error(
                        value_node, path, f'must be an ISO 4217 code like USD, got "{value}"'
                    )
                    value = None
        elif key == "facilitator_prep_hours_note":
            value = reader.read_text(value_node, path, max_length=200)
        else:
            value = reader.read_text(value_node, path)
        term[name] = value
    return term, nodes


def _term_check(
    reader: NodeReader,
    term: dict[str, Any],
    nodes: dict[str, yaml.Node],
    overridden: set[str],
) -> None:
    """The term's rules, the settings form's too (the database enforces some of them, but
    without saying where)."""

    def problem(name: str, message: str) -> None:
        if name in overridden:
            reader.messages.append(f"{reader.prefix}overrides: {name}: {message}")
        else:
            reader.error(nodes.get(name), f"term.{name}", message)

    for name, message in term_settings_problems(term).items():
        problem(name, message)


def _term_file_parse(
    *,
    text: str,
    overrides: dict[str, Any],
    base_directory: Path | None,
) -> _ParsedTermFile:
    reader = NodeReader()
    root = reader.compose(text)
    if root is None:
        if not reader.messages:
            reader.error(None, "", "the file is empty; it needs program: and term:")
        raise TermFileError(reader.messages)
    top = reader.read_mapping(
        root,
        "",
        allowed=("program", "term", "curriculum", "curriculum_file"),
        required=("program", "term"),
    )
    if top is None:
        raise TermFileError(reader.messages)
    program = _program_parse(reader, top["program"]) if "program" in top else {}
    term, nodes = _term_parse(reader, top["term"]) if "term" in top else ({}, {})
    # The model's defaults, so the checks below see the zones the term will really have.
    unsaved = Term()
    for name in ("time_zone", "deadline_time_zone"):
        if name not in term:
            term[name] = getattr(unsaved, name)
    term.update(overrides)
    for name in DEADLINE_FIELDS:
        if isinstance(term.get(name), dt.date) and term.get("deadline_time_zone"):
            term[name] = _deadline(term[name], term["deadline_time_zone"])
    _term_check(reader, term, nodes, set(overrides))

    starts_on, ends_on = term.get("starts_on"), term.get("ends_on")
    week_count = (
        term_week_count(starts_on, ends_on)
        if isinstance(starts_on, dt.date) and isinstance(ends_on, dt.date) and starts_on < ends_on
        else None
    )
    existing_slugs: list[str] = []
    if term.get("slug"):
        existing_slugs = list(
            Track.objects.filter(term__slug=term["slug"]).values_list("slug", flat=True)
        )
    curriculum: CurriculumPlan | None = None
    if "curriculum" in top and "curriculum_file" in top:
        reader.error(
            top["curriculum_file"],
            "curriculum_file",
            "give curriculum or curriculum_file, not both",
        )
    elif "curriculum" in top and week_count is not None:
        curriculum = curriculum_parse_node(
            reader=reader,
            node=top["curriculum"],
            path="curriculum",
            week_count=week_count,
            existing_track_slugs=existing_slugs,
        )
    elif "curriculum_file" in top:
        file_node = top["curriculum_file"]
        relative = reader.read_text(file_node, "curriculum_file", blank=False)
        if relative is not None:
            path = (base_directory or Path.cwd()) / relative
            try:
                curriculum_text = path.read_text(encoding="utf-8")
            except OSError as problem:
                reader.error(
                    file_node, "curriculum_file", f"cannot read {path}: {problem.strerror}"
                )
            else:
                if week_count is not None:
                    try:
                        curriculum = curriculum_parse(
                            text=curriculum_text,
                            week_count=week_count,
                            existing_track_slugs=existing_slugs,
                            prefix=f"{relative}: ",
                        )
                    except CurriculumError as error:
                        reader.messages.extend(error.messages)
    if reader.messages:
        raise TermFileError(reader.messages)
    return _ParsedTermFile(program=program, term=term, curriculum=curriculum)


def term_load_with_summary(
    *,
    text: str,
    overrides: dict[str, Any] | None = None,
    base_directory: Path | None = None,
    actor: Any | None = None,
) -> TermLoadSummary:
    """Like ``term_load``, and says what was created or changed."""
    overrides = dict(overrides or {})
    unknown = set(overrides) - OVERRIDABLE_FIELDS
    if unknown:
        raise InvalidInputError(
            f"these term fields cannot be overridden: {', '.join(sorted(unknown))}",
            field_errors={name: "cannot be overridden" for name in sorted(unknown)},
        )
    parsed = _term_file_parse(text=text, overrides=overrides, base_directory=base_directory)
    with transaction.atomic():
        return _term_file_write(parsed=parsed, actor=actor)


def term_load(
    *,
    text: str,
    overrides: dict[str, Any] | None = None,
    base_directory: Path | None = None,
    actor: Any | None = None,
) -> Term:
    """Create or update the program and term a term YAML file describes, with its curriculum.

    The program and the term are matched by slug, so loading the same file again updates in
    place and duplicates nothing. ``overrides`` are term field values (model field names, typed:
    dates for ``starts_on``; a date for a deadline means the end of that date in the deadline
    zone) that win over the file; the demo uses them to move a term to today.
    ``curriculum_file`` is read relative to ``base_directory`` (the current directory if None).

    Raises ``TermFileError`` listing every problem with its line and field, writing nothing.
    """
    return term_load_with_summary(
        text=text, overrides=overrides, base_directory=base_directory, actor=actor
    ).term


def _term_file_write(*, parsed: _ParsedTermFile, actor: Any | None) -> TermLoadSummary:
    program_values = dict(parsed.program)
    program_slug = program_values.pop("slug")
    program = Program.objects.filter(slug=program_slug).first()
    program_created = program is None
    if program is None:
        program = Program(slug=program_slug)
    program_changed = [
        name for name, value in program_values.items() if getattr(program, name) != value
    ]
    if program_created or program_changed:
        for name, value in program_values.items():
            setattr(program, name, value)
        program.save()

    term_values = dict(parsed.term)
    term_slug = term_values.pop("slug")
    term = Term.objects.filter(slug=term_slug).first()
    term_created = term is None
    if term is None:
        term = Term(slug=term_slug, program=program)
    changed = [
        name
        for name, value in {"program": program, **term_values}.items()
        if term_created or getattr(term, name) != value
    ]
    term.program = program
    for name, value in term_values.items():
        setattr(term, name, value)
    try:
        term.full_clean()
    except ValidationError as error:
        # Our own checks run first; this only catches what they do not know about.
        raise TermFileError(
            [f"term.{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]
        ) from error
    if term_created or changed:
        term.save()
        audit_record(
            actor=actor,
            action="term.created_from_file" if term_created else "term.updated_from_file",
            target=term,
            details={"fields": [] if term_created else changed},
        )
    curriculum_summary = (
        curriculum_apply(term=term, plan=parsed.curriculum, actor=actor)
        if parsed.curriculum is not None
        else None
    )
    return TermLoadSummary(
        term=term,
        program_created=program_created,
        program_fields_changed=[] if program_created else program_changed,
        term_created=term_created,
        term_fields_changed=[] if term_created else changed,
        curriculum=curriculum_summary,
    )
