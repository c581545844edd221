"""An organizer in Los Angeles moves people by hand in real Chromium: only the sections that would
accept the person are offered, and a move no section accepts is explained in names and local
time (the person's zone and the organizer's), never ids or UTC."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cohortkit.accounts.models import Role
from cohortkit.scheduling.tests.factories import scheduling_term
from cohortkit.scheduling.tests.test_moves import moves_run
from cohortkit.tests.browser.conftest import DESKTOP, ORGANIZER_PASSWORD, PHONE, log_in, screenshot
from cohortkit.tests.browser.test_accessibility import violations
from cohortkit.tests.factories import MembershipFactory, TermFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_move_offers_only_valid_sections_and_explains_the_refused(live_server, new_page):
    term = scheduling_term(TermFactory(slug="fall-2022", name="Fall 2022"))
    organizer = UserFactory(time_zone="America/Los_Angeles", name="Dana Organizer")
    MembershipFactory(term=term, user=organizer, role=Role.ORGANIZER)
    run = moves_run(term, organizer)

    page = new_page(timezone_id="America/Los_Angeles")
    log_in(page, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    page.goto(f"{live_server.url}/terms/{term.slug}/organize/sections/runs/{run.pk}/")
    expect(page.get_by_test_id("placed-summary")).to_contain_text("5 of 6 placed")

    # Ana meets on Tuesdays at 18:00 in Berlin: only the other Tuesday intro section takes her.
    move = page.get_by_test_id("move-form")
    move.get_by_label("Participant").select_option("p-ana")
    move.get_by_test_id("move-choose").click()
    options = page.get_by_test_id("move-options")
    expect(options.get_by_role("radio")).to_have_count(1)
    expect(options).to_contain_text("Fey Tuesday")
    refused = page.get_by_test_id("move-refused")
    refused.locator("summary").click()
    expect(refused).to_contain_text("2 sections would not accept Ana Berlin, and why")
    expect(refused).to_contain_text(
        "Ana Berlin is not free on Monday 18:00 in their zone, Europe/Berlin "
        "(Monday 09:00 in yours, America/Los Angeles)"
    )
    expect(refused).to_contain_text(
        "Ana Berlin is in the Introductory track; this section is Advanced"
    )
    expect(refused).not_to_contain_text("p-ana")
    assert violations(page) == []  # axe-core, WCAG 2.1 AA: nothing serious or critical
    screenshot(page, "scheduling-move-options")
    page.set_viewport_size(PHONE)
    screenshot(page, "scheduling-move-options-phone")
    page.set_viewport_size(DESKTOP)

    options.get_by_test_id("move-submit").click()
    expect(page.get_by_text("Change saved; the solution is still valid.")).to_be_visible()
    run.refresh_from_db()
    assert run.solution is not None
    assert run.solution["sections"][3]["participants"] == ["p-eli", "p-ana"]

    # Ben meets on Mondays: no other section would take him, and each says why.
    move = page.get_by_test_id("move-form")
    move.get_by_label("Participant").select_option("p-ben")
    move.get_by_test_id("move-choose").click()
    expect(page.get_by_test_id("move-none")).to_have_text(
        "No other section would accept Ben Monday."
    )
    refused = page.get_by_test_id("move-refused")
    expect(refused).to_contain_text(
        "Ben Monday is not free on Tuesday 18:00 in their zone, Europe/Berlin "
        "(Tuesday 09:00 in yours, America/Los Angeles)"
    )
    expect(refused).not_to_contain_text("p-ben")
    # Times are the organizer's wall clock with its offset, never the solver's UTC.
    expect(refused).not_to_contain_text(re.compile(r"\d\d:\d\d UTC(?![−+])"))
    screenshot(page, "scheduling-move-refused")
