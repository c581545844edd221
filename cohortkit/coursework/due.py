"""The one due-date rule: a personal extension, then the section's date, then the term's.

Every page, email, calendar feed and reminder asks ``due_at`` and shows what it says, with its
source, so nobody sees two different deadlines for the same work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from cohortkit.common.errors import InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import end_of_day
from cohortkit.coursework.models import DueDateOverride
from cohortkit.programs.models import Assignment, Quiz

Item = Assignment | Quiz


@dataclass(frozen=True)
class DueDate:
    instant: dt.datetime
    source: str  # "term", "section" or "personal extension"

    def is_late(self, moment: dt.datetime) -> bool:
        return moment > self.instant


def term_due_at(item: Item) -> dt.datetime:
    """The term's due date: the end of the item's due day in the term's zone."""
    term = item.week.term
    day = term.week_starts_on(item.week.number) + dt.timedelta(days=item.due_days_after_week_start)
    return end_of_day(day, term.time_zone)


def user_section_in_week(*, user: Any, term: Any, week: int) -> Any | None:
    """The section the person belongs to in that week of the term, if any."""
    from cohortkit.sections.models import SectionMembership
    from cohortkit.sections.selectors import covers_week

    membership = (
        SectionMembership.objects.filter(covers_week(week), user=user, section__term=term)
        .select_related("section__track", "section__facilitator")
        .order_by("-from_week", "-pk")
        .first()
    )
    return membership.section if membership else None


def item_key(item: Item) -> tuple[str, int]:
    """Assignments and quizzes share primary key values: tell them apart by kind."""
    return ("assignment" if isinstance(item, Assignment) else "quiz", item.pk)


def due_at(*, item: Item, user: Any) -> DueDate:
    """The person's due date for the item, and where it comes from."""
    return due_dates_for(items=[item], user=user)[item_key(item)]


def due_dates_for(*, items: Sequence[Item], user: Any) -> dict[tuple[str, int], DueDate]:
    """``due_at`` for many items at once, in three queries however many there are.

    Keyed by ``item_key``. Each item's ``week`` and ``week.term`` should be loaded already
    (``select_related("week__term")``) so the term's date costs no query.
    """
    result = {item_key(item): DueDate(term_due_at(item), "term") for item in items}
    if not items or user is None or not getattr(user, "is_authenticated", False):
        return result
    assignment_ids = [item.pk for item in items if isinstance(item, Assignment)]
    quiz_ids = [item.pk for item in items if not isinstance(item, Assignment)]
    of_items = Q(assignment_id__in=assignment_ids) | Q(quiz_id__in=quiz_ids)

    personal = {
        _override_key(override): override.due_at
        for override in DueDateOverride.objects.filter(of_items, user=user)
    }
    section_by_item = _sections_by_item(items=items, user=user)
    for_sections = {
        (override.section_id, *_override_key(override)): override.due_at
        for override in DueDateOverride.objects.filter(
            of_items, section_id__in=set(section_by_item.values())
        )
    }
    for item in items:
        key = item_key(item)
        if key in personal:
            result[key] = DueDate(personal[key], "personal extension")
        elif (section_by_item.get(key), *key) in for_sections:
            result[key] = DueDate(for_sections[(section_by_item[key], *key)], "section")
    return result


def _override_key(override: DueDateOverride) -> tuple[str, int]:
    if override.assignment_id is not None:
        return ("assignment", override.assignment_id)
    assert override.quiz_id is not None
    return ("quiz", override.quiz_id)


def _sections_by_item(*, items: Sequence[Item], user: Any) -> dict[tuple[str, int], int]:
    """The id of the section the person is in during each item's week (as
    ``user_section_in_week`` answers it: the membership that started last wins)."""
    from cohortkit.sections.models import SectionMembership
    from cohortkit.sections.selectors import weeks_cover

    term_ids = {item.week.term_id for item in items}
    memberships = list(
        SectionMembership.objects.filter(user=user, section__term_id__in=term_ids)
        .values_list("section_id", "section__term_id", "from_week", "to_week", "pk")
        .order_by("-from_week", "-pk")
    )
    sections: dict[tuple[str, int], int] = {}
    for item in items:
        week, term_id = item.week.number, item.week.term_id
        for section_id, section_term_id, from_week, to_week, _ in memberships:
            if section_term_id == term_id and weeks_cover(from_week, to_week, week):
                sections[item_key(item)] = section_id
                break
    return sections


@transaction.atomic
def due_override_set(
    *,
    item: Item,
    due: dt.datetime,
    actor: Any,
    user: Any | None = None,
    section: Any | None = None,
    reason: str = "",
) -> DueDateOverride:
    """Give one person, or one section, its own due date for the item (replacing an earlier one)."""
    if (user is None) == (section is None):
        raise InvalidInputError("Give either a person or a section.")
    if due.tzinfo is None:
        raise InvalidInputError(
            "A due date is an instant: give it a time zone.", field_errors={"due": "no time zone"}
        )
    target: dict[str, Any] = {"user": user} if user is not None else {"section": section}
    item_field: dict[str, Any] = (
        {"assignment": item} if isinstance(item, Assignment) else {"quiz": item}
    )
    override, _ = DueDateOverride.objects.update_or_create(
        **item_field, **target, defaults={"due_at": due, "reason": reason, "created_by": actor}
    )
    audit_record(
        actor=actor,
        action="due_date.overridden",
        target=override,
        details={"due_at": due.isoformat(), "reason": reason},
    )
    return override
