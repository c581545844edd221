"""A refused release shows its confirmation page again, counted anew, with the reason and the
refusal's status (not the generic refused page); nothing is sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cohortkit.admissions.models import Decision
from cohortkit.admissions.services.deciding import decision_stage
from cohortkit.admissions.tests.factories import SubmittedApplicationFactory
from cohortkit.notifications.models import OutboundEmail
from cohortkit.tests.factories import ApplicationFormFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staged(term):
    form = ApplicationFormFactory(
        term=term, confirmation_deadline=dt.datetime(2099, 9, 25, 6, 59, tzinfo=dt.UTC)
    )
    intro = TrackFactory(term=term, slug="intro", name="Introductory")
    for email in ("ada@example.org", "ben@example.org"):
        application = SubmittedApplicationFactory(form=form, applicant=UserFactory(email=email))
        decision_stage(application=application, outcome="accept", track=intro, actor=None)
    return form


def _release(term):
    return reverse("admissions:decisions_release", args=[term.slug, "participant"])


def test_a_changed_count_shows_the_confirmation_again_with_the_new_count(term, staged, client_as):
    intro = staged.term.tracks.get(slug="intro")
    late = SubmittedApplicationFactory(form=staged, applicant=UserFactory(email="cleo@example.org"))
    decision_stage(application=late, outcome="accept", track=intro, actor=None)

    refused = client_as("organizer").post(_release(term), {"expected": "2"})

    assert refused.status_code == 409
    assert "Release 3 decisions?" in refused.text
    assert "3 staged decision(s) would be released now, not the 2 you confirmed" in refused.text
    assert 'role="alert"' in refused.text
    assert 'name="expected" value="3"' in refused.text
    assert "3 people will be emailed" in refused.text
    assert not OutboundEmail.objects.exists()
    assert not Decision.objects.filter(released_at__isnull=False).exists()


def test_a_passed_confirmation_deadline_is_said_on_the_confirmation_page(term, staged, client_as):
    staged.confirmation_deadline = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    staged.save()

    refused = client_as("organizer").post(_release(term), {"expected": "2"})

    assert refused.status_code == 409
    assert "Release 2 decisions?" in refused.text
    assert "The confirmation deadline has passed" in refused.text
    assert not OutboundEmail.objects.exists()
