"""Writes of certificates: issue (with the name the holder chose), correct the name (same URL),
revoke (organizers, with a reason), withdraw (the holder). Nothing is ever deleted."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.rules import is_organizer
from cohortkit.certificates import rules
from cohortkit.certificates.models import Certificate, CertificateRole, CertificateStatus
from cohortkit.certificates.selectors import certificate_roles_due, track_of_participant
from cohortkit.common.errors import ConflictError, InvalidInputError, NotAllowedError
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import localize
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.programs.models import Term
from cohortkit.programs.states import term_require_writable

MAX_NAME = 200
ID_BYTES = 24  # 192 random bits, 32 URL-safe characters


def _clean_name(holder_name: str) -> str:
    name = " ".join(holder_name.split())
    if not name:
        raise InvalidInputError(
            "Type the name to print on the certificate.",
            field_errors={"holder_name": "The name cannot be empty."},
        )
    if len(name) > MAX_NAME:
        raise InvalidInputError(
            "That name is too long.",
            field_errors={"holder_name": f"At most {MAX_NAME} characters."},
        )
    return name


@transaction.atomic
def certificate_issue(
    *,
    term: Term,
    user: Any,
    role: str,
    holder_name: str,
    now: dt.datetime | None = None,
) -> Certificate:
    """Issue the person's certificate with the name they chose. Issuing again (a double
    submit) returns the certificate already issued, unchanged. An archived term issues nothing
    (``TooLateError``); a finished one still does."""
    now = now or timezone.now()
    term_require_writable(term, money=True, now=now)
    name = _clean_name(holder_name)
    existing = Certificate.objects.filter(term=term, user=user, role=role).first()
    if existing is not None:
        return existing
    if role not in certificate_roles_due(term=term, user=user, now=now):
        raise NotAllowedError("There is no certificate for you to collect in this term.")
    track = (
        track_of_participant(term=term, user=user) if role == CertificateRole.PARTICIPANT else None
    )
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                public_id=secrets.token_urlsafe(ID_BYTES),
                term=term,
                user=user,
                role=role,
                track=track,
                holder_name=name,
                issued_on=localize(now, term.time_zone).date(),
                issued_at=now,
            )
    except IntegrityError:
        return Certificate.objects.get(term=term, user=user, role=role)
    audit_record(
        actor=user,
        action="certificate.issued",
        target=certificate,
        details={"role": role, "holder_name": name},
    )
    email_queue_rendered(
        to=user.email,
        template="certificates/issued",
        context={
            "person": user.name or user.email,
            "program": term.program.name,
            "term_name": term.name,
            "link": settings.SITE_URL
            + reverse("certificates:detail", args=[certificate.public_id]),
        },
        idempotency_key=f"certificate-issued:{certificate.pk}",
    )
    return certificate


def _require_holder_or_organizer(certificate: Certificate, actor: Any) -> None:
    if not rules.can_change(actor, certificate):
        raise NotAllowedError("Only the holder or an organizer may change this certificate.")


@transaction.atomic
def certificate_rename(
    *, certificate: Certificate, actor: Any, holder_name: str, now: dt.datetime | None = None
) -> Certificate:
    """Reissue with a corrected name: the id, the URL and the issue date stay. Refused
    (``TooLateError``) once the term is archived."""
    _require_holder_or_organizer(certificate, actor)
    term_require_writable(certificate.term, money=True, now=now)
    name = _clean_name(holder_name)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != CertificateStatus.VALID:
        raise ConflictError("Only a valid certificate can be reissued.")
    if certificate.holder_name == name:
        return certificate
    before = certificate.holder_name
    certificate.holder_name = name
    certificate.reissued_at = now or timezone.now()
    certificate.save(update_fields=["holder_name", "reissued_at"])
    audit_record(
        actor=actor,
        action="certificate.reissued",
        target=certificate,
        details={"before": before, "after": name},
    )
    return certificate


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, actor: Any, reason: str, now: dt.datetime | None = None
) -> Certificate:
    """Revoke (organizers of its term only, with a reason); the page then says so. Revoking a
    revoked certificate changes nothing."""
    if not is_organizer(actor, certificate.term):
        raise NotAllowedError("Only the term's organizers may revoke a certificate.")
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInputError(
            "Say why the certificate is revoked: the page shows it.",
            field_errors={"reason": "A reason is required."},
        )
    if len(reason) > 500:
        raise InvalidInputError("Keep the reason shorter.", field_errors={"reason": "At most 500."})
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == CertificateStatus.REVOKED:
        return certificate
    if certificate.status == CertificateStatus.WITHDRAWN:
        raise ConflictError("The holder withdrew this certificate.")
    certificate.status = CertificateStatus.REVOKED
    certificate.status_changed_at = now or timezone.now()
    certificate.reason = reason
    certificate.save(update_fields=["status", "status_changed_at", "reason"])
    audit_record(
        actor=actor, action="certificate.revoked", target=certificate, details={"reason": reason}
    )
    return certificate


@transaction.atomic
def certificate_withdraw(
    *, certificate: Certificate, actor: Any, now: dt.datetime | None = None
) -> Certificate:
    """The holder takes their certificate back: the page stays and says so, without their
    name."""
    if actor.pk != certificate.user_id:
        raise NotAllowedError("Only the holder may withdraw their certificate.")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == CertificateStatus.WITHDRAWN:
        return certificate
    certificate.status = CertificateStatus.WITHDRAWN
    certificate.status_changed_at = now or timezone.now()
    certificate.holder_name = ""
    certificate.save(update_fields=["status", "status_changed_at", "holder_name"])
    audit_record(actor=actor, action="certificate.withdrawn", target=certificate)
    return certificate
