"""An organizer changes a term's deadline in real Chromium and the program page follows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.forms.models import model_to_dict
from playwright.sync_api import expect

from cohortkit.tests.browser.conftest import (
    ORGANIZER_PASSWORD,
    expected_instant,
    log_in,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _field(page, field_id):
    """The block that holds one form field: its label, input, help and errors."""
    return page.locator(".field", has=page.locator(f"#{field_id}"))


def test_organizer_moves_the_participant_deadline_and_the_program_page_shows_it(
    live_server, new_page, ml_safety_term, organizer
):
    page = new_page(timezone_id="America/Los_Angeles")
    settings_url = f"{live_server.url}/terms/{ml_safety_term.slug}/organize/settings/"
    program_url = f"{live_server.url}/terms/{ml_safety_term.slug}/"
    log_in(page, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    new_date = ml_safety_term.starts_on - dt.timedelta(days=6)

    # A wall-clock time in a chosen zone.
    page.goto(settings_url)
    page.get_by_label("Deadlines are in").select_option("Europe/Berlin")
    page.locator("#id_participant_deadline_date").fill(new_date.isoformat())
    page.locator("#id_participant_deadline_time").fill("18:30")
    page.get_by_role("button", name="Save settings").click()

    expect(page.get_by_text("Term settings saved.")).to_be_visible()
    expected = dt.datetime.combine(new_date, dt.time(18, 30), tzinfo=ZoneInfo("Europe/Berlin"))
    ml_safety_term.refresh_from_db()
    assert ml_safety_term.participant_deadline == expected
    page.goto(program_url)
    expect(page.get_by_test_id("viewer-zone")).to_have_text("America/Los Angeles")
    expect(page.get_by_test_id("participant-applications-close")).to_have_text(
        expected_instant(expected, "America/Los_Angeles")
    )

    # Anywhere on Earth: the date counts, open until it has ended at UTC−12.
    page.goto(settings_url)
    page.get_by_label("Deadlines are in").select_option("Etc/GMT+12")
    page.locator("#id_participant_deadline_date").fill(new_date.isoformat())
    page.locator("#id_participant_deadline_time").fill("")
    page.get_by_role("button", name="Save settings").click()

    expect(page.get_by_text("Term settings saved.")).to_be_visible()
    end_of_date_everywhere = dt.datetime.combine(
        new_date + dt.timedelta(days=1), dt.time(12, 0), tzinfo=dt.UTC
    )
    ml_safety_term.refresh_from_db()
    assert ml_safety_term.participant_deadline == end_of_date_everywhere
    assert ml_safety_term.deadline_time_zone == "Etc/GMT+12"
    page.goto(program_url)
    expect(page.get_by_test_id("participant-applications-close")).to_have_text(
        expected_instant(end_of_date_everywhere, "America/Los_Angeles")
    )
    expect(page.locator(".key-dates")).to_contain_text("anywhere on Earth")


def test_invalid_settings_show_errors_next_to_their_fields_and_save_nothing(
    live_server, new_page, ml_safety_term, organizer
):
    page = new_page(timezone_id="America/Los_Angeles")
    log_in(page, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    before = model_to_dict(ml_safety_term)
    page.goto(f"{live_server.url}/terms/{ml_safety_term.slug}/organize/settings/")

    page.get_by_label("Last day").fill(
        (ml_safety_term.starts_on - dt.timedelta(days=1)).isoformat()
    )
    page.get_by_label("Smallest section").fill("9")
    page.get_by_label("Largest section").fill("5")
    page.locator("#id_participant_deadline_time").fill("09:00")
    page.get_by_role("button", name="Save settings").click()

    expect(page.locator(".error-summary")).to_contain_text("Nothing was saved.")
    expect(_field(page, "id_ends_on").locator(".error")).to_have_text(
        "The last day must come after the first day."
    )
    expect(_field(page, "id_section_size_max").locator(".error")).to_have_text(
        "The largest section cannot be smaller than the smallest (9)."
    )
    # What the organizer typed is still there to correct.
    expect(page.get_by_label("Smallest section")).to_have_value("9")
    ml_safety_term.refresh_from_db()
    assert model_to_dict(ml_safety_term) == before
    _field(page, "id_ends_on").scroll_into_view_if_needed()
    screenshot(page, "term-settings-error")
