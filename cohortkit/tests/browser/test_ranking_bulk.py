"""The ranking's bulk staging and a release that cannot surprise, in real Chromium: an organizer
searches, filters, selects all matching, stages them, opens the release, sees the count and an
example email, confirms; each person is emailed exactly once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cohortkit.admissions.models import ApplicationForm, Decision
from cohortkit.admissions.services.importing import ImportRow, applications_import
from cohortkit.admissions.services.loading_forms import application_forms_load
from cohortkit.notifications.models import OutboundEmail
from cohortkit.tests.browser.conftest import (
    ORGANIZER_PASSWORD,
    PHONE,
    log_in,
    screenshot,
)
from cohortkit.tests.browser.test_accessibility import violations
from cohortkit.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORMS = Path(__file__).resolve().parents[2] / "admissions" / "data" / "ml-safety-forms.yaml"

# name, email, preferred track: the Lab people are searched for, the intro ones among them staged.
APPLICANTS = [
    ("Ada Lovelace", "ada@lab.example.org", "intro"),
    ("Ben Okafor", "ben@lab.example.org", "intro"),
    ("Cleo Tanaka", "cleo@lab.example.org", "intro"),
    ("Dev Patel", "dev@lab.example.org", "advanced"),
    ("Eve Moreau", "eve@home.example.org", "intro"),
    ("Finn Berg", "finn@home.example.org", "advanced"),
]
STAGED = ["ada@lab.example.org", "ben@lab.example.org", "cleo@lab.example.org"]


def _answers(track: str) -> dict[str, str]:
    return {
        "student": "no",
        "affiliation": "",
        "deep_learning": "yes",
        "linear_algebra_statistics": "yes",
        "multivariate_calculus": "some",
        "background_level": "1",
        "track": track,
        "mode": "virtual",
        "university": "",
        "us_work_eligibility": "yes",
        "time_zone": "Europe/Paris",
        "availability": "Mon 18:00-20:00",
        "motivation": "I want to make ML systems safe.",
        "commitment": "yes",
    }


@pytest.fixture
def applied(ml_safety_term, organizer):
    application_forms_load(term=ml_safety_term, text=FORMS.read_text(encoding="utf-8"))
    form = ApplicationForm.objects.get(term=ml_safety_term, kind="participant")
    submitted = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    applications_import(
        form=form,
        rows=[
            ImportRow(
                user=UserFactory(email=email, name=name, time_zone="Europe/Paris"),
                raw_answers=_answers(track),
                submitted_at=submitted + dt.timedelta(minutes=number),
            )
            for number, (name, email, track) in enumerate(APPLICANTS)
        ],
    )
    return ml_safety_term


def test_search_filter_stage_all_matching_and_confirm_the_release(
    live_server, new_page, applied, organizer
):
    term = applied
    page = new_page(timezone_id="America/Los_Angeles")
    log_in(page, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    ranking = f"{live_server.url}/terms/{term.slug}/organize/applications/participant/ranking/"
    page.goto(ranking)
    expect(page.locator("tr.ranking-row")).to_have_count(len(APPLICANTS))

    # Search by email, then filter by an answer: the search stays.
    page.get_by_label("Search applicants by name or email").fill("lab.example")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tr.ranking-row")).to_have_count(4)
    page.get_by_text("Filter by answers").click()
    page.get_by_label("Which track would you like?").select_option("intro")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("tr.ranking-row")).to_have_count(3)
    expect(page.get_by_label("Search applicants by name or email")).to_have_value("lab.example")
    expect(page.locator("table.ranking")).not_to_contain_text("Dev Patel")
    expect(page.locator("table.ranking")).not_to_contain_text("Eve Moreau")

    # Select all matching and stage them at once.
    bulk = page.locator("#bulk-form")
    bulk.get_by_label("Decision").select_option("reject:")
    bulk.get_by_label("Select all 3 matching this filter and search").check()
    bulk.get_by_role("button", name="Stage for the selected").click()
    expect(page.get_by_text("Staged 3 decisions.")).to_be_visible()
    expect(page.locator("tr.ranking-row.decided-reject")).to_have_count(3)
    assert sorted(
        Decision.objects.values_list("application__applicant__email", flat=True)
    ) == sorted(STAGED)
    release = page.get_by_test_id("release")
    expect(release).to_have_text("Release 3 staged decisions (3 emails will be sent)")
    screenshot(page, "ranking-bulk")
    assert not violations(page), violations(page)

    # A row opens the whole application, and leads back to the same table.
    page.get_by_role("link", name="Ada Lovelace").click()
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    expect(page.locator("main")).to_contain_text("I want to make ML systems safe.")
    expect(page.get_by_role("heading", name="Reviews (0)")).to_be_visible()
    assert not violations(page), violations(page)
    page.get_by_role("link", name="Ranked applications: Participant application").click()
    expect(page.locator("tr.ranking-row")).to_have_count(3)
    release = page.get_by_test_id("release")

    # The release names the count and shows one email before anything is sent.
    release.click()
    expect(page.get_by_role("heading", name="Release 3 decisions?")).to_be_visible()
    expect(page.get_by_test_id("release-count")).to_contain_text("3 people will be emailed")
    expect(page.locator(".release-outcomes")).to_contain_text("3 — Reject")
    example = page.get_by_test_id("example-email")
    expect(example).to_contain_text("Subject:")
    expect(example).to_contain_text("Ada Lovelace")
    expect(page.get_by_text("cannot be undone")).to_be_visible()
    assert not OutboundEmail.objects.exists()
    screenshot(page, "ranking-release")
    assert not violations(page), violations(page)
    phone = new_page(timezone_id="Europe/Paris", viewport=PHONE)
    log_in(phone, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    phone.goto(page.url)
    expect(phone.get_by_test_id("example-email")).to_be_visible()
    screenshot(phone, "ranking-release-phone")
    assert not violations(phone), violations(phone)

    page.get_by_role("button", name="Release and email 3 people").click()
    expect(page.get_by_text("3 decision(s) released; 3 email(s) on their way.")).to_be_visible()
    # Back on the filtered, searched ranking the organizer came from.
    expect(page.get_by_label("Search applicants by name or email")).to_have_value("lab.example")
    expect(page.get_by_test_id("release")).to_be_disabled()
    assert Counter(OutboundEmail.objects.values_list("to", flat=True)) == Counter(STAGED)
    phone.goto(ranking)
    expect(phone.locator("tr.ranking-row").first).to_be_visible()
    screenshot(phone, "ranking-phone")
    assert not violations(phone), violations(phone)
