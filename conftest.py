"""Fixtures every test can use: people in each role of a term, and a signed-in client per role."""

from __future__ import annotations

import pytest
from django.test import Client

from cohortkit.accounts.models import Role
from cohortkit.tests.factories import MembershipFactory, TermFactory, UserFactory

ROLES = (
    "anonymous",
    "applicant",
    "participant",
    "facilitator_other_section",
    "facilitator",
    "reviewer",
    "organizer_other_term",
    "organizer",
)


@pytest.fixture
def term(db):
    return TermFactory(slug="fall-2022", name="Fall 2022")


@pytest.fixture
def other_term(db):
    return TermFactory(slug="spring-2023", name="Spring 2023")


@pytest.fixture
def people(term, other_term):
    """One person per role of the permission matrix (anonymous has none)."""
    people = {role: UserFactory(email=f"{role}@example.org") for role in ROLES[1:]}
    MembershipFactory(term=term, user=people["participant"], role=Role.PARTICIPANT)
    MembershipFactory(term=term, user=people["facilitator"], role=Role.FACILITATOR)
    MembershipFactory(term=term, user=people["facilitator_other_section"], role=Role.FACILITATOR)
    MembershipFactory(term=term, user=people["reviewer"], role=Role.REVIEWER)
    MembershipFactory(term=term, user=people["organizer"], role=Role.ORGANIZER)
    MembershipFactory(term=other_term, user=people["organizer_other_term"], role=Role.ORGANIZER)
    return people


@pytest.fixture
def client_as(people):
    def make(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(people[role])
        return client

    return make


@pytest.fixture
def sections(term, people):
    """Two tracks and two sections of the term, with a meeting every week of it.

    Section A (Mondays 18:00 America/New_York) is led by ``facilitator`` and has ``participant``
    as a member; section B (Wednesdays 19:00 Europe/Berlin) is led by
    ``facilitator_other_section`` and has no members.
    """
    import datetime as dt

    from cohortkit.common.timezones import wall_clock_to_instant
    from cohortkit.programs.models import Track
    from cohortkit.sections.models import Meeting, Section, SectionMembership

    intro = Track.objects.create(term=term, slug="intro", name="Introductory", position=0)
    Track.objects.create(term=term, slug="advanced", name="Advanced", position=1)
    a = Section.objects.create(
        term=term,
        track=intro,
        name="Introductory A",
        facilitator=people["facilitator"],
        meeting_url="https://meet.example.org/a",
        weekday=0,
        start_time=dt.time(18, 0),
        time_zone="America/New_York",
    )
    b = Section.objects.create(
        term=term,
        track=intro,
        name="Introductory B",
        facilitator=people["facilitator_other_section"],
        meeting_url="https://meet.example.org/b",
        weekday=2,
        start_time=dt.time(19, 0),
        time_zone="Europe/Berlin",
    )
    SectionMembership.objects.create(section=a, user=people["participant"], from_week=1)
    for section in (a, b):
        for week in range(1, term.week_count + 1):
            day = term.week_starts_on(week) + dt.timedelta(days=section.weekday)
            starts_at = wall_clock_to_instant(day, section.start_time, section.time_zone)
            Meeting.objects.create(
                section=section,
                week=week,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=section.duration_minutes),
            )
    return {"a": a, "b": b}


@pytest.fixture(autouse=True)
def _ledger_emptied_before_flush(request):
    """Transactional tests end with Django's ``flush``; on SQLite it deletes row by row, which the
    ledger's append-only triggers refuse. Empty the ledger first (test database only)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if not transactional and not {"transactional_db", "live_server"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from cohortkit.payments.triggers import ledger_purge_for_tests

    ledger_purge_for_tests(connection)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """A failure is printed the moment it happens, not only in the summary at the end: a long CI
    run that is stopped (or times out) still says what failed and why."""
    if report.failed and not getattr(report, "wasxfail", None):
        import sys

        sys.stderr.write(f"\n=== FAILED {report.nodeid} ({report.when})\n{report.longreprtext}\n")
        sys.stderr.flush()
