"""The pages of sections: a member's own sections, the facilitators' sections, attendance,
apologies and switching. The paths are the ones they always had (people keep their links)."""

from django.urls import path

from cohortkit.sections import views

app_name = "sections"

urlpatterns = [
    path("terms/<slug:slug>/my-section/", views.my_sections, name="my_sections"),
    path("terms/<slug:slug>/facilitate/", views.facilitator_sections, name="facilitator_sections"),
    path(
        "terms/<slug:slug>/sections/<int:section_id>/meetings/<int:week>/attendance/",
        views.attendance,
        name="attendance",
    ),
    path("terms/<slug:slug>/meetings/<int:meeting_id>/apology/", views.apology, name="apology"),
    path("terms/<slug:slug>/switch/", views.switch, name="switch"),
    path(
        "terms/<slug:slug>/sections/<int:section_id>/members/<int:user_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "terms/<slug:slug>/sections/<int:section_id>/facilitator/remove/",
        views.facilitator_remove,
        name="facilitator_remove",
    ),
    path(
        "terms/<slug:slug>/sections/<int:section_id>/facilitator/choose/",
        views.facilitator_assign,
        name="facilitator_assign",
    ),
]
