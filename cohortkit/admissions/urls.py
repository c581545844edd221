from django.urls import path

from cohortkit.admissions import views

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
        "terms/<slug:slug>/organize/applications/<slug:kind>/deadlines/",
        views.deadlines,
        name="deadlines",
    ),
]
