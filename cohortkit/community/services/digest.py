"""The organizers' daily digest of new questions and conversations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.community import selectors
from cohortkit.community.models import Conversation, DigestSent, PublicQuestion
from cohortkit.notifications.services import email_queue


def _digest_body(
    organizer: User, questions: list[PublicQuestion], conversations: list[Conversation]
) -> str:
    lines = [f"Hello {organizer.name or organizer.email},", ""]
    if questions:
        lines.append(f"{len(questions)} new public question(s):")
        for question in questions:
            term = question.asked_in
            link = (
                settings.SITE_URL + reverse("community:questions_moderate", args=[term.slug])
                if term is not None
                else settings.SITE_URL
            )
            lines.append(f"- {question.program.name}: {question.body[:120]}  {link}")
        lines.append("")
    if conversations:
        lines.append(f"{len(conversations)} new private conversation(s):")
        for conversation in conversations:
            link = settings.SITE_URL + reverse(
                "community:inbox_detail", args=[conversation.term.slug, conversation.pk]
            )
            lines.append(
                f"- {conversation.term}: {conversation.get_topic_display()} from "
                f"{conversation.display_name}  {link}"
            )
        lines.append("")
    return "\n".join(lines)


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Send each organizer one digest for the day (UTC), whatever the number of new questions and
    conversations since their last one, and none when there is nothing new. The unique
    (organizer, day) row is the claim: running it again, or on two workers at once, sends nothing
    more. Returns how many digests this run queued."""
    moment = now or timezone.now()
    day = moment.astimezone(dt.UTC).date()
    organizer_ids = (
        Membership.objects.filter(role=Role.ORGANIZER).values_list("user_id", flat=True).distinct()
    )
    queued = 0
    for organizer in User.objects.filter(pk__in=organizer_ids, is_active=True).order_by("pk"):
        if DigestSent.objects.filter(organizer=organizer, day=day).exists():
            continue
        last = DigestSent.objects.filter(organizer=organizer).order_by("-day").first()
        since = last.created_at if last is not None else moment - dt.timedelta(days=1)
        questions, conversations = selectors.digest_contents(
            organizer=organizer, since=since, until=moment
        )
        if not questions and not conversations:
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(
                    organizer=organizer,
                    day=day,
                    question_count=len(questions),
                    conversation_count=len(conversations),
                )
                email_queue(
                    to=organizer.email,
                    subject=(
                        f"Today: {len(questions)} new question(s), "
                        f"{len(conversations)} new conversation(s)"
                    ),
                    body=_digest_body(organizer, questions, conversations),
                    idempotency_key=f"community-digest-{organizer.pk}-{day.isoformat()}",
                )
        except IntegrityError:
            continue  # another worker claimed this organizer's day first
        queued += 1
    return queued
