"""Public questions (the program's FAQ), private conversations with the organizers, announcements.

Questions belong to the program, not to one term: the answered, pinned ones are the program's FAQ
and every term of the program shows them, so a copied or next term carries them without copying.
The term a question was asked from is kept for moderation and for turning it into a private
conversation (conversations and announcements belong to one term).

Markdown is rendered and sanitised once, when the text is saved (``*_html``); pages show the HTML.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

MAX_QUESTION_CHARACTERS = 2_000
MIN_QUESTION_CHARACTERS = 10
MAX_ANSWER_CHARACTERS = 10_000
MAX_MESSAGE_CHARACTERS = 10_000
MAX_ANNOUNCEMENT_CHARACTERS = 10_000


class CommunitySettings(models.Model):
    """A term's rules for public questions; a term without a row uses the defaults."""

    term = models.OneToOneField(
        "programs.Term", on_delete=models.CASCADE, related_name="community_settings"
    )
    questions_appear_at_once = models.BooleanField(
        default=False,
        help_text="Questions show on the program page before an organizer has looked at them.",
    )
    max_open_questions_per_person = models.PositiveSmallIntegerField(
        default=3, help_text="How many unanswered questions one person may have at once."
    )

    class Meta:
        verbose_name_plural = "community settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_open_questions_per_person__gte=1),
                name="community_settings_at_least_one_open_question",
            )
        ]

    def __str__(self) -> str:
        return f"Community settings of {self.term}"


class QuestionStatus(models.TextChoices):
    HELD = "held", "Waiting for an organizer"
    PUBLISHED = "published", "Shown, not answered yet"
    ANSWERED = "answered", "Answered"
    HIDDEN = "hidden", "Hidden (spam)"
    MERGED = "merged", "Merged into another question"
    MADE_PRIVATE = "private", "Moved to a private conversation"


# Questions that still wait for an answer count against the asker's limit.
OPEN_QUESTION_STATUSES = (QuestionStatus.HELD, QuestionStatus.PUBLISHED)


class PublicQuestion(models.Model):
    """A question anyone may read once it is published, with the organizers' public answer."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="public_questions"
    )
    asked_in = models.ForeignKey(
        "programs.Term", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="public_questions"
    )
    body = models.TextField()
    body_html = models.TextField()
    status = models.CharField(
        max_length=20, choices=QuestionStatus.choices, default=QuestionStatus.HELD
    )
    answer = models.TextField(blank=True)
    answer_html = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    conversation = models.OneToOneField(
        "Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="from_public_question",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pinned", "-answered_at", "-id"]
        indexes = [models.Index(fields=["program", "status"], name="question_program_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=QuestionStatus.values), name="question_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=QuestionStatus.ANSWERED)
                | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="question_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~Q(status=QuestionStatus.MERGED) | Q(merged_into__isnull=False),
                name="question_merged_has_target",
            ),
            models.CheckConstraint(
                condition=Q(pinned=False) | Q(status=QuestionStatus.ANSWERED),
                name="question_pinned_only_when_answered",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("id")), name="question_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.body[:80]


class Topic(models.TextChoices):
    QUESTION = "question", "A question"
    EXTENSION = "extension", "Extension request"
    ACCESSIBILITY = "accessibility", "Accessibility"
    STIPEND = "stipend", "Stipend and pay"
    OTHER = "other", "Something else"


class ConversationState(models.TextChoices):
    NEW = "new", "New"
    WAITING_FOR_US = "waiting_for_us", "Waiting for us"
    WAITING_FOR_THEM = "waiting_for_them", "Waiting for them"
    CLOSED = "closed", "Closed"


class Conversation(models.Model):
    """A private thread between one person and a term's organizers.

    A person with an account owns it through ``person``; someone without one through their
    ``email`` and a secret link (an HMAC of the id and ``link_nonce``, so the link can be put in
    every reply without storing it, and a copy of the database alone cannot forge one).
    """

    term = models.ForeignKey(
        "programs.Term", on_delete=models.CASCADE, related_name="conversations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    topic = models.CharField(max_length=20, choices=Topic.choices)
    application = models.ForeignKey(
        "admissions.Application",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    state = models.CharField(
        max_length=20, choices=ConversationState.choices, default=ConversationState.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    link_nonce = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["term", "state"], name="conversation_term_state")]
        constraints = [
            models.CheckConstraint(condition=Q(topic__in=Topic.values), name="conversation_topic"),
            models.CheckConstraint(
                condition=Q(state__in=ConversationState.values), name="conversation_state_known"
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(link_nonce=""),
                name="conversation_guest_has_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} from {self.email}"

    @property
    def display_name(self) -> str:
        return self.name or self.email


class ConversationMessage(models.Model):
    """One message of a conversation: from the person, a reply from the organizers, or an
    internal note (``is_internal``) that the person never sees."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_organizers = models.BooleanField(default=False)
    is_internal = models.BooleanField(default=False)
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_internal=False) | Q(from_organizers=True),
                name="message_notes_are_the_organizers",
            )
        ]

    def __str__(self) -> str:
        return self.body[:80]


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone in the term"
    TRACK = "track", "One track"
    ROLE = "role", "One role"
    SECTION = "section", "One section"


class Announcement(models.Model):
    """A message to (part of) a term, shown on their term and week pages from ``scheduled_at``
    and emailed once to each recipient; ``sent_at`` is claimed by a conditional UPDATE."""

    term = models.ForeignKey(
        "programs.Term", on_delete=models.CASCADE, related_name="announcements"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField()
    body_html = models.TextField()
    audience = models.CharField(max_length=20, choices=Audience.choices)
    track = models.ForeignKey(
        "programs.Track", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=20, blank=True)
    section = models.ForeignKey(
        "sections.Section", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The moment it appears and is emailed: now, or the later time it was scheduled for.
    scheduled_at = models.DateTimeField()
    is_scheduled = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [
            models.Index(fields=["term", "scheduled_at"], name="announcement_term_scheduled")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values), name="announcement_audience_known"
            ),
            models.CheckConstraint(
                condition=(
                    (Q(audience=Audience.TRACK) & Q(track__isnull=False))
                    | (Q(audience=Audience.ROLE) & ~Q(role=""))
                    | (Q(audience=Audience.SECTION) & Q(section__isnull=False))
                    | Q(audience=Audience.EVERYONE)
                ),
                name="announcement_audience_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DigestSent(models.Model):
    """One organizer's daily digest: the unique (organizer, day) is the claim, so two workers
    running the digest at once send one email."""

    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    question_count = models.PositiveIntegerField(default=0)
    conversation_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organizer", "day"], name="digest_one_per_organizer_day"
            )
        ]

    def __str__(self) -> str:
        return f"Digest for {self.organizer} on {self.day}"
