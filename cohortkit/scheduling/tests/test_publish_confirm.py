"""A publish that cannot surprise: the confirmation says how many people will be emailed, shows
one of the emails as it will be sent and what cannot be undone; the count is taken again on
confirming, and a count that changed is refused (409) with nothing published or sent."""

import pytest
from django.core import mail
from django.urls import reverse

from cohortkit.notifications.models import OutboundEmail
from cohortkit.scheduling.services.publishing import run_publish_preview
from cohortkit.scheduling.services.runs import schedule_run_create
from cohortkit.sections.models import Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(fall, new_york_section, people, django_capture_on_commit_callbacks, settings):
    settings.SCHEDULE_RUN_MAX_STEPS = 5
    with django_capture_on_commit_callbacks(execute=True):
        run = schedule_run_create(term=fall, actor=people["organizer"], time_limit_seconds=3)
    run.refresh_from_db()
    return run


def test_the_confirmation_counts_the_emails_and_shows_one_without_sending(fall, solved, client_as):
    page = client_as("organizer").get(
        reverse("scheduling:run_publish_confirm", args=[fall.slug, solved.pk])
    )

    assert page.status_code == 200
    text = page.content.decode()
    # Four participants and their facilitator.
    assert "5 people will be emailed" in text
    assert "What cannot be undone" in text
    assert "The 5 emails cannot be recalled once sent." in text
    assert "Your discussion section: Introductory 1 (Fall 2022)" in text
    assert "Every meeting in your time zone" in text
    assert 'name="expected_emails" value="5"' in text
    assert "Publish and email 5 people" in text
    # Rehearsed only: nothing kept, nothing queued, nothing sent.
    assert Section.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []
    solved.refresh_from_db()
    assert solved.published_at is None


def test_confirming_the_count_publishes_and_emails_that_many(
    fall, solved, client_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("organizer").post(
            reverse("scheduling:run_publish", args=[fall.slug, solved.pk]),
            {"expected_emails": "5", "grant_roles": "yes"},
        )

    assert response.status_code == 302
    assert Section.objects.count() == 1
    assert len(mail.outbox) == 5


def test_a_count_that_changed_is_refused_with_nothing_sent(
    fall, solved, client_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("organizer").post(
            reverse("scheduling:run_publish", args=[fall.slug, solved.pk]),
            {"expected_emails": "4", "grant_roles": "yes"},
        )

    assert response.status_code == 409
    text = response.content.decode()
    assert "Publishing now emails 5 people, not the 4 you confirmed" in text
    assert "Nothing was published or sent" in text
    assert "5 people will be emailed" in text  # the page counted again, to confirm afresh
    assert Section.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []


def test_a_confirmation_without_its_count_is_refused(fall, solved, client_as):
    response = client_as("organizer").post(
        reverse("scheduling:run_publish", args=[fall.slug, solved.pk]), {"grant_roles": "yes"}
    )

    assert response.status_code == 400
    assert Section.objects.count() == 0


def test_the_preview_of_a_run_that_cannot_be_published_says_why(fall, client_as):
    from cohortkit.scheduling.tests.factories import ScheduleRunFactory

    run = ScheduleRunFactory(term=fall)

    page = client_as("organizer").get(
        reverse("scheduling:run_publish_confirm", args=[fall.slug, run.pk])
    )

    assert page.status_code == 200
    assert "This run placed nobody, so there is nothing to publish." in page.content.decode()
    assert "expected_emails" not in page.content.decode()


def test_the_preview_counts_as_publishing_does(solved):
    preview = run_publish_preview(run=solved)

    assert (preview.emails, preview.sections_new, preview.sections_kept) == (5, 1, 0)
    assert preview.new_members == 5
    assert preview.example is not None
    assert preview.example.subject.startswith("Your discussion section")
