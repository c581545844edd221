"""The calendar page: the feed URL is shown once, at creation or reset; reset retires the old."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cohortkit.calendars.models import CalendarFeed
from cohortkit.common.models import AuditEvent

pytestmark = pytest.mark.django_db


def _shown_url(html: str) -> str:
    """The one feed URL in the page's read-only field."""
    (url,) = re.findall(r'data-testid="feed-url">(https?://[^<]+/calendar/[^<]+\.ics)<', html)
    return url


def _path(url: str) -> str:
    return url[url.index("/calendar/") :]


def test_before_a_feed_exists_the_page_offers_to_create_one(client_as):
    page = client_as("participant").get(reverse("calendars:settings")).content.decode()

    assert "Create my feed address" in page
    assert "/calendar/reset/" in page
    assert ".ics" not in page
    assert "How to subscribe" in page


def test_creating_shows_the_url_once_and_it_serves_the_feed(client_as, people, sections):
    client = client_as("participant")

    created = client.post(reverse("calendars:reset"))

    assert created.status_code == 200
    assert created["Cache-Control"].startswith("max-age=0")
    html = created.content.decode()
    assert "shown only this once" in html
    url = _shown_url(html)
    assert "webcal://" in html
    feed = Client().get(_path(url))
    assert feed.status_code == 200
    assert b"Introductory A: week 1 discussion" in feed.content
    later = client.get(reverse("calendars:settings")).content.decode()
    assert url not in later
    stored = CalendarFeed.objects.get(user=people["participant"])
    assert f"/calendar/{stored.prefix}" in later
    assert "Reset my feed address" in later
    assert _path(url)[len("/calendar/") : -len(".ics")] not in stored.token_hash
    assert AuditEvent.objects.filter(action="calendar_feed.created").count() == 1


def test_reset_gives_a_new_url_and_the_old_one_stops_working(client_as, people, sections):
    client = client_as("participant")
    old = _shown_url(client.post(reverse("calendars:reset")).content.decode())

    new = _shown_url(client.post(reverse("calendars:reset")).content.decode())

    assert new != old
    assert Client().get(_path(old)).status_code == 404
    assert Client().get(_path(new)).status_code == 200
    assert CalendarFeed.objects.get(user=people["participant"]).reset_at is not None
    assert AuditEvent.objects.filter(action="calendar_feed.reset").count() == 1


def test_anonymous_people_are_sent_to_log_in_and_cannot_create_a_feed(client):
    response = client.post(reverse("calendars:reset"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not CalendarFeed.objects.exists()
