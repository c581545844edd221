from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cohortkit.accounts"
    label = "accounts"
