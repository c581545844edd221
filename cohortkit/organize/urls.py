from django.urls import path

from cohortkit.organize import views

app_name = "organize"

urlpatterns = [
    path("terms/<slug:slug>/organize/", views.home, name="home"),
]
