"""A week of the term in real Chromium: a participant opens week 3, ticks a reading off, writes
and submits the assignment; their facilitator asks for a revision; the participant reads it; the
facilitator of another section gets 404 for that homework."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from cohortkit.accounts.models import Role
from cohortkit.common.timezones import wall_clock_to_instant
from cohortkit.coursework.models import Feedback, ItemCompletion, SubmissionVersion
from cohortkit.programs.models import Quiz, Reading, Term
from cohortkit.sections.models import Meeting, Section, SectionMembership
from cohortkit.tests.browser.conftest import (
    PHONE,
    build_ml_safety_term,
    expected_instant,
    log_in,
    screenshot,
    settled,
)
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
READING = "Towards Deep Learning Models Resistant to Adversarial Attacks"


def _section(term: Term, name: str, facilitator, weekday: int, start: dt.time, zone: str):
    section = Section.objects.create(
        term=term,
        track=term.tracks.get(slug="introductory"),
        name=name,
        facilitator=facilitator,
        meeting_url=f"https://meet.example.org/{name.lower().replace(' ', '-')}",
        weekday=weekday,
        start_time=start,
        time_zone=zone,
    )
    for week in range(1, term.week_count + 1):
        day = term.week_starts_on(week) + dt.timedelta(days=weekday)
        starts_at = wall_clock_to_instant(day, start, zone)
        Meeting.objects.create(
            section=section,
            week=week,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=section.duration_minutes),
        )
    return section


@pytest.fixture
def running_term(transactional_db):
    """The ML Safety term in its third week, with two sections of the introductory track."""
    # The term starts on the first Monday at least 20 days ago and at most 14: today is in week 3.
    term = build_ml_safety_term(slug="running", days_to_deadline=-25)
    quiz = Quiz.objects.create(week=term.weeks.get(number=3), title="Week 3 quiz", minutes=15)
    quiz.tracks.set(term.tracks.all())
    people = {
        "participant": UserFactory(
            email="participant@example.org", name="Priya Participant", time_zone="Asia/Kolkata"
        ),
        "facilitator": UserFactory(
            email="facilitator@example.org", name="Femi Facilitator", time_zone="Europe/London"
        ),
        "other": UserFactory(
            email="facilitator_other_section@example.org",
            name="Olga Otherfacilitator",
            time_zone="Europe/Berlin",
        ),
    }
    MembershipFactory(term=term, user=people["participant"], role=Role.PARTICIPANT)
    MembershipFactory(term=term, user=people["facilitator"], role=Role.FACILITATOR)
    MembershipFactory(term=term, user=people["other"], role=Role.FACILITATOR)
    a = _section(
        term, "Introductory A", people["facilitator"], 0, dt.time(18, 0), "America/New_York"
    )
    _section(term, "Introductory B", people["other"], 2, dt.time(19, 0), "Europe/Berlin")
    SectionMembership.objects.create(section=a, user=people["participant"], from_week=1)
    return {"term": term, "section": a, **people}


def _log_in(new_page, live_server, user, *, viewport=None) -> Page:
    page = new_page(timezone_id=user.time_zone, viewport=viewport)
    log_in(page, live_server.url, email=user.email, password=PASSWORD)
    return page


def test_a_week_of_work_reviewed_by_the_sections_facilitator(live_server, new_page, running_term):
    term, section = running_term["term"], running_term["section"]
    participant, facilitator = running_term["participant"], running_term["facilitator"]
    base = live_server.url

    # The participant's week page: this week, their track, their meeting in their own zone.
    page = _log_in(new_page, live_server, participant)
    page.goto(f"{base}/terms/{term.slug}/week/")
    expect(page).to_have_url(f"{base}/terms/{term.slug}/week/3/")
    settled(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Week 3: Robustness")
    meeting = Meeting.objects.get(section=section, week=3)
    expect(page.get_by_test_id("meeting")).to_contain_text(
        expected_instant(meeting.starts_at, "Asia/Kolkata")
    )
    expect(page.get_by_test_id("join")).to_have_attribute(
        "href", "https://meet.example.org/introductory-a"
    )
    expect(page.get_by_text("The Many Faces of Robustness")).to_have_count(0)  # advanced only
    expect(page.get_by_test_id("assignment")).to_contain_text("Not started")

    # Ticking a reading off swaps just that item, and it stays ticked.
    reading = page.get_by_test_id("reading").filter(has_text=READING)
    reading.get_by_role("button", name=f"Mark done: {READING}").click()
    expect(reading.get_by_role("button", name=f"Done: {READING}")).to_have_text("Done ✓")
    page.reload()
    settled(page)
    expect(page.get_by_role("button", name=f"Done: {READING}")).to_be_visible()
    assert ItemCompletion.objects.get().reading == Reading.objects.get(title=READING)
    screenshot(page, "week")
    page.set_viewport_size(PHONE)
    screenshot(page, "week-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The written assignment: a draft saved as one types, then submitted.
    page.get_by_role("link", name="Write your answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Week 3 reflection")
    # Autosave listens once the page's scripts have run; typing before that is not sent.
    page.wait_for_load_state("load")
    page.get_by_label("Your answer").fill(
        "I would test **distribution shift** from day to night images.\n\n"
        "<script>document.title = 'owned'</script>"
    )
    expect(page.get_by_test_id("save-status")).to_contain_text("Draft saved")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("status").first).to_contain_text("Version 1 submitted")
    version_card = page.get_by_test_id("version")
    expect(version_card).to_contain_text("Version 1")
    expect(version_card.locator("strong", has_text="distribution shift")).to_be_visible()
    expect(version_card.get_by_test_id("late")).to_have_count(0)
    assert page.title() != "owned"
    version = SubmissionVersion.objects.get()

    # The facilitator finds it from their week page and asks for a revision.
    coach = _log_in(new_page, live_server, facilitator)
    coach.goto(f"{base}/terms/{term.slug}/week/3/")
    coach.get_by_role("link", name="Homework of Introductory A").click()
    expect(coach.get_by_role("link", name="Week 3 1 to review")).to_be_visible()
    row = coach.get_by_test_id("homework-row").filter(has_text="Priya Participant")
    expect(row.locator("strong", has_text="distribution shift")).to_be_visible()
    assert coach.title() != "owned"
    row.get_by_label("Needs revision").check()
    row.get_by_label("Comment for Priya Participant").fill(
        "Good start. Say how you would measure the drop in accuracy."
    )
    row.get_by_role("button", name="Save review").click()
    expect(coach.get_by_role("status").first).to_contain_text("Review saved")
    expect(
        coach.get_by_test_id("homework-row").filter(has_text="Priya Participant")
    ).to_contain_text("Needs revision")
    screenshot(coach, "homework-review")
    assert Feedback.objects.get().version == version

    # The participant reads the review on the assignment and on the week page.
    page.reload()
    feedback = page.get_by_test_id("feedback")
    expect(feedback).to_contain_text("Needs revision")
    expect(feedback).to_contain_text("Say how you would measure the drop in accuracy.")
    expect(feedback).to_contain_text("Femi Facilitator")
    screenshot(page, "assignment")
    page.goto(f"{base}/terms/{term.slug}/week/3/")
    expect(page.get_by_test_id("assignment-status")).to_contain_text("Needs revision")

    # The facilitator of another section: that homework does not exist for them.
    other = _log_in(new_page, live_server, running_term["other"])
    response = other.goto(f"{base}/terms/{term.slug}/sections/{section.pk}/homework/?week=3")
    assert response is not None and response.status == 404
