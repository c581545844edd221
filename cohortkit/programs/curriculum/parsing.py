"""Reading a curriculum YAML text into a validated plan (the format: the package docstring)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import yaml

from cohortkit.common.yaml_files import FileFormatError, NodeReader
from cohortkit.programs.models import (
    Assignment,
    CurriculumItem,
    DiscussionGuide,
    Lecture,
    Quiz,
    Reading,
)


class CurriculumError(FileFormatError):
    """A curriculum file with problems; nothing was written."""


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
class ItemKind:
    key: str
    model: type[CurriculumItem]
    fields: tuple[_FieldSpec, ...]


ITEM_KINDS: tuple[ItemKind, ...] = (
    ItemKind(
        "lectures",
        Lecture,
        (
            _FieldSpec("module", _text(200), required=False, default=""),
            _FieldSpec("video_url", _optional_url, required=False, default=""),
            _FieldSpec("minutes", _minutes, required=True),
        ),
    ),
    ItemKind(
        "readings",
        Reading,
        (
            _FieldSpec("url", _url, required=True),
            _FieldSpec("minutes", _minutes, required=True),
            _FieldSpec("required", _boolean, required=False, default=True),
        ),
    ),
    ItemKind(
        "assignments",
        Assignment,
        (
            _FieldSpec("prompt", _required_text, required=True),
            _FieldSpec("minutes", _minutes, required=True),
            _FieldSpec("due_days_after_week_start", _days, required=False, default=6),
        ),
    ),
    ItemKind(
        "quizzes",
        Quiz,
        (
            _FieldSpec("description", _text(), required=False, default=""),
            _FieldSpec("minutes", _minutes, required=False, default=10),
        ),
    ),
    ItemKind(
        "discussion_guides",
        DiscussionGuide,
        (_FieldSpec("body", _required_text, required=True),),
    ),
)

WEEK_KEYS = ("number", "title", "summary", *(kind.key for kind in ITEM_KINDS))


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
    *, reader: NodeReader, node: yaml.Node, path: str, kind: ItemKind, known_slugs: set[str]
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
