from django.urls import path

from cohortkit.programs import copy_views, views

app_name = "programs"

urlpatterns = [
    path("", views.home, name="home"),
    path("time-zone/", views.time_zone_pick, name="time_zone_pick"),
    path("terms/<slug:slug>/", views.term_detail, name="term_detail"),
    path("terms/<slug:slug>/organize/settings/", views.term_settings, name="term_settings"),
    path("terms/<slug:slug>/organize/copy/", copy_views.term_copy_page, name="term_copy"),
]
