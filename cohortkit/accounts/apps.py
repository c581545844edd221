from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cohortkit.accounts"
    label = "accounts"

    def ready(self) -> None:
        from cohortkit.accounts.personal_data import register_accounts_personal_data

        register_accounts_personal_data()
