"""Two-factor authentication: an authenticator app (TOTP) and single-use recovery codes.

Built on django-otp's TOTP and static devices. A person turns it on from their profile by scanning
a QR code and typing one code; they then get ten recovery codes, shown once. From then on, logging
in asks for a code after the password. A term can require it of its organizers and reviewers
(``Term.require_two_factor``): their pages of that term then send them to set it up, or to type a
code, first (``TwoFactorRequiredError``, raised by ``rules.require_term_role``).
"""

from __future__ import annotations

import base64

import segno
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cohortkit.accounts.models import User
from cohortkit.common.errors import ConflictError, InvalidInputError
from cohortkit.common.services import audit_record

RECOVERY_CODES = 10
APP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"


def two_factor_enabled(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def app_device(*, user: User) -> TOTPDevice:
    """The person's confirmed authenticator app."""
    return TOTPDevice.objects.get(user=user, confirmed=True)


def _pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one at a time, kept across page loads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def two_factor_setup(*, user: User) -> dict[str, str]:
    """What the setup page shows: the QR code (a data URI) and the secret for typing by hand."""
    if two_factor_enabled(user=user):
        raise ConflictError("Two-factor authentication is already on.")
    device = _pending_device(user)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return {
        "qr_data_uri": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
        "secret": " ".join(secret[index : index + 4] for index in range(0, len(secret), 4)),
    }


def _clean_code(code: str) -> str:
    return "".join(character for character in str(code) if not character.isspace())[:64]


def two_factor_enable(*, user: User, code: str) -> list[str]:
    """Confirm the authenticator with one of its codes; return the new recovery codes (once).

    A wrong code changes nothing (``InvalidInputError`` on the field ``code``).
    """
    with transaction.atomic():
        if two_factor_enabled(user=user):
            raise ConflictError("Two-factor authentication is already on.")
        device = _pending_device(user)
        if not device.verify_token(_clean_code(code)):
            raise InvalidInputError(
                "That code is not right.",
                field_errors={"code": "Type the 6-digit code your app shows now."},
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user)
        audit_record(actor=user, action="two_factor.enabled", target=user)
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def two_factor_check(*, user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts ``code`` (the app's current code or an unused recovery code).

    A recovery code is used up by this call. ``None`` when nothing accepts it.
    """
    cleaned = _clean_code(code)
    if not cleaned:
        return None
    with transaction.atomic():
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(cleaned):
                return device
        for recovery in StaticDevice.objects.filter(user=user, confirmed=True):
            if recovery.verify_token(cleaned.lower()):
                audit_record(actor=user, action="two_factor.recovery_code_used", target=user)
                return recovery
    return None


def two_factor_disable(*, user: User, code: str) -> None:
    """Turn two-factor authentication off; needs a current code (or a recovery code)."""
    with transaction.atomic():
        if two_factor_check(user=user, code=code) is None:
            raise InvalidInputError(
                "That code is not right.",
                field_errors={"code": "Type a code from your app, or a recovery code."},
            )
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_record(actor=user, action="two_factor.disabled", target=user)


def recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working); needs a current code."""
    with transaction.atomic():
        if not two_factor_enabled(user=user):
            raise ConflictError("Two-factor authentication is off.")
        if two_factor_check(user=user, code=code) is None:
            raise InvalidInputError(
                "That code is not right.", field_errors={"code": "Type a code from your app."}
            )
        codes = _recovery_codes_replace(user)
        audit_record(actor=user, action="two_factor.recovery_codes_replaced", target=user)
    return codes
