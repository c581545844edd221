from django.contrib import admin
from django.urls import include, path

from cohortkit.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("cohortkit.accounts.urls")),
    path("", include("cohortkit.admissions.urls")),
    path("", include("cohortkit.programs.urls")),
]
