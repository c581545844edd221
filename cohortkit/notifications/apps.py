from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cohortkit.notifications"
    label = "notifications"
