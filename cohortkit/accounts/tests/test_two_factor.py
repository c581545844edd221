"""Two-factor authentication: set up with an app, log in with a code or a recovery code, and a
term that requires it of its organizers and reviewers."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cohortkit.common.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase"


def _current_code(user, steps_ahead: int = 0) -> str:
    """The app's code now, or ``steps_ahead`` 30-second steps later (a code is accepted only
    once, and one step of clock drift is allowed, so a second login in the same step uses 1)."""
    device = TOTPDevice.objects.filter(user=user).order_by("-pk").first()
    code = totp(device.bin_key, step=device.step, digits=device.digits, drift=steps_ahead)
    return f"{code:06d}"


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def _turn_on(client: Client, user) -> list[str]:
    client.get(reverse("accounts:two_factor"))
    response = client.post(reverse("accounts:two_factor"), {"code": _current_code(user)})
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())


def test_setting_up_shows_a_qr_code_and_gives_ten_recovery_codes_once(people, client_as):
    organizer = people["organizer"]
    client = client_as("organizer")

    setup = client.get(reverse("accounts:two_factor")).content.decode()
    wrong = client.post(reverse("accounts:two_factor"), {"code": "000000"})
    codes = _turn_on(client, organizer)
    later = client.get(reverse("accounts:two_factor")).content.decode()

    assert 'src="data:image/svg+xml' in setup and "Type the 6-digit code" in setup
    assert wrong.status_code == 400 and "Type the 6-digit code your app shows now." in (
        wrong.content.decode()
    )
    assert len(codes) == 10
    assert "<strong>On.</strong>" in later and not any(code in later for code in codes)
    assert AuditEvent.objects.filter(action="two_factor.enabled").count() == 1


def test_login_asks_for_the_code_after_the_password(people, client_as, settings):
    # django-otp slows down guessing (a wait that doubles after each wrong code); this test types
    # a wrong code and then the right one at once, so it turns that wait off.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    organizer = _with_password(people["organizer"])
    _turn_on(client_as("organizer"), organizer)
    client = Client()

    password_step = client.post(
        reverse("accounts:login"), {"username": organizer.email, "password": PASSWORD}
    )
    not_yet = client.get(reverse("accounts:profile"))
    wrong = client.post(reverse("accounts:two_factor_verify"), {"code": "123456"})
    right = client.post(
        reverse("accounts:two_factor_verify"), {"code": _current_code(organizer, steps_ahead=1)}
    )
    profile = client.get(reverse("accounts:profile"))

    assert password_step.status_code == 302
    assert password_step["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert not_yet.status_code == 302  # still signed out
    assert "That code is not right" in wrong.content.decode()
    assert right.status_code == 302
    assert profile.status_code == 200 and organizer.email in profile.content.decode()


def test_a_recovery_code_logs_in_once(people, client_as):
    organizer = _with_password(people["organizer"])
    codes = _turn_on(client_as("organizer"), organizer)

    def log_in_with(code: str):
        client = Client()
        client.post(reverse("accounts:login"), {"username": organizer.email, "password": PASSWORD})
        return client.post(reverse("accounts:two_factor_verify"), {"code": code})

    first = log_in_with(codes[0])
    again = log_in_with(codes[0])

    assert first.status_code == 302
    assert again.status_code == 400 and "That code is not right" in again.content.decode()


def test_five_wrong_codes_end_the_pending_login(people, client_as):
    organizer = _with_password(people["organizer"])
    _turn_on(client_as("organizer"), organizer)
    client = Client()
    client.post(reverse("accounts:login"), {"username": organizer.email, "password": PASSWORD})

    answers = [
        client.post(reverse("accounts:two_factor_verify"), {"code": f"00000{n}"}) for n in range(5)
    ]
    after = client.post(
        reverse("accounts:two_factor_verify"), {"code": _current_code(organizer, steps_ahead=1)}
    )

    assert answers[-1]["Location"] == reverse("accounts:login")
    assert after["Location"] == reverse("accounts:login")
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_a_term_that_requires_it_sends_organizers_to_set_it_up_first(people, term, client_as):
    term.require_two_factor = True
    term.save()
    organizer, client = people["organizer"], client_as("organizer")
    settings_url = reverse("programs:term_settings", args=[term.slug])

    sent_away = client.get(settings_url)
    _turn_on(client, organizer)
    allowed = client.get(settings_url)
    participant_page = client_as("participant").get(
        reverse("programs:term_detail", args=[term.slug])
    )

    assert sent_away.status_code == 302
    assert sent_away["Location"].startswith(reverse("accounts:two_factor"))
    assert allowed.status_code == 200
    assert participant_page.status_code == 200


def test_turning_it_off_needs_a_code(people, client_as, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code, then the right one at once
    organizer = people["organizer"]
    client = client_as("organizer")
    _turn_on(client, organizer)

    refused = client.post(reverse("accounts:two_factor_disable"), {"code": "999999"})
    turned_off = client.post(
        reverse("accounts:two_factor_disable"),
        {"code": _current_code(organizer, steps_ahead=1)},
        follow=True,
    )

    assert refused.status_code == 400
    assert "<strong>Off.</strong>" in turned_off.content.decode()
    assert not TOTPDevice.objects.filter(user=organizer, confirmed=True).exists()
