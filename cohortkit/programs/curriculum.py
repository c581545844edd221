"""A term's curriculum as a YAML file: import it (validated, all or nothing) and export it.

The format::

    tracks:                       # optional; tracks are matched by slug, created or updated
      - slug: intro               # required, a slug (letters, digits, - and _)
        name: Introductory        # required
        audience: For people …    # optional: who the track is for
    weeks:                        # required
      - number: 1                 # required, 1 … the term's number of weeks, each number once
        title: Background         # required
        summary: …                # optional
        lectures:                 # each list is optional
          - title: Introduction   # every item: title (required) and tracks (optional list of
            tracks: [intro]       # track slugs; without it the item belongs to every track)
            module: Background    # optional
            video_url: https://…  # optional
            minutes: 25           # required, a whole number ≥ 1
        readings:
          - title: …
            url: https://…        # required
            minutes: 40           # required
            required: true        # optional, default true
        assignments:
          - title: …
            prompt: …             # required
            minutes: 90           # required
            due_days_after_week_start: 6   # optional, default 6
        quizzes:
          - title: …
            description: …        # optional
            minutes: 10           # optional, default 10
        discussion_guides:
          - title: …
            body: …               # required: notes for facilitators

Every problem is reported with its line and the path of the field, e.g.
``line 14: weeks[2].readings[0].minutes: must be a whole number of minutes ≥ 1, got "ten"``
(list indexes count from 0). Nothing is written unless the whole file is valid.

Importing makes the term's weeks and items exactly those of the file. Weeks are matched by number
and items by their kind and place in the week, so an item that stays where it was keeps its
identity (and whatever later refers to it); weeks and items the file no longer has are deleted.
Tracks are never deleted by an import, since sections and enrollments point at them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from cohortkit.common.services import audit_record
from cohortkit.programs.models import (
    Assignment,
    CurriculumItem,
    DiscussionGuide,
    Lecture,
    Quiz,
    Reading,
    Term,
    Track,
    Week,
)

# The largest value a PositiveSmallIntegerField holds on every supported database.
SMALL_INTEGER_MAX = 32767
SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")


class FileFormatError(ValueError):
    """A YAML file that cannot be loaded; ``messages`` holds one ``line N: field: problem`` each."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


class CurriculumError(FileFormatError):
    """A curriculum file with problems; nothing was written."""


# --- Reading YAML nodes, keeping every value's line ---------------------------------------------


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    return f'"{node.value}"'


