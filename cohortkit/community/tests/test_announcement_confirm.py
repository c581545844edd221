"""Sending an announcement is confirmed first: how many people, one real email, that it cannot be
undone; the count is taken again on confirming and a changed one is refused (409, nothing sent);
a double submit sends once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cohortkit.accounts.models import Role
from cohortkit.community.models import Announcement
from cohortkit.community.tests.conftest import emails_to
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TO_EVERYONE = {
    "title": "Week 2 is out",
    "body": "Read the *papers* before Monday.",
    "audience": "everyone",
    "time_zone": "UTC",
}


def _url(term):
    return reverse("community:announcement_new", args=[term.slug])


def test_the_confirmation_names_the_count_and_shows_the_real_email(
    term, people, sections, client_as, outbox
):
    response = client_as("organizer").post(_url(term), TO_EVERYONE)

    page = response.text
    assert response.status_code == 200
    assert "<strong>5 people</strong> will be emailed" in page
    assert "cannot be undone" in page
    assert "Subject:" in page and "Week 2 is out" in page
    assert "Read the *papers* before Monday." in page  # the plain-text body, as emailed
    assert 'name="expected_recipients" value="5"' in page
    assert not Announcement.objects.exists() and not outbox


def test_confirming_sends_once_even_when_submitted_twice(
    term, people, sections, client_as, committed, outbox
):
    organizer = client_as("organizer")
    confirmed = TO_EVERYONE | {"confirmed": "yes", "expected_recipients": "5"}

    with committed():
        first = organizer.post(_url(term), confirmed, follow=True)
        second = organizer.post(_url(term), confirmed)

    assert "Posted and being emailed." in first.text
    assert second.status_code == 302
    assert Announcement.objects.count() == 1
    assert len(emails_to(outbox, "participant@example.org")) == 1
    assert len(outbox) == 5


def test_a_count_changed_since_the_confirmation_is_refused_and_nothing_is_sent(
    term, people, sections, client_as, committed, outbox
):
    organizer = client_as("organizer")
    shown = organizer.post(_url(term), TO_EVERYONE)
    MembershipFactory(term=term, user=UserFactory(email="late@example.org"), role=Role.PARTICIPANT)

    with committed():
        refused = organizer.post(
            _url(term), TO_EVERYONE | {"confirmed": "yes", "expected_recipients": "5"}
        )

    assert "<strong>5 people</strong>" in shown.text
    assert refused.status_code == 409
    assert "would now go to 6 people, not 5" in refused.text
    assert "<strong>6 people</strong> will be emailed" in refused.text
    assert 'name="expected_recipients" value="6"' in refused.text
    assert not Announcement.objects.exists() and not outbox


def test_the_confirmation_form_carries_the_announcement_it_shows(
    term, people, sections, client_as, committed, outbox
):
    organizer = client_as("organizer")
    shown = organizer.post(
        _url(term), TO_EVERYONE | {"audience": "section", "section": sections["a"].pk}
    )
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', shown.text))

    with committed():
        sent = organizer.post(_url(term), hidden, follow=True)

    assert "<strong>2 people</strong> will be emailed" in shown.text
    assert "Posted and being emailed." in sent.text
    announcement = Announcement.objects.get()
    assert (announcement.audience, announcement.section_id) == ("section", sections["a"].pk)
    assert announcement.body == TO_EVERYONE["body"]
    assert len(outbox) == 2
