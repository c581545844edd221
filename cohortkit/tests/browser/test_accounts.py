"""Sign up, log out, log in and pick a time zone, in real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohortkit.accounts.models import User
from cohortkit.tests.browser.conftest import (
    expected_instant,
    log_in,
    open_as_visitor,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "lantern-harbor-quietly-91"


def test_sign_up_log_out_log_in_and_see_deadlines_in_the_profile_zone(
    live_server, new_page, ml_safety_term
):
    page = new_page(timezone_id="Europe/Berlin")
    program_url = f"{live_server.url}/terms/{ml_safety_term.slug}/"
    deadline = ml_safety_term.participant_deadline

    # Sign up, choosing a zone other than the browser's.
    open_as_visitor(page, f"{live_server.url}/accounts/signup/")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    page.get_by_label("Name").fill("Ada Okafor")
    page.get_by_label("Email").fill("ada.okafor@example.org")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "signup")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_text("Welcome, Ada Okafor. Your account is ready.")).to_be_visible()
    expect(page.get_by_role("link", name="Ada Okafor")).to_be_visible()
    user = User.objects.get(email="ada.okafor@example.org")
    assert user.time_zone == "America/Chicago"

    # Signed in, the profile's zone wins over the browser's.
    page.goto(program_url)
    expect(page.get_by_test_id("viewer-zone")).to_have_text("America/Chicago")
    expect(page.get_by_test_id("participant-applications-close")).to_have_text(
        expected_instant(deadline, "America/Chicago")
    )

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("link", name="Ada Okafor")).to_have_count(0)

    log_in(page, live_server.url, email="ada.okafor@example.org", password=PASSWORD)
    expect(page.get_by_role("link", name="Ada Okafor")).to_be_visible()

    page.goto(f"{live_server.url}/accounts/profile/")
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    page.get_by_label("Time zone").select_option("Asia/Kolkata")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Kolkata")
    screenshot(page, "profile")

    page.goto(program_url)
    expect(page.get_by_test_id("viewer-zone")).to_have_text("Asia/Kolkata")
    expect(page.get_by_test_id("participant-applications-close")).to_have_text(
        expected_instant(deadline, "Asia/Kolkata")
    )
    user.refresh_from_db()
    assert user.time_zone == "Asia/Kolkata"


def test_a_wrong_password_is_refused_and_keeps_you_signed_out(live_server, new_page, organizer):
    page = new_page()

    log_in(page, live_server.url, email=organizer.email, password="not the password")

    expect(page.get_by_role("alert")).to_contain_text(
        "That email and password do not match an account."
    )
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
