"""POST rows of the community pages (collected by cohortkit/tests/test_permissions_post.py).

The matrix term is published: anyone signed in may ask a question or write to the organizers
(signed out: the question waits in the session for the signup, the contact form takes an email
address). A conversation is its person's; the inbox and moderation the organizers'. Facilitators
announce to their own sections only (another's is not offered: refused in place).
"""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import NOT_FOUND, ORGANIZER_ONLY
from cohortkit.tests.post_matrix import (
    DONE,
    EVERYONE_SIGNED_IN,
    LOGIN,
    ORGANIZER_POSTS,
    REDIRECT,
    Post,
    World,
    may,
)
from conftest import ROLES


def _conversation_of_the_applicant(world: World) -> Any:
    from cohortkit.community.services import conversation_start

    return conversation_start(
        term=world.term,
        topic="other",
        body="Can I join a section in person?",
        person=world.person("applicant"),
    )


def _link_of_a_visitors_conversation(world: World) -> list[str]:
    from cohortkit.community.selectors import conversation_link_token
    from cohortkit.community.services import conversation_start

    conversation = conversation_start(
        term=world.term,
        topic="other",
        body="Is there a waitlist?",
        person=None,
        name="Vera Visitor",
        email="vera@example.org",
    )
    return [conversation_link_token(conversation)]


def _waiting_question(world: World) -> list[Any]:
    from cohortkit.community.services import question_ask

    question = question_ask(
        term=world.term, asker=world.person("applicant"), body="Are the lectures recorded?"
    )
    return [world.term.slug, question.pk]


def _messages_of(world: World, response: Any) -> int:
    from cohortkit.community.models import ConversationMessage

    return ConversationMessage.objects.filter(body="Thank you, that helps.").count()


ANNOUNCERS = may(("organizer", "facilitator"), ORGANIZER_ONLY) | {"facilitator_other_section": 400}


def _people_of_section_a(world: World) -> int:
    from cohortkit.community.models import Announcement, Audience
    from cohortkit.community.selectors import announcement_recipients

    draft = Announcement(term=world.term, audience=Audience.SECTION, section=world.sections["a"])
    return len(announcement_recipients(announcement=draft))


POST_ROWS: dict[str, Post] = {
    # Signed out, the question is kept for after the signup (nothing is stored but the session).
    "community:question_ask": Post(
        args=lambda w: [w.term.slug],
        data={"body": "Will the lectures be recorded for other time zones?"},
        answers={**EVERYONE_SIGNED_IN, "anonymous": REDIRECT},
    ),
    "community:contact": Post(
        args=lambda w: [w.term.slug],
        data={
            "contact-topic": "other",
            "contact-body": "Can I join a section in person?",
            "contact-name": "Vera Visitor",
            "contact-email": "vera@example.org",
        },
        answers=dict.fromkeys(ROLES, DONE),
    ),
    "community:conversation_detail": Post(
        args=lambda w: [w.term.slug, _conversation_of_the_applicant(w).pk],
        data={"body": "Thank you, that helps."},
        answers={**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "applicant": DONE},
        done=lambda w, response: _messages_of(w, response) == 1,
    ),
    # The link is the key, whoever holds it.
    "community:conversation_by_link": Post(
        args=_link_of_a_visitors_conversation,
        data={"body": "Thank you, that helps."},
        answers=dict.fromkeys(ROLES, DONE),
        done=lambda w, response: _messages_of(w, response) == 1,
    ),
    "community:questions_moderate": Post(
        args=lambda w: [w.term.slug],
        data={"questions_appear_at_once": "on", "max_open_questions_per_person": "3"},
        answers=ORGANIZER_POSTS,
    ),
    "community:question_action": Post(
        args=_waiting_question,
        data={"action": "answer", "answer": "Yes, every lecture is recorded."},
        answers=ORGANIZER_POSTS,
    ),
    "community:inbox_detail": Post(
        args=lambda w: [w.term.slug, _conversation_of_the_applicant(w).pk],
        data={"action": "note", "note-note": "Asked the facilitators."},
        answers=ORGANIZER_POSTS,
    ),
    # The confirmed step (the first POST only shows the count and an example email).
    "community:announcement_new": Post(
        args=lambda w: [w.term.slug],
        data=lambda w: {
            "title": "No meeting next week",
            "body": "We take a break.",
            "audience": "section",
            "section": str(w.sections["a"].pk),
            "time_zone": "UTC",
            "confirmed": "yes",
            "expected_recipients": str(_people_of_section_a(w)),
        },
        answers=ANNOUNCERS,
    ),
}
