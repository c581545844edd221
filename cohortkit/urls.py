from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from cohortkit.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("cohortkit.accounts.urls")),
    path("", include("cohortkit.admissions.urls")),
    path("", include("cohortkit.coursework.urls")),
    path("", include("cohortkit.quizzes.urls")),
    path("", include("cohortkit.calendars.urls")),
    path("", include("cohortkit.programs.urls")),
    path("", include("cohortkit.scheduling.urls")),
    path("", include("cohortkit.sections.urls")),
    path("", include("cohortkit.community.urls")),
    path("", include("cohortkit.payments.urls")),
    path("", include("cohortkit.completion.urls")),
    path("", include("cohortkit.certificates.urls")),
    path("", include("cohortkit.organize.urls")),
]

if settings.BENCHMARK_ENDPOINTS:
    from cohortkit.bench.views import insert_one_row, trivial_page

    urlpatterns.append(path("bench/insert/", insert_one_row, name="bench_insert"))
    urlpatterns.append(path("bench/trivial/", trivial_page, name="bench_trivial"))
