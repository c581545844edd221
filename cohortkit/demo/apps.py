from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cohortkit.demo"
    label = "demo"
