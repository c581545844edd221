"""The application's save status tells the truth, and a bad answer never costs the others.

Every wait is on a condition the person can see (the status line, a field's error), never on
time: a save the test holds back stands in for a slow server on a loaded machine.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

from cohortkit.admissions.models import Answer, Application
from cohortkit.programs.models import Term
from cohortkit.tests.browser.conftest import log_in, screenshot
from cohortkit.tests.browser.test_applying import PASSWORD, _fill_the_form, open_term
from cohortkit.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["open_term"]  # the fixture, used by name below

SAVED = re.compile(r"^Saved \d\d:\d\d")
MOTIVATION = "Why do you want to take this course?"
LEVEL = "How does your machine learning background compare"


def _open(page: Page, base_url: str, term: Term, email: str) -> str:
    log_in(page, base_url, email=email, password=PASSWORD)
    url = f"{base_url}/terms/{term.slug}/apply/participant/"
    page.goto(url)
    return url


def test_saved_means_the_server_has_the_last_edit_even_when_typing_during_a_slow_save(
    live_server, new_page, open_term
):
    person = UserFactory(email="lena@example.org", name="Lena Park", time_zone="Asia/Seoul")
    page = new_page(timezone_id="Asia/Seoul")
    _open(page, live_server.url, open_term, person.email)
    status = page.get_by_test_id("save-status")
    motivation = page.get_by_label(MOTIVATION)

    motivation.fill("To learn.")
    expect(status).to_have_text(SAVED)

    # The next save is slow: the server has not answered while the person keeps typing.
    held: list[Route] = []
    holding = {"on": True}

    def slow(route: Route) -> None:
        if holding["on"]:
            held.append(route)
        else:
            route.continue_()

    page.route("**/apply/participant/save/", slow)
    with page.expect_request("**/apply/participant/save/"):
        motivation.press("End")
        page.keyboard.type(" To help.")
    expect(status).to_have_text("Saving…")
    page.keyboard.type(" And to teach.")
    expect(status).to_have_text("Saving…")  # not "Saved": the newest text is not there yet

    holding["on"] = False
    for _ in range(1000):  # a condition, not a time: each round trip delivers pending events
        if held:
            break
        page.evaluate("0")
    held[0].continue_()
    expect(status).to_have_text(SAVED)
    assert (
        Answer.objects.get(application__applicant=person, question__key="motivation").raw
        == "To learn. To help. And to teach."
    )

    # Close the tab the moment it says Saved; the last edit is on the server.
    page.close()
    again = new_page(timezone_id="Asia/Seoul")
    _open(again, live_server.url, open_term, person.email)
    expect(again.get_by_label(MOTIVATION)).to_have_value("To learn. To help. And to teach.")
    expect(again.get_by_test_id("restored")).to_have_count(0)


def test_unsaved_changes_show_until_the_server_has_them(live_server, new_page, open_term):
    person = UserFactory(email="omar@example.org", name="Omar Haddad", time_zone="UTC")
    page = new_page(timezone_id="UTC")
    _open(page, live_server.url, open_term, person.email)
    held: list[Route] = []
    page.route("**/apply/participant/save/", lambda route: held.append(route))

    # "Unsaved changes" until the autosave goes out, then "Saving…" while the server has not
    # answered (the test holds the request back); never "Saved".
    with page.expect_request("**/apply/participant/save/"):
        page.get_by_label(MOTIVATION).fill("Typed, not yet saved.")
        expect(page.get_by_test_id("save-status")).to_have_text(
            re.compile(r"^(Unsaved changes|Saving…)$")
        )
    expect(page.get_by_test_id("save-status")).to_have_text("Saving…")


def test_one_bad_answer_in_a_submitted_application_is_marked_and_every_other_answer_kept(
    live_server, new_page, open_term
):
    person = UserFactory(email="sofia@example.org", name="Sofia Reyes", time_zone="Europe/Madrid")
    page = new_page(timezone_id="Europe/Madrid")
    apply_url = _open(page, live_server.url, open_term, person.email)
    status = page.get_by_test_id("save-status")
    _fill_the_form(page)
    page.get_by_label("When could you attend").fill("Tue 19:00-21:00")
    expect(status).to_have_text(SAVED)
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application is submitted.")).to_be_visible()

    # An edit that saves, then an explicit save: no "we restored" notice after it.
    page.get_by_label(MOTIVATION).fill("To make ML systems safe.")
    expect(status).to_have_text(SAVED)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved")).to_be_visible()
    expect(page.get_by_test_id("restored")).to_have_count(0)

    # One bad answer: its error beside it, every other answer as it was, nothing stored.
    page.get_by_label(LEVEL).fill("lots")
    expect(page.get_by_test_id("error-background_level")).to_contain_text("Enter a number")
    expect(status).to_contain_text("Not saved: 1 answer to fix")
    expect(page.get_by_label(MOTIVATION)).to_have_value("To make ML systems safe.")
    expect(page.get_by_label("University or organisation")).to_have_value("ETH Zürich")
    page.get_by_label(LEVEL).evaluate("field => field.scrollIntoView({block: 'center'})")
    screenshot(page, "application-bad-answer", full_page=False)

    # Reloading keeps the whole page: the typed text comes back with its error, once.
    page.goto(apply_url)
    expect(page.get_by_test_id("restored")).to_be_visible()
    expect(page.get_by_label(LEVEL)).to_have_value("lots")
    expect(page.get_by_test_id("error-background_level")).to_contain_text("Enter a number")
    expect(page.get_by_label(MOTIVATION)).to_have_value("To make ML systems safe.")
    expect(page.get_by_label("University or organisation")).to_have_value("ETH Zürich")

    # Saving it explicitly shows the same: the refused text beside its error, nothing reset.
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("page-error")).to_contain_text("1 answer need")
    expect(page.get_by_label(LEVEL)).to_have_value("lots")
    expect(page.get_by_test_id("error-background_level")).to_contain_text("Enter a number")
    expect(page.get_by_label(MOTIVATION)).to_have_value("To make ML systems safe.")

    # Fixed, it saves, and a reload shows the server's copy without a notice.
    page.get_by_label(LEVEL).fill("1,5")
    expect(status).to_have_text(SAVED)
    expect(page.get_by_test_id("error-background_level")).to_have_text("")
    page.goto(apply_url)
    expect(page.get_by_label(LEVEL)).to_have_value("1,5")
    expect(page.get_by_test_id("restored")).to_have_count(0)
    application = Application.objects.get(applicant=person)
    assert application.status == "submitted"
    assert application.answers.get(question__key="background_level").raw == "1,5"
