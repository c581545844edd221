"""Writes about people: sign-up, their zone, invitations to a role, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import (
    NAME_MAX_LENGTH,
    ApiToken,
    Invitation,
    Membership,
    Role,
    User,
)
from cohortkit.common.errors import (
    ConflictError,
    InvalidInputError,
    NotAllowedError,
    NotFoundError,
    TooLateError,
)
from cohortkit.common.services import audit_record
from cohortkit.common.text import text_problem
from cohortkit.common.timezones import time_zone_to_store
from cohortkit.notifications.emails import email_queue_rendered

INVITATION_LIFETIME = dt.timedelta(days=14)
INVITATION_WITHDRAWN = "This invitation was withdrawn by the organizers. Ask them for a new one."


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _chosen_time_zone(time_zone: str) -> str:
    """The canonical name of a zone from the list (an old alias becomes its current name)."""
    stored = time_zone_to_store(time_zone)
    if stored is None:
        raise InvalidInputError(
            "Pick a time zone from the list.",
            field_errors={"time_zone": "Pick a time zone from the list."},
        )
    return stored


def _check_name(name: str) -> None:
    """A name is one line: it goes into email subjects and headers, where a line break fails."""
    problem = text_problem(name, max_length=NAME_MAX_LENGTH, single_line=True)
    if problem is not None:
        raise InvalidInputError(problem, field_errors={"name": problem})


@transaction.atomic
def user_signup(*, email: str, name: str, password: str, time_zone: str) -> User:
    """Create an account; an address already in use is refused (case does not matter), so is a
    name with a line break, a NUL or a broken character."""
    email = email.strip().lower()
    _check_name(name)
    time_zone = _chosen_time_zone(time_zone)
    if User.objects.filter(email__iexact=email).exists():
        message = "An account with this email already exists. Log in?"
        raise InvalidInputError(message, field_errors={"email": message})
    try:
        user = User.objects.create_user(
            email=email, password=password, name=name.strip(), time_zone=time_zone
        )
    except IntegrityError as error:
        message = "An account with this email already exists."
        raise InvalidInputError(message, field_errors={"email": message}) from error
    audit_record(actor=user, action="user.signed_up", target=user)
    return user


@transaction.atomic
def user_profile_update(*, user: User, name: str, time_zone: str) -> User:
    _check_name(name)
    time_zone = _chosen_time_zone(time_zone)
    user.name = name.strip()
    user.time_zone = time_zone
    user.save(update_fields=["name", "time_zone"])
    return user


def user_time_zone_set(*, user: Any, time_zone: str) -> None:
    time_zone = _chosen_time_zone(time_zone)
    User.objects.filter(pk=user.pk).update(time_zone=time_zone)
    user.time_zone = time_zone


@transaction.atomic
def membership_grant(*, term: Any, user: User, role: str, actor: Any | None) -> Membership:
    """Give a person a role in a term; granting a role they already hold changes nothing."""
    if role not in Role.values:
        raise InvalidInputError(f"Unknown role “{role}”.", field_errors={"role": "Unknown role."})
    membership, created = Membership.objects.get_or_create(term=term, user=user, role=role)
    if created:
        audit_record(
            actor=actor, action="membership.granted", target=membership, details={"role": role}
        )
    return membership


@transaction.atomic
def invitation_create(*, term: Any, email: str, role: str, invited_by: User) -> Invitation:
    """Invite an address to a role and email it a link; the link works once, for 14 days.

    Inviting the same address to the same role again while an invitation is pending sends
    nothing new and returns the pending one.
    """
    email = email.strip().lower()
    if role not in Role.values:
        raise InvalidInputError(f"Unknown role “{role}”.", field_errors={"role": "Unknown role."})
    now = timezone.now()
    pending = Invitation.objects.filter(
        term=term,
        email__iexact=email,
        role=role,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).first()
    if pending is not None:
        return pending
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        term=term,
        email=email,
        role=role,
        token_hash=_digest(token),
        invited_by=invited_by,
        expires_at=now + INVITATION_LIFETIME,
    )
    link = settings.SITE_URL + reverse("accounts:invitation_accept", args=[token])
    email_queue_rendered(
        to=email,
        template="accounts/invitation",
        context={
            "inviter": invited_by.name or invited_by.email,
            "term": term,
            "role": Role(role).label.lower(),
            "link": link,
        },
        idempotency_key=f"invitation:{invitation.pk}",
    )
    audit_record(
        actor=invited_by, action="invitation.created", target=invitation, details={"role": role}
    )
    return invitation


def invitation_find(*, token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("term", "term__program")
        .filter(token_hash=_digest(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Turn a pending invitation into a membership for the signed-in person it was sent to."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=_digest(token)).first()
    if invitation is None:
        raise NotFoundError("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        if invitation.accepted_by_id == user.pk:
            return Membership.objects.get(term=invitation.term, user=user, role=invitation.role)
        raise ConflictError("This invitation has already been used.")
    if invitation.revoked_at is not None:
        raise ConflictError(INVITATION_WITHDRAWN)
    if invitation.expires_at <= timezone.now():
        raise TooLateError("This invitation has expired. Ask the organizer for a new one.")
    if invitation.email.lower() != user.email.lower():
        raise NotAllowedError(
            f"This invitation was sent to {invitation.email}; you are signed in as {user.email}."
        )
    membership = membership_grant(
        term=invitation.term, user=user, role=invitation.role, actor=invitation.invited_by
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(actor=user, action="invitation.accepted", target=invitation)
    return membership


@transaction.atomic
def invitation_revoke(*, term: Any, invitation_id: int, actor: Any) -> Invitation:
    """Withdraw a pending invitation of ``term``: its link opens nothing any more. Audited; the
    invited address is emailed that it was withdrawn (once).

    Withdrawing a withdrawn invitation changes nothing (a second click of the same button); an
    accepted one is refused (the role is removed instead), one of another term is not found.
    """
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id, term=term).first()
    if invitation is None:
        raise NotFoundError("No such invitation in this term.")
    if invitation.revoked_at is not None:
        return invitation
    if invitation.accepted_at is not None:
        raise ConflictError(
            f"{invitation.email} has already accepted this invitation; remove their role instead."
        )
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = actor
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="invitation.revoked",
        target=invitation,
        details={"email": invitation.email, "role": invitation.role},
    )
    email_queue_rendered(
        to=invitation.email,
        template="accounts/invitation_withdrawn",
        context={"term": term, "role": Role(invitation.role).label.lower()},
        idempotency_key=f"invitation-withdrawn:{invitation.pk}",
    )
    return invitation


@transaction.atomic
def membership_revoke(*, term: Any, user: User, role: str, actor: Any) -> bool:
    """Take one role in ``term`` away from ``user``. Audited and the person emailed (once);
    returns whether a role was removed.

    Removing a role the person no longer holds changes nothing (a second click). The term keeps
    at least one organizer: removing the last organizer role is refused.
    """
    if role not in Role.values:
        raise InvalidInputError(f"Unknown role “{role}”.", field_errors={"role": "Unknown role."})
    # Lock the term's organizer rows so two organizers removing each other cannot both succeed.
    organizers = list(
        Membership.objects.select_for_update()
        .filter(term=term, role=Role.ORGANIZER)
        .values_list("user_id", flat=True)
    )
    membership = Membership.objects.filter(term=term, user=user, role=role).first()
    if membership is None:
        return False
    if role == Role.ORGANIZER and organizers == [user.pk]:
        raise ConflictError(
            f"{user.name or user.email} is the term's only organizer: invite another organizer "
            "before removing this role."
        )
    details = {"role": role, "user": user.email}
    audit_record(actor=actor, action="membership.revoked", target=user, details=details, term=term)
    # The removed row's id keys the email: a second click finds no row and sends nothing, and a
    # role given back and removed again is a new row, told again.
    key = f"membership-revoked:{membership.pk}"
    membership.delete()
    other_roles = [
        Role(other).label.lower()
        for other in Membership.objects.filter(term=term, user=user)
        .order_by("role")
        .values_list("role", flat=True)
    ]
    email_queue_rendered(
        to=user.email,
        template="accounts/membership_revoked",
        context={
            "name": user.name or user.email,
            "term": term,
            "role": Role(role).label.lower(),
            "remover": getattr(actor, "name", "") or getattr(actor, "email", "An organizer"),
            "other_roles": ", ".join(other_roles),
        },
        idempotency_key=key,
    )
    return True


API_TOKEN_NAME_MAX = 100


def api_token_create(*, user: User, name: str = "", expires_at: dt.datetime | None = None) -> str:
    """Create an API token and return it; only its hash is kept, so it is shown this once.

    ``expires_at`` (optional, in the future) is the instant after which the token opens nothing.
    """
    name = name.strip()
    if len(name) > API_TOKEN_NAME_MAX:
        raise InvalidInputError(
            "The name is too long.",
            field_errors={"name": f"At most {API_TOKEN_NAME_MAX} characters."},
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInputError(
            "The expiry must be in the future.", field_errors={"expires": "Choose a later date."}
        )
    token = "ck_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        created = ApiToken.objects.create(
            user=user,
            name=name,
            token_hash=_digest(token),
            prefix=token[:10],
            expires_at=expires_at,
        )
        audit_record(
            actor=user,
            action="api_token.created",
            target=user,
            details={"token": created.pk, "prefix": created.prefix, "name": name},
        )
    return token


def api_token_revoke(*, user: User, token_id: int, actor: Any) -> ApiToken:
    """Revoke one of ``user``'s tokens; revoking a revoked token changes nothing.

    Raises ``NotFoundError`` when the token is not ``user``'s (nothing reveals other tokens).
    """
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFoundError("No such token.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="api_token.revoked",
                target=user,
                details={"token": token.pk, "prefix": token.prefix},
            )
    return token


def api_token_authenticate(*, token: str) -> User | None:
    """The active user behind a token, or None; marks the token as used."""
    if not token:
        return None
    found = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    now = timezone.now()
    if found is None or (found.expires_at is not None and found.expires_at <= now):
        return None
    # Recording every use would make each API read a write; to the minute is enough to audit.
    if found.last_used_at is None or found.last_used_at < now - dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


def account_unlock(*, term: Any, user: User, actor: Any) -> int:
    """Clear the failed logins that lock ``user`` out; only for a member of ``term``.

    Returns how many attempt records were cleared (0 when nothing was locked). Audited.
    """
    if not Membership.objects.filter(term=term, user=user).exists():
        raise NotFoundError("No such member of this term.")
    return account_failed_logins_clear(user=user, actor=actor, term=term)


def account_failed_logins_clear(*, user: User, actor: Any, term: Any | None = None) -> int:
    """Forget ``user``'s failed logins (after a password reset, or an organizer's unlock)."""
    from axes.utils import reset

    with transaction.atomic():
        cleared = reset(username=user.email.lower())
        if cleared:
            details = {"cleared": cleared} | ({"term": term.slug} if term is not None else {})
            audit_record(actor=actor, action="account.unlocked", target=user, details=details)
    return cleared
