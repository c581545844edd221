"""The site's Ed25519 signing key and Open Badges 3.0 credentials signed as VC-JWTs.

The key is generated once, the first time a credential is signed or the key set is read, and
kept in the database (or in ``CERTIFICATE_SIGNING_KEY_FILE`` as a private JWK, created there if
missing). Only the public half is published, as a JWK set at ``/certificates/keys.json``, so
anyone can check a credential without trusting our pages.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from cohortkit.certificates.models import Certificate, CertificateRole, SigningKey

ALGORITHM = "EdDSA"  # Ed25519; the name verifiers know (RFC 8037)
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def _key_from_file(path: Path) -> OKPKey:
    if not path.exists():
        key = OKPKey.generate_key("Ed25519", private=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(key.as_dict(private=True), handle)
    return OKPKey.import_key(json.loads(path.read_text(encoding="utf-8")))


def signing_key() -> tuple[str, OKPKey]:
    """(key id, private key): the one key of the site, generated on first use."""
    if settings.CERTIFICATE_SIGNING_KEY_FILE:
        key = _key_from_file(Path(settings.CERTIFICATE_SIGNING_KEY_FILE))
        return key.thumbprint(), key
    stored = SigningKey.objects.order_by("created_at", "id").first()
    if stored is None:
        key = OKPKey.generate_key("Ed25519", private=True)
        try:
            with transaction.atomic():
                stored = SigningKey.objects.create(
                    kid=key.thumbprint(), private_jwk=key.as_dict(private=True)
                )
        except IntegrityError:  # two first uses at once: the other one won
            stored = SigningKey.objects.order_by("created_at", "id").first()
        assert stored is not None
    return stored.kid, OKPKey.import_key(stored.private_jwk)


def public_key_set() -> dict[str, Any]:
    """The JWK set of the public key(s) that verify our credentials."""
    kid, key = signing_key()
    public = key.as_dict(private=False)
    return {"keys": [{**public, "kid": kid, "alg": ALGORITHM, "use": "sig"}]}


def issuer_id() -> str:
    return settings.SITE_URL + "/"


def verification_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("certificates:detail", args=[certificate.public_id])


def open_badge_credential(certificate: Certificate) -> dict[str, Any]:
    """The certificate as an Open Badges 3.0 ``OpenBadgeCredential`` (JSON-LD)."""
    term = certificate.term
    program = term.program
    url = verification_url(certificate)
    is_facilitator = certificate.role == CertificateRole.FACILITATOR
    achievement_name = (
        f"Facilitator: {program.name}, {term.name}"
        if is_facilitator
        else f"{program.name}, {term.name}"
        + (f" ({certificate.track.name} track)" if certificate.track else "")
    )
    criteria = (
        "Led at least one discussion section of the term."
        if is_facilitator
        else "Met the term's completion rule, as confirmed by its organizers."
    )
    return {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": program.name},
        "validFrom": f"{certificate.issued_on.isoformat()}T00:00:00Z",
        "name": achievement_name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": certificate.holder_name,
            "achievement": {
                "id": f"{settings.SITE_URL}/terms/{term.slug}/#{certificate.role}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": achievement_name,
                "description": program.tagline or program.name,
                "criteria": {"narrative": criteria},
            },
        },
        # Where anyone reads the certificate's current status (valid, revoked, withdrawn).
        "evidence": [{"id": url, "type": ["Evidence"], "name": "Verification page"}],
    }


def credential_jwt(certificate: Certificate) -> str:
    """The credential signed as a VC-JWT (compact JWS, ``typ`` ``vc+jwt``) with the site key."""
    kid, key = signing_key()
    credential = open_badge_credential(certificate)
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["id"],
        "nbf": int(certificate.issued_at.timestamp()),
    }
    header = {"alg": ALGORITHM, "typ": "vc+jwt", "kid": kid}
    payload = json.dumps(claims, sort_keys=True, separators=(",", ":"))
    with warnings.catch_warnings():
        # joserfc prefers RFC 9864's "Ed25519" name, which few verifiers know yet.
        warnings.simplefilter("ignore", SecurityWarning)
        return jws.serialize_compact(header, payload, key, algorithms=[ALGORITHM])
