from django.urls import URLPattern, URLResolver, path

from cohortkit.coursework import views

app_name = "coursework"

TERM = "terms/<slug:slug>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{TERM}week/", views.home, name="home"),
    path(f"{TERM}week/<int:number>/", views.week, name="week"),
    path(f"{TERM}week/<int:number>/done/", views.item_done, name="item_done"),
    path(f"{TERM}assignments/<int:pk>/", views.assignment, name="assignment"),
    path(f"{TERM}assignments/<int:pk>/draft/", views.assignment_save, name="assignment_save"),
    path(f"{TERM}assignments/<int:pk>/submit/", views.assignment_submit, name="assignment_submit"),
    path(
        f"{TERM}sections/<int:section_id>/homework/",
        views.section_reviews,
        name="section_reviews",
    ),
    path(
        f"{TERM}sections/<int:section_id>/homework/<int:version_id>/review/",
        views.feedback_give,
        name="feedback_give",
    ),
    path(f"{TERM}organize/due-dates/", views.due_dates, name="due_dates"),
    path(f"{TERM}organize/overview/", views.overview, name="overview"),
    path(
        f"{TERM}organize/overview/attendance.csv",
        views.overview_attendance_csv,
        name="overview_attendance_csv",
    ),
    path(
        f"{TERM}organize/overview/grades.csv",
        views.overview_grades_csv,
        name="overview_grades_csv",
    ),
    path(
        f"{TERM}organize/overview/at-risk.csv",
        views.overview_at_risk_csv,
        name="overview_at_risk_csv",
    ),
]
