from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "cohortkit.community"
    label = "community"
