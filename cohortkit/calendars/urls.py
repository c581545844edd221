from django.urls import URLPattern, URLResolver, path

from cohortkit.calendars import views

app_name = "calendars"

urlpatterns: list[URLPattern | URLResolver] = [
    path("calendar/", views.calendar_settings, name="settings"),
    path("calendar/reset/", views.reset, name="reset"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
