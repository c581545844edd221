from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "cohortkit.certificates"
    label = "certificates"
