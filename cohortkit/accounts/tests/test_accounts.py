import re

import pytest
from django.core import mail
from django.urls import reverse

from cohortkit.accounts.models import Membership, User
from cohortkit.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sign_up_logs_the_person_in_with_their_time_zone(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "name": "Ada Lovelace",
            "email": "Ada@Example.org",
            "time_zone": "Europe/London",
            "password": "a long enough passphrase",
        },
        follow=True,
    )

    assert response.context["user"].email == "ada@example.org"
    assert "Welcome, Ada Lovelace" in response.content.decode()
    assert User.objects.get(email="ada@example.org").time_zone == "Europe/London"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "taken@example.org"}, "email", "already exists"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"password": "123"}, "password", "too short"),
        ({"time_zone": "Atlantis/Capital"}, "time_zone", "is not a time zone we know"),
    ],
)
def test_sign_up_refuses_bad_input_and_creates_nothing(client, changes, field, message):
    UserFactory(email="taken@example.org")
    data = {
        "name": "Grace",
        "email": "grace@example.org",
        "time_zone": "UTC",
        "password": "a long enough passphrase",
    } | changes

    response = client.post(reverse("accounts:signup"), data)

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert User.objects.count() == 1


def test_log_in_and_out(client):
    UserFactory(email="ada@example.org")

    response = client.post(
        reverse("accounts:login"),
        {"username": "ada@example.org", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200

    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_wrong_password_is_explained(client):
    UserFactory(email="ada@example.org")

    response = client.post(
        reverse("accounts:login"), {"username": "ada@example.org", "password": "nope"}
    )

    assert "do not match an account" in response.content.decode()


def test_password_reset_email_goes_through_the_queue_once_and_its_link_works(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="ada@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "ada@example.org"})

    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/password-reset/\S+/\S+/", mail.outbox[0].body)
    assert link is not None
    path = link.group(0).split("testserver", 1)[-1]
    confirm = client.get(path, follow=True)
    response = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "another long passphrase", "new_password2": "another long passphrase"},
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    logged_in = client.post(
        reverse("accounts:login"),
        {"username": "ada@example.org", "password": "another long passphrase"},
    )
    assert logged_in.status_code == 302


def test_profile_changes_the_zone_times_are_shown_in(client, term):
    user = UserFactory(time_zone="UTC")
    client.force_login(user)

    client.post(reverse("accounts:profile"), {"name": "Ada", "time_zone": "Asia/Tokyo"})
    page = client.get(reverse("programs:term_detail", args=[term.slug])).content.decode()

    assert "Thu, 22 Sep 2022, 15:59 UTC+09:00" in page


def test_visitor_picks_a_time_zone(client, term):
    response = client.post(
        reverse("programs:time_zone_pick"),
        {"tz": "Australia/Sydney", "next": reverse("programs:term_detail", args=[term.slug])},
        follow=True,
    )

    assert "Thu, 22 Sep 2022, 16:59 UTC+10:00" in response.content.decode()


def test_time_zone_pick_ignores_an_offsite_next_and_unknown_zones(client):
    response = client.post(
        reverse("programs:time_zone_pick"), {"tz": "Nowhere/Land", "next": "https://evil.example"}
    )

    assert response["Location"] == reverse("programs:home")
    assert "tz" not in response.cookies


def test_organizer_invites_by_email_and_the_invitee_accepts(
    client_as, term, client, django_capture_on_commit_callbacks
):
    organizer = client_as("organizer")

    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(
            reverse("accounts:term_invitations", args=[term.slug]),
            {"email": "new.reviewer@example.org", "role": "reviewer"},
        )
        organizer.post(  # a double submit sends nothing new
            reverse("accounts:term_invitations", args=[term.slug]),
            {"email": "new.reviewer@example.org", "role": "reviewer"},
        )

    assert len(mail.outbox) == 1
    path = re.search(r"/accounts/invitations/\S+/", mail.outbox[0].body).group(0)
    invitee = UserFactory(email="new.reviewer@example.org")
    client.force_login(invitee)
    response = client.post(path, follow=True)
    assert "You are now reviewer" in response.content.decode()
    assert Membership.objects.filter(term=term, user=invitee, role="reviewer").exists()


def test_invitation_cannot_be_used_by_someone_else(
    client_as, term, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_as("organizer").post(
            reverse("accounts:term_invitations", args=[term.slug]),
            {"email": "invited@example.org", "role": "facilitator"},
        )
    path = re.search(r"/accounts/invitations/\S+/", mail.outbox[0].body).group(0)
    stranger = UserFactory(email="stranger@example.org")
    client.force_login(stranger)

    response = client.post(path)

    assert response.status_code == 400
    assert "was sent to invited@example.org" in response.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()


def test_invitation_form_refuses_an_unknown_role(client_as, term):
    response = client_as("organizer").post(
        reverse("accounts:term_invitations", args=[term.slug]),
        {"email": "x@example.org", "role": "emperor"},
    )

    assert response.status_code == 400
    assert not mail.outbox
