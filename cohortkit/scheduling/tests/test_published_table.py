"""The sections page's table of published sections: 50 a page in the same queries at any size,
searched by a section's, facilitator's or member's name, sorted by a heading, kept in the URL."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohortkit.sections.models import Meeting, Section, SectionMembership
from cohortkit.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _publish(term, count, *, start=0):
    track = term.tracks.get(slug="intro")
    for index in range(start, start + count):
        section = Section.objects.create(
            term=term,
            track=track,
            name=f"Intro {index:03d}",
            facilitator=UserFactory(name=f"Lead {index:03d}"),
            weekday=0,
            start_time=dt.time(18, 0),
            time_zone="Europe/Paris",
        )
        SectionMembership.objects.create(
            section=section, user=UserFactory(name=f"Member {index:03d}")
        )
        Meeting.objects.create(
            section=section,
            week=1,
            starts_at=dt.datetime(2022, 9, 26, 16, tzinfo=dt.UTC),
            ends_at=dt.datetime(2022, 9, 26, 17, tzinfo=dt.UTC),
        )


def _get(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def _rows(page):
    table = page.split('data-testid="published-sections"', 1)[1].split("</table>", 1)[0]
    return table.count("<tr>") - 1  # the heading's row


def test_published_sections_come_fifty_a_page_in_the_same_queries_at_any_size(fall, client_as):
    client = client_as("organizer")
    url = f"/terms/{fall.slug}/organize/sections/"
    _publish(fall, 1)
    one, page = _get(client, url)
    assert _rows(page) == 1
    assert "Published sections (1)" in page

    _publish(fall, 60, start=1)
    many, page = _get(client, url)

    assert many == one
    assert "Published sections (61)" in page
    assert _rows(page) == 50
    assert "Intro 049" in page and "Intro 050" not in page
    assert 'rel="next"' in page
    _, second = _get(client, f"{url}?published-page=2")
    assert _rows(second) == 11
    assert "Intro 060" in second


def test_published_sections_are_searched_by_a_members_name_and_sorted(fall, client_as):
    client = client_as("organizer")
    url = f"/terms/{fall.slug}/organize/sections/"
    _publish(fall, 55)

    _, found = _get(client, f"{url}?published-q=member+007")
    assert _rows(found) == 1
    assert "Intro 007" in found
    assert "1 match" in found

    _, backwards = _get(client, f"{url}?published-sort=-section")
    table = backwards.split('data-testid="published-sections"', 1)[1]
    assert table.index("Intro 054") < table.index("Intro 053")
    assert 'aria-sort="descending"' in table

    _, nothing = _get(client, f"{url}?published-q=nobody-here")
    assert "No published section matches." in nothing
