from django.urls import path

from cohortkit.scheduling import views

app_name = "scheduling"

BASE = "terms/<slug:slug>/organize/sections/"

urlpatterns = [
    path(BASE, views.sections, name="sections"),
    path(f"{BASE}runs/", views.run_start, name="run_start"),
    path(f"{BASE}runs/import/", views.run_import, name="run_import"),
    path(f"{BASE}runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path(f"{BASE}runs/<int:run_id>/progress/", views.run_progress, name="run_progress"),
    path(f"{BASE}runs/<int:run_id>/instance.json", views.run_export, name="run_export"),
    path(f"{BASE}runs/<int:run_id>/edit/", views.run_edit, name="run_edit"),
    path(f"{BASE}runs/<int:run_id>/what-if/", views.run_what_if, name="run_what_if"),
    path(
        f"{BASE}runs/<int:run_id>/publish/confirm/",
        views.run_publish_confirm,
        name="run_publish_confirm",
    ),
    path(f"{BASE}runs/<int:run_id>/publish/", views.run_publish, name="run_publish"),
    path(f"{BASE}runs/<int:run_id>/stop/", views.run_stop, name="run_stop"),
    path(f"{BASE}runs/<int:run_id>/restart/", views.run_restart, name="run_restart"),
]
