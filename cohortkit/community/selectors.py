"""Reads of the community pages: the FAQ, search, the inbox, announcements and their recipients."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Q, QuerySet, Window
from django.utils.crypto import constant_time_compare, salted_hmac

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Membership, Role, User
from cohortkit.community.models import (
    OPEN_QUESTION_STATUSES,
    Announcement,
    Audience,
    CommunitySettings,
    Conversation,
    ConversationMessage,
    ConversationState,
    PublicQuestion,
    QuestionStatus,
)

# The program page shows the pinned questions (the FAQ) and this many of the newest others;
# the questions page has them all.
PROGRAM_PAGE_QUESTIONS = 20
FAQ_LIMIT = 40
LINK_SALT = "cohortkit.community.conversation-link"


def community_settings_for(term: Any) -> CommunitySettings:
    """The term's rules for questions (the defaults, unsaved, when none were set)."""
    found = CommunitySettings.objects.filter(term=term).first()
    return found or CommunitySettings(term=term)


def questions_visible(*, term: Any) -> QuerySet[PublicQuestion]:
    """The program's questions anyone may read from this term's page: answered ones (and, when
    the term lets questions appear at once, those still waiting), pinned first, then newest.
    The term's rule is a subquery, so the page spends no query of its own on it."""
    appear_at_once = Exists(
        CommunitySettings.objects.filter(term=term, questions_appear_at_once=True)
    )
    return PublicQuestion.objects.filter(
        Q(status=QuestionStatus.ANSWERED) | (Q(status=QuestionStatus.PUBLISHED) & appear_at_once),
        program_id=term.program_id,
    ).order_by("-pinned", "-created_at", "-id")


def program_page_questions(*, term: Any) -> tuple[list[PublicQuestion], list[PublicQuestion], int]:
    """(the FAQ: the pinned answered questions, the newest other visible ones, how many visible
    questions there are in all) in one query whatever their number: the total is a window
    count over the rows before the limit."""
    rows: list[Any] = list(
        questions_visible(term=term).annotate(total=Window(Count("id")))[
            : FAQ_LIMIT + PROGRAM_PAGE_QUESTIONS
        ]
    )
    faq = [question for question in rows if question.pinned]
    recent = [question for question in rows if not question.pinned][:PROGRAM_PAGE_QUESTIONS]
    return faq, recent, (int(rows[0].total) if rows else 0)


def questions_search(*, term: Any, query: str) -> QuerySet[PublicQuestion]:
    """Visible questions whose question or answer matches: PostgreSQL's full-text search (web
    search syntax, ranked) on PostgreSQL, a case-insensitive contains-search on SQLite."""
    visible = questions_visible(term=term)
    query = query.strip()
    if not query:
        return visible
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("body", weight="A", config="english") + SearchVector(
            "answer", weight="B", config="english"
        )
        search = SearchQuery(query, search_type="websearch", config="english")
        # Match with @@ (a rank above zero is not a match: ts_rank ignores negation).
        return (
            visible.annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)
            .order_by("-rank", "-pinned", "-created_at")
        )
    matches = Q()
    for word in query.split()[:10]:
        matches &= Q(body__icontains=word) | Q(answer__icontains=word)
    return visible.filter(matches)


def my_waiting_questions(*, user: Any, term: Any) -> list[PublicQuestion]:
    """The viewer's own questions that nobody has answered yet (only they see them)."""
    if not user.is_authenticated:
        return []
    return list(
        PublicQuestion.objects.filter(
            program_id=term.program_id, asker=user, status__in=OPEN_QUESTION_STATUSES
        ).order_by("-created_at")
    )


def open_question_count(*, user: Any, program: Any) -> int:
    return PublicQuestion.objects.filter(
        program=program, asker=user, status__in=OPEN_QUESTION_STATUSES
    ).count()


def questions_for_moderation(*, term: Any, status: str = "") -> QuerySet[PublicQuestion]:
    """The program's questions for its organizers, waiting ones first."""
    questions = PublicQuestion.objects.filter(program_id=term.program_id).select_related(
        "asker", "answered_by", "merged_into", "asked_in"
    )
    if status:
        questions = questions.filter(status=status)
    return questions.order_by("-pinned", "status", "-created_at", "-id")


