"""The demo's running term in real Chromium, as its two demo people use it in week 3.

Loaded by ``cohortkit demo`` itself, so this also proves the demo gives every page of the weeks
of the term something real to show.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cohortkit.accounts.models import User
from cohortkit.coursework.models import Feedback, ItemCompletion
from cohortkit.quizzes.models import Attempt
from cohortkit.sections.models import Attendance, Section, SectionMembership
from cohortkit.tests.browser.conftest import log_in, settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("demo", verbosity=0)
    membership = SectionMembership.objects.select_related("section__term").get(
        user__email="participant@example.org", section__term__slug__endswith="-running"
    )
    other = (
        Section.objects.filter(term=membership.section.term)
        .exclude(pk=membership.section.pk)
        .select_related("facilitator")
        .first()
    )
    assert other is not None
    other.facilitator.set_password("another facilitator")
    other.facilitator.save()
    return {"term": membership.section.term, "section": membership.section, "other": other}


def test_week_three_of_the_demo_term(live_server, new_page, demo):
    term, section = demo["term"], demo["section"]
    base = f"{live_server.url}/terms/{term.slug}"
    participant = User.objects.get(email="participant@example.org")

    page = new_page(timezone_id="America/Los_Angeles")
    log_in(page, live_server.url, email="participant@example.org", password="demo")
    page.goto(f"{base}/week/")
    expect(page).to_have_url(f"{base}/week/3/")
    settled(page)
    reading = page.get_by_test_id("reading").first
    reading.get_by_role("button", name="Mark done").click()
    expect(reading.get_by_role("button", name=re.compile(r"^Done"))).to_be_visible()
    assert ItemCompletion.objects.filter(user=participant, reading__isnull=False).exists()

    # The written assignment of week 3.
    page.get_by_role("link", name="Write your answer").click()
    page.get_by_label("Your answer").fill("Threat models: *who* attacks, with what, and why.")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_test_id("version")).to_contain_text("Version 1")

    # The quiz of week 3, answered with a negative number.
    page.goto(f"{base}/week/3/")
    settled(page)
    page.get_by_role("link", name="Week 3 quiz").click()
    page.get_by_role("textbox").first.fill("−1.5")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_test_id("quiz-score")).to_contain_text("1/1")
    attempt = Attempt.objects.get(user=participant, quiz__week__term=term, quiz__week__number=3)
    assert attempt.score == attempt.max_score == 1

    # The facilitator marks last week's attendance and reviews the new homework.
    coach = new_page(timezone_id="America/Los_Angeles")
    log_in(coach, live_server.url, email="facilitator@example.org", password="demo")
    coach.goto(f"{base}/sections/{section.pk}/meetings/2/attendance/")
    row = coach.locator(f'[data-testid="attendance-row"][data-email="{participant.email}"]')
    row.get_by_label("Excused").check()
    coach.get_by_test_id("attendance-save").click()
    expect(coach.get_by_role("status").first).to_be_visible()
    assert (
        Attendance.objects.get(meeting__section=section, meeting__week=2, user=participant).status
        == "excused"
    )

    coach.goto(f"{base}/sections/{section.pk}/homework/?week=3")
    homework = coach.get_by_test_id("homework-row").filter(has_text="Pat Participant")
    homework.get_by_label("Needs revision").check()
    homework.get_by_label("Comment for Pat Participant").fill("Add how you would measure it.")
    homework.get_by_role("button", name="Save review").click()
    expect(coach.get_by_role("status").first).to_contain_text("Review saved")
    assert Feedback.objects.filter(
        version__submission__user=participant, verdict="needs_revision"
    ).exists()

    # The participant sees the review; another section's facilitator cannot open the homework.
    page.goto(f"{base}/week/3/")
    expect(page.get_by_test_id("assignment-status")).to_contain_text("Needs revision")
    stranger = new_page()
    log_in(
        stranger,
        live_server.url,
        email=demo["other"].facilitator.email,
        password="another facilitator",
    )
    response = stranger.goto(f"{base}/sections/{section.pk}/homework/?week=3")
    assert response is not None and response.status == 404
