"""Applying in real Chromium: the demo form, drafts that survive a lost tab, the deadline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cohortkit.accounts.models import User
from cohortkit.admissions.models import Answer, Application, ApplicationForm
from cohortkit.admissions.services.extending import access_code_create
from cohortkit.admissions.services.loading_forms import application_forms_load
from cohortkit.programs.models import Term
from cohortkit.tests.browser.conftest import (
    PHONE,
    expected_instant,
    log_in,
    screenshot,
)
from cohortkit.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORMS = Path(__file__).resolve().parents[2] / "admissions" / "data" / "ml-safety-forms.yaml"
PASSWORD = "correct horse battery"


@pytest.fixture
def open_term(ml_safety_term: Term) -> Term:
    """The ML Safety term with the shipped forms, numbers typed with a decimal comma."""
    application_forms_load(term=ml_safety_term, text=FORMS.read_text(encoding="utf-8"))
    ml_safety_term.number_format = "comma"
    ml_safety_term.save()
    return ml_safety_term


def _fill_the_form(page: Page) -> None:
    page.get_by_label("Yes, a graduate student").check()
    page.get_by_label("University or organisation").fill("ETH Zürich")
    for question in ("deep learning", "linear algebra", "multivariate"):
        page.locator(".question", has_text=question).get_by_label("Somewhat").check()
    page.get_by_label("How does your machine learning background compare").fill("-0,5")
    page.get_by_label("Advanced: already know the basics").check()
    page.get_by_label("In person", exact=True).check()
    page.get_by_label("ETH Zürich").check()
    page.locator(".question", has_text="eligible to work").get_by_label("No", exact=True).check()
    page.get_by_role("combobox", name="Your time zone").select_option("Europe/Zurich")
    page.get_by_label("Why do you want to take this course?").fill("To learn to make ML safe.")
    page.locator(".question", has_text="commit about 5 hours").get_by_label("Yes").check()


def _drag_availability(page: Page, *, day: int, first_slot: int, last_slot: int) -> None:
    first = page.locator(f'button.slot[data-day="{day}"][data-slot="{first_slot}"]')
    last = page.locator(f'button.slot[data-day="{day}"][data-slot="{last_slot}"]')
    first.scroll_into_view_if_needed()
    start, end = first.bounding_box(), last.bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def _wait_saved(page: Page) -> None:
    expect(page.get_by_test_id("save-status")).to_contain_text("Saved")


def test_apply_with_drafts_a_lost_tab_an_edit_and_the_deadline_in_two_zones(
    live_server, new_page, open_term
):
    applicant = UserFactory(email="ines@example.org", name="Ines Costa", time_zone="Europe/Zurich")
    apply_url = f"{live_server.url}/terms/{open_term.slug}/apply/participant/"
    page = new_page(timezone_id="Europe/Zurich")
    log_in(page, live_server.url, email=applicant.email, password=PASSWORD)
    page.goto(apply_url)

    # The deadline, in the applicant's zone with its offset.
    deadline = open_term.participant_deadline
    expect(page.get_by_test_id("deadline")).to_contain_text(
        expected_instant(deadline, "Europe/Zurich")
    )

    _fill_the_form(page)
    _drag_availability(page, day=0, first_slot=36, last_slot=39)  # Monday 18:00–20:00
    expect(page.get_by_label("When could you attend")).to_have_value("Mon 18:00-20:00")
    page.get_by_label("When could you attend").press("End")
    page.keyboard.type("; Sat 10:00-12:30")
    _wait_saved(page)
    screenshot(page, "application-draft", full_page=False)

    # The tab is lost; the draft is on the server.
    page.close()
    page = new_page(timezone_id="Europe/Zurich")
    log_in(page, live_server.url, email=applicant.email, password=PASSWORD)
    page.goto(apply_url)
    expect(page.get_by_test_id("application-status")).to_contain_text("Draft")
    expect(page.get_by_label("How does your machine learning background compare")).to_have_value(
        "-0,5"
    )
    expect(page.get_by_label("When could you attend")).to_have_value(
        "Mon 18:00-20:00; Sat 10:00-12:30"
    )
    expect(page.locator('button.slot[data-day="5"][data-slot="20"]')).to_have_attribute(
        "aria-pressed", "true"
    )

    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application is submitted.")).to_be_visible()
    application = Application.objects.get(applicant=applicant)
    assert application.status == "submitted"
    level = Answer.objects.get(application=application, question__key="background_level")
    assert (level.raw, str(level.number.normalize())) == ("-0,5", "-0.5")

    # Edit after submitting, before the deadline.
    page.get_by_label("Why do you want to take this course?").fill("To help make ML systems safe.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved")).to_be_visible()
    expect(page.get_by_test_id("application-status")).to_contain_text("Submitted")

    # Another person in another zone sees the same instant in theirs.
    other = new_page(timezone_id="Asia/Tokyo")
    log_in(
        other, live_server.url, email=UserFactory(time_zone="Asia/Tokyo").email, password=PASSWORD
    )
    other.goto(apply_url)
    expect(other.get_by_test_id("deadline")).to_contain_text(
        expected_instant(deadline, "Asia/Tokyo")
    )


def _answers(applicant) -> list[str]:
    return list(
        Answer.objects.filter(application__applicant=applicant).values_list("raw", flat=True)
    )


def _draft_open_when_the_deadline_passes(page: Page, live_server, term, applicant) -> list[str]:
    """Log in, fill the form, wait until it is saved; then the deadline passes (one second ago)
    while the page is open. The answers the server holds at that moment."""
    log_in(page, live_server.url, email=applicant.email, password=PASSWORD)
    page.goto(f"{live_server.url}/terms/{term.slug}/apply/participant/")
    _fill_the_form(page)
    page.get_by_label("When could you attend").fill("Tue 19:00-21:00")
    _wait_saved(page)
    closed_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    Term.objects.filter(pk=term.pk).update(participant_deadline=closed_at)
    return _answers(applicant)


def test_a_submission_one_second_late_is_refused_and_an_extension_link_lets_it_in(
    live_server, new_page, open_term, organizer
):
    applicant = UserFactory(email="kenji@example.org", name="Kenji Ito", time_zone="Asia/Tokyo")
    page = new_page(timezone_id="Asia/Tokyo", viewport=PHONE)
    before = _draft_open_when_the_deadline_passes(page, live_server, open_term, applicant)
    # Here the explicit submit meets the deadline, not an autosave: held back, so that on a slow
    # machine the autosave (800 ms after typing) cannot reach the server first and disable the
    # button (that path has its own test below).
    save_url = f"{live_server.url}/terms/{open_term.slug}/apply/participant/save/"
    page.route(save_url, lambda route: route.abort())
    page.get_by_label("Why do you want to take this course?").fill("Changed after the deadline")
    page.get_by_role("button", name="Submit application").click()

    expect(page.get_by_test_id("page-error")).to_contain_text("The deadline passed on")
    expect(page.get_by_test_id("deadline")).to_contain_text("Applications closed on")
    assert Application.objects.get(applicant=applicant).status == "draft"
    assert _answers(applicant) == before
    screenshot(page, "application-deadline-passed-phone", full_page=False)
    page.unroute(save_url)

    # An organizer sends a late-application link; with it, the same person submits.
    form = ApplicationForm.objects.get(term=open_term, kind="participant")
    _, token = access_code_create(
        form=form,
        until=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        max_uses=10,
        created_by=User.objects.get(pk=organizer.pk),
    )
    page.goto(f"{live_server.url}/late-application/{token}/")
    expect(page.get_by_test_id("deadline")).to_contain_text("your access code")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application is submitted.")).to_be_visible()
    assert Application.objects.get(applicant=applicant).status == "submitted"


def test_an_autosave_after_the_deadline_is_refused_and_the_page_stops_taking_edits(
    live_server, new_page, open_term
):
    applicant = UserFactory(email="lina@example.org", name="Lina Vogel", time_zone="Europe/Berlin")
    page = new_page(timezone_id="Europe/Berlin")
    before = _draft_open_when_the_deadline_passes(page, live_server, open_term, applicant)

    page.get_by_label("Why do you want to take this course?").fill("Typed after the deadline")

    expect(page.get_by_test_id("save-status")).to_contain_text("The deadline passed on")
    expect(page.get_by_role("button", name="Submit application")).to_be_disabled()
    expect(page.get_by_label("Why do you want to take this course?")).to_be_disabled()
    assert Application.objects.get(applicant=applicant).status == "draft"
    assert _answers(applicant) == before


def test_text_typed_after_the_login_expired_is_kept_and_saved_after_logging_in_again(
    live_server, new_page, open_term
):
    applicant = UserFactory(email="amara@example.org", name="Amara Okafor", time_zone="UTC")
    apply_url = f"{live_server.url}/terms/{open_term.slug}/apply/participant/"
    page = new_page(timezone_id="Africa/Lagos")
    log_in(page, live_server.url, email=applicant.email, password=PASSWORD)
    page.goto(apply_url)
    motivation = page.get_by_label("Why do you want to take this course?")
    motivation.fill("First thoughts.")
    _wait_saved(page)

    # The session ends (expired, or logged out elsewhere) while the person keeps typing.
    page.context.clear_cookies(name="sessionid")
    motivation.fill("First thoughts, and a second paragraph typed after the session ended.")
    expect(page.get_by_test_id("save-status")).to_contain_text("You were signed out")

    log_in(page, live_server.url, email=applicant.email, password=PASSWORD)
    page.goto(apply_url)
    expect(page.get_by_test_id("restored")).to_be_visible()
    expect(motivation).to_have_value(
        "First thoughts, and a second paragraph typed after the session ended."
    )
    _wait_saved(page)
    answer = Answer.objects.get(application__applicant=applicant, question__key="motivation")
    assert answer.raw == "First thoughts, and a second paragraph typed after the session ended."


def test_the_university_question_appears_only_for_in_person_and_a_hidden_answer_is_not_kept(
    live_server, new_page, open_term
):
    applicant = UserFactory(email="lea@example.org", name="Léa Martin", time_zone="Europe/Zurich")
    page = new_page(timezone_id="Europe/Zurich", viewport=PHONE)
    log_in(page, live_server.url, email=applicant.email, password=PASSWORD)
    page.goto(f"{live_server.url}/terms/{open_term.slug}/apply/participant/")
    university = page.locator("#question-university")
    mode = page.locator("#question-mode")

    # Not asked until the answer calls for it: hidden, so neither seen nor reached with Tab.
    expect(university).to_be_hidden()
    expect(university).to_have_attribute("hidden", "")
    _fill_the_form(page)  # chooses "In person", then a university
    expect(university).to_be_visible()
    expect(university.get_by_label("ETH Zürich")).to_be_checked()
    mode.scroll_into_view_if_needed()
    screenshot(page, "application-conditional-university-phone", full_page=False)
    mode.get_by_label("In person", exact=True).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.question').id") == "question-university"

    mode.get_by_label("Online").check()
    expect(university).to_be_hidden()
    mode.get_by_label("Online").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.question').id") == (
        "question-us_work_eligibility"
    )
    page.get_by_label("When could you attend").fill("Tue 19:00-21:00")
    page.get_by_role("button", name="Submit application").click()

    expect(page.get_by_text("Your application is submitted.")).to_be_visible()
    answers = dict(
        Answer.objects.filter(application__applicant=applicant).values_list("question__key", "raw")
    )
    assert answers["mode"] == "virtual"
    assert "university" not in answers
    # Back to "Either": the question is asked again, now empty.
    page.locator("#question-mode").get_by_label("Either").check()
    expect(page.locator("#question-university")).to_be_visible()
    expect(page.locator("#question-university input:checked")).to_have_count(0)
