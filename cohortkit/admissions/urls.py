from django.urls import path

from cohortkit.admissions import carry_over_views, views

app_name = "admissions"

urlpatterns = [
    path("terms/<slug:slug>/apply/<slug:kind>/", views.apply, name="apply"),
    path("terms/<slug:slug>/apply/<slug:kind>/save/", views.apply_save, name="apply_save"),
    path("terms/<slug:slug>/apply/<slug:kind>/submit/", views.apply_submit, name="apply_submit"),
    path(
        "terms/<slug:slug>/apply/<slug:kind>/withdraw/", views.apply_withdraw, name="apply_withdraw"
    ),
    path("late-application/<str:token>/", views.access_code_use, name="access_code_use"),
    path(
        "terms/<slug:slug>/carry-over/<str:token>/",
        carry_over_views.carry_over,
        name="carry_over",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/import/",
        views.applications_import_page,
        name="applications_import",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/deadlines/",
        views.deadlines,
        name="deadlines",
    ),
]

# Review and decisions (review_views.py).
from cohortkit.admissions import review_views  # noqa: E402

urlpatterns += [
    path("terms/<slug:slug>/review/", review_views.review_assignments, name="review_assignments"),
    path(
        "terms/<slug:slug>/review/applications/<int:application_id>/",
        review_views.review_application,
        name="review_application",
    ),
    path(
        "terms/<slug:slug>/review/applications/<int:application_id>/conflict/",
        review_views.review_conflict,
        name="review_conflict",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/review/",
        review_views.review_settings,
        name="review_settings",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/ranking/",
        review_views.ranking,
        name="ranking",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/ranking.csv",
        review_views.ranking_export,
        name="ranking_export",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/decisions/<int:application_id>/",
        review_views.decision_stage,
        name="decision_stage",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/decisions/release/",
        review_views.decisions_release,
        name="decisions_release",
    ),
    path("terms/<slug:slug>/decision/<slug:kind>/", review_views.my_decision, name="my_decision"),
    path(
        "terms/<slug:slug>/decision/<slug:kind>/respond/",
        review_views.my_decision_respond,
        name="my_decision_respond",
    ),
]
