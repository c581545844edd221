"""The accounts app's share of a person's data: their account, roles, invitations, tokens and
second factors, the admin's log of what they did; and, last of every eraser, the account itself
anonymised (see ``cohortkit.common.personal_data``)."""

from __future__ import annotations

import uuid
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cohortkit.accounts.models import ApiToken, Invitation, Membership, User
from cohortkit.common.models import AuditEvent
from cohortkit.common.personal_data import (
    ErasureContext,
    PersonalDataPart,
    personal_data_part_register,
    rows_where,
)
from cohortkit.notifications.models import OutboundEmail

ERASED_NAME = "Erased person"
ERASED_EMAIL_DOMAIN = "erased.invalid"


def erased_email(user: Any) -> str:
    return f"erased-{user.pk}@{ERASED_EMAIL_DOMAIN}"


def is_erased(user: Any) -> bool:
    return str(getattr(user, "email", "")).endswith(f"@{ERASED_EMAIL_DOMAIN}")


def _extra_rows(user: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        "accounts.Invitation (sent to you)": rows_where(Invitation, email__iexact=user.email),
        "axes.AccessAttempt": rows_where(AccessAttempt, username__iexact=user.email),
        "notifications.OutboundEmail": rows_where(OutboundEmail, to__iexact=user.email),
    }


def _erase_secrets(context: ErasureContext) -> None:
    user = context.user
    counts = context.counts
    counts["api_tokens"] = ApiToken.objects.filter(user=user).delete()[0]
    counts["second_factors"] = (
        TOTPDevice.objects.filter(user=user).delete()[0]
        + StaticDevice.objects.filter(user=user).delete()[0]
    )
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()
    # Emails to the person: the unsent are dropped, the sent keep only that they were sent.
    pending = OutboundEmail.objects.filter(
        to__iexact=user.email, sent_at__isnull=True, failed_at__isnull=True
    )
    counts["emails"] = pending.delete()[0] + OutboundEmail.objects.filter(
        to__iexact=user.email
    ).update(to=erased_email(user), subject="(erased)", body="", last_error="")
    # Invitations sent to the address: the address is all they hold about the person.
    counts["invitations"] = Invitation.objects.filter(email__iexact=user.email).update(
        email=erased_email(user)
    )


def _erase_account(context: ErasureContext) -> None:
    """The person's row stays (others' rows point at it) but says nobody any more."""
    user = User.objects.get(pk=context.user.pk)
    user.email = erased_email(user)
    user.name = ERASED_NAME
    user.time_zone = "UTC"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()  # also ends every session: their hash no longer matches
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    context.counts["account"] = 1


def register_accounts_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(
            key="accounts",
            models={
                User: ("pk",),
                Membership: ("user",),
                Invitation: ("invited_by", "accepted_by"),
                ApiToken: ("user",),
                TOTPDevice: ("user",),
                StaticDevice: ("user",),
                LogEntry: ("user",),
                # What the person did as a member of staff (what others did to them is in the
                # other parts); the trail keeps it with the anonymised actor.
                AuditEvent: ("actor",),
            },
            extra_rows=_extra_rows,
            eraser=_erase_secrets,
            order=10,
        )
    )
    personal_data_part_register(
        PersonalDataPart(key="account", models={}, eraser=_erase_account, order=1000)
    )


def person_tombstone_create() -> User:
    """A new person row that is nobody: what an anonymised record (an old application) points
    at instead of the person it was about."""
    user = User(email="", name=ERASED_NAME, is_active=False)
    user.set_unusable_password()
    user.email = f"erased-{uuid.uuid4().hex}@{ERASED_EMAIL_DOMAIN}"
    user.save()
    return user
