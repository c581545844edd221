"""Making a term's tracks, weeks and items those of a validated curriculum plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from cohortkit.common.services import audit_record
from cohortkit.programs.curriculum.parsing import (
    ITEM_KINDS,
    CurriculumPlan,
    ItemKind,
    ItemPlan,
    curriculum_parse,
)
from cohortkit.programs.models import Term, Track, Week


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
    kind: ItemKind,
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
