"""A reviewer works through their list with "Save and next": each save opens the next
application still to review in the list's own order, a forgotten score keeps them on the page,
and the last one brings them back to the list with "All reviewed"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohortkit.accounts.models import Role
from cohortkit.admissions.models import ApplicationForm
from cohortkit.admissions.services.reviewing import review_assignment_create, rubric_category_save
from cohortkit.admissions.tests.factories import SubmittedApplicationFactory
from cohortkit.tests.browser.conftest import PHONE, log_in, screenshot
from cohortkit.tests.browser.test_accessibility import violations
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def test_a_reviewer_saves_and_goes_to_the_next_in_their_list_order(
    live_server, new_page, ml_safety_term, organizer
):
    term = ml_safety_term
    form = ApplicationForm.objects.get(term=term, kind="participant")
    form.blind_review = False
    form.save(update_fields=["blind_review"])
    rubric_category_save(
        form=form, name="Motivation", weight=1, max_score=5, position=0, actor=organizer
    )
    reviewer = UserFactory(email="rosa.reviewer@example.org", name="Rosa Reviewer")
    MembershipFactory(term=term, user=reviewer, role=Role.REVIEWER)
    for name in ("Cleo Tanaka", "Ada Lovelace", "Ben Okafor"):
        applicant = UserFactory(name=name, email=f"{name.split()[0].lower()}@example.org")
        application = SubmittedApplicationFactory(form=form, applicant=applicant)
        review_assignment_create(application=application, reviewer=reviewer, actor=organizer)

    page = new_page()
    log_in(page, live_server.url, email=reviewer.email, password=PASSWORD)
    page.goto(f"{live_server.url}/terms/{term.slug}/review/")
    expect(page.get_by_text("3 of 3 left to review.")).to_be_visible()
    page.get_by_role("link", name="Applicant", exact=True).click()  # sorted by name: Ada, Ben, Cleo
    expect(page.locator("tr.assignment").first).to_contain_text("Ada Lovelace")
    page.get_by_role("link", name="Ada Lovelace").click()
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()

    # A forgotten score: still on Ada's page, the comment kept.
    page.get_by_label("Comment for the organizers").fill("Strong motivation.")
    page.get_by_role("button", name="Save and next").click()
    expect(page.get_by_text("Give a score.")).to_be_visible()
    expect(page.get_by_label("Comment for the organizers")).to_have_value("Strong motivation.")
    assert violations(page) == []
    screenshot(page, "review-save-and-next-error")

    page.get_by_label("Motivation").select_option("4")
    page.get_by_role("button", name="Save and next").click()
    expect(page.get_by_role("heading", name="Ben Okafor")).to_be_visible()
    page.get_by_label("Motivation").select_option("3")
    page.get_by_role("button", name="Save and next").click()
    expect(page.get_by_role("heading", name="Cleo Tanaka")).to_be_visible()
    page.get_by_label("Motivation").select_option("5")
    page.get_by_role("button", name="Save and next").click()

    expect(page.get_by_text("All reviewed")).to_be_visible()
    expect(page.get_by_text("0 of 3 left to review.")).to_be_visible()
    expect(page.locator("tr.assignment").first).to_contain_text("Ada Lovelace")  # sort kept
    screenshot(page, "review-list")
    # Once the message is read (base.html's <ul role="status"> of messages is a known axe
    # "listitem" finding of its own), the list itself has no serious violation.
    page.reload()
    expect(page.locator("tr.assignment")).to_have_count(3)
    assert violations(page) == []
    page.set_viewport_size(PHONE)
    screenshot(page, "review-list-phone")
    assert violations(page) == []
