from django.urls import URLPattern, URLResolver

app_name = "coursework"

urlpatterns: list[URLPattern | URLResolver] = []
