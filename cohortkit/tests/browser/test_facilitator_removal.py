"""Removing a section's facilitator in real Chromium: an organizer opens the sections page,
follows "Remove the facilitator", reads which meetings lose their facilitator and who is emailed,
confirms, and the section shows it has no facilitator; then chooses another facilitator, where
the one whose section meets at the same time cannot be picked and says why. Both pages meet WCAG
2.1 AA (axe-core) at desktop and phone width."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from cohortkit.accounts.models import Role, User
from cohortkit.programs.models import Track
from cohortkit.sections.models import Section
from cohortkit.sections.tests.weekly import add_section, term_running_now
from cohortkit.tests.browser.conftest import DESKTOP, ORGANIZER_PASSWORD, PHONE, log_in, screenshot
from cohortkit.tests.browser.test_accessibility import violations
from cohortkit.tests.factories import MembershipFactory, TermFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_organizer_removes_a_facilitator_after_reading_what_changes(
    live_server, new_page, viewport
):
    term = TermFactory(slug="fall", name="Fall", section_size_max=8)
    intro: Track = TrackFactory.create(term=term, slug="introductory", name="Introductory")
    lead: User = UserFactory.create(name="Fatima Facilitator")
    ana: User = UserFactory.create(name="Ana Participant")
    ben: User = UserFactory.create(name="Ben Participant")
    organizer: User = UserFactory.create(name="Dana Organizer")
    MembershipFactory(term=term, user=organizer, role=Role.ORGANIZER)
    section = add_section(
        term, intro, name="Introductory 1", start=dt.time(18, 0), lead=lead, members=[ana, ben]
    )
    busy: User = UserFactory.create(name="Gus Facilitator")
    add_section(term, intro, name="Introductory 2", start=dt.time(18, 0), lead=busy)
    free: User = UserFactory.create(name="Hana Facilitator")
    MembershipFactory(term=term, user=free, role=Role.FACILITATOR)
    term_running_now(term, this_week=3)
    page = new_page(viewport=viewport)
    log_in(page, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    width = "phone" if viewport is PHONE else "desktop"

    page.goto(f"{live_server.url}/terms/{term.slug}/facilitate/")
    page.get_by_role("link", name="Remove the facilitator of Introductory 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove Fatima Facilitator as the facilitator of Introductory 1?"
    )
    expect(page.get_by_test_id("meetings-losing")).to_contain_text("Week 8")
    expect(page.get_by_test_id("meetings-losing")).not_to_contain_text("Week 2:")
    expect(page.get_by_test_id("emailed-count")).to_contain_text("3 people")
    expect(page.get_by_test_id("emailed-count")).to_contain_text("Ana Participant, Ben Participant")
    assert violations(page) == []
    screenshot(page, f"facilitator-remove-{width}")
    page.get_by_label("Reason (in the facilitator's email; optional)").fill("Moved away")
    page.get_by_role("button", name="Remove the facilitator of Introductory 1").click()

    expect(
        page.get_by_text("Fatima Facilitator no longer facilitates Introductory 1")
    ).to_be_visible()
    expect(page.get_by_test_id("no-facilitator")).to_have_text("No facilitator")
    assert Section.objects.get(pk=section.pk).facilitator is None
    assert section.memberships.filter(to_week__isnull=True).count() == 2

    # Another facilitator takes the section over; the one who meets at that time cannot.
    page.get_by_role("link", name="Choose the facilitator of Introductory 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Choose the facilitator of Introductory 1"
    )
    expect(page.get_by_label("Gus Facilitator")).to_be_disabled()
    expect(page.get_by_test_id("clash")).to_contain_text("leads Introductory 2 in week 3")
    assert violations(page) == []
    screenshot(page, f"facilitator-choose-{width}")
    page.get_by_label("Hana Facilitator").check()
    page.get_by_role("button", name="Make them the facilitator of Introductory 1").click()
    expect(page.get_by_text("Hana Facilitator now facilitates Introductory 1")).to_be_visible()
    assert Section.objects.get(pk=section.pk).facilitator_id == free.pk
