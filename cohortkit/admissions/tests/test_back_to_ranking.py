"""After staging or releasing decisions the organizer goes back to a path of this site, or to the
ranking (found by the fuzz test: ``next=1e30`` was read as the name of a URL and answered 500)."""

import pytest
from django.urls import reverse

from cohortkit.tests.factories import ApplicationFormFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", ["1e30", "9999-12-31", "ranking", "https://evil.example/"])
def test_release_goes_back_to_the_ranking_when_next_is_not_a_path_here(client_as, term, target):
    ApplicationFormFactory(term=term, kind="participant")

    response = client_as("organizer").post(
        reverse("admissions:decisions_release", args=[term.slug, "participant"]),
        {"next": target, "expected": "0"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admissions:ranking", args=[term.slug, "participant"])


def test_release_goes_back_to_a_path_of_this_site(client_as, term):
    ApplicationFormFactory(term=term, kind="participant")
    back = reverse("admissions:ranking", args=[term.slug, "participant"]) + "?track=intro"

    response = client_as("organizer").post(
        reverse("admissions:decisions_release", args=[term.slug, "participant"]),
        {"next": back, "expected": "0"},
    )

    assert response["Location"] == back
