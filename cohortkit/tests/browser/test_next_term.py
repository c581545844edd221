"""Running the course again, in real Chromium: an organizer copies a finished term into a new
one, leaves one part out, publishes it, and a participant of the old term's waitlist accepts the
invitation to the new one."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cohortkit.accounts.models import Role
from cohortkit.admissions.models import (
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
    RubricCategory,
)
from cohortkit.programs.models import Term
from cohortkit.tests.browser.conftest import build_ml_safety_term, log_in, screenshot
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def test_an_organizer_runs_a_finished_term_again_and_the_waitlist_is_invited(live_server, new_page):
    finished = build_ml_safety_term(slug="fall", days_to_deadline=-100)
    assert finished.ends_on < dt.date.today()
    for form in finished.application_forms.all():
        RubricCategory.objects.create(form=form, name="Motivation")
    organizer = UserFactory(email="dana@example.org", name="Dana Organizer")
    MembershipFactory(term=finished, user=organizer, role=Role.ORGANIZER)
    waiting = UserFactory(email="wen@example.org", name="Wen Waiting")
    Enrollment.objects.create(
        term=finished,
        user=waiting,
        role=EnrollmentRole.PARTICIPANT,
        status=EnrollmentStatus.WAITLISTED,
        waitlist_rank=1,
    )
    today = dt.date.today()
    starts_on = today + dt.timedelta(
        days=120 + (7 - (today + dt.timedelta(days=120)).weekday()) % 7
    )
    page = new_page(timezone_id="America/Los_Angeles")
    log_in(page, live_server.url, email=organizer.email, password=PASSWORD)

    page.goto(f"{live_server.url}/terms/fall/organize/settings/")
    page.get_by_role("link", name="Run this again").click()
    page.get_by_label("Name of the new term").fill("Next Spring")
    page.get_by_label("Its address").fill("next-spring")
    page.get_by_label("First day").fill(starts_on.isoformat())
    page.get_by_role("button", name="Show the new dates").click()
    expect(page.get_by_role("table")).to_contain_text(starts_on.strftime("%a, %b %-d, %Y"))
    page.get_by_role("checkbox", name="Review rubric", exact=True).uncheck()
    screenshot(page, "run-again")
    page.get_by_role("button", name="Make the new term (a draft)").click()

    expect(page.get_by_role("status")).to_contain_text("is ready as a draft")
    new_term = Term.objects.get(slug="next-spring")
    assert new_term.is_published is False
    page.get_by_label("Published (the program page is public)").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Term settings saved.")
    new_term.refresh_from_db()
    assert new_term.is_published is True
    assert not RubricCategory.objects.filter(form__term=new_term).exists()
    assert new_term.weeks.count() == finished.weeks.count()

    invitation_mail = next(message for message in mail.outbox if message.to == [waiting.email])
    link = re.search(r"https?://\S+/terms/next-spring/carry-over/\S+/", invitation_mail.body)
    assert link is not None
    path = link.group(0).split("/terms/", 1)[1]
    participant = new_page(timezone_id="Europe/Berlin")
    log_in(participant, live_server.url, email=waiting.email, password=PASSWORD)
    participant.goto(f"{live_server.url}/terms/{path}")
    expect(participant.get_by_role("heading", level=1)).to_contain_text("Next Spring")
    participant.get_by_role("button", name="Yes, put me on the waitlist").click()

    expect(participant.locator(".messages")).to_contain_text("You are on the waitlist of")
    enrollment = Enrollment.objects.get(term=new_term, user=waiting)
    assert enrollment.status == EnrollmentStatus.WAITLISTED
