"""Announcements: organizers post to a term, a track, a role or a section; facilitators to their
own sections. Each is shown from its publish time and emailed once to each recipient."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Role
from cohortkit.common.errors import ConflictError, InvalidInputError, NotAllowedError
from cohortkit.common.services import audit_record
from cohortkit.community import rules, selectors
from cohortkit.community.models import MAX_ANNOUNCEMENT_CHARACTERS, Announcement, Audience
from cohortkit.community.text import render_markdown
from cohortkit.notifications.emails import RenderedEmail, email_queue_rendered, email_render


def _validate(
    *,
    term: Any,
    author: Any,
    title: str,
    body: str,
    audience: str,
    track: Any | None,
    role: str,
    section: Any | None,
    scheduled_at: dt.datetime | None,
    now: dt.datetime,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Give the announcement a title."
    elif len(title) > 200:
        errors["title"] = "A title can have at most 200 characters."
    if not body:
        errors["body"] = "Write the announcement."
    elif len(body) > MAX_ANNOUNCEMENT_CHARACTERS:
        errors["body"] = (
            f"An announcement can have at most {MAX_ANNOUNCEMENT_CHARACTERS:,} characters; "
            f"this one has {len(body):,}."
        )
    if audience not in Audience.values:
        errors["audience"] = "Pick who it is for."
    elif audience == Audience.TRACK and (track is None or track.term_id != term.pk):
        errors["track"] = "Pick one of this term's tracks."
    elif audience == Audience.ROLE and role not in Role.values:
        errors["role"] = "Pick a role."
    elif audience == Audience.SECTION and (section is None or section.term_id != term.pk):
        errors["section"] = "Pick one of this term's sections."
    if scheduled_at is not None and scheduled_at.tzinfo is None:
        errors["scheduled_at"] = "Give the time with its zone."
    elif scheduled_at is not None and scheduled_at > now + dt.timedelta(days=366):
        errors["scheduled_at"] = "Schedule it within a year."
    return errors


class RecipientsChangedError(ConflictError):
    """The number of people an announcement goes to changed since its confirmation was shown."""

    def __init__(self, *, expected: int, now: int) -> None:
        super().__init__(
            f"The announcement would now go to {now} "
            f"{'person' if now == 1 else 'people'}, not {expected} as the confirmation said. "
            "Nothing was sent: look at the new count and confirm again."
        )
        self.expected = expected
        self.now = now


@dataclass(frozen=True)
class AnnouncementPreview:
    """What the confirmation shows: how many people it goes to and one email as they get it."""

    recipient_count: int
    example_to: str
    example: RenderedEmail | None
    scheduled: bool


def _checked(
    *,
    term: Any,
    author: Any,
    title: str,
    body: str,
    audience: str,
    track: Any | None,
    role: str,
    section: Any | None,
    scheduled_at: dt.datetime | None,
    now: dt.datetime,
) -> tuple[str, str, dict[str, Any]]:
    """The trimmed title and body and the targets of a valid announcement; else refused."""
    title, body = (title or "").strip(), (body or "").strip()
    errors = _validate(
        term=term,
        author=author,
        title=title,
        body=body,
        audience=audience,
        track=track,
        role=role,
        section=section,
        scheduled_at=scheduled_at,
        now=now,
    )
    if errors:
        raise InvalidInputError("Please correct the marked fields.", field_errors=errors)
    if audience != Audience.SECTION and not rules.may_post_to_whole_term(author, term):
        raise NotAllowedError("Facilitators post to their own sections only.")
    if audience == Audience.SECTION and not rules.may_post_to_section(author, term, section):
        raise NotAllowedError("You can post only to the sections you facilitate.")
    targets = {
        "track": track if audience == Audience.TRACK else None,
        "role": role if audience == Audience.ROLE else "",
        "section": section if audience == Audience.SECTION else None,
    }
    return title, body, targets


def announcement_preview(
    *,
    term: Any,
    author: Any,
    title: str,
    body: str,
    audience: str,
    track: Any | None = None,
    role: str = "",
    section: Any | None = None,
    scheduled_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> AnnouncementPreview:
    """Check an announcement as ``announcement_post`` would and say, without writing anything,
    how many people it goes to now and what the first of them will get (the real email)."""
    moment = now or timezone.now()
    title, body, targets = _checked(
        term=term,
        author=author,
        title=title,
        body=body,
        audience=audience,
        track=track,
        role=role,
        section=section,
        scheduled_at=scheduled_at,
        now=moment,
    )
    draft = Announcement(
        term=term, author=author, title=title, body=body, audience=audience, **targets
    )
    recipients = selectors.announcement_recipients(announcement=draft)
    first = recipients[0] if recipients else None
    return AnnouncementPreview(
        recipient_count=len(recipients),
        example_to=first.email if first is not None else "",
        example=email_render(
            template="community/announcement", context=_email_context(draft, first)
        )
        if first is not None
        else None,
        scheduled=scheduled_at is not None and scheduled_at > moment,
    )


@transaction.atomic
def announcement_post(
    *,
    term: Any,
    author: Any,
    title: str,
    body: str,
    audience: str,
    track: Any | None = None,
    role: str = "",
    section: Any | None = None,
    scheduled_at: dt.datetime | None = None,
    expected_recipients: int | None = None,
    now: dt.datetime | None = None,
) -> Announcement:
    """Post an announcement now, or schedule it (``scheduled_at`` later than now). Its sending is
    queued for its time; posting the same announcement twice is one announcement.

    ``expected_recipients`` is the count a confirmation showed: when the announcement would now
    go to another number of people, ``RecipientsChangedError`` refuses it and nothing is sent.
    """
    moment = now or timezone.now()
    title, body, targets = _checked(
        term=term,
        author=author,
        title=title,
        body=body,
        audience=audience,
        track=track,
        role=role,
        section=section,
        scheduled_at=scheduled_at,
        now=moment,
    )
    scheduled = scheduled_at is not None and scheduled_at > moment
    same = Announcement.objects.filter(
        term=term, author=author, title=title, body=body, audience=audience, **targets
    )
    if scheduled and scheduled_at is not None:
        same = same.filter(scheduled_at=scheduled_at)
    else:
        same = same.filter(is_scheduled=False)
    earlier = same.filter(created_at__gte=moment - dt.timedelta(hours=1)).first()
    if earlier is not None:
        return earlier
    announcement = Announcement(
        term=term,
        author=author,
        title=title,
        body=body,
        body_html=render_markdown(body),
        audience=audience,
        scheduled_at=scheduled_at if scheduled and scheduled_at is not None else moment,
        is_scheduled=scheduled,
        **targets,
    )
    if expected_recipients is not None:
        count = len(selectors.announcement_recipients(announcement=announcement))
        if count != expected_recipients:
            raise RecipientsChangedError(expected=expected_recipients, now=count)
    announcement.save()
    audit_record(
        actor=author,
        action="announcement.scheduled" if scheduled else "announcement.posted",
        target=announcement,
        details={"audience": audience, "scheduled_at": announcement.scheduled_at.isoformat()},
    )
    _enqueue_sending(announcement)
    return announcement


def _enqueue_sending(announcement: Announcement) -> None:
    """Queue the sending for the announcement's time, after commit. A backend that cannot defer
    (the immediate one of the tests) gets only what is due now; the periodic sweep
    (``cohortkit community send-announcements``) sends whatever is due and not yet sent."""
    from cohortkit.community.tasks import send_announcement

    announcement_id, scheduled_at = announcement.pk, announcement.scheduled_at
    backend = send_announcement.get_backend()
    if announcement.is_scheduled:
        if not backend.supports_defer:
            return
        task = send_announcement.using(run_after=scheduled_at)
    else:
        task = send_announcement
    transaction.on_commit(lambda: task.enqueue(announcement_id=announcement_id))


def _recipient_link(announcement: Announcement) -> str:
    return settings.SITE_URL + reverse("programs:term_detail", args=[announcement.term.slug])


def _email_context(announcement: Announcement, person: Any) -> dict[str, Any]:
    return {
        "term": announcement.term,
        "title": announcement.title,
        "person": person.name or person.email,
        "body": announcement.body,
        "author": announcement.author.name or announcement.author.email,
        "link": _recipient_link(announcement),
    }


@transaction.atomic
def announcement_send(*, announcement_id: int, now: dt.datetime | None = None) -> int | None:
    """Email a due announcement to each recipient, once: the conditional UPDATE of ``sent_at``
    is the claim, so of two workers (or a task and the sweep) only one sends. Returns how many
    emails were queued, or None when it was not due or already sent."""
    moment = now or timezone.now()
    claimed = Announcement.objects.filter(
        pk=announcement_id, sent_at__isnull=True, scheduled_at__lte=moment
    ).update(sent_at=moment)
    if claimed != 1:
        return None
    announcement = Announcement.objects.select_related("term", "author").get(pk=announcement_id)
    recipients = selectors.announcement_recipients(announcement=announcement)
    for person in recipients:
        email_queue_rendered(
            to=person.email,
            template="community/announcement",
            context=_email_context(announcement, person),
            idempotency_key=f"community-announcement-{announcement.pk}-{person.pk}",
        )
    Announcement.objects.filter(pk=announcement_id).update(recipient_count=len(recipients))
    audit_record(
        actor=None,
        action="announcement.sent",
        target=announcement,
        details={"recipients": len(recipients)},
    )
    return len(recipients)


def announcements_send_due(*, now: dt.datetime | None = None) -> int:
    """Send every announcement whose time has come and that nobody has sent (the safety net for
    a lost task, and the way scheduled ones go out where the task backend cannot defer)."""
    moment = now or timezone.now()
    due = Announcement.objects.filter(sent_at__isnull=True, scheduled_at__lte=moment).values_list(
        "pk", flat=True
    )
    sent = 0
    for announcement_id in list(due):
        if announcement_send(announcement_id=announcement_id, now=moment) is not None:
            sent += 1
    return sent
