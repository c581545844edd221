"""Private conversations with a term's organizers: start, reply, notes, state, extensions."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from cohortkit.accounts import rules as account_rules
from cohortkit.common.errors import ConflictError, InvalidInputError, NotAllowedError
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import format_instant
from cohortkit.community import selectors
from cohortkit.community.models import (
    MAX_MESSAGE_CHARACTERS,
    Conversation,
    ConversationMessage,
    ConversationState,
    Topic,
)
from cohortkit.community.text import render_markdown
from cohortkit.notifications.emails import email_queue_rendered


def _clean_message(body: str, field: str = "body") -> str:
    text = (body or "").strip()
    if not text:
        raise InvalidInputError("Write a message.", field_errors={field: "Write a message."})
    if len(text) > MAX_MESSAGE_CHARACTERS:
        raise InvalidInputError(
            "This message is too long.",
            field_errors={
                field: f"A message can have at most {MAX_MESSAGE_CHARACTERS:,} characters; "
                f"this one has {len(text):,}."
            },
        )
    return text


def _person_zone(conversation: Conversation) -> str:
    person = conversation.person
    return (person.time_zone if person is not None else "") or conversation.term.time_zone


@transaction.atomic
def conversation_start(
    *,
    term: Any,
    topic: str,
    body: str,
    person: Any | None = None,
    name: str = "",
    email: str = "",
    application: Any | None = None,
) -> Conversation:
    """Write privately to the term's organizers, signed in or with an email address (who then
    gets a secret link). An extension request names one of the person's applications in this
    term. Sending the same message twice returns the first conversation."""
    errors: dict[str, str] = {}
    if topic not in Topic.values:
        errors["topic"] = "Pick what your message is about."
    try:
        text = _clean_message(body)
    except InvalidInputError as error:
        errors |= error.field_errors
        text = ""
    signed_in = person is not None and person.is_authenticated
    if person is not None and signed_in:
        email, name = person.email, person.name
    else:
        email = (email or "").strip().lower()
        name = (name or "").strip()[:200]
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Give an email address we can answer you at."
    if topic == Topic.EXTENSION:
        if person is None or not signed_in:
            errors["topic"] = "Log in to ask for an extension of your application's deadline."
        elif application is None:
            errors["application"] = "Pick the application you need more time for."
        elif application.applicant_id != person.pk or application.form.term_id != term.pk:
            errors["application"] = "Pick one of your applications in this term."
    elif application is not None:
        application = None  # only an extension request is about an application
    if errors:
        raise InvalidInputError("Please correct the marked fields.", field_errors=errors)

    owner = {"person": person} if signed_in else {"person__isnull": True, "email": email}
    earlier = (
        Conversation.objects.filter(term=term, topic=topic, **owner)
        .exclude(state=ConversationState.CLOSED)
        .filter(messages__body=text, messages__from_organizers=False)
        .first()
    )
    if earlier is not None:
        return earlier
    now = timezone.now()
    conversation = Conversation.objects.create(
        term=term,
        person=person if signed_in else None,
        name=name,
        email=email,
        topic=topic,
        application=application,
        state=ConversationState.NEW,
        last_message_at=now,
        link_nonce="" if signed_in else secrets.token_hex(16),
    )
    ConversationMessage.objects.create(
        conversation=conversation,
        author=person if signed_in else None,
        body=text,
        body_html=render_markdown(text),
    )
    audit_record(
        actor=person, action="conversation.started", target=conversation, details={"topic": topic}
    )
    email_queue_rendered(
        to=email,
        template="community/conversation_started",
        context={
            "topic": conversation.get_topic_display().lower(),
            "person": conversation.display_name,
            "term": term,
            "link": selectors.conversation_link(conversation),
            "signed_in": signed_in,
            "text": text,
        },
        idempotency_key=f"community-conversation-started-{conversation.pk}",
    )
    return conversation


def _last_visible_message(conversation: Conversation) -> ConversationMessage | None:
    return conversation.messages.order_by("-created_at", "-id").first()


@transaction.atomic
def conversation_reply(*, conversation: Conversation, actor: Any, body: str) -> ConversationMessage:
    """An organizer answers: the person sees it on the conversation's page and gets it by email
    (through the queue). Now waiting for them. The same reply twice in a row is one reply."""
    text = _clean_message(body)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    last = _last_visible_message(conversation)
    if last is not None and last.from_organizers and not last.is_internal and last.body == text:
        return last
    message = ConversationMessage.objects.create(
        conversation=conversation,
        author=actor,
        from_organizers=True,
        body=text,
        body_html=render_markdown(text),
    )
    conversation.state = ConversationState.WAITING_FOR_THEM
    conversation.last_message_at = message.created_at
    if conversation.assignee_id is None:
        conversation.assignee = actor
    conversation.save(update_fields=["state", "last_message_at", "assignee"])
    audit_record(actor=actor, action="conversation.replied", target=conversation)
    email_queue_rendered(
        to=conversation.email,
        template="community/conversation_replied",
        context={
            "topic": conversation.get_topic_display().lower(),
            "term": conversation.term,
            "person": conversation.display_name,
            "text": text,
            "organizer": actor.name or actor.email,
            "link": selectors.conversation_link(conversation),
        },
        idempotency_key=f"community-conversation-message-{message.pk}",
    )
    return message


@transaction.atomic
def conversation_note_add(
    *, conversation: Conversation, actor: Any, body: str
) -> ConversationMessage:
    """An internal note for the other organizers; the person never sees it and nobody is mailed."""
    text = _clean_message(body, field="note")
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    last = _last_visible_message(conversation)
    if last is not None and last.is_internal and last.author_id == actor.pk and last.body == text:
        return last
    message = ConversationMessage.objects.create(
        conversation=conversation,
        author=actor,
        from_organizers=True,
        is_internal=True,
        body=text,
        body_html=render_markdown(text),
    )
    audit_record(actor=actor, action="conversation.noted", target=conversation)
    return message


@transaction.atomic
def conversation_person_reply(
    *, conversation: Conversation, body: str, person: Any | None = None
) -> ConversationMessage:
    """The person writes back on the page (signed in, or through their secret link). It reopens
    a closed conversation; now waiting for the organizers."""
    text = _clean_message(body)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    last = _last_visible_message(conversation)
    if last is not None and not last.from_organizers and last.body == text:
        return last
    message = ConversationMessage.objects.create(
        conversation=conversation,
        author=person if person is not None and person.is_authenticated else None,
        body=text,
        body_html=render_markdown(text),
    )
    conversation.state = ConversationState.WAITING_FOR_US
    conversation.last_message_at = message.created_at
    conversation.save(update_fields=["state", "last_message_at"])
    audit_record(actor=person, action="conversation.person_replied", target=conversation)
    return message


@transaction.atomic
def conversation_update(
    *, conversation: Conversation, actor: Any, state: str, assignee: Any | None
) -> Conversation:
    """Set the state and who handles it (one of the term's organizers, or nobody)."""
    errors: dict[str, str] = {}
    if state not in ConversationState.values:
        errors["state"] = "Pick a state from the list."
    if assignee is not None and not account_rules.is_organizer(assignee, conversation.term):
        errors["assignee"] = "Assign it to one of this term's organizers."
    if errors:
        raise InvalidInputError("Please correct the marked fields.", field_errors=errors)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    changes = {}
    if conversation.state != state:
        changes["state"] = state
    if conversation.assignee_id != (assignee.pk if assignee is not None else None):
        changes["assignee"] = assignee.email if assignee is not None else ""
    if changes:
        conversation.state = state
        conversation.assignee = assignee
        conversation.save(update_fields=["state", "assignee"])
        audit_record(
            actor=actor, action="conversation.updated", target=conversation, details=changes
        )
    return conversation


@transaction.atomic
def conversation_extension_grant(
    *,
    conversation: Conversation,
    actor: Any,
    until: dt.datetime,
    message: str = "",
    now: dt.datetime | None = None,
) -> ConversationMessage:
    """Grant the extension the person asked for, in one step: their own deadline on the
    application's form (the admissions extension service) and a reply that says the new deadline
    in their time zone."""
    from cohortkit.admissions.services.extending import extension_grant

    moment = now or timezone.now()
    if conversation.topic != Topic.EXTENSION or conversation.application is None:
        raise ConflictError("This conversation is not an extension request for an application.")
    if until.tzinfo is None:
        raise InvalidInputError("Give the new deadline with its time zone.")
    if until <= moment:
        raise InvalidInputError(
            "The new deadline must be in the future.",
            field_errors={"until_date": "Pick a moment that has not passed yet."},
        )
    note = (message or "").strip()
    if len(note) > MAX_MESSAGE_CHARACTERS - 300:
        raise InvalidInputError(
            "This message is too long.", field_errors={"message": "Write a shorter message."}
        )
    application = conversation.application
    if not account_rules.is_organizer(actor, application.form.term):
        raise NotAllowedError("Only the term's organizers grant extensions.")
    extension_grant(
        form=application.form,
        user=application.applicant,
        until=until,
        granted_by=actor,
        reason=f"Requested in conversation {conversation.pk}",
    )
    deadline = format_instant(until, _person_zone(conversation))
    body = (
        f"{note}\n\n" if note else ""
    ) + f"Your new deadline for the {application.form.title} is {deadline}."
    return conversation_reply(conversation=conversation, actor=actor, body=body)