class NodeReader:
    """Reads values out of a composed YAML tree and collects every problem with its line.

    Each ``read_…`` method returns the value, or None after recording a problem, so one pass over
    the file finds every error instead of stopping at the first.
    """

    def __init__(self, *, prefix: str = "") -> None:
        self.prefix = prefix
        self.messages: list[str] = []

    def error(self, node: yaml.Node | None, path: str, problem: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        location = f"{path}: " if path else ""
        self.messages.append(f"{self.prefix}line {line}: {location}{problem}")

    def compose(self, text: str) -> yaml.Node | None:
        """The document's root node, or None (with the syntax error and its line recorded)."""
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as problem:
            mark = problem.problem_mark or problem.context_mark
            line = mark.line + 1 if mark is not None else 1
            reason = problem.problem or problem.context or "unreadable"
            self.messages.append(f"{self.prefix}line {line}: not valid YAML: {reason}")
        except yaml.YAMLError as problem:
            self.messages.append(f"{self.prefix}line 1: not valid YAML: {problem}")
        return None

    def read_mapping(
        self,
        node: yaml.Node,
        path: str,
        *,
        allowed: Iterable[str],
        required: Iterable[str] = (),
    ) -> dict[str, yaml.Node] | None:
        """The mapping's values by key; unknown, repeated and missing keys are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, path, f"must be a mapping of keys to values, got {_describe(node)}")
            return None
        allowed_keys = list(allowed)
        values: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_path = f"{path}.{key}" if path else key
            if not isinstance(key_node, yaml.ScalarNode) or key not in allowed_keys:
                self.error(
                    key_node,
                    key_path,
                    f"unknown key; expected one of: {', '.join(allowed_keys)}",
                )
            elif key in values:
                self.error(key_node, key_path, "appears twice")
            else:
                values[key] = value_node
        for key in required:
            if key not in values:
                self.error(node, path or "(top level)", f"the key {key} is missing")
        return values

    def read_list(self, node: yaml.Node, path: str) -> list[yaml.Node] | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, path, f"must be a list, got {_describe(node)}")
            return None
        return list(node.value)

    def read_text(
        self, node: yaml.Node, path: str, *, max_length: int | None = None, blank: bool = True
    ) -> str | None:
        """Text as written (so ``name: 2022`` is the text "2022"); null counts as blank."""
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, path, f"must be text, got {_describe(node)}")
            return None
        text = "" if node.tag == "tag:yaml.org,2002:null" else str(node.value)
        if not blank and not text.strip():
            self.error(node, path, "must not be blank")
            return None
        if max_length is not None and len(text) > max_length:
            self.error(node, path, f"must be at most {max_length} characters, got {len(text)}")
            return None
        return text

    def read_whole_number(
        self,
        node: yaml.Node,
        path: str,
        *,
        minimum: int,
        maximum: int = SMALL_INTEGER_MAX,
        unit: str = "",
    ) -> int | None:
        what = f"a whole number of {unit}" if unit else "a whole number"
        expectation = f"must be {what} ≥ {minimum}"
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
            self.error(node, path, f"{expectation}, got {_describe(node)}")
            return None
        value = int(yaml.SafeLoader("").construct_yaml_int(node))
        if value < minimum:
            self.error(node, path, f"{expectation}, got {value}")
            return None
        if value > maximum:
            self.error(node, path, f"must be at most {maximum}, got {value}")
            return None
        return value

    def read_boolean(self, node: yaml.Node, path: str) -> bool | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
            self.error(node, path, f"must be true or false, got {_describe(node)}")
            return None
        return bool(yaml.SafeLoader("").construct_yaml_bool(node))

    def read_url(self, node: yaml.Node, path: str, *, blank: bool = False) -> str | None:
        text = self.read_text(node, path, blank=blank)
        if text is None or not text:
            return text
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            self.error(node, path, f'must be a web address starting with https://, got "{text}"')
            return None
        if len(text) > 200:
            self.error(node, path, f"must be at most 200 characters, got {len(text)}")
            return None
        return text

    def read_slug(self, node: yaml.Node, path: str, *, max_length: int = 50) -> str | None:
        text = self.read_text(node, path, blank=False, max_length=max_length)
        if text is not None and not SLUG_PATTERN.match(text):
            self.error(node, path, f'must be a slug (letters, digits, - and _), got "{text}"')
            return None
        return text

    def read_date(self, node: yaml.Node, path: str) -> dt.date | None:
        text = self.read_text(node, path, blank=False)
        if text is None:
            return None
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            self.error(node, path, f'must be a date like 2022-09-26, got "{text}"')
            return None


# --- The curriculum as plain data ---


@dataclass(frozen=True)
class TrackPlan:
    slug: str
    name: str
    audience: str


@dataclass(frozen=True)
class ItemPlan:
    """One curriculum item; ``track_slugs`` None means every track of the term."""

    title: str
    track_slugs: tuple[str, ...] | None
    values: dict[str, Any]


@dataclass(frozen=True)
class WeekPlan:
    number: int
    title: str
    summary: str
    items: dict[str, list[ItemPlan]]


@dataclass(frozen=True)
class CurriculumPlan:
    tracks: list[TrackPlan]
    weeks: list[WeekPlan]


@dataclass
class CurriculumSummary:
    """What an import did, for the person who ran it."""

    tracks_created: int = 0
    tracks_updated: int = 0
    weeks: int = 0
    items: dict[str, int] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.tracks_created or self.tracks_updated or self.created or self.updated
        ) or bool(self.deleted)

    def describe(self) -> str:
        counts = ", ".join(
            f"{count} {kind.replace('_', ' ')}" for kind, count in self.items.items()
        )
        return (
            f"{self.weeks} weeks ({counts}); tracks: {self.tracks_created} created, "
            f"{self.tracks_updated} updated; weeks and items: {self.created} created, "
            f"{self.updated} updated, {self.deleted} deleted"
        )


@dataclass(frozen=True)
class _FieldSpec:
    """One field of an item kind besides title and tracks: how to read it, and its default."""

    name: str
    read: Callable[[NodeReader, yaml.Node, str], Any]
    required: bool
    default: Any = None


def _minutes(reader: NodeReader, node: yaml.Node, path: str) -> int | None:
    return reader.read_whole_number(node, path, minimum=1, unit="minutes")


def _days(reader: NodeReader, node: yaml.Node, path: str) -> int | None:
    return reader.read_whole_number(node, path, minimum=0, unit="days")


def _text(max_length: int | None = None) -> Callable[[NodeReader, yaml.Node, str], Any]:
    def read(reader: NodeReader, node: yaml.Node, path: str) -> str | None:
        return reader.read_text(node, path, max_length=max_length)

    return read


def _required_text(reader: NodeReader, node: yaml.Node, path: str) -> str | None:
    return reader.read_text(node, path, blank=False)


def _url(reader: NodeReader, node: yaml.Node, path: str) -> str | None:
    return reader.read_url(node, path)


def _optional_url(reader: NodeReader, node: yaml.Node, path: str) -> str | None:
    return reader.read_url(node, path, blank=True)


def _boolean(reader: NodeReader, node: yaml.Node, path: str) -> bool | None:
    return reader.read_boolean(node, path)


@dataclass(frozen=True)
class _ItemKind:
    key: str
    model: type[CurriculumItem]
    fields: tuple[_FieldSpec, ...]


ITEM_KINDS: tuple[_ItemKind, ...] = (
    _ItemKind(
        "lectures",
        Lecture,
        (
            _FieldSpec("module", _text(200), required=False, default=""),
            _FieldSpec("video_url", _optional_url, required=False, default=""),
            _FieldSpec("minutes", _minutes, required=True),
        ),
    ),
    _ItemKind(
        "readings",
        Reading,
        (
            _FieldSpec("url", _url, required=True),
            _FieldSpec("minutes", _minutes, required=True),
            _FieldSpec("required", _boolean, required=False, default=True),
        ),
    ),
    _ItemKind(
        "assignments",
        Assignment,
        (
            _FieldSpec("prompt", _required_text, required=True),
            _FieldSpec("minutes", _minutes, required=True),
            _FieldSpec("due_days_after_week_start", _days, required=False, default=6),
        ),
    ),
    _ItemKind(
        "quizzes",
        Quiz,
        (
            _FieldSpec("description", _text(), required=False, default=""),
            _FieldSpec("minutes", _minutes, required=False, default=10),
        ),
    ),
    _ItemKind(
        "discussion_guides",
        DiscussionGuide,
        (_FieldSpec("body", _required_text, required=True),),
    ),
)

WEEK_KEYS = ("number", "title", "summary", *(kind.key for kind in ITEM_KINDS))


# --- Parsing ---


def curriculum_parse_node(
    *,
    reader: NodeReader,
    node: yaml.Node,
    path: str,
    week_count: int,
    existing_track_slugs: Collection[str],
) -> CurriculumPlan | None:
    """Validate a curriculum mapping; problems go to ``reader`` and the result is then None.

    ``path`` prefixes every field path (``curriculum`` when the curriculum sits inside a term
    file); ``existing_track_slugs`` are the term's tracks that items may name besides the file's.
    """

    def join(*parts: str) -> str:
        return ".".join(part for part in (path, *parts) if part)

    errors_before = len(reader.messages)
    top = reader.read_mapping(node, path, allowed=("tracks", "weeks"), required=("weeks",))
    if top is None:
        return None

    tracks: list[TrackPlan] = []
    if "tracks" in top:
        for index, track_node in enumerate(reader.read_list(top["tracks"], join("tracks")) or []):
            track_path = join(f"tracks[{index}]")
            values = reader.read_mapping(
                track_node,
                track_path,
                allowed=("slug", "name", "audience"),
                required=("slug", "name"),
            )
            if values is None:
                continue
            slug = (
                reader.read_slug(values["slug"], f"{track_path}.slug") if "slug" in values else None
            )
            name = (
                reader.read_text(values["name"], f"{track_path}.name", max_length=100, blank=False)
                if "name" in values
                else None
            )
            audience = (
                reader.read_text(values["audience"], f"{track_path}.audience")
                if "audience" in values
                else ""
            )
            if slug is not None and any(track.slug == slug for track in tracks):
                reader.error(
                    values["slug"], f"{track_path}.slug", f'the track "{slug}" is listed twice'
                )
            elif slug is not None and name is not None and audience is not None:
                tracks.append(TrackPlan(slug=slug, name=name, audience=audience))
    known_slugs = {track.slug for track in tracks} | set(existing_track_slugs)

    weeks: list[WeekPlan] = []
    week_lines: dict[int, int] = {}
    week_nodes = reader.read_list(top["weeks"], join("weeks")) if "weeks" in top else None
    for week_index, week_node in enumerate(week_nodes or []):
        week_path = join(f"weeks[{week_index}]")
        values = reader.read_mapping(
            week_node, week_path, allowed=WEEK_KEYS, required=("number", "title")
        )
        if values is None:
            continue
        number = None
        if "number" in values:
            number_node = values["number"]
            number = reader.read_whole_number(number_node, f"{week_path}.number", minimum=1)
            if number is not None and number > week_count:
                reader.error(
                    number_node,
                    f"{week_path}.number",
                    f"the term has {week_count} weeks, so there is no week {number}",
                )
                number = None
            elif number is not None and number in week_lines:
                reader.error(
                    number_node,
                    f"{week_path}.number",
                    f"week {number} is already defined on line {week_lines[number]}",
                )
                number = None
            elif number is not None:
                week_lines[number] = number_node.start_mark.line + 1
        title = (
            reader.read_text(values["title"], f"{week_path}.title", max_length=200, blank=False)
            if "title" in values
            else None
        )
        summary = (
            reader.read_text(values["summary"], f"{week_path}.summary")
            if "summary" in values
            else ""
        )
        items: dict[str, list[ItemPlan]] = {}
        for kind in ITEM_KINDS:
            items[kind.key] = []
            if kind.key not in values:
                continue
            kind_path = f"{week_path}.{kind.key}"
            for item_index, item_node in enumerate(
                reader.read_list(values[kind.key], kind_path) or []
            ):
                item = _item_parse(
                    reader=reader,
                    node=item_node,
                    path=f"{kind_path}[{item_index}]",
                    kind=kind,
                    known_slugs=known_slugs,
                )
                if item is not None:
                    items[kind.key].append(item)
        if number is not None and title is not None and summary is not None:
            weeks.append(WeekPlan(number=number, title=title, summary=summary, items=items))

    if not known_slugs and any(
        item.track_slugs is None
        for week in weeks
        for kind_items in week.items.values()
        for item in kind_items
    ):
        reader.error(node, join("tracks"), "the term has no tracks yet; list at least one")
    if len(reader.messages) > errors_before:
        return None
    return CurriculumPlan(tracks=tracks, weeks=sorted(weeks, key=lambda week: week.number))


def _item_parse(
    *, reader: NodeReader, node: yaml.Node, path: str, kind: _ItemKind, known_slugs: set[str]
) -> ItemPlan | None:
    allowed = ("title", "tracks", *(spec.name for spec in kind.fields))
    required = ("title", *(spec.name for spec in kind.fields if spec.required))
    values = reader.read_mapping(node, path, allowed=allowed, required=required)
    if values is None:
        return None
    ok = True
    title = (
        reader.read_text(values["title"], f"{path}.title", max_length=300, blank=False)
        if "title" in values
        else None
    )
    track_slugs: tuple[str, ...] | None = None
    if "tracks" in values:
        slug_nodes = reader.read_list(values["tracks"], f"{path}.tracks")
        if slug_nodes is None:
            ok = False
        elif not slug_nodes:
            reader.error(values["tracks"], f"{path}.tracks", "must name at least one track")
            ok = False
        else:
            slugs: list[str] = []
            for slug_index, slug_node in enumerate(slug_nodes):
                slug_path = f"{path}.tracks[{slug_index}]"
                slug = reader.read_text(slug_node, slug_path, blank=False)
                if slug is None:
                    ok = False
                elif slug not in known_slugs:
                    known = ", ".join(sorted(known_slugs)) or "none"
                    reader.error(
                        slug_node, slug_path, f'unknown track "{slug}"; known tracks: {known}'
                    )
                    ok = False
                elif slug not in slugs:
                    slugs.append(slug)
            track_slugs = tuple(slugs)
    item_values: dict[str, Any] = {}
    for spec in kind.fields:
        if spec.name in values:
            value = spec.read(reader, values[spec.name], f"{path}.{spec.name}")
            if value is None:
                ok = False
            item_values[spec.name] = value
        elif not spec.required:
            item_values[spec.name] = spec.default
    if not ok or title is None or any(spec.name not in item_values for spec in kind.fields):
        return None
    return ItemPlan(title=title, track_slugs=track_slugs, values=item_values)


def curriculum_parse(
    *, text: str, week_count: int, existing_track_slugs: Collection[str] = (), prefix: str = ""
) -> CurriculumPlan:
    """The curriculum a YAML text describes; raises ``CurriculumError`` with every problem.

    ``prefix`` starts every message (a file name, for instance).
    """
    reader = NodeReader(prefix=prefix)
    root = reader.compose(text)
    plan = None
    if root is None and not reader.messages:
        reader.error(None, "", "the file is empty; it needs at least a weeks: list")
    elif root is not None:
        plan = curriculum_parse_node(
            reader=reader,
            node=root,
            path="",
            week_count=week_count,
            existing_track_slugs=existing_track_slugs,
        )
    if plan is None or reader.messages:
        raise CurriculumError(reader.messages)
    return plan


# --- Writing ---


def curriculum_apply(
    *, term: Term, plan: CurriculumPlan, actor: Any | None = None
) -> CurriculumSummary:
    """Make the term's tracks, weeks and items those of a validated plan (see the module docstring).

    Must run inside a transaction; records one audit event when anything changed.
    """
    summary = CurriculumSummary(weeks=len(plan.weeks))
    tracks_by_slug = {track.slug: track for track in Track.objects.filter(term=term)}
    for position, track_plan in enumerate(plan.tracks):
        track = tracks_by_slug.get(track_plan.slug)
        wanted = {"name": track_plan.name, "audience": track_plan.audience, "position": position}
        if track is None:
            tracks_by_slug[track_plan.slug] = Track.objects.create(
                term=term, slug=track_plan.slug, **wanted
            )
            summary.tracks_created += 1
        elif any(getattr(track, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(track, name, value)
            track.save(update_fields=list(wanted))
            summary.tracks_updated += 1
    all_track_ids = {track.pk for track in tracks_by_slug.values()}

    weeks_by_number = {week.number: week for week in Week.objects.filter(term=term)}
    wanted_numbers = {week_plan.number for week_plan in plan.weeks}
    stale_weeks = [
        week.pk for number, week in weeks_by_number.items() if number not in wanted_numbers
    ]
    if stale_weeks:
        summary.deleted += len(stale_weeks)
        Week.objects.filter(pk__in=stale_weeks).delete()

    for kind in ITEM_KINDS:
        summary.items[kind.key] = sum(len(week_plan.items[kind.key]) for week_plan in plan.weeks)

    for week_plan in plan.weeks:
        week = weeks_by_number.get(week_plan.number)
        if week is None:
            week = Week.objects.create(
                term=term, number=week_plan.number, title=week_plan.title, summary=week_plan.summary
            )
            summary.created += 1
        elif (week.title, week.summary) != (week_plan.title, week_plan.summary):
            week.title, week.summary = week_plan.title, week_plan.summary
            week.save(update_fields=["title", "summary"])
            summary.updated += 1
        for kind in ITEM_KINDS:
            _items_apply(
                week=week,
                kind=kind,
                item_plans=week_plan.items[kind.key],
                tracks_by_slug=tracks_by_slug,
                all_track_ids=all_track_ids,
                summary=summary,
            )

    if summary.changed:
        audit_record(
            actor=actor,
            action="term.curriculum_imported",
            target=term,
            details={
                "weeks": summary.weeks,
                "items": summary.items,
                "created": summary.created,
                "updated": summary.updated,
                "deleted": summary.deleted,
                "tracks_created": summary.tracks_created,
                "tracks_updated": summary.tracks_updated,
            },
        )
    return summary


def _items_apply(
    *,
    week: Week,
    kind: _ItemKind,
    item_plans: list[ItemPlan],
    tracks_by_slug: dict[str, Track],
    all_track_ids: set[int],
    summary: CurriculumSummary,
) -> None:
    manager = kind.model._default_manager
    existing = list(manager.filter(week=week).order_by("position", "id").prefetch_related("tracks"))
    for position, item_plan in enumerate(item_plans):
        wanted: dict[str, Any] = {
            "title": item_plan.title,
            "position": position,
            **item_plan.values,
        }
        track_ids = (
            all_track_ids
            if item_plan.track_slugs is None
            else {tracks_by_slug[slug].pk for slug in item_plan.track_slugs}
        )
        if position < len(existing):
            item = existing[position]
            current_ids = {track.pk for track in item.tracks.all()}
            fields_differ = any(getattr(item, name) != value for name, value in wanted.items())
            if fields_differ:
                for name, value in wanted.items():
                    setattr(item, name, value)
                item.save(update_fields=list(wanted))
            if current_ids != track_ids:
                item.tracks.set(track_ids)
            if fields_differ or current_ids != track_ids:
                summary.updated += 1
        else:
            item = manager.create(week=week, **wanted)
            item.tracks.set(track_ids)
            summary.created += 1
    stale = [item.pk for item in existing[len(item_plans) :]]
    if stale:
        manager.filter(pk__in=stale).delete()
        summary.deleted += len(stale)


@transaction.atomic
def curriculum_import(*, term: Term, text: str, actor: Any | None = None) -> CurriculumSummary:
    """Validate a curriculum YAML text and make it the term's curriculum, all or nothing.

    Raises ``CurriculumError`` listing every problem (each with its line and field) and writes
    nothing if any is found.
    """
    plan = curriculum_parse(
        text=text,
        week_count=term.week_count,
        existing_track_slugs=list(Track.objects.filter(term=term).values_list("slug", flat=True)),
    )
    return curriculum_apply(term=term, plan=plan, actor=actor)


# --- Export ---


class _CurriculumDumper(yaml.SafeDumper):
    """Block style for multi-line text, so prompts and guides read as they were written."""


class _InlineList(list[str]):
    """A short list of slugs, written on one line: ``tracks: [intro]``."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Block scalars cannot keep trailing spaces on a line; such text stays quoted.
    multiline = "\n" in text and all(line == line.rstrip() for line in text.splitlines())
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if multiline else None)


