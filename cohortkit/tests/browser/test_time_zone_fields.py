"""Time-zone fields in real Chromium: the organizer's own zone is chosen, the list narrows as one
types, the application's question starts at the browser's zone, and the footer's zone changes only
what this person sees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from cohortkit.accounts.models import User
from cohortkit.admissions.models import Answer, DeadlineExtension
from cohortkit.admissions.services.loading_forms import application_forms_load
from cohortkit.tests.browser.conftest import ORGANIZER_PASSWORD, PHONE, log_in, screenshot
from cohortkit.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORMS = Path(__file__).resolve().parents[2] / "admissions" / "data" / "ml-safety-forms.yaml"


def test_an_extension_starts_in_the_organizers_zone_and_the_list_narrows_as_one_types(
    live_server, new_page, ml_safety_term, organizer
):
    UserFactory(email="late@example.org")
    page = new_page(timezone_id="America/Los_Angeles")
    log_in(page, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    page.goto(
        f"{live_server.url}/terms/{ml_safety_term.slug}/organize/applications/participant/deadlines/"
    )

    extension_zone = page.locator("#id_extension-time_zone")
    expect(extension_zone).to_have_value("America/Los_Angeles")  # not Africa/Abidjan
    expect(page.locator("#id_code-time_zone")).to_have_value("America/Los_Angeles")

    search = page.locator('input[data-zone-filter="id_extension-time_zone"]')
    expect(search).to_be_visible()
    search.fill("kolkata")
    expect(extension_zone).to_have_value("Asia/Kolkata")
    expect(extension_zone.locator("option:not([hidden])")).to_have_count(1)
    screenshot(page, "deadline-zone-search", full_page=False)

    page.get_by_label("Applicant's email").fill("late@example.org")
    page.locator("#id_extension-until_date").fill("2099-01-01")
    page.locator("#id_extension-until_time").fill("12:00")
    page.get_by_role("button", name="Extend").click()

    expect(page.get_by_text("late@example.org now has their own deadline.")).to_be_visible()
    assert DeadlineExtension.objects.get().until == dt.datetime(
        2099, 1, 1, 12, tzinfo=ZoneInfo("Asia/Kolkata")
    )


def test_the_footers_zone_changes_what_is_shown_not_the_profile(
    live_server, new_page, ml_safety_term, organizer
):
    page = new_page(timezone_id="America/Los_Angeles", viewport=PHONE)
    log_in(page, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    page.goto(f"{live_server.url}/terms/{ml_safety_term.slug}/")

    page.locator('input[data-zone-filter="tz-pick"]').fill("tokyo")
    page.get_by_role("button", name="Change").click()

    expect(page.get_by_test_id("viewer-zone")).to_have_text("Asia/Tokyo")
    expect(page.get_by_test_id("profile-zone")).to_contain_text(
        "your profile's zone is still America/Los_Angeles"
    )
    assert User.objects.get(pk=organizer.pk).time_zone == "America/Los_Angeles"
    page.locator(".site-footer").scroll_into_view_if_needed()
    screenshot(page, "footer-zone-view-phone", full_page=False)


def test_the_applications_zone_question_starts_at_the_browsers_zone_and_is_searchable(
    live_server, new_page, ml_safety_term
):
    application_forms_load(term=ml_safety_term, text=FORMS.read_text(encoding="utf-8"))
    # The profile says Berlin; the browser (travelling) says Kolkata, and nothing is answered yet.
    applicant = UserFactory(email="priya@example.org", time_zone="Europe/Berlin")
    page = new_page(timezone_id="Asia/Kolkata", viewport=PHONE)
    log_in(page, live_server.url, email=applicant.email, password=ORGANIZER_PASSWORD)
    page.goto(f"{live_server.url}/terms/{ml_safety_term.slug}/apply/participant/")

    question = page.get_by_role("combobox", name="Your time zone")
    expect(question).to_have_value("Asia/Kolkata")
    search = page.locator('input[data-zone-filter="id-time_zone"]')
    expect(search).to_be_visible()
    search.fill("new york")
    expect(question).to_have_value("America/New_York")
    expect(question.locator("option:not([hidden])")).to_have_count(1)
    page.evaluate("document.getElementById('question-time_zone').scrollIntoView({block: 'center'})")
    screenshot(page, "application-zone-search-phone", full_page=False)

    expect(page.get_by_test_id("save-status")).to_contain_text("Saved")
    answer = Answer.objects.get(application__applicant=applicant, question__key="time_zone")
    assert answer.value == "America/New_York"
