import datetime as dt

import pytest
from django.urls import reverse

from cohortkit.tests.factories import LectureFactory, TrackFactory, WeekFactory

pytestmark = pytest.mark.django_db


def test_program_page_shows_deadline_in_the_visitors_zone_with_offset(client, term):
    TrackFactory(term=term, slug="intro", name="Introductory", audience="New to ML safety")
    week = WeekFactory(term=term, number=1, title="Background")
    LectureFactory(week=week, title="Introduction", minutes=30)
    client.cookies["tz"] = "Asia/Kolkata"

    response = client.get(reverse("programs:term_detail", args=[term.slug]))

    html = response.content.decode()
    # 2022-09-22 06:59 UTC is 12:29 in India (UTC+05:30).
    assert "Thu, 22 Sep 2022, 12:29 UTC+05:30" in html
    assert "Introductory track" in html
    assert "Week 1: Background" in html


def test_apply_buttons_become_a_closed_notice_after_the_deadline(client, term):
    response = client.get(reverse("programs:term_detail", args=[term.slug]))

    html = response.content.decode()
    assert "Participant applications closed on" in html
    assert "Apply as a participant" not in html


def test_unpublished_term_is_hidden_from_the_public(client, term):
    term.is_published = False
    term.save()

    response = client.get(reverse("programs:term_detail", args=[term.slug]))

    assert response.status_code == 404


def test_deadline_still_open_before_and_closed_at_the_instant(term):
    from cohortkit.programs.services import term_applications_open

    deadline = term.participant_deadline
    assert term_applications_open(
        term=term, kind="participant", now=deadline - dt.timedelta(seconds=1)
    )
    assert not term_applications_open(term=term, kind="participant", now=deadline)
