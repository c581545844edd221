"""Reminders of work due soon, by the same due-date rule as every page and calendar.

``cohortkit reminders send`` (run it from cron, e.g. hourly) emails each participant once per
item that is due within the next day and that they have not handed in. The email's idempotency
key holds the due instant, so a moved due date (an extension) earns a fresh reminder and running
the command again sends nothing new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from cohortkit.accounts.models import Membership, Role
from cohortkit.common.timezones import format_instant
from cohortkit.coursework.due import Item, due_dates_for, item_key
from cohortkit.coursework.models import SubmissionVersion
from cohortkit.coursework.selectors import track_of
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.notifications.models import OutboundEmail
from cohortkit.programs.models import Assignment, Quiz, Term

REMIND_WITHIN = dt.timedelta(hours=24)


@dataclass(frozen=True)
class ReminderSummary:
    checked_people: int
    queued: int


def _handed_in(user_id: int, items: list[Item]) -> set[tuple[str, int]]:
    from cohortkit.quizzes.models import Attempt

    assignment_ids = [item.pk for item in items if isinstance(item, Assignment)]
    quiz_ids = [item.pk for item in items if isinstance(item, Quiz)]
    done = {
        ("assignment", pk)
        for pk in SubmissionVersion.objects.filter(
            submission__user_id=user_id, submission__assignment_id__in=assignment_ids
        ).values_list("submission__assignment_id", flat=True)
    }
    done |= {
        ("quiz", pk)
        for pk in Attempt.objects.filter(user_id=user_id, quiz_id__in=quiz_ids).values_list(
            "quiz_id", flat=True
        )
    }
    return done


def _kind(item: Item) -> str:
    return "assignment" if isinstance(item, Assignment) else "quiz"


def _link(term: Term, item: Item) -> str:
    if isinstance(item, Assignment):
        path = reverse("coursework:assignment", args=[term.slug, item.pk])
    else:
        path = reverse("quizzes:take", args=[term.slug, item.pk])
    return settings.SITE_URL + path


def reminders_send(*, now: dt.datetime, within: dt.timedelta = REMIND_WITHIN) -> ReminderSummary:
    """Queue a reminder for every participant's unfinished item due in ``(now, now + within]``."""
    today = now.date()
    terms = Term.objects.filter(
        starts_on__lte=today + dt.timedelta(days=1), ends_on__gte=today - dt.timedelta(days=7)
    )
    checked = queued = 0
    for term in terms:
        items: list[Item] = [
            *Assignment.objects.filter(week__term=term)
            .select_related("week__term")
            .prefetch_related("tracks"),
            *Quiz.objects.filter(week__term=term)
            .select_related("week__term")
            .prefetch_related("tracks"),
        ]
        members = Membership.objects.filter(term=term, role=Role.PARTICIPANT).select_related("user")
        for membership in members:
            user = membership.user
            checked += 1
            dues = due_dates_for(items=items, user=user)
            soon = [item for item in items if now < dues[item_key(item)].instant <= now + within]
            if not soon:
                continue
            done = _handed_in(user.pk, soon)
            for item in soon:
                if (_kind(item), item.pk) in done:
                    continue
                _, track = track_of(user=user, term=term, week=item.week.number)
                item_tracks = list(item.tracks.all())
                if track is not None and item_tracks and track not in item_tracks:
                    continue
                due = dues[item_key(item)]
                key = f"reminder:{_kind(item)}:{item.pk}:{user.pk}:{due.instant.isoformat()}"
                if OutboundEmail.objects.filter(idempotency_key=key).exists():
                    continue
                when = format_instant(due.instant, user.time_zone or "UTC")
                email_queue_rendered(
                    to=user.email,
                    template="coursework/due_soon",
                    context={
                        "user": user,
                        "item": item,
                        "term": term,
                        "when": when,
                        "due": due,
                        "link": _link(term, item),
                    },
                    idempotency_key=key,
                )
                queued += 1
    return ReminderSummary(checked_people=checked, queued=queued)
