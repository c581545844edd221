"""Writing a term's curriculum out as YAML that imports back to the same curriculum."""

from __future__ import annotations

from typing import Any

import yaml

from cohortkit.programs.curriculum.parsing import ITEM_KINDS
from cohortkit.programs.models import CurriculumItem, Term, Track, Week


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
