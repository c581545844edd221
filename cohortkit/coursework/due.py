"""The one due-date rule: a personal extension, then the section's date, then the term's.

Every page, email, calendar feed and reminder asks ``due_at`` and shows what it says, with its
source, so nobody sees two different deadlines for the same work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

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


def _item_filter(item: Item) -> Q:
    return Q(assignment=item) if isinstance(item, Assignment) else Q(quiz=item)


def user_section_in_week(*, user: Any, term: Any, week: int) -> Any | None:
    """The section the person belongs to in that week of the term, if any."""
    from cohortkit.scheduling.models import SectionMembership

    membership = (
        SectionMembership.objects.filter(user=user, section__term=term, from_week__lte=week)
        .filter(Q(to_week__isnull=True) | Q(to_week__gte=week))
        .select_related("section")
        .order_by("-from_week")
        .first()
    )
    return membership.section if membership else None


def due_at(*, item: Item, user: Any) -> DueDate:
    """The person's due date for the item, and where it comes from."""
    overrides = DueDateOverride.objects.filter(_item_filter(item))
    if user is not None and getattr(user, "is_authenticated", False):
        personal = overrides.filter(user=user).values_list("due_at", flat=True).first()
        if personal is not None:
            return DueDate(personal, "personal extension")
        section = user_section_in_week(user=user, term=item.week.term, week=item.week.number)
        if section is not None:
            for_section = overrides.filter(section=section).values_list("due_at", flat=True).first()
            if for_section is not None:
                return DueDate(for_section, "section")
    return DueDate(term_due_at(item), "term")


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
        raise ValueError("give either a person or a section")
    if due.tzinfo is None:
        raise ValueError("a due date is an instant: give it a time zone")
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
