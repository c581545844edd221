"""The ``next`` page after signing up is a path of this site or nothing (found by the fuzz test:
``next=1e30`` was read as the name of a URL and answered 500)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", ["1e30", "9999-12-31", "profile", "https://evil.example/"])
def test_a_next_that_is_not_a_path_of_this_site_goes_to_the_profile(client, target):
    response = client.post(
        reverse("accounts:signup"),
        {
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "time_zone": "Europe/London",
            "password": "a long enough passphrase 42",
            "next": target,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


def test_a_next_path_of_this_site_is_followed(client):
    response = client.post(
        reverse("accounts:signup") + "?next=/terms/",
        {
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "time_zone": "Europe/London",
            "password": "a long enough passphrase 42",
        },
    )

    assert response["Location"] == "/terms/"