def _represent_inline_list(dumper: yaml.SafeDumper, items: _InlineList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=True)


_CurriculumDumper.add_representer(str, _represent_text)
_CurriculumDumper.add_representer(_InlineList, _represent_inline_list)


def curriculum_data(*, term: Term) -> dict[str, Any]:
    """The term's curriculum as plain data in the file format (tracks named only when not all)."""
    tracks = list(Track.objects.filter(term=term).order_by("position", "id"))
    all_slugs = [track.slug for track in tracks]
    data: dict[str, Any] = {"tracks": [], "weeks": []}
    for track in tracks:
        track_data = {"slug": track.slug, "name": track.name}
        if track.audience:
            track_data["audience"] = track.audience
        data["tracks"].append(track_data)
    weeks = list(Week.objects.filter(term=term).order_by("number"))
    items_by_week: dict[int, dict[str, list[CurriculumItem]]] = {
        week.pk: {kind.key: [] for kind in ITEM_KINDS} for week in weeks
    }
    for kind in ITEM_KINDS:
        items = kind.model._default_manager.filter(week__term=term).prefetch_related("tracks")
        for item in items.order_by("week__number", "position", "id"):
            items_by_week[item.week_id][kind.key].append(item)
    for week in weeks:
        week_data: dict[str, Any] = {"number": week.number, "title": week.title}
        if week.summary:
            week_data["summary"] = week.summary
        for kind in ITEM_KINDS:
            entries = []
            for item in items_by_week[week.pk][kind.key]:
                entry: dict[str, Any] = {"title": item.title}
                slugs = {track.slug for track in item.tracks.all()}
                if slugs != set(all_slugs):
                    entry["tracks"] = _InlineList(slug for slug in all_slugs if slug in slugs)
                for spec in kind.fields:
                    value = getattr(item, spec.name)
                    if spec.required or value != "":
                        entry[spec.name] = value
                entries.append(entry)
            if entries:
                week_data[kind.key] = entries
        data["weeks"].append(week_data)
    return data


def curriculum_export(*, term: Term) -> str:
    """The term's curriculum as YAML that ``curriculum_import`` reads back to the same data."""
    return yaml.dump(
        curriculum_data(term=term),
        Dumper=_CurriculumDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
