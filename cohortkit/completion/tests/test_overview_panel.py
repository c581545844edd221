"""The overview's completion panel at size: the counts per status for everyone, the status
filter applied before paging, search and sort, and as many queries for one person as for a
page and more."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Role
from cohortkit.common.tables import PAGE_SIZE
from cohortkit.completion import services
from cohortkit.sections.models import Attendance, Meeting, SectionMembership
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _participants(term, people, section, *, missed: int, completed: int) -> None:
    """``missed`` people absent once (the term is over: they cannot complete any more) and
    ``completed`` present every week."""
    meetings = list(Meeting.objects.filter(section=section).order_by("week"))
    records = []
    for number in range(missed + completed):
        user = UserFactory(name=f"Member {number:03}", email=f"member{number:03}@example.org")
        MembershipFactory(term=term, user=user, role=Role.PARTICIPANT)
        SectionMembership.objects.create(section=section, user=user, from_week=1)
        for meeting in meetings:
            absent = number < missed and meeting.week == 3
            records.append(
                Attendance(
                    meeting=meeting,
                    user=user,
                    status="absent" if absent else "present",
                    recorded_by=people["facilitator"],
                    recorded_at=timezone.now(),
                )
            )
    Attendance.objects.bulk_create(records)


@pytest.fixture
def rule(term, people):
    return services.completion_rule_set(
        term=term, actor=people["organizer"], values={"min_meetings": 8, "min_assignments": 0}
    )


def test_the_status_filter_holds_across_pages_and_the_counts_are_everyones(
    term, people, sections, rule, client_as
):
    # The fixture's participant has nothing recorded: after the term, they cannot complete.
    _participants(term, people, sections["a"], missed=PAGE_SIZE + 5, completed=3)
    organizer = client_as("organizer")
    url = reverse("coursework:overview", args=[term.slug])

    second = organizer.get(url, {"completion": "cannot", "progress-page": "2"}).text
    done = organizer.get(url, {"completion": "on_track"}).text
    found = organizer.get(url, {"progress-q": "MEMBER057@example"}).text
    by_section = organizer.get(url, {"progress-sort": "-section"}).text

    assert second.count('data-testid="progress-row"') == 6  # 56 who cannot, 50 a page
    assert second.count("Cannot complete any more</span>") == 6
    assert 'data-testid="count-cannot">56<' in second
    assert 'data-testid="count-on_track">3<' in second
    assert "Everyone (59)" in second
    assert "Page 2 of 2 (51–56 of 56)" in second
    assert done.count('data-testid="progress-row"') == 3
    assert done.count("Requirements met") == 3
    assert "Member 055" in done and "Member 057" in done
    assert found.count('data-testid="progress-row"') == 1 and "Member 057" in found
    assert organizer.get(url, {"progress-q": "member057@"}).text.count("Member 057") == 1
    assert by_section.count('data-testid="progress-row"') == PAGE_SIZE
    assert 'aria-sort="descending"' in by_section


def test_the_panel_reads_as_many_queries_for_one_person_as_for_many(
    term, people, sections, rule, client_as
):
    organizer = client_as("organizer")
    url = reverse("coursework:overview", args=[term.slug]) + "?completion=cannot"
    organizer.get(url)
    with CaptureQueriesContext(connection) as one:
        first = organizer.get(url)
    _participants(term, people, sections["a"], missed=PAGE_SIZE + 5, completed=3)
    with CaptureQueriesContext(connection) as many:
        page = organizer.get(url)

    assert first.text.count('data-testid="progress-row"') == 1
    assert page.text.count('data-testid="progress-row"') == PAGE_SIZE
    assert len(many) == len(one)