def question_get(*, pk: int) -> PublicQuestion | None:
    return PublicQuestion.objects.select_related("asker", "asked_in").filter(pk=pk).first()


def term_organizers(*, term: Any) -> QuerySet[User]:
    return User.objects.filter(
        memberships__term=term, memberships__role=Role.ORGANIZER, is_active=True
    ).order_by("name", "email")


def inbox(*, term: Any, state: str = "", assignee_id: int | None = None) -> QuerySet[Conversation]:
    """A term's conversations, most recent first, with what the list shows in one query."""
    conversations = (
        Conversation.objects.filter(term=term)
        .select_related("person", "assignee", "application__form")
        .annotate(message_count=Count("messages", filter=Q(messages__is_internal=False)))
    )
    if state:
        conversations = conversations.filter(state=state)
    else:
        conversations = conversations.exclude(state=ConversationState.CLOSED)
    if assignee_id is not None:
        conversations = conversations.filter(assignee_id=assignee_id)
    return conversations.order_by("-last_message_at", "-id")


def inbox_counts(*, term: Any) -> dict[str, int]:
    rows = Conversation.objects.filter(term=term).values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def conversation_get(*, pk: int) -> Conversation | None:
    return (
        Conversation.objects.select_related("term", "person", "assignee", "application__form")
        .filter(pk=pk)
        .first()
    )


def conversation_messages(
    *, conversation: Conversation, include_internal: bool
) -> list[ConversationMessage]:
    messages = conversation.messages.select_related("author")
    if not include_internal:
        messages = messages.filter(is_internal=False)
    return list(messages)


def conversations_of_person(*, user: Any, term: Any) -> list[Conversation]:
    if not user.is_authenticated:
        return []
    return list(Conversation.objects.filter(term=term, person=user).order_by("-last_message_at"))


def conversation_link_token(conversation: Conversation) -> str:
    """The secret that opens a conversation without an account: its id and an HMAC of it."""
    digest = salted_hmac(
        LINK_SALT, f"{conversation.pk}:{conversation.link_nonce}", algorithm="sha256"
    ).hexdigest()
    return f"{conversation.pk}-{digest}"


def conversation_by_token(*, token: str) -> Conversation | None:
    """The conversation a secret link opens, or None for any link that is not one."""
    pk_text, _, digest = token.partition("-")
    if not pk_text.isdigit() or not digest:
        return None
    conversation = conversation_get(pk=int(pk_text))
    if conversation is None or not conversation.link_nonce:
        return None
    if not constant_time_compare(conversation_link_token(conversation), token):
        return None
    return conversation


def conversation_link(conversation: Conversation) -> str:
    """The address the person follows their conversation at (secret link without an account)."""
    from django.urls import reverse

    if conversation.person_id is not None:
        path = reverse(
            "community:conversation_detail", args=[conversation.term.slug, conversation.pk]
        )
    else:
        path = reverse(
            "community:conversation_by_link", args=[conversation_link_token(conversation)]
        )
    return settings.SITE_URL + path


def applications_for_extension(*, user: Any, term: Any) -> QuerySet[Any]:
    """The person's applications in this term (the ones an extension request may be about)."""
    from cohortkit.admissions.models import Application

    if not user.is_authenticated:
        return Application.objects.none()
    return (
        Application.objects.filter(applicant=user, form__term=term)
        .select_related("form")
        .order_by("form__kind")
    )


