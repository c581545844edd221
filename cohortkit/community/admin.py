from django.contrib import admin

from cohortkit.community.models import (
    Announcement,
    CommunitySettings,
    Conversation,
    DigestSent,
    PublicQuestion,
)


@admin.register(PublicQuestion)
class PublicQuestionAdmin(admin.ModelAdmin[PublicQuestion]):
    list_display = ("body", "program", "status", "pinned", "created_at")
    list_filter = ("status", "pinned", "program")
    search_fields = ("body", "answer")
    raw_id_fields = ("asker", "answered_by", "merged_into", "conversation")


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ("email", "term", "topic", "state", "assignee", "last_message_at")
    list_filter = ("state", "topic", "term")
    raw_id_fields = ("person", "assignee", "application")


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin[Announcement]):
    list_display = ("title", "term", "audience", "scheduled_at", "sent_at")
    list_filter = ("term", "audience")


admin.site.register(CommunitySettings)
admin.site.register(DigestSent)
