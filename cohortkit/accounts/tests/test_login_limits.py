"""Failed logins are limited per account and per address; organizers unlock their members."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cohortkit.common.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _attempt(client: Client, email: str, password: str, address: str = "203.0.113.7"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def test_thirty_bad_passwords_lock_the_account_until_an_organizer_unlocks_it(
    people, term, client_as
):
    participant = people["participant"]
    participant.set_password("the right passphrase")
    participant.save()
    attacker, owner = Client(), Client()

    answers = [
        _attempt(attacker, participant.email, f"guess {n}", f"198.51.100.{n}") for n in range(30)
    ]
    locked = _attempt(owner, participant.email.upper(), "the right passphrase")
    people_page = client_as("organizer").get(reverse("accounts:term_invitations", args=[term.slug]))
    unlocked = client_as("organizer").post(
        reverse("accounts:account_unlock", args=[term.slug, participant.pk]), follow=True
    )
    after = _attempt(owner, participant.email, "the right passphrase")

    assert [answer.status_code for answer in answers[:29]] == [200] * 29
    assert "do not match an account" in answers[0].content.decode()
    assert answers[29].status_code == 429
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "There were 30 failed logins" in page and "Reset your password" in page
    assert f"Unlock {participant.name}" in people_page.content.decode()
    assert (
        f"{participant.name} ({participant.email}) can log in again." in unlocked.content.decode()
    )
    assert after.status_code == 302
    assert AuditEvent.objects.filter(action="account.unlocked").count() == 1


def test_thirty_failures_from_one_address_pause_logins_from_it_only(people):
    participant = people["participant"]
    participant.set_password("the right passphrase")
    participant.save()
    client = Client()

    for n in range(30):
        _attempt(client, f"nobody{n}@example.org", "guess", "192.0.2.1")
    from_there = _attempt(client, participant.email, "the right passphrase", "192.0.2.1")
    from_elsewhere = _attempt(Client(), participant.email, "the right passphrase", "192.0.2.2")

    assert from_there.status_code == 429
    assert from_elsewhere.status_code == 302


def test_an_organizer_cannot_unlock_someone_outside_their_term(people, term, client_as):
    outsider = people["organizer_other_term"]

    response = client_as("organizer").post(
        reverse("accounts:account_unlock", args=[term.slug, outsider.pk])
    )

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="account.unlocked").exists()


def test_a_password_reset_lifts_the_lock(
    people, client, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    participant = people["participant"]
    for n in range(30):
        _attempt(Client(), participant.email, f"guess {n}", f"198.51.100.{n}")
    assert _attempt(Client(), participant.email, "anything").status_code == 429

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": participant.email})
    link = re.search(r"http://testserver(\S+)", mailoutbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    after = _attempt(Client(), participant.email, "a brand new passphrase")

    assert after.status_code == 302
