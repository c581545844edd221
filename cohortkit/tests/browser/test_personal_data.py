"""In real Chromium: a person downloads their data and deletes their account; an organizer
publishes a draft term, which outsiders could not see before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cohortkit.accounts.models import Role, User
from cohortkit.accounts.personal_data import is_erased
from cohortkit.tests.browser.conftest import build_ml_safety_term, log_in, screenshot
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}


def test_a_person_downloads_their_data_and_deletes_their_account(live_server, new_page):
    term = build_ml_safety_term(slug="spring")
    person = UserFactory(email="pat@example.org", name="Pat Person")
    MembershipFactory(term=term, user=person, role=Role.PARTICIPANT)
    page = new_page(viewport=PHONE)
    log_in(page, live_server.url, email=person.email, password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/profile/")

    with page.expect_download() as download_info:
        page.get_by_test_id("my-data").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["person"]["email"] == "pat@example.org"
    assert data["parts"]["accounts"]["accounts.Membership"][0]["role"] == "participant"

    page.get_by_test_id("delete-account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    screenshot(page, "account-delete-phone")
    page.get_by_label("Your password").fill("wrong")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".error, .errorlist").first).to_contain_text("That is not your password")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()

    expect(page.locator(".messages")).to_contain_text("Your account and your personal data are")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    erased = User.objects.get(pk=person.pk)
    assert is_erased(erased) and not erased.has_usable_password()


def test_an_organizer_publishes_a_draft_term(live_server, new_page):
    term = build_ml_safety_term(slug="draft-term")
    term.is_published = False
    term.save()
    organizer = UserFactory(email="dana@example.org", name="Dana Organizer")
    MembershipFactory(term=term, user=organizer, role=Role.ORGANIZER)
    outsider = new_page()
    before = outsider.goto(f"{live_server.url}/terms/draft-term/")
    assert before is not None and before.status == 404

    page = new_page()
    log_in(page, live_server.url, email=organizer.email, password=PASSWORD)
    page.goto(f"{live_server.url}/terms/draft-term/")
    expect(page.get_by_test_id("term-state").first).to_contain_text("Draft")
    page.get_by_role("link", name="state: publish, archive").click()
    screenshot(page, "term-state-draft")
    page.get_by_role("button", name="Publish this term").click()

    expect(page.locator(".messages")).to_contain_text("The term is published")
    expect(page.get_by_test_id("state-now")).to_contain_text("open for applications")
    outsider.goto(f"{live_server.url}/terms/draft-term/")
    expect(outsider.get_by_role("heading", level=1)).to_contain_text("ML Safety")
    expect(outsider.get_by_test_id("term-state").first).to_contain_text("Open for applications")
