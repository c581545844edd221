"""The organizer's home: where the term stands, what to do next, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Role
from cohortkit.admissions.models import (
    ApplicationForm,
    Decision,
    Enrollment,
    Review,
    ReviewAssignment,
)
from cohortkit.admissions.services.reviewing import application_scores_rebuild
from cohortkit.admissions.tests.factories import SubmittedApplicationFactory
from cohortkit.payments.models import Timesheet
from cohortkit.programs.models import Track
from cohortkit.sections.models import Attendance, Meeting
from cohortkit.sections.tests.weekly import term_running_now
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def forms(term):
    from cohortkit.tests.factories import ApplicationFormFactory

    return {
        "participant": ApplicationFormFactory(term=term, kind="participant"),
        "facilitator": ApplicationFormFactory(term=term, kind="facilitator"),
    }


def _fill(term, forms, people, count):
    """``count`` of everything the home counts: applications (reviewed or not, assigned or not,
    decided), offers, timesheets waiting, attendance of this week."""
    organizer, reviewer = people["organizer"], people["reviewer"]
    track = Track.objects.filter(term=term).order_by("position").first()
    now = timezone.now()
    for index in range(count):
        reviewed = SubmittedApplicationFactory(form=forms["participant"])
        ReviewAssignment.objects.create(application=reviewed, reviewer=reviewer)
        Review.objects.create(application=reviewed, reviewer=reviewer, submitted_at=now)
        application_scores_rebuild(form=forms["participant"], application_ids=[reviewed.pk])
        decision = Decision.objects.create(
            application=reviewed,
            outcome="accept",
            track=track,
            staged_by=organizer,
            staged_at=now,
        )
        Enrollment.objects.create(
            term=term,
            user=reviewed.applicant,
            role="participant",
            status="confirmed",
            track=track,
            decision=decision,
            offered_at=now,
            responded_at=now,
        )
        SubmittedApplicationFactory(form=forms["participant"])  # no reviewer, no review
        SubmittedApplicationFactory(form=forms["facilitator"])
        facilitator = UserFactory()
        MembershipFactory(term=term, user=facilitator, role=Role.FACILITATOR)
        Timesheet.objects.create(
            term=term,
            facilitator=facilitator,
            week=1 + index % 8,
            status="submitted",
            submitted_at=now,
            discussion_minutes=60,
        )


def _home(client_as, term):
    return client_as("organizer").get(reverse("organize:home", args=[term.slug]))


def test_the_home_says_where_the_term_stands_and_what_to_do_next(
    term, forms, people, sections, client_as
):
    term_running_now(term, this_week=3)
    _fill(term, forms, people, 12)
    last_week = Meeting.objects.get(section=sections["a"], week=2)
    Attendance.objects.create(
        meeting=last_week,
        user=people["participant"],
        status="present",
        recorded_by=people["facilitator"],
        recorded_at=timezone.now(),
    )

    response = _home(client_as, term)
    html = response.content.decode()

    assert response.status_code == 200
    assert "Week 3 of 8 is running" in html
    # Next actions, each linking to the page that resolves it.
    assert "12 participant applications have no reviewer assigned" in html
    assert "12 participant applications have no review yet" in html
    assert "12 facilitator applications have no review yet" in html
    assert "12 decisions are staged for participants and not released" in html
    assert "12 timesheets wait for approval" in html
    assert reverse("payments:timesheet_review", args=[term.slug]) in html
    assert reverse("admissions:review_settings", args=[term.slug, "participant"]) in html
    assert reverse("admissions:ranking", args=[term.slug, "participant"]) in html
    # Counts.
    assert "24 submitted, 0 drafts, 0 withdrawn" in html
    assert "12 reviews done; 12 undecided without a review" in html
    assert "12 staged, 0 released" in html
    assert "Accepted: 12 Introductory" in html
    assert "12 confirmed, 0 not answered yet" in html
    assert "2 sections (1 Introductory, 1 Advanced)" in html or "2 sections (" in html
    # Key dates in the viewer's zone with the offset, and every organizer page linked.
    assert "UTC" in html
    for name in ("coursework:overview", "scheduling:sections", "payments:money", "completion:page"):
        assert reverse(name, args=[term.slug]) in html


def test_nothing_waits_on_an_empty_term(term, client_as, people):
    html = _home(client_as, term).content.decode()

    assert "Nothing waits for you right now." in html
    assert "The term is over" in html or "Applications" in html


def test_the_public_term_page_links_organizers_to_their_home(term, client_as, people):
    url = reverse("programs:term_detail", args=[term.slug])

    organizer = client_as("organizer").get(url).content.decode()
    participant = client_as("participant").get(url).content.decode()

    assert reverse("organize:home", args=[term.slug]) in organizer
    assert reverse("organize:home", args=[term.slug]) not in participant


def test_the_home_reads_as_many_queries_for_one_row_as_for_many(
    term, forms, people, sections, client_as, django_assert_max_num_queries, other_term
):
    term_running_now(term, this_week=3)
    _fill(term, forms, people, 1)
    with django_assert_max_num_queries(40) as for_one:
        _home(client_as, term)
    _fill(term, forms, people, 30)

    with django_assert_max_num_queries(len(for_one.captured_queries)):
        html = _home(client_as, term).content.decode()

    assert "31 timesheets wait for approval" in html


def test_the_organizer_navigation_marks_the_page_it_is_on(term, client_as, people, forms):
    html = _home(client_as, term).content.decode()

    assert 'data-testid="organizer-nav"' in html
    home = reverse("organize:home", args=[term.slug])
    assert f'href="{home}" aria-current="page"' in html
    assert ApplicationForm.objects.filter(term=term).count() == 2
    assert dt.UTC  # the page's instants are shown with an offset (|instant)


def test_every_organizer_page_is_under_the_terms_organize_url():
    """One place for an organizer: every page that organizes a term (the people pages too) is at
    /terms/<slug>/organize/…, and nothing of a term hides under /accounts/."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def routes(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from routes(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    everything = [route for route in routes(get_resolver()) if not route.startswith("admin/")]
    organizing = [route for route in everything if "/organize/" in route]
    assert len(organizing) > 40
    assert all(route.startswith("terms/<slug:slug>/organize/") for route in organizing), [
        route for route in organizing if not route.startswith("terms/<slug:slug>/organize/")
    ]
    assert not [route for route in everything if route.startswith("accounts/terms/")]
