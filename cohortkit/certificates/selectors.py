"""Reads of certificates: the public shape of the contract, and who may get one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from cohortkit.certificates.models import Certificate, CertificateRole, CertificateStatus
from cohortkit.certificates.signing import verification_url
from cohortkit.completion.models import Completion
from cohortkit.completion.rule import rules_of_term
from cohortkit.programs.models import Term, Track
from cohortkit.programs.selectors import term_ends_at
from cohortkit.sections.models import Section, SectionMembership


def certificate_get(*, public_id: str) -> Certificate:
    """The certificate with this public id, or 404 (the same for every unknown id)."""
    certificate = (
        Certificate.objects.select_related("term__program", "track", "user")
        .filter(public_id=public_id)
        .first()
    )
    if certificate is None:
        raise Http404("No such certificate")
    return certificate


def certificates_of_term(*, term: Term) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(term=term)
        .select_related("term__program", "track", "user")
        .order_by("role", "issued_at", "id")
    )


def certificates_of_user(*, user: Any) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(user=user)
        .select_related("term__program", "track")
        .order_by("-issued_at", "id")
    )


def certificate_json(certificate: Certificate) -> dict[str, Any]:
    """The contract's JSON shape (``shared/contracts/certificates.md``)."""
    term = certificate.term
    withdrawn = certificate.status == CertificateStatus.WITHDRAWN
    changed = certificate.status_changed_at
    return {
        "id": certificate.public_id,
        "holder_name": None if withdrawn else certificate.holder_name,
        "program": term.program.name,
        "term": term.name,
        "track": certificate.track.name if certificate.track else None,
        "role": certificate.role,
        "issued_on": certificate.issued_on.isoformat(),
        "status": certificate.status,
        "status_changed_on": changed.date().isoformat()
        if changed and certificate.status != CertificateStatus.VALID
        else None,
        "reason": certificate.reason or None
        if certificate.status == CertificateStatus.REVOKED
        else None,
        "verification_url": verification_url(certificate),
    }


def status_in_words(certificate: Certificate) -> str:
    if certificate.status == CertificateStatus.REVOKED:
        changed = certificate.status_changed_at
        return f"Revoked on {changed:%d %B %Y}: {certificate.reason}" if changed else "Revoked"
    if certificate.status == CertificateStatus.WITHDRAWN:
        return "Withdrawn at the holder's request"
    return "Valid"


def certificate_roles_due(*, term: Term, user: Any, now: dt.datetime | None = None) -> list[str]:
    """The certificates the person may be issued in the term (and has not yet): a confirmed
    completer's, and, when the term says so, a facilitator's once the term is over."""
    if user is None or not user.is_authenticated:
        return []
    now = now or timezone.now()
    due = []
    if Completion.objects.filter(term=term, user=user, completed=True).exists():
        due.append(CertificateRole.PARTICIPANT)
    if (
        rules_of_term(term=term).facilitator_certificates
        and Section.objects.filter(term=term, facilitator=user).exists()
        and term_ends_at(term) <= now
    ):
        due.append(CertificateRole.FACILITATOR)
    issued = set(Certificate.objects.filter(term=term, user=user).values_list("role", flat=True))
    return [role for role in due if role not in issued]


def linkedin_add_url(certificate: Certificate) -> str:
    """LinkedIn's documented add-to-profile link for a certification."""
    from urllib.parse import urlencode

    term = certificate.term
    fields = {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{term.program.name} ({term.name})",
        "organizationName": term.program.name,
        "issueYear": certificate.issued_on.year,
        "issueMonth": certificate.issued_on.month,
        "certUrl": verification_url(certificate),
        "certId": certificate.public_id,
    }
    return "https://www.linkedin.com/profile/add?" + urlencode(fields)


def track_of_participant(*, term: Term, user: Any) -> Track | None:
    """The track of the person's latest section, else of their enrollment."""
    membership = (
        SectionMembership.objects.filter(section__term=term, user=user)
        .select_related("section__track")
        .order_by("-from_week", "-id")
        .first()
    )
    if membership is not None:
        return membership.section.track
    from cohortkit.admissions.models import Enrollment

    enrollment = (
        Enrollment.objects.filter(term=term, user=user, role="participant")
        .select_related("track")
        .first()
    )
    return enrollment.track if enrollment else None
