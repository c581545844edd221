"""The rosters at the size of a large term: a facilitator's page reads only their own sections'
people, and the organizers' page of every roster is searched, sorted and cut into pages, in a
number of queries that does not grow with the term."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohortkit.coursework.overview.queries import term_facts
from cohortkit.sections.models import Attendance, AttendanceStatus
from cohortkit.sections.tests.weekly import add_section, join
from cohortkit.sections.views import ROSTERS_PER_PAGE
from cohortkit.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AFTER_THE_TERM = dt.datetime(2022, 12, 1, tzinfo=dt.UTC)


def _get(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def _crowd(section, count, prefix):
    for index in range(count):
        member = UserFactory(name=f"{prefix} {index:02d}", email=f"{prefix.lower()}{index}@x.org")
        join(section, member)
        Attendance.objects.create(
            meeting=section.meetings.get(week=1),
            user=member,
            status=AttendanceStatus.PRESENT,
            recorded_by=section.facilitator,
            recorded_at=AFTER_THE_TERM,
        )


def test_a_facilitators_roster_reads_only_the_people_of_their_own_sections(
    term, sections, people, client_as
):
    client = client_as("facilitator")
    url = reverse("sections:facilitator_sections", args=[term.slug])
    before, _ = _get(client, url)

    _crowd(sections["b"], 12, "Other")  # another facilitator's section grows
    _crowd(sections["a"], 3, "Mine")
    after, page = _get(client, url)

    assert after == before
    assert "Mine 02" in page and "Other" not in page
    assert page.count('data-testid="roster-progress"') == 4  # the participant and three more
    mine = term_facts(term=term, user_ids=[people["participant"].pk])
    assert [person.pk for person in mine.people] == [people["participant"].pk]
    assert {meeting.section_id for meeting in mine.meetings.values()} == {sections["a"].pk}
    assert set(mine.sections) == {sections["a"].pk}  # not every section of the term


def test_the_organizers_rosters_come_in_pages_in_the_same_queries_at_any_size(
    term, sections, client_as
):
    client = client_as("organizer")
    url = reverse("sections:facilitator_sections", args=[term.slug])
    few, _ = _get(client, url)

    track = sections["a"].track
    for number in range(ROSTERS_PER_PAGE + 3):
        extra = add_section(term, track, name=f"Extra {number:02d}")
        _crowd(extra, 2, f"Crowd{number:02d}")
    many, page = _get(client, url)

    assert many == few
    assert page.count('data-testid="facilitated-section"') == ROSTERS_PER_PAGE
    assert f"of {ROSTERS_PER_PAGE + 5})" in page  # the pager counts every section
    assert 'rel="next"' in page


def test_the_organizer_finds_a_section_by_its_name_its_facilitator_or_a_member(
    term, sections, people, client_as
):
    client = client_as("organizer")
    url = reverse("sections:facilitator_sections", args=[term.slug])
    lead = UserFactory(name="Farah Quist")
    add_section(term, sections["a"].track, name="Zebra", lead=lead)
    _crowd(sections["b"], 2, "Yusuf")

    def shown(query):
        page = client.get(url, {"q": query}).content.decode()
        return page.count('data-testid="facilitated-section"'), page

    count, page = shown("zebra")
    assert count == 1 and "<h2>Zebra" in page
    count, page = shown("farah quist")
    assert count == 1 and "<h2>Zebra" in page
    count, page = shown("yusuf1@x.org")
    assert count == 1 and "<h2>Introductory B" in page
    count, page = shown("yusuf")  # two members of one section: the section once
    assert count == 1
    count, page = shown(people["participant"].email)
    assert count == 1 and "<h2>Introductory A" in page
    count, page = shown("nobody-at-all")
    assert count == 0 and "No section matches." in page


def test_the_organizers_rosters_sort_by_facilitator_and_keep_the_search_in_the_links(
    term, sections, client_as
):
    client = client_as("organizer")
    url = reverse("sections:facilitator_sections", args=[term.slug])
    add_section(term, sections["a"].track, name="Aardvark", lead=UserFactory(name="Zed Last"))

    page = client.get(url, {"sort": "-facilitator", "q": "a"}).content.decode()

    assert page.index("<h2>Aardvark") < page.index("<h2>Introductory")
    assert "?sort=facilitator&amp;q=a" in page  # a click turns the order round, search kept
