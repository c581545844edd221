from django.urls import path

from cohortkit.payments import views

app_name = "payments"

ORGANIZE = "terms/<slug:slug>/organize/money/"

urlpatterns = [
    path(ORGANIZE, views.money, name="money"),
    path(f"{ORGANIZE}money.csv", views.money_csv, name="money_csv"),
    path(f"{ORGANIZE}settings/", views.pay_settings, name="pay_settings"),
    path(f"{ORGANIZE}eligibility/", views.eligibility, name="eligibility"),
    path(f"{ORGANIZE}timesheets/", views.timesheet_review, name="timesheet_review"),
    path(
        f"{ORGANIZE}timesheets/<int:timesheet_id>/decide/",
        views.timesheet_decide,
        name="timesheet_decide",
    ),
    path(f"{ORGANIZE}batches/", views.batches, name="batches"),
    path(f"{ORGANIZE}batches/build/", views.batch_build, name="batch_build"),
    path(f"{ORGANIZE}batches/<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path(f"{ORGANIZE}batches/<int:batch_id>/act/", views.batch_act, name="batch_act"),
    path(
        f"{ORGANIZE}batches/<int:batch_id>/export/<str:file_format>/",
        views.batch_export,
        name="batch_export",
    ),
    path("terms/<slug:slug>/timesheets/", views.timesheets, name="timesheets"),
    path("terms/<slug:slug>/timesheets/<int:week>/", views.timesheet_week, name="timesheet_week"),
    path(
        "terms/<slug:slug>/meetings/<int:meeting_id>/hand-over/",
        views.meeting_hand_over,
        name="meeting_hand_over",
    ),
    path("terms/<slug:slug>/my-money/", views.my_money, name="my_money"),
]
