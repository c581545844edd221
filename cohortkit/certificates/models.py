"""Certificates of completion (and of facilitation), and the key that signs their credentials.

A certificate is never deleted: revoking or withdrawing it changes its status and keeps its id
and page. ``public_id`` is random (192 bits, URL-safe) and is the only id that leaves the site.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class CertificateRole(models.TextChoices):
    PARTICIPANT = "participant", "Participant"
    FACILITATOR = "facilitator", "Facilitator"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "Valid"
    REVOKED = "revoked", "Revoked"
    WITHDRAWN = "withdrawn", "Withdrawn at the holder's request"


class Certificate(models.Model):
    public_id = models.CharField(max_length=64, unique=True)
    term = models.ForeignKey("programs.Term", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    role = models.CharField(max_length=20, choices=CertificateRole.choices)
    track = models.ForeignKey(
        "programs.Track", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # As the holder chose it before issue (or corrected it since); empty once withdrawn.
    holder_name = models.CharField(max_length=200, blank=True)
    issued_on = models.DateField()
    issued_at = models.DateTimeField()
    reissued_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["term", "user", "role"], name="certificate_once"),
            models.CheckConstraint(
                condition=Q(role__in=CertificateRole.values), name="certificate_role_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CertificateStatus.values), name="certificate_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status=CertificateStatus.VALID) | Q(status_changed_at__isnull=False),
                name="certificate_status_change_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=CertificateStatus.REVOKED) | ~Q(reason=""),
                name="certificate_revoked_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=CertificateStatus.WITHDRAWN) | ~Q(holder_name=""),
                name="certificate_has_name_unless_withdrawn",
            ),
        ]

    def __str__(self) -> str:
        return f"Certificate {self.public_id[:8]}… ({self.status})"

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID


class SigningKey(models.Model):
    """The Ed25519 key that signs Open Badges credentials, generated once on first use (or
    read from ``CERTIFICATE_SIGNING_KEY_FILE``). Only its public half is ever published."""

    kid = models.CharField(max_length=64, unique=True)
    private_jwk = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Signing key {self.kid}"