def announcements_for_viewer(
    *, user: Any, term: Any, now: dt.datetime, limit: int = 10
) -> list[Announcement]:
    """The announcements of the term addressed to this person that have been published; an
    organizer sees every one. Nobody outside the term sees any. One query: the person's sections
    (led, or a member of now) and tracks (of those sections, or of a confirmed place) are
    subqueries."""
    from cohortkit.admissions.models import Enrollment, EnrollmentStatus
    from cohortkit.sections.models import Section

    roles = account_rules.term_roles(user, term)
    if not roles:
        return []
    announcements = Announcement.objects.filter(term=term, scheduled_at__lte=now).select_related(
        "author", "track", "section"
    )
    if Role.ORGANIZER not in roles:
        my_sections = Section.objects.filter(term=term).filter(
            Q(facilitator=user) | Q(memberships__user=user, memberships__to_week__isnull=True)
        )
        confirmed_tracks = Enrollment.objects.filter(
            term=term, user=user, status=EnrollmentStatus.CONFIRMED, track__isnull=False
        ).values("track_id")
        announcements = announcements.filter(
            Q(audience=Audience.EVERYONE)
            | Q(audience=Audience.ROLE, role__in=roles)
            | Q(audience=Audience.TRACK, track_id__in=my_sections.values("track_id"))
            | Q(audience=Audience.TRACK, track_id__in=confirmed_tracks)
            | Q(audience=Audience.SECTION, section_id__in=my_sections.values("pk"))
            | Q(author=user)
        )
    return list(announcements.order_by("-scheduled_at", "-id")[:limit])


def announcements_of_author(*, user: Any, term: Any) -> QuerySet[Announcement]:
    """What the announcements page lists: all of the term's for organizers, one's own for a
    facilitator (scheduled ones included)."""
    announcements = Announcement.objects.filter(term=term).select_related(
        "author", "track", "section"
    )
    if not account_rules.is_organizer(user, term):
        announcements = announcements.filter(author=user)
    return announcements.order_by("-scheduled_at", "-id")


def announcement_recipients(*, announcement: Announcement) -> list[User]:
    """Everyone the announcement is addressed to, each once, in a stable order: the term's
    members (all, or of one role); a section's facilitator and current members; a track's
    facilitators, current section members and people confirmed in it."""
    from cohortkit.admissions.models import Enrollment, EnrollmentStatus
    from cohortkit.sections.models import Section, SectionMembership

    term_id = announcement.term_id
    members = Membership.objects.filter(term_id=term_id)
    if announcement.audience == Audience.EVERYONE:
        chosen = Q(pk__in=members.values("user_id"))
    elif announcement.audience == Audience.ROLE:
        chosen = Q(pk__in=members.filter(role=announcement.role).values("user_id"))
    else:
        if announcement.audience == Audience.SECTION:
            sections = Section.objects.filter(pk=announcement.section_id or 0)
        else:
            sections = Section.objects.filter(term_id=term_id, track_id=announcement.track_id or 0)
        chosen = Q(pk__in=sections.values("facilitator_id")) | Q(
            pk__in=SectionMembership.objects.filter(
                section__in=sections, to_week__isnull=True
            ).values("user_id")
        )
        if announcement.audience == Audience.TRACK:
            chosen |= Q(
                pk__in=Enrollment.objects.filter(
                    term_id=term_id,
                    track_id=announcement.track_id or 0,
                    status=EnrollmentStatus.CONFIRMED,
                ).values("user_id")
            )
    return list(User.objects.filter(chosen, is_active=True).order_by("pk"))


def digest_contents(
    *, organizer: User, since: dt.datetime, until: dt.datetime
) -> tuple[list[PublicQuestion], list[Conversation]]:
    """New questions asked from the terms they organize, and new conversations of those terms,
    between two instants (an organizer of a past term of the program is not told)."""
    term_ids = list(
        Membership.objects.filter(user=organizer, role=Role.ORGANIZER).values_list(
            "term_id", flat=True
        )
    )
    if not term_ids:
        return [], []
    questions = list(
        PublicQuestion.objects.filter(
            asked_in_id__in=term_ids,
            status__in=OPEN_QUESTION_STATUSES,
            created_at__gt=since,
            created_at__lte=until,
        )
        .select_related("program", "asked_in")
        .order_by("created_at")
    )
    conversations = list(
        Conversation.objects.filter(
            term_id__in=term_ids, created_at__gt=since, created_at__lte=until
        )
        .select_related("term")
        .order_by("created_at")
    )
    return questions, conversations
