"""The sections page makes as many queries for one section as for many."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohortkit.scheduling.tests.factories import ScheduleRunFactory
from cohortkit.sections.models import Meeting, Section, SectionMembership
from cohortkit.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _run_with_sections(term, count):
    participants, facilitators, sections = [], [], []
    for index in range(count):
        lead = UserFactory()
        member = UserFactory()
        start = 10 * index
        facilitators.append(
            {
                "id": f"f{lead.pk}",
                "tracks": ["intro"],
                "max_sections": 1,
                "virtual": True,
                "location": None,
                "available": [[start, start + 2]],
                "timezone": "Europe/Paris",
            }
        )
        participants.append(
            {
                "id": f"p{member.pk}",
                "track": "intro",
                "mode": "virtual",
                "location": None,
                "available": [[start, start + 2]],
                "priority": 1,
                "timezone": "Asia/Tokyo",
            }
        )
        sections.append(
            {
                "facilitator": f"f{lead.pk}",
                "start": start,
                "track": "intro",
                "location": None,
                "participants": [f"p{member.pk}"],
            }
        )
        published = Section.objects.create(
            term=term,
            track=term.tracks.get(slug="intro"),
            name=f"Intro {index}",
            facilitator=lead,
            weekday=0,
            start_time=dt.time(18, 0),
            time_zone="Europe/Paris",
        )
        SectionMembership.objects.create(section=published, user=member)
        Meeting.objects.create(
            section=published,
            week=1,
            starts_at=dt.datetime(2022, 9, 26, 16, tzinfo=dt.UTC),
            ends_at=dt.datetime(2022, 9, 26, 17, tzinfo=dt.UTC),
        )
    instance = {
        "slot_minutes": 30,
        "meeting_slots": 2,
        "section_size": {"min": 1, "max": 4},
        "tracks": ["intro", "advanced"],
        "participants": participants,
        "facilitators": facilitators,
    }
    solution = {
        "sections": sections,
        "unplaced": [],
        "objective": count,
        "bound": count,
        "status": "optimal",
        "seconds": 0.1,
    }
    return ScheduleRunFactory(term=term, instance=instance, solution=solution)


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def test_the_sections_page_does_not_grow_its_queries_with_the_sections(fall, client_as):
    client = client_as("organizer")
    url = f"/terms/{fall.slug}/organize/sections/"
    _run_with_sections(fall, 1)
    one, _ = _queries(client, url)

    Section.objects.all().delete()
    _run_with_sections(fall, 12)
    many, page = _queries(client, url)

    assert page.count('class="card solved-section"') == 12
    assert "Intro 11" in page
    assert many == one
