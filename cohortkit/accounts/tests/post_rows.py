"""POST rows of the accounts pages (collected by cohortkit/tests/test_permissions_post.py).

Most of these are a person's own: their profile, tokens, two-factor settings; every signed-in
role may. A token or an invitation belongs to one person: to everyone else it is 404 (token) or
refused in place (invitation to another address).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cohortkit.tests.post_matrix import (
    DONE,
    EVERYONE_SIGNED_IN,
    LOGIN,
    NOT_FOUND,
    ORGANIZER_POSTS,
    Post,
    World,
)
from conftest import ROLES

PASSWORD = "correct horse battery"  # every factory-made person's


def _code(user: Any) -> str:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).order_by("-pk").first()
    assert device is not None
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def _two_factor_on(world: World, client: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if world.role != "anonymous":
        TOTPDevice.objects.create(user=world.me(), name="Authenticator app", confirmed=True)


def _two_factor_pending(world: World, client: Any) -> None:
    from cohortkit.accounts import two_factor

    if world.role != "anonymous":
        two_factor.two_factor_setup(user=world.me())


def _code_of_me(world: World) -> dict[str, str]:
    return {"code": _code(world.me())} if world.role != "anonymous" else {"code": "000000"}


def _devices_of_me(world: World) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=world.me())


def _participants_token(world: World) -> list[int]:
    from cohortkit.accounts.models import ApiToken
    from cohortkit.accounts.services import api_token_create

    api_token_create(user=world.person("participant"), name="reports")
    return [ApiToken.objects.get(user=world.person("participant")).pk]


def _token_revoked(world: World, response: Any) -> bool:
    from cohortkit.accounts.models import ApiToken

    return ApiToken.objects.get(pk=world.args[0]).revoked_at is not None


def _invitation_to_the_applicant(world: World) -> list[str]:
    from cohortkit.accounts.models import Invitation, Role
    from cohortkit.accounts.services import _digest

    token = "matrix-invitation-token"
    Invitation.objects.create(
        term=world.term,
        email="applicant@example.org",
        role=Role.PARTICIPANT,
        token_hash=_digest(token),
        invited_by=world.person("organizer"),
        expires_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
    )
    return [token]


def _participant_locked_out(world: World) -> list[Any]:
    from axes.models import AccessAttempt
    from django.utils import timezone

    AccessAttempt.objects.create(
        username="participant@example.org",
        ip_address="127.0.0.1",
        user_agent="matrix",
        failures_since_start=30,
        attempt_time=timezone.now(),
    )
    return [world.term.slug, world.person("participant").pk]


def _unlocked(world: World, response: Any) -> bool:
    from axes.models import AccessAttempt

    return not AccessAttempt.objects.filter(username="participant@example.org").exists()


def _reset_link(world: World) -> list[str]:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    participant = world.person("participant")
    world.reset_link = [
        urlsafe_base64_encode(force_bytes(participant.pk)),
        default_token_generator.make_token(participant),
    ]
    return [world.reset_link[0], "set-password"]


def _reset_link_opened(world: World, client: Any) -> None:
    from django.urls import reverse

    client.get(reverse("accounts:password_reset_confirm", args=world.reset_link))


NEW_PASSWORD = "a brand new passphrase 42"


def _signed_in_as_the_participant(world: World, response: Any) -> bool:
    return response.client.session.get("_auth_user_id") == str(world.person("participant").pk)


def _erased(world: World, response: Any) -> bool:
    from cohortkit.accounts.models import User

    return User.objects.get(pk=world.people[world.role].pk).email.endswith("erased.invalid")


def _participant_erased(world: World, response: Any) -> bool:
    from cohortkit.accounts.models import User

    return User.objects.get(pk=world.people["participant"].pk).email.endswith("erased.invalid")


def _pending_invitation(world: World) -> list[Any]:
    from cohortkit.accounts.models import Role
    from cohortkit.accounts.services import invitation_create

    invitation = invitation_create(
        term=world.term,
        email="invited@example.org",
        role=Role.REVIEWER,
        invited_by=world.person("organizer"),
    )
    return [world.term.slug, invitation.pk]


def _invitation_withdrawn(world: World, response: Any) -> bool:
    from cohortkit.accounts.models import Invitation

    return Invitation.objects.get(pk=world.args[1]).revoked_at is not None


def _participant_role_removed(world: World, response: Any) -> bool:
    from cohortkit.accounts.models import Membership

    return not Membership.objects.filter(
        term=world.term, user=world.people["participant"], role="participant"
    ).exists()


POST_ROWS: dict[str, Post] = {
    # Everyone signed in erases their own account, with their password.
    "accounts:account_erase": Post(
        args=lambda w: [],
        data={"password": PASSWORD},
        answers=EVERYONE_SIGNED_IN,
        done=_erased,
    ),
    # An organizer erases a person of their term on request (audited).
    "accounts:person_erase": Post(
        args=lambda w: [w.term.slug, w.people["participant"].pk],
        data={"email": "participant@example.org", "reason": "email of 3 May"},
        answers=ORGANIZER_POSTS,
        done=_participant_erased,
    ),
    # Signed-in people are sent on; only a newcomer makes an account.
    "accounts:signup": Post(
        args=lambda w: [],
        data={
            "email": "newcomer@example.org",
            "name": "Nina Newcomer",
            "password": "a long enough passphrase",
            "time_zone": "UTC",
        },
        answers={**dict.fromkeys(ROLES, 302), "anonymous": DONE},
    ),
    # Logging in (as the participant) is open to anyone who knows the password.
    "accounts:login": Post(
        args=lambda w: [],
        data={"username": "participant@example.org", "password": PASSWORD},
        answers=dict.fromkeys(ROLES, DONE),
        done=_signed_in_as_the_participant,
    ),
    "accounts:logout": Post(
        args=lambda w: [],
        answers=dict.fromkeys(ROLES, DONE),
        done=lambda w, response: "_auth_user_id" not in response.client.session,
    ),
    # Queues the reset email to the participant, whoever asks (it goes to their address).
    "accounts:password_reset": Post(
        args=lambda w: [],
        data={"email": "participant@example.org"},
        answers=dict.fromkeys(ROLES, DONE),
    ),
    # The link is the key: whoever holds the participant's link sets their password.
    "accounts:password_reset_confirm": Post(
        args=_reset_link,
        prepare=_reset_link_opened,
        data={"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        answers=dict.fromkeys(ROLES, DONE),
        done=lambda w, response: w.person("participant").check_password(NEW_PASSWORD),
    ),
    # Without two-factor on, a signed-in person is sent to turn it on; so every signed-in role
    # has it on here (and the device records the code as used).
    "accounts:two_factor_verify": Post(
        args=lambda w: [],
        prepare=_two_factor_on,
        data=_code_of_me,
        answers=EVERYONE_SIGNED_IN,
    ),
    "accounts:two_factor": Post(
        args=lambda w: [],
        prepare=_two_factor_pending,
        data=_code_of_me,
        answers=EVERYONE_SIGNED_IN,
        done=lambda w, response: _devices_of_me(w).filter(confirmed=True).exists(),
    ),
    "accounts:two_factor_disable": Post(
        args=lambda w: [],
        prepare=_two_factor_on,
        data=_code_of_me,
        answers=EVERYONE_SIGNED_IN,
        done=lambda w, response: not _devices_of_me(w).exists(),
    ),
    "accounts:recovery_codes_replace": Post(
        args=lambda w: [],
        prepare=_two_factor_on,
        data=_code_of_me,
        answers=EVERYONE_SIGNED_IN,
    ),
    "accounts:profile": Post(
        args=lambda w: [],
        data={"name": "A New Name", "time_zone": "Europe/Berlin"},
        answers=EVERYONE_SIGNED_IN,
        done=lambda w, response: w.me().name == "A New Name",
    ),
    "accounts:api_tokens": Post(
        args=lambda w: [],
        data={"name": "reports", "expires": "30"},
        answers=EVERYONE_SIGNED_IN,
        done=lambda w, response: w.me().api_tokens.exists(),
    ),
    # The participant's token: theirs to revoke, to everyone else no such token.
    "accounts:api_token_revoke": Post(
        args=_participants_token,
        answers={**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "participant": DONE},
        done=_token_revoked,
    ),
    # Sent to the applicant: anonymous people see the page, others are told it is not theirs.
    "accounts:invitation_accept": Post(
        args=_invitation_to_the_applicant,
        answers={**dict.fromkeys(ROLES, 400), "anonymous": 200, "applicant": DONE},
    ),
    "accounts:term_invitations": Post(
        args=lambda w: [w.term.slug],
        data={"email": "new.facilitator@example.org", "role": "facilitator"},
        answers=ORGANIZER_POSTS,
    ),
    "accounts:account_unlock": Post(
        args=_participant_locked_out,
        answers=ORGANIZER_POSTS,
        done=_unlocked,
    ),
    # The people page: an organizer withdraws a pending invitation, removes a person's role.
    "accounts:invitation_revoke": Post(
        args=_pending_invitation, answers=ORGANIZER_POSTS, done=_invitation_withdrawn
    ),
    "accounts:membership_revoke": Post(
        args=lambda w: [w.term.slug, w.people["participant"].pk, "participant"],
        answers=ORGANIZER_POSTS,
        done=_participant_role_removed,
    ),
}
