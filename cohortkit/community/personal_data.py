"""The community app's share of a person's data: public questions they asked or answered, their
private conversations with the organizers, announcements and digests. Erasing deletes their
private conversations (messages and all) and the record of digests sent to them; public
questions and answers stay for everyone who reads them, under the anonymised name."""

from __future__ import annotations

from typing import Any

from cohortkit.common.personal_data import (
    ErasureContext,
    PersonalDataPart,
    personal_data_part_register,
    rows_where,
)
from cohortkit.community.models import (
    Announcement,
    Conversation,
    ConversationMessage,
    DigestSent,
    PublicQuestion,
)


def _extra_rows(user: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        "community.ConversationMessage (in your conversations)": rows_where(
            ConversationMessage, conversation__person=user, is_internal=False
        )
    }


def _erase(context: ErasureContext) -> None:
    user = context.user
    context.counts["conversations"] = Conversation.objects.filter(person=user).delete()[0]
    DigestSent.objects.filter(organizer=user).delete()


def register_community_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(
            key="community",
            models={
                PublicQuestion: ("asker", "answered_by"),
                Conversation: ("person", "assignee"),
                ConversationMessage: ("author",),
                Announcement: ("author",),
                DigestSent: ("organizer",),
            },
            extra_rows=_extra_rows,
            eraser=_erase,
        )
    )
