"""Writes of the community app (a package: questions, conversations, announcements, digests)."""

from cohortkit.community.services.announcements import (
    announcement_post,
    announcement_send,
    announcements_send_due,
)
from cohortkit.community.services.conversations import (
    conversation_extension_grant,
    conversation_note_add,
    conversation_person_reply,
    conversation_reply,
    conversation_start,
    conversation_update,
)
from cohortkit.community.services.digest import digests_send
from cohortkit.community.services.questions import (
    community_settings_update,
    question_answer,
    question_ask,
    question_edit,
    question_hide,
    question_make_private,
    question_merge,
    question_pin,
    question_publish,
)

__all__ = [
    "announcement_post",
    "announcement_send",
    "announcements_send_due",
    "community_settings_update",
    "conversation_extension_grant",
    "conversation_note_add",
    "conversation_person_reply",
    "conversation_reply",
    "conversation_start",
    "conversation_update",
    "digests_send",
    "question_answer",
    "question_ask",
    "question_edit",
    "question_hide",
    "question_make_private",
    "question_merge",
    "question_pin",
    "question_publish",
]
