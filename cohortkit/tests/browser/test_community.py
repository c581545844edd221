"""Questions that become the program's FAQ, and an extension granted from a private
conversation, in real Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from playwright.sync_api import expect

from cohortkit.accounts.models import Role
from cohortkit.admissions.models import ApplicationForm
from cohortkit.admissions.tests.factories import SubmittedApplicationFactory
from cohortkit.common.timezones import wall_clock_to_instant
from cohortkit.community.models import PublicQuestion, QuestionStatus
from cohortkit.tests.browser.conftest import (
    ORGANIZER_PASSWORD,
    PHONE,
    build_ml_safety_term,
    expected_instant,
    log_in,
    open_as_visitor,
    screenshot,
)
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Can someone who is not a student participate?"


def test_a_visitors_question_waits_is_answered_pinned_and_the_next_visitor_reads_it(
    live_server, new_page, ml_safety_term, organizer
):
    program_url = f"{live_server.url}/terms/{ml_safety_term.slug}/"
    mail.outbox = []

    # A visitor asks while signed out, signs up, and finds the question still in the form.
    visitor = new_page(timezone_id="Europe/Berlin")
    open_as_visitor(visitor, program_url)
    visitor.get_by_label("Your question").fill(QUESTION)
    visitor.get_by_role("button", name="Ask", exact=True).click()
    expect(visitor.get_by_role("heading", name="Create your account")).to_be_visible()
    visitor.get_by_label("Name").fill("Sam Visitor")
    visitor.get_by_label("Email").fill("sam@example.org")
    visitor.get_by_label("Password").fill("lantern-harbor-quietly-91")
    visitor.get_by_role("button", name="Sign up").click()
    expect(visitor.get_by_test_id("draft-kept")).to_be_visible()
    expect(visitor.get_by_label("Your question")).to_have_value(QUESTION)
    visitor.get_by_role("button", name="Ask", exact=True).click()
    expect(visitor.get_by_text("your question waits for an organizer")).to_be_visible()
    expect(visitor.get_by_test_id("my-waiting-questions")).to_contain_text(QUESTION)
    question = PublicQuestion.objects.get()
    assert question.status == QuestionStatus.HELD and question.asker.email == "sam@example.org"

    # It waits: another visitor does not see it yet.
    passerby = new_page(timezone_id="America/New_York")
    open_as_visitor(passerby, program_url)
    expect(passerby.get_by_text(QUESTION)).to_have_count(0)

    # The organizer answers and pins it.
    desk = new_page(timezone_id="America/Los_Angeles")
    log_in(desk, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    desk.goto(program_url)
    desk.get_by_role("link", name="moderate questions").click()
    card = desk.get_by_test_id("moderated-question").filter(has_text=QUESTION)
    card.get_by_label("Public answer").fill("Yes! Anyone can apply, **student or not**.")
    card.get_by_role("button", name="Answer publicly").click()
    expect(desk.get_by_text("Answered; the asker is emailed the answer.")).to_be_visible()
    desk.get_by_test_id("moderated-question").filter(has_text=QUESTION).get_by_role(
        "button", name="Pin to the FAQ"
    ).click()
    expect(desk.get_by_text("In the FAQ.", exact=True)).to_be_visible()
    screenshot(desk, "questions-moderation")

    # The next visitor finds it in the FAQ, with the answer rendered.
    newcomer = new_page(timezone_id="Asia/Tokyo", viewport=PHONE)
    open_as_visitor(newcomer, program_url)
    faq = newcomer.get_by_test_id("faq")
    expect(faq).to_contain_text(QUESTION)
    expect(faq.locator("strong")).to_have_text("student or not")
    newcomer.get_by_test_id("faq").scroll_into_view_if_needed()
    screenshot(newcomer, "program-faq-phone", full_page=False)
    width = newcomer.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a 390px phone"

    # The asker got exactly one email, with the answer.
    to_asker = [message for message in mail.outbox if message.to == ["sam@example.org"]]
    assert len(to_asker) == 1
    assert "Anyone can apply" in to_asker[0].body


def test_a_participant_asks_for_an_extension_and_the_organizer_grants_it_from_the_conversation(
    live_server, new_page, transactional_db
):
    term = build_ml_safety_term(slug="closing-soon", days_to_deadline=2)
    organizer = UserFactory(
        email="organizer@example.org", name="Dana Organizer", time_zone="America/Los_Angeles"
    )
    MembershipFactory(term=term, user=organizer, role=Role.ORGANIZER)
    participant = UserFactory(email="kenji@example.org", name="Kenji", time_zone="Asia/Tokyo")
    form = ApplicationForm.objects.get(term=term, kind="participant")
    SubmittedApplicationFactory(form=form, applicant=participant)
    mail.outbox = []

    # The participant writes privately from the program page.
    page = new_page(timezone_id="Asia/Tokyo")
    log_in(page, live_server.url, email=participant.email, password=ORGANIZER_PASSWORD)
    page.goto(f"{live_server.url}/terms/{term.slug}/")
    page.get_by_text("Write a message").click()
    page.get_by_label("What is it about?").select_option(label="Extension request")
    page.get_by_label("Which application needs more time?").select_option(
        label="Participant application"
    )
    page.get_by_label("Your message").fill("My exams moved; may I have five more days?")
    page.get_by_role("button", name="Send privately").click()
    expect(page.get_by_text("Sent. The organizers will answer here.")).to_be_visible()
    expect(page.get_by_test_id("conversation-state")).to_have_text("New")

    # The organizer grants it from the conversation, in the zone they pick.
    until_day = (term.participant_deadline + dt.timedelta(days=5)).date()
    until = wall_clock_to_instant(until_day, dt.time(23, 59), "America/Los_Angeles")
    desk = new_page(timezone_id="America/Los_Angeles")
    log_in(desk, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    desk.goto(f"{live_server.url}/terms/{term.slug}/organize/inbox/")
    desk.get_by_role("link", name="Kenji").click()
    desk.get_by_label("New deadline").fill(until_day.isoformat())
    desk.locator("#id_grant-until_time").fill("23:59")
    desk.locator("#id_grant-time_zone").select_option("America/Los_Angeles")
    desk.get_by_label("Message with it (optional)").fill("Good luck with the exams.")
    desk.get_by_role("button", name="Grant the extension and reply").click()
    in_tokyo = expected_instant(until, "Asia/Tokyo")
    expect(desk.get_by_text("Extension granted")).to_be_visible()
    expect(desk.get_by_test_id("message").last).to_contain_text(in_tokyo)
    screenshot(desk, "inbox-extension")

    # The participant sees the new deadline on their application page, in their zone.
    page.goto(f"{live_server.url}/terms/{term.slug}/apply/participant/")
    expect(page.get_by_test_id("deadline")).to_contain_text(in_tokyo)
    expect(page.get_by_test_id("deadline")).to_contain_text("your personal extension")
    page.goto(f"{live_server.url}/terms/{term.slug}/conversations/")
    page.get_by_role("link", name="Extension request").click()
    expect(page.get_by_test_id("message").last).to_contain_text(in_tokyo)
    expect(page.get_by_test_id("conversation-state")).to_have_text("Waiting for them")

    # And the reply came by email, once, saying the new deadline.
    replies = [message for message in mail.outbox if message.subject.startswith("Re:")]
    assert [message.to for message in replies] == [["kenji@example.org"]]
    assert in_tokyo in replies[0].body
