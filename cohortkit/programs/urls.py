from django.urls import path

from cohortkit.programs import copy_views, outbox_views, state_views, views

app_name = "programs"

urlpatterns = [
    path("", views.home, name="home"),
    path("time-zone/", views.time_zone_pick, name="time_zone_pick"),
    path("terms/<slug:slug>/", views.term_detail, name="term_detail"),
    path("terms/<slug:slug>/organize/settings/", views.term_settings, name="term_settings"),
    path("terms/<slug:slug>/organize/copy/", copy_views.term_copy_page, name="term_copy"),
    path("terms/<slug:slug>/organize/state/", state_views.term_state_page, name="term_state"),
    path("terms/<slug:slug>/organize/outbox/", outbox_views.outbox, name="outbox"),
    path(
        "terms/<slug:slug>/organize/outbox/<int:email_id>/retry/",
        outbox_views.outbox_retry,
        name="outbox_retry",
    ),
]
