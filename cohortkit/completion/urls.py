from django.urls import path

from cohortkit.completion import views

app_name = "completion"

urlpatterns = [
    path("terms/<slug:slug>/progress/", views.my_progress, name="my_progress"),
    path("terms/<slug:slug>/organize/completion/", views.completion_page, name="page"),
    path(
        "terms/<slug:slug>/organize/completion/confirm/",
        views.completion_confirm,
        name="confirm",
    ),
    path(
        "terms/<slug:slug>/organize/completion/people/<int:user_id>/override/",
        views.completion_override,
        name="override",
    ),
    path(
        "terms/<slug:slug>/organize/completion/people/<int:user_id>/resolve/",
        views.completion_resolve,
        name="resolve",
    ),
    path("terms/<slug:slug>/organize/completion/rule/", views.rule_page, name="rule"),
    path(
        "terms/<slug:slug>/organize/completion/quizzes/<int:quiz_id>/pass-mark/",
        views.pass_mark,
        name="pass_mark",
    ),
    path("terms/<slug:slug>/feedback/", views.feedback_form, name="feedback"),
    path(
        "terms/<slug:slug>/organize/feedback/",
        views.feedback_summary_page,
        name="feedback_summary",
    ),
    path(
        "terms/<slug:slug>/organize/feedback/create/",
        views.feedback_create,
        name="feedback_create",
    ),
    path("terms/<slug:slug>/organize/feedback.csv", views.feedback_csv, name="feedback_csv"),
    path(
        "terms/<slug:slug>/facilitate/feedback/",
        views.section_feedback,
        name="section_feedback",
    ),
]
