from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "cohortkit.community"
    label = "community"

    def ready(self) -> None:
        from cohortkit.community.personal_data import register_community_personal_data

        register_community_personal_data()
