from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "cohortkit.certificates"
    label = "certificates"

    def ready(self) -> None:
        from cohortkit.certificates.personal_data import register_certificates_personal_data

        register_certificates_personal_data()
