from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "cohortkit.common"
    label = "common"
    verbose_name = "Common"
