"""The people page and the announcement confirmation in real Chromium: an organizer searches the
people, removes a role after its confirmation, and sees how many people an announcement will reach
before sending it; each page meets WCAG 2.1 AA (axe-core) at desktop and phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohortkit.accounts.models import Membership, Role
from cohortkit.community.models import Announcement
from cohortkit.tests.browser.conftest import DESKTOP, ORGANIZER_PASSWORD, PHONE, log_in, screenshot
from cohortkit.tests.browser.test_accessibility import violations
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_organizer_finds_a_person_removes_a_role_and_confirms_an_announcement(
    live_server, new_page, ml_safety_term, organizer, viewport
):
    term = ml_safety_term
    for number in range(3):
        MembershipFactory(
            term=term,
            user=UserFactory(email=f"student{number}@uni.example", name=f"Student {number}"),
            role=Role.PARTICIPANT,
        )
    reviewer = UserFactory(email="rita@example.org", name="Rita Reviewer")
    MembershipFactory(term=term, user=reviewer, role=Role.REVIEWER)
    page = new_page(viewport=viewport)
    log_in(page, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    width = "phone" if viewport is PHONE else "desktop"

    page.goto(f"{live_server.url}/terms/{term.slug}/organize/people/")
    page.get_by_label("Search by name or email").fill("rita")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("person-row")).to_have_count(1)
    assert violations(page) == []
    screenshot(page, f"people-{width}")
    page.get_by_role("link", name="Remove reviewer role of Rita Reviewer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove Rita Reviewer as reviewer?")
    assert violations(page) == []
    page.get_by_role("button", name="Remove the reviewer role").click()
    expect(page.get_by_text("Rita Reviewer is no longer reviewer")).to_be_visible()
    assert not Membership.objects.filter(user=reviewer).exists()

    page.goto(f"{live_server.url}/terms/{term.slug}/announcements/new/")
    page.get_by_label("Title").fill("Week 1 is out")
    page.get_by_label("Announcement").fill("Read the first two papers.")
    page.get_by_label("Audience").select_option("role")
    page.get_by_label("Role").select_option("participant")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_test_id("recipient-count")).to_contain_text("3 people")
    expect(page.get_by_test_id("example-email")).to_contain_text("Read the first two papers.")
    assert violations(page) == []
    screenshot(page, f"announcement-confirm-{width}")
    assert not Announcement.objects.exists()
    page.get_by_role("button", name="Send to 3 people").click()
    expect(page.get_by_text("Posted and being emailed.")).to_be_visible()
    assert Announcement.objects.count() == 1
