"""Rough edges a newcomer meets first: a way to this week, Markdown where people write it, no
placeholder text, calendar links on the host in use, one "current week" for the facilitator."""

import datetime as dt
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from cohortkit.coursework.services import feedback_give, submission_submit
from cohortkit.coursework.tests.factories import AssignmentFactory
from cohortkit.programs.models import DiscussionGuide, Quiz
from cohortkit.programs.term_loader import term_load
from cohortkit.sections import rosters
from cohortkit.sections.tests.weekly import term_running_now
from cohortkit.tests.factories import WeekFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
HOSTILE = (
    "**Bring** a question.\n\n- one\n- two\n\n<script>alert(1)</script>[x](javascript:alert(1))"
)


def test_a_participant_finds_this_week_from_the_home_page_and_the_term_page(client_as, term):
    participant = client_as("participant")
    this_week = reverse("coursework:home", args=[term.slug])

    home = participant.get(reverse("programs:home")).content.decode()
    term_page = participant.get(reverse("programs:term_detail", args=[term.slug])).content.decode()
    outsider = client_as("applicant").get(reverse("programs:home")).content.decode()

    assert f'<a class="button small" href="{this_week}">This week</a>' in home
    assert f'href="{this_week}" data-testid="this-week">This week</a>' in term_page
    assert this_week not in outsider
    assert participant.get(this_week).status_code == 302  # on to the current week's page


def _guide(term, number, body, track):
    guide = DiscussionGuide.objects.create(
        week=WeekFactory(term=term, number=number), title=f"Week {number} guide", body=body
    )
    guide.tracks.set([track])
    return guide


def test_the_discussion_guide_is_markdown_made_safe(client_as, term, sections):
    term_running_now(term, this_week=2)
    _guide(term, 2, HOSTILE, sections["a"].track)

    page = (
        client_as("facilitator")
        .get(reverse("sections:facilitator_sections", args=[term.slug]))
        .content.decode()
    )

    assert "<strong>Bring</strong> a question." in page
    assert "<li>one</li>" in page
    assert "<script>alert(1)</script>" not in page
    assert 'href="javascript:' not in page  # CommonMark keeps a refused link as plain text


def test_the_guide_and_the_roster_are_of_the_same_week(term, sections, people):
    term_running_now(term, this_week=3)
    term.refresh_from_db()
    _guide(term, 3, "Week three.", sections["a"].track)
    _guide(term, 4, "Week four.", sections["a"].track)
    # Thursday of week 3: section A met on Monday; its next meeting is in week 4.
    thursday = dt.datetime.combine(
        term.week_starts_on(3) + dt.timedelta(days=3), dt.time(12), tzinfo=dt.UTC
    )

    (item,), this_week = rosters.facilitated_sections(
        term=term, user=people["facilitator"], now=thursday
    )

    assert this_week == 3
    assert item.next_meeting is not None and item.next_meeting.week == 4
    assert item.week == 3
    assert item.week_meeting is not None and item.week_meeting.week == 3
    assert [guide.body for guide in item.guides] == ["Week three."]
    assert [row.user for row in item.roster] == [people["participant"]]


def test_the_facilitators_page_names_one_week_for_roster_and_guide(client_as, term, sections):
    term_running_now(term, this_week=3)
    _guide(term, 3, "Week three.", sections["a"].track)

    page = (
        client_as("facilitator")
        .get(reverse("sections:facilitator_sections", args=[term.slug]))
        .content.decode()
    )

    assert "Roster for week 3" in page
    assert "Discussion guide for week 3" in page
    assert "Week three." in page


def test_a_review_comment_is_markdown_made_safe(client_as, term, sections, people):
    week = WeekFactory(term=term, number=1)
    assignment = AssignmentFactory(week=week, title="Week 1 reflection")
    assignment.tracks.set([sections["a"].track])
    submitted = submission_submit(
        assignment=assignment, user=people["participant"], body_markdown="My answer."
    )
    feedback_give(
        version=submitted.version,
        facilitator=people["facilitator"],
        verdict="complete",
        comment=HOSTILE,
    )

    page = (
        client_as("participant")
        .get(reverse("coursework:assignment", args=[term.slug, assignment.pk]))
        .content.decode()
    )

    assert "<strong>Bring</strong> a question." in page
    assert "<script>alert(1)</script>" not in page
    assert 'href="javascript:' not in page  # CommonMark keeps a refused link as plain text


def test_no_quiz_of_the_shipped_curriculum_shows_placeholder_text():
    term = term_load(text=(DATA / "ml-safety-fall-2022.yaml").read_text(), base_directory=DATA)

    descriptions = list(Quiz.objects.filter(week__term=term).values_list("description", flat=True))

    assert len(descriptions) == 8
    assert not [text for text in descriptions if "Placeholder" in text or "coursework app" in text]
    assert all(text.startswith("A few short questions") for text in descriptions)


@override_settings(ALLOWED_HOSTS=["courses.example.org"], SITE_URL_IS_SET=False)
def test_the_calendar_link_is_on_the_host_the_person_used(client_as):
    client = client_as("participant")

    page = client.post(reverse("calendars:reset"), HTTP_HOST="courses.example.org:8443")

    html = page.content.decode()
    assert 'href="webcal://courses.example.org:8443/calendar/' in html
    assert "127.0.0.1:8000" not in html


@override_settings(
    ALLOWED_HOSTS=["internal.example.org"],
    SITE_URL="https://cohorts.example.org",
    SITE_URL_IS_SET=True,
)
def test_the_calendar_link_is_on_site_url_when_the_deployment_set_it(client_as):
    client = client_as("participant")

    page = client.post(reverse("calendars:reset"), HTTP_HOST="internal.example.org")

    html = page.content.decode()
    assert 'href="webcal://cohorts.example.org/calendar/' in html
    assert "internal.example.org" not in html
