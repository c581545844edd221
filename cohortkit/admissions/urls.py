from django.urls import path

from cohortkit.admissions.views import (
    applying,
    carrying_over,
    confirming,
    deciding,
    extending,
    importing,
    reviewing,
)

app_name = "admissions"

urlpatterns = [
    path("terms/<slug:slug>/apply/<slug:kind>/", applying.apply, name="apply"),
    path("terms/<slug:slug>/apply/<slug:kind>/save/", applying.apply_save, name="apply_save"),
    path("terms/<slug:slug>/apply/<slug:kind>/submit/", applying.apply_submit, name="apply_submit"),
    path(
        "terms/<slug:slug>/apply/<slug:kind>/withdraw/",
        applying.apply_withdraw,
        name="apply_withdraw",
    ),
    path("late-application/<str:token>/", applying.access_code_use, name="access_code_use"),
    path(
        "terms/<slug:slug>/carry-over/<str:token>/",
        carrying_over.carry_over,
        name="carry_over",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/import/",
        importing.applications_import_page,
        name="applications_import",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/deadlines/",
        extending.deadlines,
        name="deadlines",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/deadlines/extensions/"
        "<int:extension_id>/revoke/",
        extending.extension_revoke,
        name="extension_revoke",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/deadlines/links/<int:code_id>/revoke/",
        extending.access_code_revoke,
        name="access_code_revoke",
    ),
    path("terms/<slug:slug>/review/", reviewing.review_assignments, name="review_assignments"),
    path(
        "terms/<slug:slug>/review/applications/<int:application_id>/",
        reviewing.review_application,
        name="review_application",
    ),
    path(
        "terms/<slug:slug>/review/applications/<int:application_id>/conflict/",
        reviewing.review_conflict,
        name="review_conflict",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/review/",
        reviewing.review_settings,
        name="review_settings",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/ranking/",
        deciding.ranking,
        name="ranking",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/ranking.csv",
        deciding.ranking_export,
        name="ranking_export",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/decisions/<int:application_id>/",
        deciding.decision_stage,
        name="decision_stage",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/decisions/release/",
        deciding.decisions_release,
        name="decisions_release",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/decisions/release/confirm/",
        deciding.decisions_release_confirm,
        name="decisions_release_confirm",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/decisions/bulk/",
        deciding.decisions_stage_bulk,
        name="decisions_stage_bulk",
    ),
    path(
        "terms/<slug:slug>/organize/applications/<slug:kind>/<int:application_id>/",
        deciding.application_full,
        name="application_full",
    ),
    path("terms/<slug:slug>/decision/<slug:kind>/", confirming.my_decision, name="my_decision"),
    path(
        "terms/<slug:slug>/decision/<slug:kind>/respond/",
        confirming.my_decision_respond,
        name="my_decision_respond",
    ),
]
