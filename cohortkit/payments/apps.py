from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "cohortkit.payments"
    label = "payments"
    verbose_name = "Payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cohortkit.payments.personal_data import register_payments_personal_data

        register_payments_personal_data()
