from django.urls import path

from cohortkit.community.views import announcements, conversations, questions

app_name = "community"

urlpatterns = [
    path("terms/<slug:slug>/questions/", questions.questions, name="questions"),
    path("terms/<slug:slug>/questions/ask/", questions.question_ask, name="question_ask"),
    path(
        "terms/<slug:slug>/organize/questions/",
        questions.questions_moderate,
        name="questions_moderate",
    ),
    path(
        "terms/<slug:slug>/organize/questions/<int:pk>/",
        questions.question_action,
        name="question_action",
    ),
    path("terms/<slug:slug>/contact/", conversations.contact, name="contact"),
    path(
        "terms/<slug:slug>/conversations/",
        conversations.my_conversations,
        name="my_conversations",
    ),
    path(
        "terms/<slug:slug>/conversations/<int:pk>/",
        conversations.conversation_detail,
        name="conversation_detail",
    ),
    path(
        "conversations/<str:token>/",
        conversations.conversation_by_link,
        name="conversation_by_link",
    ),
    path("terms/<slug:slug>/organize/inbox/", conversations.inbox, name="inbox"),
    path(
        "terms/<slug:slug>/organize/inbox/<int:pk>/",
        conversations.inbox_detail,
        name="inbox_detail",
    ),
    path("terms/<slug:slug>/announcements/", announcements.announcements, name="announcements"),
    path(
        "terms/<slug:slug>/announcements/new/",
        announcements.announcement_new,
        name="announcement_new",
    ),
]
