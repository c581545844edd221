"""The organizers' daily digest of new questions and conversations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.community import selectors
from cohortkit.community.models import Conversation, DigestSent, PublicQuestion
from cohortkit.notifications.emails import email_queue_rendered


def _digest_context(
    organizer: User, questions: list[PublicQuestion], conversations: list[Conversation]
) -> dict[str, Any]:
    """What the digest email shows: each new question and conversation with its link."""
    question_rows = []
    for question in questions:
        term = question.asked_in
        link = (
            settings.SITE_URL + reverse("community:questions_moderate", args=[term.slug])
            if term is not None
            else settings.SITE_URL
        )
        question_rows.append(
            {"program": question.program.name, "body": question.body[:120], "link": link}
        )
    conversation_rows = [
        {
            "term": conversation.term,
            "topic": conversation.get_topic_display(),
            "name": conversation.display_name,
            "link": settings.SITE_URL
            + reverse("community:inbox_detail", args=[conversation.term.slug, conversation.pk]),
        }
        for conversation in conversations
    ]
    return {
        "person": organizer.name or organizer.email,
        "questions": question_rows,
        "conversations": conversation_rows,
    }


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
                email_queue_rendered(
                    to=organizer.email,
                    template="community/digest",
                    context=_digest_context(organizer, questions, conversations),
                    idempotency_key=f"community-digest-{organizer.pk}-{day.isoformat()}",
                )
        except IntegrityError:
            continue  # another worker claimed this organizer's day first
        queued += 1
    return queued
