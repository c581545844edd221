"""The public program page in real Chromium: time zones, apply buttons, phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohortkit.tests.browser.conftest import (
    PHONE,
    expected_instant,
    open_as_visitor,
    screenshot,
)
from cohortkit.tests.factories import TermFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_same_deadline_shows_in_each_visitors_own_zone_with_its_offset(
    live_server, new_page, ml_safety_term
):
    past_term = TermFactory(slug="fall-2022", name="Fall 2022")
    pages = {zone: new_page(timezone_id=zone) for zone in ("America/New_York", "Asia/Tokyo")}

    for zone, page in pages.items():
        open_as_visitor(page, f"{live_server.url}/terms/{past_term.slug}/")

        expect(page.get_by_test_id("viewer-zone")).to_have_text(zone.replace("_", " "))
        expect(page.get_by_test_id("participant-applications-close")).to_have_text(
            expected_instant(past_term.participant_deadline, zone)
        )
        expect(page.get_by_test_id("participant-closed")).to_contain_text(
            "Participant applications closed on "
            + expected_instant(past_term.participant_deadline, zone)
        )
        expect(page.get_by_role("link", name="Apply as a participant")).to_have_count(0)

    # The same instant really is different wall-clock text in the two zones.
    new_york, tokyo = (expected_instant(past_term.participant_deadline, zone) for zone in pages)
    assert new_york == "Thu, 22 Sep 2022, 02:59 UTC\u221204:00"
    assert tokyo == "Thu, 22 Sep 2022, 15:59 UTC+09:00"

    for zone, page in pages.items():
        open_as_visitor(page, f"{live_server.url}/terms/{ml_safety_term.slug}/")

        expect(page.get_by_test_id("participant-applications-close")).to_have_text(
            expected_instant(ml_safety_term.participant_deadline, zone)
        )
        expect(page.get_by_role("link", name="Apply as a participant")).to_be_visible()
        expect(page.get_by_role("link", name="Apply as a facilitator")).to_be_visible()
        expect(page.get_by_test_id("participant-closed")).to_have_count(0)
        expect(page.locator(".countdown").first).to_contain_text("in ")

    screenshot(pages["America/New_York"], "program-page-desktop")


def test_program_page_fits_a_phone_without_sideways_scrolling(
    live_server, new_page, ml_safety_term
):
    page = new_page(timezone_id="Europe/Berlin", viewport=PHONE)

    open_as_visitor(page, f"{live_server.url}/terms/{ml_safety_term.slug}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Introduction to ML Safety")
    expect(page.get_by_test_id("participant-applications-close")).to_have_text(
        expected_instant(ml_safety_term.participant_deadline, "Europe/Berlin")
    )
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"page is {scroll_width}px wide on a 390px phone"
    screenshot(page, "program-page-phone", full_page=False)
